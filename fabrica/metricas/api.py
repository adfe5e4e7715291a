"""``GET /api/metricas/``: the numbers of the dashboard with their definitions, the counts behind
each, the link to the facts it counts, the weekly trends and the table of DORA bands."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fabrica.erros import DadosInvalidos
from fabrica.metricas import selectors
from fabrica.metricas.apresentacao import Formatos, como_dict
from fabrica.metricas.faixas import UNIDADE_DO_VALOR
from fabrica.metricas.filtros import SLUG, FiltrosForm
from fabrica.specs.formato.vertentes import VERTENTES
from prometheus_site.api.permissoes import exige


class NumeroSaida(serializers.Serializer):
    chave = serializers.CharField(help_text="fabrica.*, dora.* ou workers.*")
    nome = serializers.CharField()
    definicao = serializers.CharField(help_text="O que conta e como.")
    recorte = serializers.DictField(
        child=serializers.CharField(),
        help_text="modelo, ambiente, vertente, etapa, recurso, estatistica (media, p50, p90).",
    )
    valor = serializers.FloatField(allow_null=True, help_text="null: sem dados (nada a medir no período).")
    unidade = serializers.ChoiceField(choices=["razao", "segundos", "por_dia", "contagem", "bytes"])
    sem_dados = serializers.BooleanField()
    texto = serializers.CharField(help_text="O valor como a página o mostra.")
    contagens = serializers.DictField(child=serializers.IntegerField(), help_text="Os números por trás do valor.")
    faixa = serializers.CharField(allow_blank=True, help_text="Faixa DORA (elite, alta, media, baixa) ou vazio.")
    faixa_texto = serializers.CharField(allow_blank=True, help_text="A faixa como a página a mostra.")
    fatos = serializers.CharField(help_text="Página com os itens, orçamentos, releases ou implantações contados.")


class PontoSaida(serializers.Serializer):
    semana = serializers.DateField()
    valor = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()


class TendenciaSaida(serializers.Serializer):
    chave = serializers.CharField()
    pontos = PontoSaida(many=True)


class FaixaSaida(serializers.Serializer):
    nome = serializers.CharField(help_text="elite, alta, media ou baixa.")
    limite = serializers.FloatField(
        allow_null=True,
        help_text="Na unidade do valor da métrica (por_dia, segundos, razao): mínimo para a frequência, máximo para "
        "as outras chaves. null: a pior faixa, fica com o resto.",
    )
    unidade = serializers.CharField(help_text="A unidade de `limite`: por_dia, segundos ou razao.")
    limite_informado = serializers.FloatField(allow_null=True, help_text="O limite como o admin o escreveu.")
    unidade_informada = serializers.CharField(
        allow_blank=True, help_text="por_dia, por_semana, por_mes, por_semestre, minutos, horas, dias ou %."
    )
    texto = serializers.CharField(allow_blank=True, help_text="Como a fonte descreve a faixa.")


class TabelaSaida(serializers.Serializer):
    chave = serializers.CharField()
    titulo = serializers.CharField()
    fonte = serializers.CharField(allow_blank=True)
    padrao = serializers.BooleanField(help_text="A tabela marcada como padrão no admin.")
    origem = serializers.ChoiceField(
        choices=["pedida", "padrao", "configuracao", "primeira", "nenhuma"],
        help_text="Por que esta tabela: pedida (?faixas=), padrao (marcada no admin), configuracao "
        "(PROMETHEUS_METRICAS_FAIXAS, nenhuma marcada), primeira, nenhuma (não há tabelas).",
    )
    faixas = serializers.DictField(
        child=FaixaSaida(many=True),
        help_text="Por chave (frequencia, lead_time, falhas, restauracao), da melhor à pior.",
    )


class PeriodoSaida(serializers.Serializer):
    de = serializers.DateField()
    ate = serializers.DateField()
    dias = serializers.IntegerField()


class MetricasSaida(serializers.Serializer):
    periodo = PeriodoSaida()
    filtros = serializers.DictField(child=serializers.CharField())
    ambiente_dora = serializers.CharField(allow_blank=True, help_text="O ambiente das chaves DORA principais.")
    metricas = NumeroSaida(many=True)
    tendencias = TendenciaSaida(many=True)
    faixas = TabelaSaida()


def _real(valor: Any) -> float | None:
    return None if valor is None else float(valor)


def resposta(painel: selectors.Painel) -> dict:
    """The answer in JSON's own types, already in ``MetricasSaida``'s shape (dates as ISO text,
    numbers as floats, counts as ints): the view sends it as it is, without a second pass through
    the serializer over a hundred numbers (tests/fabrica/metricas check both give the same JSON).
    ``MetricasSaida`` stays the schema's description."""
    f = painel.filtros
    tab = painel.tabela
    metricas = []
    formatos = Formatos()
    for numero in painel.numeros:
        dados = como_dict(numero, f, formatos)
        dados["valor"] = _real(dados["valor"])
        dados["contagens"] = {k: int(v) for k, v in dados["contagens"].items()}
        metricas.append(dados)
    return {
        "periodo": {"de": f.de.isoformat(), "ate": f.ate.isoformat(), "dias": f.dias},
        "filtros": f.como_query(),
        "ambiente_dora": painel.ambiente_dora,
        "metricas": metricas,
        "tendencias": [
            {
                "chave": chave,
                "pontos": [{"semana": p.semana.isoformat(), "valor": _real(p.valor), "n": int(p.n)} for p in pontos],
            }
            for chave, pontos in painel.tendencias.items()
        ],
        "faixas": {
            "chave": tab.chave,
            "titulo": str(tab.titulo),
            "fonte": str(tab.fonte),
            "padrao": tab.padrao,
            "origem": tab.origem,
            "faixas": {
                m: [
                    {
                        "nome": x.nome,
                        "limite": _real(x.limite),
                        "unidade": UNIDADE_DO_VALOR[m],
                        "limite_informado": _real(x.informado),
                        "unidade_informada": x.unidade,
                        "texto": str(x.texto),
                    }
                    for x in lista
                ]
                for m, lista in tab.faixas.items()
            },
        },
    }


