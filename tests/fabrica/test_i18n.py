"""Language and time of the PO's pages (issue 5): pt-BR by default, English through the switch
of the base layout, a complete and compiled English catalogue, dates in America/Sao_Paulo."""

from __future__ import annotations

import ast
import gettext
import os
import re
import struct
import tokenize
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils.translation.template import templatize

from backlog.models import Item
from fabrica.contratos import TipoItem
from fabrica.decisoes import services as decisoes
from fabrica.models import Orcamento

RAIZ = Path(__file__).resolve().parents[2]
PO = RAIZ / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _trocar_idioma(cliente, idioma: str, pagina: str):
    """Uses the language form of the base layout exactly as rendered: its action, its fields."""
    html = cliente.get(pagina).content.decode()
    formulario = re.search(r'<form action="([^"]+)" method="post" class="idioma">(.*?)</form>', html, re.S)
    assert formulario, "the base layout has no language form"
    acao, campos = formulario.groups()
    proxima = re.search(r'<input name="next" type="hidden" value="([^"]*)">', campos).group(1)
    assert acao == reverse("set_language")
    assert f'<option value="{idioma}"' in campos
    return cliente.post(acao, {"language": idioma, "next": proxima.replace("&amp;", "&")})


# --- pages in each language -----------------------------------------------------------------------


def test_caixa_e_orcamento_em_portugues_por_padrao(cliente_como, orcamento_bloqueado):
    po = cliente_como("po")

    caixa = po.get(reverse("inicio")).content.decode()
    orcamento = po.get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()

    assert '<html lang="pt-br">' in caixa
    for texto in ("<h1>Decisões</h1>", "Em espera", "A decidir", "Decididos"):
        assert texto in caixa
    for texto in ("Detalhes do cálculo", "Gaps de infraestrutura", "Aprovar", "Rejeitar"):
        assert texto in orcamento
    assert "On hold" not in caixa
    assert "Calculation details" not in orcamento


def test_troca_para_ingles_pelo_seletor_do_layout(cliente_como, orcamento_bloqueado):
    po = cliente_como("po")
    pagina = reverse("inicio") + "?aba=espera"

    resposta = _trocar_idioma(po, "en", pagina)

    assert resposta.status_code == 302
    assert resposta["Location"] == pagina
    caixa = po.get(pagina).content.decode()
    assert '<html lang="en">' in caixa
    for texto in ("<h1>Decisions</h1>", "On hold", "To decide", "Decided", "Estimated hours", "Gaps"):
        assert texto in caixa
    assert "Em espera" not in caixa
    assert "whisper_api: Pending" in caixa  # the data is never translated, its status label is
    orcamento = po.get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()
    for texto in (
        "Calculation details",
        "Infrastructure gaps",
        "Approve",
        "Reject",
        "This budget is waiting for the gaps above to be resolved",
    ):
        assert texto in orcamento
    assert "Detalhes do cálculo" not in orcamento


def test_volta_para_portugues(cliente_como, orcamento_pronto):
    po = cliente_como("po")
    _trocar_idioma(po, "en", reverse("inicio"))

    _trocar_idioma(po, "pt-br", reverse("inicio"))

    caixa = po.get(reverse("inicio")).content.decode()
    assert "Em espera" in caixa
    assert "On hold" not in caixa


def test_idioma_desconhecido_e_ignorado(cliente_como, orcamento_pronto):
    po = cliente_como("po")

    po.post(reverse("set_language"), {"language": "xx", "next": reverse("inicio")})

    assert "Em espera" in po.get(reverse("inicio")).content.decode()


def test_troca_por_get_nao_muda_o_idioma(cliente_como, orcamento_pronto):
    po = cliente_como("po")

    po.get(reverse("set_language"), {"language": "en", "next": reverse("inicio")})

    assert "Em espera" in po.get(reverse("inicio")).content.decode()


def test_anonimo_troca_o_idioma_na_pagina_de_login(client, db):
    assert "Entrar no PROMETHEUS" in client.get(reverse("login")).content.decode()

    _trocar_idioma(client, "en", reverse("login"))

    assert "Log in to PROMETHEUS" in client.get(reverse("login")).content.decode()


def test_mensagens_das_decisoes_em_ingles(cliente_como, orcamento_pronto):
    po = cliente_como("po")
    _trocar_idioma(po, "en", reverse("inicio"))
    url = reverse("orcamento-decidir", args=[orcamento_pronto.pk, "aprovar"])

    primeira = po.post(url, {"motivo": ""}, follow=True).content.decode()
    segunda = po.post(url, {"motivo": ""}, follow=True).content.decode()

    assert "Budget approved: development has been requested." in primeira
    assert "This budget has already been decided: approved by po on" in segunda
    assert Item.objects.filter(tipo="desenvolvimento").count() == 1


def test_rotulos_de_status_e_formularios_do_django_em_ingles(cliente_como, orcamento_bloqueado):
    po = cliente_como("po")
    _trocar_idioma(po, "en", reverse("inicio"))

    orcamento = po.get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()

    assert ">Waiting for gaps<" in orcamento
    assert "Pending" in orcamento  # the gaps' backlog status, from the model's choices


# --- dates in America/Sao_Paulo -------------------------------------------------------------------

# 01:30 UTC on the 16th is 22:30 of the 15th in São Paulo (UTC-3, no daylight saving since 2019).
DECIDIDO_EM = datetime(2025, 1, 16, 1, 30, tzinfo=UTC)


