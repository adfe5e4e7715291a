"""Demo data for ``make run``: one user per role, the sample spec repository and a capability;
idempotent (safe to run at every start)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from prometheus_site import servidor

DEMO = [
    # (username, password, group, is_staff, description)
    ("po", "po-demo-123", "PO", False, "Product Owner: decide orçamentos no navegador"),
    ("admin", "admin-demo-123", "Administrador", True, "Administrador: capacidades, ambientes, backlog"),
    ("sistema", "sistema-demo-123", "Sistema", False, "Sistema externo: fala o contrato pela API"),
]


class Command(BaseCommand):
    help = "Cria (ou atualiza) os usuários de demonstração e imprime os logins."

    def handle(self, *args, **options):
        from fabrica.capacidades.services import capacidade_salvar
        from fabrica.models import Capacidade
        from fabrica.specs.repositorio import RepositorioInvalido, criar_de_pasta
        from fabrica.specs.services import specs_sincronizar

        repo = settings.PROMETHEUS_SPECS_REPO
        if not repo.exists():
            commit = criar_de_pasta(settings.PROMETHEUS_SPECS_EXEMPLO, repo)
            self.stdout.write(f"Repositório de specs de exemplo criado em {repo} (commit {commit[:10]}).")
        try:
            resultado = specs_sincronizar(caminho_repo=repo, por=None)
        except RepositorioInvalido as exc:  # e.g. a folder left half-made by an interrupted first start
            raise CommandError(
                f"{exc} Apague {repo} para recriá-lo a partir dos exemplos, "
                "ou aponte PROMETHEUS_SPECS_REPO para um repositório git de specs."
            ) from None
        self.stdout.write(
            f"Specs: {len(resultado.importadas)} importada(s), {len(resultado.inalteradas)} já presentes."
        )
        if not Capacidade.objects.exists():
            capacidade_salvar(tipo="container", nome="postgres", descricao="PostgreSQL 15 da fábrica", por=None)
        from fabrica.implantacao.demo import criar_ambientes_demo

        if criados := criar_ambientes_demo():
            self.stdout.write(
                f"Ambientes de demonstração criados: {', '.join(criados)} "
                f"(implantados em {settings.PROMETHEUS_IMPLANTACOES_DIR}/)."
            )
        linhas = []
        for nome, senha, grupo, staff, descricao in DEMO:
            usuario, _ = User.objects.get_or_create(username=nome)
            usuario.is_staff = staff
            # An address that is never delivered (RFC 2606), so the demo's notices show in the
            # console (`make run`); a person changes it on /perfil/.
            usuario.email = usuario.email or f"{nome}@prometheus.invalid"
            usuario.set_password(senha)
            usuario.save()
            usuario.groups.set([Group.objects.get(name=grupo)])
            token, _ = Token.objects.get_or_create(user=usuario)
            linhas.append((nome, senha, descricao, token.key))
        self.stdout.write("")
        site = servidor.url_do_site()
        self.stdout.write(f"Logins de demonstração ({site}/):")
        for nome, senha, descricao, _token in linhas:
            self.stdout.write(f"  {nome:<8} senha {senha:<18} {descricao}")
        self.stdout.write(f"  Token da API do usuário 'sistema': {linhas[-1][3]}")
        self.stdout.write(f"  Exemplo: curl -H 'Authorization: Token <token>' {site}/api/backlog/itens/")
        self.stdout.write("")
