from django.core.management.base import BaseCommand, CommandError

from fabrica.erros import DadosInvalidos
from fabrica.precificacao.services import tokens_calibrar


class Command(BaseCommand):
    help = (
        "Recalibra os tokens do modelo por unidade de tamanho e vertente a partir das releases construídas "
        "com modelo (docs/precificacao.md, 'Tokens'): grava uma nova versão do modelo de precificação."
    )

    def handle(self, *args, **options):
        try:
            modelo = tokens_calibrar()
        except DadosInvalidos as exc:
            raise CommandError(str(exc)) from None
        ajuste = modelo.coeficientes["ajuste_tokens"]
        self.stdout.write(
            f"Modelo de precificação v{modelo.versao}: tokens_por_unidade={modelo.coeficientes['tokens_por_unidade']}, "
            f"fracao_saida={modelo.coeficientes['fracao_saida']} ({ajuste['amostras']} release(s); "
            f"MMRE {ajuste['mmre']} contra {ajuste['mmre_anterior']} das estimativas feitas)."
        )