@pytest.fixture
def orcamento_decidido(orcamento_pronto, elenco):
    decisoes.orcamento_aprovar(orcamento_id=orcamento_pronto.pk, por=elenco["po"], motivo="cabe no trimestre")
    Orcamento.objects.filter(pk=orcamento_pronto.pk).update(decidido_em=DECIDIDO_EM)
    return orcamento_pronto


def test_datas_no_horario_de_sao_paulo(cliente_como, orcamento_decidido):
    po = cliente_como("po")

    orcamento = po.get(reverse("orcamento", args=[orcamento_decidido.pk])).content.decode()
    historico = po.get(reverse("inicio") + "?aba=decididos").content.decode()
    recusa = po.post(
        reverse("orcamento-decidir", args=[orcamento_decidido.pk, "rejeitar"]), {"motivo": "x"}, follow=True
    ).content.decode()

    assert "por po em 15/01/2025 22:30" in orcamento
    assert "15/01/2025 22:30" in historico
    assert "já foi decidido: aprovado por po em 15/01/2025 22:30" in recusa
    for html in (orcamento, historico, recusa):
        assert "16/01/2025" not in html


def test_datas_no_horario_de_sao_paulo_em_ingles(cliente_como, orcamento_decidido):
    po = cliente_como("po")
    _trocar_idioma(po, "en", reverse("inicio"))

    orcamento = po.get(reverse("orcamento", args=[orcamento_decidido.pk])).content.decode()

    assert "by po on 01/15/2025 10:30 p.m." in orcamento


# --- the catalogue ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogo() -> list[polib.POEntry]:
    """The English catalogue's entries (obsolete ones aside), read with polib."""
    po = polib.pofile(str(PO))
    assert po.metadata.get("Language") == "en", "the .po starts with its header"
    return [e for e in po if not e.obsolete]


def test_cada_mensagem_tem_traducao(catalogo):
    assert len(catalogo) > 200
    vazias = [e.msgid for e in catalogo if not (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values())))]
    incertas = [e.msgid for e in catalogo if e.fuzzy]
    assert vazias == []
    assert incertas == []
    plurais = [e for e in catalogo if e.msgid_plural]
    assert plurais and all(sorted(e.msgstr_plural) == [0, 1] for e in plurais)


def test_mo_compilado_e_o_do_po(catalogo):
    """The committed .mo is what Django reads (a fresh machine can't compile): it must be this .po
    compiled. Compared by content, not by mtime: a git checkout writes both files in any order."""
    dados = MO.read_bytes()
    magica, _revisao, quantas = struct.unpack("<3I", dados[:12])
    assert magica == 0x950412DE
    assert quantas == len(catalogo) + 1, "the .mo has another number of messages: run compilemessages"
    with MO.open("rb") as arquivo:
        mo = gettext.GNUTranslations(arquivo)
    diferentes = []
    for e in catalogo:
        ctx = e.msgctxt
        if e.msgid_plural:
            lidas = [
                mo.npgettext(ctx, e.msgid, e.msgid_plural, n) if ctx else mo.ngettext(e.msgid, e.msgid_plural, n)
                for n in (1, 2)
            ]
            esperadas = [e.msgstr_plural[0], e.msgstr_plural[1]]
        else:
            lidas = [mo.pgettext(ctx, e.msgid) if ctx else mo.gettext(e.msgid)]
            esperadas = [e.msgstr]
        if lidas != esperadas:
            diferentes.append(e.msgid)
    assert diferentes == [], "the .mo is older than the .po: run `python manage.py compilemessages --ignore=.venv`"


# Keywords as `makemessages` passes them to xgettext: name → (index of the context, index of the msgid).
_CHAVES = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
_FORA = {".venv", "var", "locale", "node_modules", "staticfiles"}


