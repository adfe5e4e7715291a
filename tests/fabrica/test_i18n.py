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
        "This budget is waiting for the gaps below to be resolved",
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
            {"vertente": "E", "caso": "caso_07", "motivo": "espera.sacar: faltam em dado os parâmetros valor"}
        ],
        artefatos=[
            artefato("p/estrutural/conta.py", "x = 1\n"),
            artefato("p/integracao/suporte.py", "y = 2\n", vertente="C", papel="apoio"),
        ],
        recursos={"E": {"total_s": 1.0, "execucoes": [{"tentativa": 1, "isolamento": {"modo": "completo"}}]}},
    )


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


def test_release_e_implantacao_em_ingles_sem_portugues(
    cliente_como, release_pronta, release_com_falhas, implantacao_falhou
):
    from tests.fabrica.test_paginas_do_po import _frases_do_catalogo, _texto

    def sem_conteudo_dos_artefatos(resposta):
        """An artefact's content is data (the generated README is Portuguese): its summary stays."""
        corpo = resposta.content.decode()
        resposta.content = re.sub(r'(<details class="artefato".*?</summary>).*?</details>', r"\1", corpo, flags=re.S)
        return resposta

    po = cliente_como("po")
    po.cookies["django_language"] = "en"
    frases = _frases_do_catalogo()
    paginas = {
        "release": reverse("release", args=[release_pronta.pk]),
        "falhas": reverse("release", args=[release_com_falhas.pk]),
        "implantacao": reverse("implantacao", args=[implantacao_falhou.pk]),
    }
    textos = {}
    for nome, url in paginas.items():
        resposta = po.get(url)
        assert resposta.status_code == 200
        textos[nome] = texto = _texto(sem_conteudo_dos_artefatos(resposta))
        assert [pt for pt in frases if pt in texto] == [], (url, [pt for pt in frases if pt in texto])
        # as words, not inside a path or a name (``spec_002/estrutural/``, ``test_estrutural_x``)
        restos = [pt for pt in _RESTOS_PORTUGUESES if re.search(rf"(?<![\w/.]){re.escape(pt)}(?![\w/.])", texto)]
        assert restos == [], (url, restos, texto)
    falhas, implantacao = textos["falhas"], textos["implantacao"]
    for ingles in ("Tests per strand", "Failed", "Passed", "Error", "code", "support", "deterministic", "full"):
        assert ingles in falhas, ingles
    assert "Attempt 1: no deterministic repair applies to AssertionError in 1 test" in falhas
    assert "Conta.saldo: needs an implementation — soma os lançamentos" in falhas  # the rule is data
    assert "espera.sacar: the data lacks the parameters valor" in falhas
    assert "Completed" in textos["release"]  # the timeline's "concluido"
    for ingles in ("The smoke tests failed (exit code", "Directory", "Product (system)"):
        assert ingles in implantacao, ingles
    assert "Smoke tests in the sandbox" in implantacao


def test_release_e_implantacao_em_portugues_como_gravadas(cliente_como, release_com_falhas, implantacao_falhou):
    po = cliente_como("po")
    falhas = po.get(reverse("release", args=[release_com_falhas.pk])).content.decode()
    implantacao = po.get(reverse("implantacao", args=[implantacao_falhou.pk])).content.decode()
    assert "Falhou" in falhas and "Testes por vertente" in falhas
    assert "Tentativa 1: nenhum reparo determinístico se aplica a AssertionError em 1 teste" in falhas
    assert "Os testes de fumaça falharam (código de saída" in implantacao
    assert "Testes de fumaça no sandbox" in implantacao
