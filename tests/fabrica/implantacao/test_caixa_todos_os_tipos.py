"""One inbox for every kind of decision (issue 17, item 3): a budget, a release, a deployment to
validate and a failed deployment, each shown to the PO, who decides it, and to the admin, who
sees exactly the same rows read-only and is refused when posting; a filter by kind that keeps
the tab and the search; columns that mean one thing per kind; queries that do not grow with the
history."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backlog.models import Status
from fabrica.decisoes import caixa
from fabrica.decisoes import services as decisoes
from fabrica.implantacao.models import Implantacao
from fabrica.models import Orcamento, Release
from tests.apoio import orcar_copias
from tests.fabrica.implantacao.conftest import implantar
from tests.factories import AmbienteFactory, ItemComStatusFactory, ReleaseFactory

TIPOS = ("orcamento", "release", "validar_implantacao", "falha_implantacao")


def _release_aberta(spec, versao: int, testes: list[dict]) -> Release:
    """A release waiting for the PO, as development leaves it: its approval item pending."""
    return ReleaseFactory(
        spec=spec,
        versao=versao,
        testes=testes,
        testes_passaram=all(t["status"] == "passou" for t in testes),
        item_aprovacao=ItemComStatusFactory(tipo="aprovar_release", status=Status.PENDENTE, spec_ref=spec.spec_id),
    )


@pytest.fixture
def um_de_cada(orcamento_pronto, fazer_release, spec_teste, rapidos) -> dict:
    """A budget ready to decide (spec_002), a release with a failing test, a deployment waiting
    for validation (homologacao) and a failed one (an environment whose smoke check fails)."""
    teste = AmbienteFactory(nome="teste", ordem=5, configuracao={"smoke": ["sh", "-c", "echo quebrou; exit 1"]})
    a_validar = implantar(fazer_release(1))
    falhou = implantar(fazer_release(2), teste.nome)
    assert a_validar.validacao == Implantacao.Validacao.PENDENTE
    assert falhou.falha == Implantacao.Falha.PENDENTE
    release = _release_aberta(
        spec_teste,
        3,
        [
            {"vertente": "E", "nome": "test_a", "caso": 1, "status": "passou", "mensagem": ""},
            {"vertente": "E", "nome": "test_b", "caso": 2, "status": "falhou", "mensagem": "assert 1 == 2"},
        ],
    )
    return {
        "orcamento": orcamento_pronto,
        "release": release,
        "validar_implantacao": a_validar,
        "falha_implantacao": falhou,
    }


def _linhas(html: str) -> dict[str, str]:
    """The inbox's rows by their data-id ("release-7"), each its HTML."""
    tabela = html[html.index('<table id="caixa">') : html.index("</table>", html.index('<table id="caixa">'))]
    return dict(re.findall(r'<tr data-id="([a-z_]+-\d+)">(.*?)</tr>', tabela, flags=re.S))


def _celula(linha: str, coluna: str) -> str:
    return re.search(rf'<td[^>]*data-coluna="{coluna}"[^>]*>(.*?)</td>', linha, flags=re.S).group(1)


def _ids(um_de_cada) -> dict[str, str]:
    return {tipo: f"{tipo}-{obj.pk}" for tipo, obj in um_de_cada.items()}


@pytest.mark.parametrize("quem", ["po", "admin"])
def test_cada_tipo_aparece_para_o_po_e_para_o_admin(cliente_como, um_de_cada, quem):
    html = cliente_como(quem).get(reverse("inicio")).content.decode()

    assert set(_linhas(html)) == set(_ids(um_de_cada).values())
    # The filter names every kind with what it holds in this tab.
    for tipo in TIPOS:
        assert re.search(rf'data-tipo="{tipo}"[^>]*>[^<]+<span class="contador">1</span>', html), tipo
    assert re.search(r'data-tipo=""[^>]*>[^<]+<span class="contador">4</span>', html)
    # The PO decides: no read-only notice. The admin reads, and is told who decides each kind.
    assert ('id="somente-leitura"' in html) is (quem == "admin")
    if quem == "admin":
        quem_decide = html.split('id="quem-decide"', 1)[1].split("</ul>", 1)[0]
        for tipo in TIPOS:
            assert re.search(rf'data-tipo="{tipo}".*?o grupo PO', quem_decide, flags=re.S), tipo
        assert "quem o ambiente nomeia como aprovador" in quem_decide


