from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fabrica.specs.repositorio import RepositorioInvalido
from fabrica.specs.services import specs_sincronizar


class Command(BaseCommand):
    help = "Importa specs/*.yaml do repositório git de specs (PROMETHEUS_SPECS_REPO) no commit HEAD."

    def add_arguments(self, parser):
        parser.add_argument("--repo", default=str(settings.PROMETHEUS_SPECS_REPO), help="Caminho do repositório.")

    def handle(self, *args, **options):
        try:
            r = specs_sincronizar(caminho_repo=options["repo"], por=None)
        except RepositorioInvalido as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Commit {r.commit[:10]}: {len(r.importadas)} importada(s) {r.importadas}, "
            f"{len(r.inalteradas)} inalterada(s)."
        )
        for caminho, erros in r.invalidas.items():
            self.stderr.write(f"{caminho} inválida:")
            for erro in erros:
                self.stderr.write(f"  - {erro}")