def _mensagens_no_codigo(fonte: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every gettext call with literal arguments in Python source (or in the
    Python-like text `templatize` makes of a template)."""
    tokens = [
        t
        for t in tokenize.generate_tokens(StringIO(fonte).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    achadas = set()
    for i, token in enumerate(tokens[:-2]):
        if token.type != tokenize.NAME or token.string not in _CHAVES or tokens[i + 1].string != "(":
            continue
        argumentos, j = [], i + 2
        while j < len(tokens) and tokens[j].type == tokenize.STRING:
            pedacos = []
            while tokens[j].type == tokenize.STRING:  # implicit concatenation
                pedacos.append(ast.literal_eval(tokens[j].string))
                j += 1
            argumentos.append("".join(pedacos))
            if tokens[j].string != ",":
                break
            j += 1
        ctx, msgid = _CHAVES[token.string]
        if len(argumentos) > msgid:
            achadas.add((argumentos[ctx] if ctx is not None else None, argumentos[msgid]))
    return achadas


def _fontes():
    for pasta, subpastas, arquivos in os.walk(RAIZ):
        subpastas[:] = sorted(p for p in subpastas if p not in _FORA and not p.startswith("."))
        for nome in sorted(arquivos):
            caminho = Path(pasta) / nome
            if caminho.suffix == ".py":
                yield caminho, caminho.read_text(encoding="utf-8")
            elif caminho.suffix in {".html", ".txt"}:
                # templatize writes each call on one line; indentation would only confuse the tokenizer.
                python = templatize(caminho.read_text(encoding="utf-8"), origin=str(caminho))
                yield caminho, "\n".join(linha.lstrip() for linha in python.splitlines())


@pytest.fixture(scope="module")
def no_codigo() -> dict[tuple[str | None, str], str]:
    """Every translatable string of the project → the first file that has it."""
    achadas: dict[tuple[str | None, str], str] = {}
    for caminho, fonte in _fontes():
        for chave in _mensagens_no_codigo(fonte):
            achadas.setdefault(chave, str(caminho.relative_to(RAIZ)))
    return achadas


def test_cada_texto_traduzivel_do_projeto_esta_no_catalogo(catalogo, no_codigo):
    """What `makemessages` would extract, found without GNU gettext (a fresh machine has none)."""
    no_po = {(e.msgctxt, e.msgid) for e in catalogo}
    faltando = {chave: arquivo for chave, arquivo in no_codigo.items() if chave not in no_po}
    assert faltando == {}, (
        "translatable strings missing from locale/en/LC_MESSAGES/django.po; run makemessages -l en, "
        "translate them and compilemessages (see README, Translations)"
    )


def test_o_leitor_do_codigo_acha_o_que_o_po_tem(catalogo, no_codigo):
    """Guards the check above: the extractor finds the catalogue's strings where they are written."""
    assert no_codigo[(None, "Em espera")] == "templates/fabrica/inicio.html"  # {% translate %}
    assert no_codigo[(None, "Orçamento rejeitado.")] == "fabrica/views.py"  # gettext_lazy
    assert no_codigo[(None, "%(n)d item %(rotulo)s.")] == "backlog/admin.py"  # ngettext
    assert (None, "nenhuma") in no_codigo  # the _("…") of a template filter argument
    assert {(e.msgctxt, e.msgid) for e in catalogo} <= set(no_codigo)


# --- release and deployment pages in English (issue 17, item 8) ----------------------------------

# Portuguese words a page in English showed: stored values and stored sentences, never data.
_RESTOS_PORTUGUESES = (
    "passou",
    "falhou",
    "Vertente",
    "vertente",
    "estrutural",
    "integracao",
    "codigo",
    "apoio",
    "completo",
    "concluido",
    "deterministico",
    "Tentativa 1",
    "precisa de uma implementação",
    "Os testes de fumaça",
    "Testes de fumaça",
    "diretorio",
    "MS_Produto",
    "Implantação #",
    "Concluída em",
    "Arquivo da release",
    "avaliar_efetividade",
    "corrigir_bug",
)


@pytest.fixture
def release_com_falhas(release_pronta):
    """release_pronta's spec rebuilt with what a failing build records: failed tests, an attempt
    of the deterministic corrector that changed nothing, a case without a test, a method to write."""
    from fabrica.desenvolvimento.corretor import CorretorDeterministico, PedidoCorrecao
    from fabrica.desenvolvimento.sandbox import ResultadoTeste
    from tests.fabrica.implantacao.conftest import artefato
    from tests.factories import ReleaseFactory

    falha = {"nome": "test_dobro", "status": "falhou", "mensagem": "AssertionError: assert 4 == 5"}
    tentou = (
        CorretorDeterministico()
        .corrigir(
            PedidoCorrecao(
                vertente="E",
                nome="estrutural",
                pacote="p",
                tentativa=1,
                artefatos=[],
                falhas=[ResultadoTeste("test_dobro", "tests/test_e.py", "falhou", "AssertionError: assert 4 == 5")],
                historico=[],
            )
        )
        .descricao
    )
    return ReleaseFactory(
        spec=release_pronta.spec,
        versao=release_pronta.versao + 10,
        testes_passaram=False,
        testes=[
            {"vertente": "E", "nome": "test_dobro", "arquivo": "tests/test_e.py", "status": "falhou", "mensagem": "x"},
            {"vertente": "E", "nome": "test_versao", "arquivo": "tests/test_e.py", "status": "passou"},
            {"vertente": "C", "nome": "test_mock", "arquivo": "tests/test_c.py", "status": "erro", "mensagem": "y"},
        ],
        tentativas=[
            {
                "n": 1,
                "vertente": "E",
                "corretor": "deterministico",
                "tentou": tentou,
                "reparo": "",
                "falhas": [falha],
                "resumo_falhas": "AssertionError em 1 teste; NotImplementedError em 2 testes (precisa de implementação)",
                "diff": "",
                "alterou": False,
            }
        ],
        pendencias=[{"vertente": "E", "descricao": "Conta.saldo: precisa de uma implementação — soma os lançamentos"}],
        nao_testaveis=[
            {"vertente": "E", "caso": "caso_07", "motivo": "espera.sacar: faltam em dado os parâmetros valor"},
            *_motivos_dos_casos_sem_teste(),
        ],
        artefatos=[
            artefato("p/estrutural/conta.py", "x = 1\n"),
            artefato("p/integracao/suporte.py", "y = 2\n", vertente="C", papel="apoio"),
        ],
        recursos={"E": {"total_s": 1.0, "execucoes": [{"tentativa": 1, "isolamento": {"modo": "completo"}}]}},
    )


# Cases of spec_004's screens that no test can be made of, one per reason the interface worker gives.
_CASOS_DE_TELA_SEM_TESTE = [
    ({}, None),
    ({"categoria": "outros", "inexistente": 1}, None),
    ({"tela": "nova_solicitacao", "status": "pago"}, None),
    ({"tela": "nova_solicitacao", "status": "pago", "situacao": "nova"}, None),
    ({"tela": "tela_x"}, None),
    ({"tela": "nova_solicitacao", "acao": "cancelar"}, None),
    ({"tela": "nova_solicitacao", "acao": "apagar"}, None),
    ({"tela": "nova_solicitacao"}, {"tela": "aprovacao_gestor"}),
    ({"tela": "nova_solicitacao"}, {"protocolo": "123"}),
    ({"tela": "nova_solicitacao"}, {"erro": {"campo": "nada"}}),
    ({"tela": "nova_solicitacao"}, {"erro": "nada"}),
    ({"tela": "nova_solicitacao"}, {"erros": "nada"}),
    ({"tela": "nova_solicitacao"}, {"valido": True, "erro": {"campo": "descricao", "mensagem": "curta"}}),
    ({"tela": "nova_solicitacao", "descricao": ["a", "b"]}, None),
]


def _motivos_dos_casos_sem_teste() -> list[dict]:
    """What the workers really record for cases without a test: spec_001's decisional cases
    (covering-array rows without the decisions' inputs, cases expecting what no decision produces),
    spec_003's process paths and spec_004's screens given the cases above."""
    from fabrica.desenvolvimento.base import CasoDeTeste, Entrada, NaoTestavel
    from fabrica.desenvolvimento.gerador import GeradorTemplates
    from fabrica.desenvolvimento.workers.decisional import WorkerDecisional
    from fabrica.desenvolvimento.workers.interface.modelo import _Tela
    from fabrica.desenvolvimento.workers.interface.planos import planejar_caso
    from fabrica.desenvolvimento.workers.processual import WorkerProcessual
    from fabrica.specs.formato.interface import parametros_da_url
    from tests.fabrica.apoio_workers import casos_da_spec, spec_exemplo

    spec = spec_exemplo("spec_001")
    # The worker itself, not the registry's (release_pronta's builds register test doubles).
    entrada = Entrada(spec=spec, casos=casos_da_spec(spec), pacote=spec["id"], gerador=GeradorTemplates())
    decisional = WorkerDecisional().produzir(entrada).nao_testaveis
    motivos = [{"vertente": "D", "caso": n.caso, "motivo": n.motivo} for n in decisional]
    spec = spec_exemplo("spec_003")  # its covering-array rows lack the gateways' variables
    entrada = Entrada(spec=spec, casos=casos_da_spec(spec), pacote=spec["id"], gerador=GeradorTemplates())
    motivos += [
        {"vertente": "P", "caso": n.caso, "motivo": n.motivo}
        for n in WorkerProcessual().produzir(entrada).nao_testaveis
    ]
    telas = spec_exemplo("spec_004")["spec_interface"]["telas"]
    modelos = [_Tela(t, {x["id"]: parametros_da_url(x) for x in telas}) for t in telas]
    for i, (dado, espera) in enumerate(_CASOS_DE_TELA_SEM_TESTE, 1):
        plano = planejar_caso(modelos, CasoDeTeste(f"caso_{i:02d}", "caso", "", dado, espera))
        assert isinstance(plano, NaoTestavel), (dado, espera)
        motivos.append({"vertente": "I", "caso": plano.caso, "motivo": plano.motivo})
    return motivos + _motivos_da_integracao() + _MOTIVOS_DA_ESTRUTURAL


def _motivos_da_integracao() -> list[dict]:
    """What the integration planner really says of spec_005's cases it cannot test, one per reason."""
    import copy

    from fabrica.desenvolvimento.base import CasoDeTeste, NaoTestavel
    from fabrica.desenvolvimento.workers.integracao.planos import planejar_caso
    from tests.fabrica.apoio_workers import spec_exemplo

    conectores = spec_exemplo("spec_005")["spec_integracao"]["conectores"]
    sem_exemplo = copy.deepcopy(conectores)
    del sem_exemplo[0]["endpoints"][1]["parametros"]["uf"]["exemplo"]
    casos = [
        (conectores, {}, None),  # fits both endpoints
        (conectores, {"xyz": 1}, None),  # fits none
        (conectores, {"cep": "01001000", "resposta_api": "xyz"}, None),
        (conectores, {"cep": "01001000"}, {"erro": "xyz"}),
        (conectores, {"uf": "SP", "cidade": "Recife", "logradouro": "Rua"}, {"foo": 1}),
        (conectores, {"cep": "01001000"}, {"foo": 1}),
        (conectores, {"cep": "01001000"}, {"foo": 1, "bar": 2}),
        (sem_exemplo, {"cidade": "Recife", "logradouro": "Rua"}, None),
    ]
    motivos = []
    for i, (lista, dado, espera) in enumerate(casos, 1):
        plano = planejar_caso(lista, CasoDeTeste(f"caso_{i:02d}", "caso", "", dado, espera), {})
        assert isinstance(plano, NaoTestavel), (dado, espera)
        motivos.append({"vertente": "C", "caso": plano.caso, "motivo": plano.motivo})
    assert len({m["motivo"].split(" ")[1] for m in motivos}) > 3
    return motivos


# The structural worker's reasons, as fabrica/desenvolvimento/workers/estrutural.py and
# estrutural_regras.py format them (a spec_poo that reaches each one is long to write; these
# are the f-strings' shapes, with the rows' labels "<classe> (restrições e métodos)" / "(método)").
_MOTIVOS_DA_ESTRUTURAL = [
    {
        "vertente": "E",
        "caso": "Wallet (restrições e métodos)",
        "motivo": "o exemplo de balance viola a restrição min 0",
    },
    {
        "vertente": "E",
        "caso": "Wallet (restrições e métodos)",
        "motivo": "não há valor derivável do padrao de iban: dê um exemplo na spec; "
        "não há valor que satisfaça todas as restrições de cap: dê um exemplo na spec",
    },
    {"vertente": "E", "caso": "Wallet.withdraw (método)", "motivo": "sem valores válidos para os parâmetros amount"},
    {"vertente": "E", "caso": "caso_03", "motivo": "Wallet.fee: o resultado é NaN"},
]


def test_motivos_dos_casos_sem_teste_em_ingles(db):
    from django.utils import translation

    from prometheus_site.vocabulario import frase
    from tests.portugues import com_contexto

    linhas = _motivos_dos_casos_sem_teste()
    motivos = [m["motivo"] for m in linhas] + [m["caso"] for m in linhas]  # the rows' labels too
    assert any("o caso não dá valor às entradas" in m for m in motivos)
    assert any(": nenhuma decisão produz isso" in m for m in motivos)
    assert any("não se observa na interface" in m for m in motivos)
    assert any("que o caso não dá" in m for m in motivos)
    with translation.override("en"):
        ingleses = {m: frase(m) for m in motivos}
    assert {m: i for m, i in ingleses.items() if com_contexto(i)} == {}
    with translation.override("pt-br"):
        assert [frase(m) for m in motivos] == motivos  # stored Portuguese, shown as stored


def test_descricoes_do_schema_que_as_mensagens_citam_em_ingles():
    """A spec-format error of an anyOf/oneOf cites its description (fabrica.specs.formato.mensagens):
    every such description has an English translation without Portuguese sentences."""
    from django.utils.translation import gettext, override

    from fabrica.specs.formato.integracao import DEFS, TIPOS_BASICOS
    from fabrica.specs.formato.schema import SPEC_SCHEMA
    from tests.portugues import com_contexto

    def descricoes(no):
        if isinstance(no, dict):
            if ("anyOf" in no or "oneOf" in no) and no.get("description"):
                yield no["description"]
            for v in no.values():
                yield from descricoes(v)
        elif isinstance(no, list):
            for v in no:
                yield from descricoes(v)

    todas = set(descricoes(SPEC_SCHEMA))
    assert len(todas) >= 4
    forma = DEFS["forma"]["description"]
    assert forma.startswith(f"um tipo básico ({', '.join(TIPOS_BASICOS)})")  # written out for the catalogue
    with override("en"):
        ingles = {d: gettext(d) for d in todas}
    assert {d: i for d, i in ingles.items() if i == d or com_contexto(i)} == {}


@pytest.mark.parametrize(
    ("cpu", "portugues", "ingles"),
    [
        (1, "CPU 1 núcleo, RAM 512 MB", "CPU 1 core, RAM 512 MB"),
        (1.0, "CPU 1 núcleo, RAM 512 MB", "CPU 1 core, RAM 512 MB"),
        (2, "CPU 2 núcleos, RAM 512 MB", "CPU 2 cores, RAM 512 MB"),
        (0.5, "CPU 0,5 núcleos, RAM 512 MB", "CPU 0.5 cores, RAM 512 MB"),
    ],
)
def test_maquina_concorda_com_o_numero_de_nucleos(cpu, portugues, ingles):
    from django.utils import translation

    from prometheus_site.templatetags.palavras import maquina

    with translation.override("pt-br"):
        assert maquina({"cpu": cpu, "ram_mb": 512}) == portugues
    with translation.override("en"):
        assert maquina({"cpu": cpu, "ram_mb": 512}) == ingles


@pytest.fixture
def implantacao_falhou(release_pronta, elenco, settings, tmp_path):
    """A deployment to homologacao whose smoke checks failed, its log written as it ran."""
    from django.utils import timezone

    from fabrica.models import Release
    from tests.fabrica.implantacao.conftest import artefatos_de, implantar
    from tests.factories import ReleaseFactory

    settings.PROMETHEUS_IMPLANTACOES_DIR = tmp_path / "implantacoes"
    release = ReleaseFactory(
        spec=release_pronta.spec,
        versao=release_pronta.versao + 20,
        artefatos=artefatos_de(7, smoke_passa=False),
        status=Release.Status.APROVADA,
        decidido_por=elenco["po"],
        decidido_em=timezone.now(),
    )
    impl = implantar(release)
    assert impl.status == "Falhou" and "fumaça" in impl.erro  # the stored log and error stay Portuguese
    return impl


@pytest.fixture
def implantacao_concluida(implantacao_falhou):
    """The same spec's next release deployed to homologacao, its smoke checks passing: it waits
    for the PO's validation."""
    from tests.fabrica.implantacao.conftest import artefatos_de, implantar
    from tests.factories import ReleaseFactory

    anterior = implantacao_falhou.release
    release = ReleaseFactory(
        spec=anterior.spec,
        versao=anterior.versao + 1,
        artefatos=artefatos_de(8),
        status=anterior.status,
        decidido_por=anterior.decidido_por,
        decidido_em=anterior.decidido_em,
    )
    impl = implantar(release)
    assert impl.status == "Concluida", impl.erro
    return impl


@pytest.fixture
def implantacao_revertida(implantacao_concluida, elenco):
    """implantacao_concluida's validation refused by the PO: the rollback it asked for, processed."""
    from fabrica.implantacao import services
    from tests.fabrica.implantacao.conftest import processar

    services.implantacao_validar(
        implantacao_id=implantacao_concluida.pk, por=elenco["po"], aprovado=False, observacao=OBSERVACAO_DO_PO
    )
    reverter = Item.objects.get(pk=implantacao_concluida.item_validacao_id).gerados.get(tipo="implantar")
    reversao = processar(reverter)
    assert reversao is not None and reversao.motivo.startswith("Validação recusada: ")  # stored in Portuguese
    return reversao


OBSERVACAO_DO_PO = "o botão salvar não responde"


@pytest.fixture
def hotfix(release_pronta, elenco):
    """release_pronta rejected with a reason, and the hotfix release its correction built."""
    from backlog.models import Item
    from fabrica.releases.services import release_rejeitar
    from tests.apoio import construir, nova_versao

    release_rejeitar(release_id=release_pronta.pk, por=elenco["po"], motivo=MOTIVO_DO_PO)
    # A new spec version: without it (or a case) the same rebuild ends as "nothing to fix".
    nova_versao("spec_002")
    return construir(Item.objects.get(tipo="corrigir_bug", contexto__feature_ref=release_pronta.rotulo_versao))


MOTIVO_DO_PO = "o risco de menores sai errado"


def test_release_e_implantacao_em_ingles_sem_portugues(
    cliente_como,
    release_pronta,
    release_com_falhas,
    implantacao_falhou,
    implantacao_concluida,
    hotfix,
    implantacao_revertida,
):
    from tests.fabrica.test_paginas_do_po import _frases_do_catalogo, _texto
    from tests.portugues import com_contexto

    def sem_conteudo_dos_artefatos(resposta):
        """An artefact's content is data (the generated README is Portuguese), and so is a
        hotfix's diff of it: their summaries stay."""
        corpo = resposta.content.decode()
        resposta.content = re.sub(
            r'(<details class="artefato(?:-alterado)?".*?</summary>).*?</details>', r"\1", corpo, flags=re.S
        )
        return resposta

    # What the pages show as data, written in Portuguese by the spec's author, the PO or a test.
    dados = [
        release_pronta.spec.titulo,
        *(c["titulo"] for c in release_pronta.casos if c.get("titulo")),
        MOTIVO_DO_PO,
        OBSERVACAO_DO_PO,
        "soma os lançamentos",  # release_com_falhas's rule, from its spec
        "Created teste",  # tests.apoio.orcar's producer, an actor's name
        "Português (Brasil)",  # the language switch names each language in itself
    ]
    po = cliente_como("po")
    po.cookies["django_language"] = "en"
    frases = _frases_do_catalogo()
    paginas = {
        "release": reverse("release", args=[release_pronta.pk]),
        "falhas": reverse("release", args=[release_com_falhas.pk]),
        "hotfix": reverse("release", args=[hotfix.pk]),
        "release_da_falha": reverse("release", args=[implantacao_falhou.release_id]),
        "implantacao": reverse("implantacao", args=[implantacao_falhou.pk]),
        "log": reverse("implantacao-log", args=[implantacao_falhou.pk]),
        "concluida": reverse("implantacao", args=[implantacao_concluida.pk]),
        "revertida": reverse("implantacao", args=[implantacao_revertida.pk]),
        "ambiente": reverse("ambiente", args=["homologacao"]),
        "ambientes": reverse("ambientes"),
        "construcao": reverse("construcao", args=[release_pronta.item_origem_id]),
        "construcao_do_hotfix": reverse("construcao", args=[hotfix.item_origem_id]),
    }
    textos = {}
    for nome, url in paginas.items():
        resposta = po.get(url)
        assert resposta.status_code == 200, url
        textos[nome] = texto = _texto(sem_conteudo_dos_artefatos(resposta))
        assert [pt for pt in frases if pt in texto] == [], (url, [pt for pt in frases if pt in texto])
        # as words, not inside a path or a name (``spec_002/estrutural/``, ``test_estrutural_x``)
        restos = [pt for pt in _RESTOS_PORTUGUESES if re.search(rf"(?<![\w/.]){re.escape(pt)}(?![\w/.])", texto)]
        assert restos == [], (url, restos, texto)
        assert com_contexto(texto, dados) == {}, url
    falhas, implantacao = textos["falhas"], textos["implantacao"]
    for ingles in ("Tests per strand", "Failed", "Passed", "Error", "code", "support", "deterministic", "full"):
        assert ingles in falhas, ingles
    assert "Attempt 1: no deterministic repair applies to AssertionError in 1 test" in falhas
    assert "deterministic corrector · AssertionError in 1 test; NotImplementedError in 2 tests" in falhas
    assert "Conta.saldo: needs an implementation — soma os lançamentos" in falhas  # the rule is data
    assert "espera.sacar: the data lacks the parameters valor" in falhas
    assert "the case gives no value to the inputs" in falhas and "no decision produces this" in falhas
    assert "cannot be observed in the interface" in falhas
    assert f"Validation refused: {OBSERVACAO_DO_PO}" in textos["revertida"]
    assert "Completed" in textos["release"]  # the timeline's "concluido"
    for ingles in ("The smoke tests failed (exit code", "Directory", "Product (system)"):
        assert ingles in implantacao, ingles
    assert "Smoke tests in the sandbox" in implantacao
    assert "The smoke tests failed (exit code" in textos["log"]
    assert "Smoke tests passed" in textos["concluida"]
    assert MOTIVO_DO_PO in textos["hotfix"] and "Fixes spec_002-v1" in textos["hotfix"]


def test_release_e_implantacao_em_portugues_como_gravadas(cliente_como, release_com_falhas, implantacao_falhou):
    po = cliente_como("po")
    falhas = po.get(reverse("release", args=[release_com_falhas.pk])).content.decode()
    implantacao = po.get(reverse("implantacao", args=[implantacao_falhou.pk])).content.decode()
    assert "Falhou" in falhas and "Testes por vertente" in falhas
    assert "Tentativa 1: nenhum reparo determinístico se aplica a AssertionError em 1 teste" in falhas
    assert "Os testes de fumaça falharam (código de saída" in implantacao
    assert "Testes de fumaça no sandbox" in implantacao


# --- help texts speak of actions, not of item types (issue 17, item 8) ---------------------------

# The item types a person would read as code (``corrigir_bug``); "desenvolvimento" and "implantar"
# are also plain words.
_TIPOS_EM_CODIGO = sorted(t.value for t in TipoItem if "_" in t.value)


def _com_tipo_de_item(texto: str) -> bool:
    return any(re.search(rf"\b{t}\b", str(texto)) for t in _TIPOS_EM_CODIGO)


def test_textos_das_paginas_nao_nomeiam_tipos_de_item(catalogo):
    """Every sentence the pages show, in both languages, says what happens ("a correção pedida")."""
    assert len(_TIPOS_EM_CODIGO) >= 8
    com_tipo = [(e.msgid, e.msgstr) for e in catalogo if _com_tipo_de_item(e.msgid) or _com_tipo_de_item(e.msgstr)]
    assert com_tipo == []


def test_ajuda_dos_campos_nao_nomeia_tipos_de_item(db):
    """Field help texts: the models' (admin, forms) and the API's inputs, as its schema publishes them."""
    from django.apps import apps
    from drf_spectacular.generators import SchemaGenerator

    campos = {
        f"{m._meta.label}.{f.name}": str(f.help_text)
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if getattr(f, "help_text", "")
    }
    esquema = SchemaGenerator().get_schema(request=None, public=True)
    for nome, componente in esquema["components"]["schemas"].items():
        for campo, propriedade in componente.get("properties", {}).items():
            if propriedade.get("description"):
                campos[f"{nome}.{campo}"] = propriedade["description"]
    for caminho, operacoes in esquema["paths"].items():
        for metodo, operacao in operacoes.items():
            for codigo, resposta in operacao.get("responses", {}).items():
                campos[f"{metodo} {caminho} {codigo}"] = resposta.get("description", "")
    assert len(campos) > 20
    assert {nome: texto for nome, texto in campos.items() if _com_tipo_de_item(texto)} == {}


# --- spec-format and backlog messages in the language of the request (issue 17, item 8) --------

_SPEC_VALIDA = {
    "id": "spec_en",
    "titulo": "Spec in English",
    "vertentes": ["E"],
    "depende_de": [],
    "runtime": {"apis_externas": [], "gpu": False, "containers_necessarios": []},
    "schema_tdd": {"cobertura": "pairwise", "parametros": {"canal": ["web", "app"]}},
    "spec_poo": {"classes": [{"nome": "Conta", "atributos": [{"nome": "saldo", "tipo": "int"}]}]},
}


def _conta_com_dobro(expressao: str) -> dict:
    return {
        "atributos": [{"nome": "saldo", "tipo": "int"}],
        "metodos": [{"nome": "dobro", "retorna": "int", "expressao": expressao}],
    }


def _spec_com(**mudancas) -> dict:
    import copy

    spec = copy.deepcopy(_SPEC_VALIDA)
    for chave, valor in mudancas.items():
        if valor is None:
            del spec[chave]
        else:
            spec[chave] = valor
    return spec


@pytest.mark.parametrize(
    ("corpo", "campo", "ingles"),
    [
        ({"spec": _spec_com(titulo=None)}, "titulo", "required field missing: titulo"),
        ({"spec": _spec_com(titulos="x")}, "titulos", "unknown field: titulos; did you mean 'titulo'?"),
        ({"spec": _spec_com(vertentes=["E", "X"])}, "vertentes[1]", "must be one of the values: E, P, D, I, C"),
        ({"spec": _spec_com(id="Spec-EN")}, "id", "invalid format: 'Spec-EN'; use only lowercase letters"),
        ({"spec": _spec_com(depende_de=["spec_en"])}, "depende_de[0]", "the spec cannot depend on itself"),
        ({"spec": _spec_com(spec_poo=None)}, "spec_poo", "required field missing: spec_poo (required by the strand E)"),
        ({"spec": _spec_com(vertentes=[])}, "vertentes", "an empty list is not allowed"),
        (
            {"spec": _spec_com(spec_poo={"classes": [{"nome": "Conta"}, {"nome": "Conta"}]})},
            "spec_poo.classes[1].nome",
            "duplicate class name: 'Conta'",
        ),
        (
            {
                "spec": _spec_com(
                    spec_poo={"classes": [{"nome": "Conta", "atributos": [{"nome": "_x", "tipo": "int"}]}]}
                )
            },
            "spec_poo.classes[0].atributos[0].nome",
            "names starting with _ are reserved to the generated code: _x",
        ),
        (
            {"spec": _spec_com(spec_poo={"classes": [{"nome": "Conta", **_conta_com_dobro("saldo +")}]})},
            "spec_poo.classes[0].metodos[0].expressao",
            "invalid syntax: ",
        ),
        (
            {"spec": _spec_com(spec_poo={"classes": [{"nome": "Conta", **_conta_com_dobro("saldo.real")}]})},
            "spec_poo.classes[0].metodos[0].expressao",
            "construct not allowed: attribute access",
        ),
        (
            {
                "spec": _spec_com(
                    spec_poo={
                        "classes": [
                            {
                                "nome": "Conta",
                                "atributos": [{"nome": "cpf", "tipo": "str", "restricoes": {"padrao": "(?<=a)b"}}],
                            }
                        ]
                    }
                )
            },
            "spec_poo.classes[0].atributos[0].restricoes.padrao",
            "PROMETHEUS matches patterns in linear time (RE2) and does not accept lookahead/lookbehind",
        ),
        (
            {
                "spec": _spec_com(
                    schema_tdd={
                        "cobertura": "pairwise",
                        "parametros": {"canal": ["web", "app"]},
                        "representantes": {"canal": {"web": [1, 2]}},
                    }
                )
            },
            "schema_tdd.representantes.canal.web",
            "invalid value: [1, 2]; expected a value (text, number, boolean or null) or a mapping",
        ),
        ({"yaml": "id: spec_en\ntitulo: [open\n"}, "yaml", "invalid YAML at line 3, column 1"),
        ({"yaml": "id: spec_en\nid: spec_en\n"}, "yaml", "duplicate key: id"),
        ({"yaml": "- a\n- b\n"}, "yaml", "the document must be a YAML mapping (key: value); received: a list"),
    ],
)
def test_erros_do_formato_da_spec_em_ingles(api_como, db, corpo, campo, ingles):
    from tests.apoio import assert_forma_de_erro
    from tests.portugues import com_contexto

    sistema = api_como("sistema")
    resposta = sistema.post(reverse("api-specs"), corpo, format="json", HTTP_ACCEPT_LANGUAGE="en")

    erro = assert_forma_de_erro(resposta, 400)
    assert erro["erro"] == "The spec is not valid."
    assert any(ingles in m for m in erro["campos"][campo]), erro["campos"]
    for mensagens in erro["campos"].values():
        for mensagem in mensagens:
            assert com_contexto(mensagem, ["in vertentes"]) == {}, mensagem
    portugues = sistema.post(reverse("api-specs"), corpo, format="json")
    assert assert_forma_de_erro(portugues, 400)["erro"] == "A spec não é válida."


def test_mensagens_do_backlog_em_ingles(api_como, db):
    from tests.apoio import assert_forma_de_erro
    from tests.portugues import com_contexto

    sistema = api_como("sistema")
    en = {"format": "json", "HTTP_ACCEPT_LANGUAGE": "en"}
    criar = assert_forma_de_erro(
        sistema.post(reverse("api-backlog-itens"), {"tipo": "", "contexto": [], "prioridade": 10**6}, **en), 400
    )
    servico = assert_forma_de_erro(
        sistema.post(reverse("api-backlog-itens"), {"tipo": "outro_sistema", "contexto": {"x": "\x00"}}, **en), 400
    )
    consumir = assert_forma_de_erro(
        sistema.post(reverse("api-backlog-consumir"), {"tipos": [], "consumidor": "w"}, **en), 400
    )
    inexistente = assert_forma_de_erro(
        sistema.post(
            reverse("api-backlog-concluir", args=[999999]),
            {"lease_token": "00000000-0000-0000-0000-000000000000"},
            **en,
        ),
        404,
    )
    item = sistema.post(reverse("api-backlog-itens"), {"tipo": "outro_sistema", "contexto": {}}, format="json").json()
    sem_lease = assert_forma_de_erro(
        sistema.post(
            reverse("api-backlog-concluir", args=[item["id"]]),
            {"lease_token": "00000000-0000-0000-0000-000000000000"},
            **en,
        ),
        409,
    )

    assert criar["erro"] == "The data sent is not valid."  # the serializer's, in Django REST framework's English
    assert servico["erro"] == "The item's data are not valid."
    assert servico["campos"]["contexto"] == ["The JSON cannot contain the null character (\\u0000)."]
    assert consumir["campos"]["tipos"]
    assert inexistente["erro"] == "Item #999999 does not exist."
    assert inexistente["erro"] == "Item #999999 does not exist."
    assert sem_lease["erro"] == f"Item #{item['id']} is Pending; 'concluir' is only allowed from: In progress."
    for corpo in (criar, servico, consumir, inexistente, sem_lease):
        texto = " ".join([corpo["erro"], *(m for ms in corpo["campos"].values() for m in ms)])
        assert com_contexto(texto, ["'concluir'", "Pendente"]) == {}, texto  # the operation's and status's wire names


def test_erro_guardado_no_item_do_backlog_em_ingles(cliente_como, implantacao_falhou):
    """The broker's item page (the admin's) shows the item's stored ``erro`` in the reader's language."""
    from backlog import services as backlog
    from backlog.models import Item

    admin = cliente_como("admin")
    admin.cookies["django_language"] = "en"
    pagina = admin.get(reverse("backlog-item", args=[implantacao_falhou.item_id])).content.decode()
    assert f"Deployment #{implantacao_falhou.pk} to homologacao failed: The smoke tests failed (exit code" in pagina

    item = backlog.produzir(tipo="outro_sistema", produtor="teste", contexto={})
    backlog.consumir(tipos=["outro_sistema"], consumidor="w1", lease_segundos=1)
    Item.objects.filter(pk=item.pk).update(lease_expira_em=item.criado_em)
    assert backlog.resgatar_expirados() == 1
    assert Item.objects.get(pk=item.pk).erro == "Lease de w1 expirou."
    pagina = admin.get(reverse("backlog-item", args=[item.pk])).content.decode()
    assert "The lease of w1 expired." in pagina