def _decidir(cliente, tipo: str, obj):
    """The decision each kind offers, posted as its page would post it."""
    if tipo == "orcamento":
        return cliente.post(reverse("orcamento-decidir", args=[obj.pk, "aprovar"]))
    if tipo == "release":
        url = reverse("release-decidir", args=[obj.pk, "rejeitar"])
        return cliente.post(url, {"motivo": "um teste falha", "confirmado": "sim"})
    if tipo == "validar_implantacao":
        return cliente.post(reverse("implantacao-validar", args=[obj.pk]), {"decisao": "validar"})
    return cliente.post(reverse("implantacao-repetir", args=[obj.pk]), {"confirmado": "sim"})


def _estado(tipo: str, obj) -> str:
    obj.refresh_from_db()
    return {
        "orcamento": lambda: obj.status,
        "release": lambda: obj.status,
        "validar_implantacao": lambda: obj.validacao,
        "falha_implantacao": lambda: obj.falha,
    }[tipo]()


@pytest.mark.parametrize("tipo", TIPOS)
@pytest.mark.parametrize("quem", ["admin", "outsider", "sistema"])
def test_quem_so_le_ou_nao_ve_e_recusado_ao_decidir(cliente_como, um_de_cada, tipo, quem):
    obj = um_de_cada[tipo]
    antes = _estado(tipo, obj)

    assert _decidir(cliente_como(quem), tipo, obj).status_code == 403
    assert _estado(tipo, obj) == antes
    # The outsider does not even see the inbox.
    assert cliente_como(quem).get(reverse("inicio")).status_code == (403 if quem == "outsider" else 200)


@pytest.mark.parametrize("tipo", TIPOS)
def test_o_po_decide_cada_tipo_e_a_linha_muda(cliente_como, um_de_cada, tipo):
    po = cliente_como("po")
    obj = um_de_cada[tipo]
    antes = _estado(tipo, obj)

    assert _decidir(po, tipo, obj).status_code == 302
    assert _estado(tipo, obj) != antes
    linhas = _linhas(po.get(reverse("inicio"), {"tipo": tipo}).content.decode())
    if tipo == "validar_implantacao":  # validated, it offers its promotion: the next decision
        assert 'data-situacao="Oferecida"' in linhas[_ids(um_de_cada)[tipo]]
    else:
        assert _ids(um_de_cada)[tipo] not in linhas


@pytest.mark.parametrize("tipo", TIPOS)
def test_filtro_por_tipo_mostra_so_aquele_tipo_e_fica_na_url(cliente_como, um_de_cada, tipo):
    html = cliente_como("admin").get(reverse("inicio"), {"tipo": tipo, "q": "spec"}).content.decode()

    assert set(_linhas(html)) == {_ids(um_de_cada)[tipo]}
    assert re.search(rf'data-tipo="{tipo}"[^>]*aria-current="true"', html)
    # The tabs and the search keep the kind; the kind's links keep the search.
    assert f'href="?aba=decididos&q=spec&tipo={tipo}"' in html
    assert f'<input type="hidden" name="tipo" value="{tipo}">' in html
    assert f'href="?aba=decidir&q=spec&tipo={tipo}"' in html


def test_filtro_e_busca_combinados(cliente_como, um_de_cada):
    admin = cliente_como("admin")

    so_orcamento = _linhas(admin.get(reverse("inicio"), {"q": "spec_002"}).content.decode())
    nada = admin.get(reverse("inicio"), {"q": "spec_002", "tipo": "release"}).content.decode()

    assert set(so_orcamento) == {_ids(um_de_cada)["orcamento"]}
    assert _linhas(nada) == {} and 'id="sem-resultado"' in nada
    assert re.search(r'data-tipo="orcamento"[^>]*>[^<]+<span class="contador">1</span>', nada)
    assert re.search(r'data-tipo="release"[^>]*>[^<]+<span class="contador">0</span>', nada)