def _parametro(nome: str, descricao: str, tipo: Any = str, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(nome, tipo, OpenApiParameter.QUERY, required=False, description=descricao, **extra)


class MetricasView(APIView):
    """The factory's metrics (docs/arquitetura.md, "Metrics") and DORA's four keys for a period
    (default: the
    last 12 weeks), optionally for one spec, vertente or environment. PO and admins."""

    permission_classes = [exige("fabrica.ver_metricas")]

    @extend_schema(
        parameters=[
            _parametro("de", "Primeiro dia do período (padrão: 83 dias antes de `ate`).", OpenApiTypes.DATE),
            _parametro("ate", "Último dia do período, incluído (padrão: hoje).", OpenApiTypes.DATE),
            _parametro("spec", "Só esta spec (spec_id).", pattern=SLUG),
            _parametro("vertente", "Só esta vertente.", enum=list(VERTENTES)),
            _parametro("ambiente", "Só este ambiente (DORA).", pattern=SLUG),
            _parametro(
                "faixas",
                "Chave de uma tabela de faixas DORA (editadas no admin; padrão: a marcada como padrão, senão "
                "PROMETHEUS_METRICAS_FAIXAS).",
                pattern=SLUG,
            ),
        ],
        # The refusals (400 naming the filter, 401, 403) come from prometheus_site.api.esquema.
        responses={200: MetricasSaida},
    )
    def get(self, request: Request) -> Response:
        form = FiltrosForm(request.query_params)
        if not form.is_valid():
            raise DadosInvalidos(
                "Os filtros não são válidos.", {campo: [str(m) for m in erros] for campo, erros in form.errors.items()}
            )
        painel = selectors.painel(form.filtros())
        return Response(resposta(painel))