def test_tipo_desconhecido_mostra_todos(cliente_como, um_de_cada):
    html = cliente_como("po").get(reverse("inicio"), {"tipo": "<script>"}).content.decode()

    assert set(_linhas(html)) == set(_ids(um_de_cada).values())
    assert "&lt;script&gt;" not in html and "<script>" not in html.split("<main", 1)[1]


def test_cada_coluna_significa_uma_coisa(cliente_como, um_de_cada):
    html = cliente_como("po").get(reverse("inicio")).content.decode()
    linhas = _linhas(html)
    ids = _ids(um_de_cada)
    orcamento, release = linhas[ids["orcamento"]], linhas[ids["release"]]
    validar, falha = linhas[ids["validar_implantacao"]], linhas[ids["falha_implantacao"]]

    # Tests only for releases, coloured by their result, read as a sentence.
    assert "1 de 2 testes passaram" in _celula(release, "testes") and "tom-perigo" in _celula(release, "testes")
    for outra in (orcamento, validar, falha):
        assert "testes passaram" not in outra and ">—<" in _celula(outra, "testes")
    # Gaps only for budgets: no test results or deployment state under "Gaps".
    for outra in (release, validar, falha):
        assert ">—<" in _celula(outra, "gaps")
    # The cost is the budget's decision; a release does not repeat it.
    custo = um_de_cada["orcamento"].custo
    assert custo["moeda"] in _celula(orcamento, "custo") and re.search(r"\d", _celula(orcamento, "custo"))
    for outra in (release, validar, falha):
        assert ">—<" in _celula(outra, "custo")
    # The deployment's state only for deployments.
    assert 'data-situacao="Pendente"' in _celula(validar, "implantacao")
    assert 'data-situacao="Falhou"' in _celula(falha, "implantacao") and "quebrou" in falha
    assert ">—<" in _celula(orcamento, "implantacao") and ">—<" in _celula(release, "implantacao")


def test_testes_todos_passaram_em_verde(cliente_como, spec_teste):
    release = _release_aberta(
        spec_teste,
        7,
        [{"vertente": "E", "nome": f"t{n}", "caso": n, "status": "passou", "mensagem": ""} for n in (1, 2)],
    )

    linha = _linhas(cliente_como("po").get(reverse("inicio")).content.decode())[f"release-{release.pk}"]

    assert "2 de 2 testes passaram" in _celula(linha, "testes") and "tom-ok" in _celula(linha, "testes")


def _historico(um_de_cada, elenco, n: int) -> None:
    """``n`` more decisions of each kind: budgets decided, releases decided, deployments validated."""
    for orc in orcar_copias("spec_002", n, prefixo=f"h{Orcamento.objects.count()}_"):
        decisoes.orcamento_rejeitar(orcamento_id=orc.pk, por=elenco["po"], motivo="histórico")
    release = um_de_cada["release"]
    base = Release.objects.filter(spec_ref=release.spec_ref).order_by("-versao").first().versao
    for i in range(n):
        ReleaseFactory(
            spec=release.spec,
            versao=base + 1 + i,
            status=Release.Status.REJEITADA,
            decidido_por=elenco["po"],
            decidido_em=timezone.now(),
            motivo="histórico",
        )


def test_consultas_constantes_com_o_historico(cliente_como, um_de_cada, elenco):
    paginas = [
        {"aba": aba, **filtro}
        for aba in caixa.ABAS
        for filtro in ({}, {"q": "spec"}, {"tipo": "release"}, {"q": "spec_002", "tipo": "orcamento"})
    ]

    def contar() -> dict[tuple, int]:
        contagens = {}
        for quem in ("po", "admin"):
            cliente = cliente_como(quem)
            for pagina in paginas:
                with CaptureQueriesContext(connection) as consultas:
                    assert cliente.get(reverse("inicio"), pagina).status_code == 200
                contagens[quem, tuple(sorted(pagina.items()))] = len(consultas)
        return contagens

    _historico(um_de_cada, elenco, 1)
    pequeno = contar()
    _historico(um_de_cada, elenco, 4)
    grande = contar()

    assert grande == pequeno


def test_historico_de_varios_tipos_em_paginas_pela_data_da_decisao(cliente_como, um_de_cada, elenco, monkeypatch):
    """The history of several kinds is paged by decision time across kinds, each row once."""
    monkeypatch.setattr(caixa, "POR_PAGINA", 2)
    _historico(um_de_cada, elenco, 3)
    base = timezone.now()
    datas = {}
    for n, orc in enumerate(Orcamento.objects.exclude(status="Aberto").order_by("id")):
        datas[f"orcamento-{orc.pk}"] = base - timezone.timedelta(hours=2 * n)
        Orcamento.objects.filter(pk=orc.pk).update(decidido_em=datas[f"orcamento-{orc.pk}"])
    for n, rel in enumerate(Release.objects.exclude(status="Aberta").order_by("id")):
        datas[f"release-{rel.pk}"] = base - timezone.timedelta(hours=2 * n + 1)
        Release.objects.filter(pk=rel.pk).update(decidido_em=datas[f"release-{rel.pk}"])
    esperado = sorted(datas, key=lambda chave: datas[chave], reverse=True)
    admin = cliente_como("admin")

    vistas = []
    for pagina in range(1, (len(esperado) + 1) // 2 + 1):
        html = admin.get(reverse("inicio"), {"aba": "decididos", "pagina": pagina}).content.decode()
        vistas += re.findall(r'<tr data-id="([a-z_]+-\d+)">', html)

    # The two budgets' history interleaves with the releases'; the deployments have none here.
    assert vistas == esperado


def test_a_decidir_de_varios_tipos_em_paginas_pelo_tempo_de_espera(
    cliente_como, um_de_cada, fazer_release, monkeypatch
):
    """The open tab of several kinds is paged by how long each row has waited, across kinds and
    within a kind whatever the order the rows were created in (a deployment waits since it
    ended), each row once."""
    monkeypatch.setattr(caixa, "POR_PAGINA", 2)
    outra = implantar(fazer_release(4), "teste")  # failed after the first failure, waiting longer
    assert Implantacao.objects.filter(falha=Implantacao.Falha.PENDENTE).count() == 2
    horas = {
        "release": 5,
        f"falha_implantacao-{outra.pk}": 4,
        "falha_implantacao": 3,
        "orcamento": 2,
        "validar_implantacao": 1,
    }
    agora = timezone.now()
    esperas = {}
    for chave, h in horas.items():
        tipo, _, pk = chave.partition("-")
        obj = outra if pk else um_de_cada[tipo]
        quando = agora - timezone.timedelta(hours=h)
        if isinstance(obj, Implantacao):
            Implantacao.objects.filter(pk=obj.pk).update(terminado_em=quando)
        else:
            type(obj).objects.filter(pk=obj.pk).update(criado_em=quando)
        esperas[f"{tipo}-{obj.pk}"] = quando
    esperado = sorted(esperas, key=lambda chave: esperas[chave])
    po = cliente_como("po")

    vistas = []
    for pagina in (1, 2, 3):
        html = po.get(reverse("inicio"), {"pagina": pagina}).content.decode()
        vistas += re.findall(r'<tr data-id="([a-z_]+-\d+)">', html)

    assert vistas == esperado
    # The kind filter keeps that order within its kind.
    html = po.get(reverse("inicio"), {"tipo": "falha_implantacao"}).content.decode()
    assert re.findall(r'<tr data-id="([a-z_]+-\d+)">', html) == [
        f"falha_implantacao-{outra.pk}",
        f"falha_implantacao-{um_de_cada['falha_implantacao'].pk}",
    ]
