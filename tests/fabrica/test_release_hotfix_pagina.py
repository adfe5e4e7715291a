"""The release page (issue 17, items 2 and 10): a hotfix compares itself with the release it fixes
and says plainly when nothing changed and why, with the error it was asked to fix; correction
rounds that changed nothing are not counted as attempts; long pages fold what passed."""

from __future__ import annotations

import lxml.html
import pytest

from backlog.models import Status
from fabrica.models import Release
from fabrica.releases import selectors
from tests.factories import ItemComStatusFactory, ReleaseFactory, SpecFactory


def _artefato(caminho: str, conteudo: str, vertente: str = "E", papel: str = "codigo") -> dict:
    return {"caminho": caminho, "vertente": vertente, "papel": papel, "conteudo": conteudo, "sha256": "0" * 64}


def _teste(nome: str, status: str, vertente: str = "E") -> dict:
    arquivo = {"E": "tests/test_estrutural_regras.py", "D": "tests/test_decisional_tabela.py"}[vertente]
    return {"vertente": vertente, "nome": nome, "arquivo": arquivo, "caso": None, "status": status, "mensagem": ""}


def _tentativa(n: int, vertente: str, diff: str) -> dict:
    return {
        "n": n,
        "vertente": vertente,
        "corretor": "deterministico",
        "tentou": f"Tentativa {n}: nenhum reparo determinístico se aplica; nada foi alterado.",
        "reparo": "",
        "falhas": [{"nome": "test_x", "status": "falhou", "mensagem": "NotImplementedError"}],
        "resumo_falhas": "NotImplementedError em 1 teste (precisa de implementação)",
        "diff": diff,
        "alterou": bool(diff),
        "depois": {"passaram": 1, "falharam": 1},
    }


def _pagina(cliente_como, release: Release):
    resposta = cliente_como("po").get(f"/releases/{release.pk}/")
    assert resposta.status_code == 200
    return lxml.html.fromstring(resposta.content.decode())


CODIGO = _artefato("spec_x/estrutural/regras.py", "def f():\n    raise NotImplementedError\n")
TESTES = [_teste("test_f[caso_01]", "passou"), _teste("test_f[caso_02]", "falhou")]


def _par(contexto_do_pedido: dict, *, produtor: str = "MS_Produto", codigo_novo: str | None = None):
    """A release and a hotfix of it with the same spec; the hotfix's code is ``codigo_novo``."""
    spec = SpecFactory(spec_id="spec_x", conteudo={"id": "spec_x", "vertentes": ["E"]})
    raiz = _artefato("pyproject.toml", 'version = "1"\n', vertente="", papel="apoio")
    v1 = ReleaseFactory(spec=spec, versao=1, artefatos=[CODIGO, raiz], testes=TESTES)
    codigo = {**CODIGO, "conteudo": codigo_novo} if codigo_novo is not None else CODIGO
    corrigidos = [_teste("test_f[caso_01]", "passou"), _teste("test_f[caso_02]", "passou")]
    pedido = ItemComStatusFactory(
        tipo="corrigir_bug", status=Status.CONCLUIDO, produtor=produtor, spec_ref="spec_x", contexto=contexto_do_pedido
    )
    v2 = ReleaseFactory(
        spec=spec,
        versao=2,
        tipo=Release.Tipo.HOTFIX,
        corrige=v1,
        item_origem=pedido,
        artefatos=[codigo, {**raiz, "conteudo": 'version = "2"\n'}],
        testes=corrigidos if codigo_novo is not None else TESTES,
        correcao={"erro": contexto_do_pedido["erro"]},
    )
    return v1, v2


@pytest.mark.parametrize(
    ("contexto", "produtor", "frase"),
    [
        ({"rejeitada_por": "po"}, "MS_Produto", "Motivo da rejeição, por"),
        ({"implantacao_ref": "7", "ambiente": "homologacao"}, "MS_Produto", "Validação recusada em homologacao"),
        (
            {"implantacao_ref": "7", "ambiente": "homologacao", "rejeitada_por": "po"},
            "MS_Produto",
            "Implantação em homologacao falhou",
        ),
        ({}, "GENESIS", "Erro relatado por GENESIS"),
    ],
)
def test_hotfix_igual_diz_que_nada_mudou_por_que_e_o_erro_pedido(cliente_como, elenco, contexto, produtor, frase):
    v1, v2 = _par({"feature_ref": "spec_x-v1", "erro": "o limite ignora a renda", **contexto}, produtor=produtor)
    pagina = _pagina(cliente_como, v2)
    (secao,) = pagina.xpath('//section[@id="comparacao"]')
    pedido = secao.xpath('.//*[@id="pedido-de-correcao"]')[0].text_content()
    assert frase in pedido and "o limite ignora a renda" in pedido
    nada = secao.xpath('.//*[@id="nada-mudou"]')[0].text_content()
    assert "Nada mudou: o código e os resultados dos testes são os de spec_x-v1." in nada
    assert "gerador determinístico reconstruiu a mesma versão da spec" in nada
    assert "nova versão da spec" in nada and "corretor com modelo de linguagem" in nada
    # Only the root file changed (its version label), shown with its diff; the failure is still there.
    (alterado,) = secao.xpath('.//details[@class="artefato-alterado"]')
    assert alterado.get("data-caminho") == "pyproject.toml"
    assert 'version = "2"' in alterado.text_content()
    ainda = secao.xpath('.//*[@id="comparacao-ainda_falhando"]//tr[@data-teste]')
    assert [tr.get("data-teste") for tr in ainda] == ["tests/test_estrutural_regras.py::test_f[caso_02]"]
    assert not secao.xpath('.//*[@id="comparacao-corrigidos"]')


def test_hotfix_que_mudou_o_codigo_mostra_o_diff_e_os_testes_corrigidos(cliente_como, elenco):
    _, v2 = _par(
        {"feature_ref": "spec_x-v1", "erro": "caso_02 falha", "rejeitada_por": "po"},
        codigo_novo="def f():\n    return 1\n",
    )
    pagina = _pagina(cliente_como, v2)
    (secao,) = pagina.xpath('//section[@id="comparacao"]')
    assert not secao.xpath('.//*[@id="nada-mudou"]') and not secao.xpath('.//*[@id="codigo-igual"]')
    corrigidos = secao.xpath('.//*[@id="comparacao-corrigidos"]//tr[@data-teste]')
    assert [tr.get("data-teste") for tr in corrigidos] == ["tests/test_estrutural_regras.py::test_f[caso_02]"]
    diff = secao.xpath('.//details[@data-caminho="spec_x/estrutural/regras.py"]')[0]
    assert "raise NotImplementedError" in diff.text_content() and "return 1" in diff.text_content()
    assert diff.xpath('.//span[@class="gd"]') and diff.xpath('.//span[@class="gi"]')  # Pygments' diff


def test_release_normal_nao_tem_comparacao(cliente_como, elenco):
    v1, _ = _par({"feature_ref": "spec_x-v1", "erro": "x"})
    assert not _pagina(cliente_como, v1).xpath('//section[@id="comparacao"]')


# --- attempts that changed nothing are not attempts ---------------------------------------------------


def test_rodadas_sem_alteracao_nao_contam_como_tentativas(cliente_como, elenco):
    release = ReleaseFactory(
        spec=SpecFactory(conteudo={"id": "spec_y", "vertentes": ["E", "D"]}),
        testes=[_teste("test_f", "falhou"), _teste("test_g", "falhou", "D")],
        testes_passaram=False,
        tentativas=[
            _tentativa(1, "E", "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-\tx = 1\n+    x = 1\n"),
            _tentativa(2, "E", ""),
            _tentativa(1, "D", ""),
            _tentativa(2, "D", ""),
            _tentativa(3, "D", ""),
        ],
    )
    resumo = selectors.tentativas(release)
    assert [(t["vertente"], t["n"]) for t in resumo["contadas"]] == [("E", 1)]
    assert [(v["vertente"], v["vezes"]) for v in resumo["nada_a_tentar"]] == [("E", 1), ("D", 3)]

    pagina = _pagina(cliente_como, release)
    cartao = pagina.xpath('//*[@id="cartao-tentativas"]')[0]
    assert cartao.xpath('.//*[@class="n"]')[0].text_content() == "1"
    assert "tentativa de correção" in cartao.text_content()
    assert pagina.xpath('//details[@id="tentativa-E-1"]')
    assert not pagina.xpath('//*[@id="tentativa-D-3"]') and not pagina.xpath('//*[@id="tentativa-E-2"]')
    nada_d = pagina.xpath('//details[@id="nada-a-tentar-D"]')[0].text_content()
    assert "nada a tentar" in nada_d and "3 rodadas sem alteração, não contadas como tentativas" in nada_d


def test_api_conta_so_as_tentativas_que_mudaram_algo(api_como, elenco):
    release = ReleaseFactory(tentativas=[_tentativa(1, "E", ""), _tentativa(2, "E", ""), _tentativa(3, "E", "")])
    corpo = api_como("po").get(f"/api/releases/{release.pk}/").json()
    assert corpo["tentativas_contadas"] == 0 and len(corpo["tentativas"]) == 3


# --- long pages fold (item 10) ----------------------------------------------------------------------


def test_pagina_com_muitos_testes_dobra_os_que_passaram_e_deixa_as_falhas_abertas(cliente_como, elenco):
    passaram = [_teste(f"test_f[combinacao_{i:02d}]", "passou") for i in range(75)]
    falharam = [_teste("test_f[caso_01]", "falhou"), _teste("test_f[caso_02]", "erro")]
    artefatos = [_artefato(f"spec_z/estrutural/m{i}.py", f"x = {i}\n") for i in range(12)]
    release = ReleaseFactory(
        spec=SpecFactory(conteudo={"id": "spec_z", "vertentes": ["E", "D"]}),
        testes=[*passaram, *falharam, _teste("test_d", "passou", "D")],
        testes_passaram=False,
        artefatos=artefatos,
    )
    pagina = _pagina(cliente_como, release)
    (grupo,) = pagina.xpath('//*[@id="testes-E"]')
    # Failures first, open, outside any <details>.
    falhas = grupo.xpath('.//table[@id="falhando-E"]//tr[@data-status]')
    assert [tr.get("data-status") for tr in falhas] == ["falhou", "erro"]
    assert not grupo.xpath('.//table[@id="falhando-E"]/ancestor::details')
    # What passed, folded behind its count.
    (dobra,) = grupo.xpath('.//details[@id="passaram-E"]')
    assert dobra.get("open") is None
    assert dobra.xpath("./summary")[0].text_content().strip() == "75 testes passaram"
    assert len(dobra.xpath('.//tr[@data-status="passou"]')) == 75
    # A vertente where everything passed has nothing open.
    assert not pagina.xpath('//*[@id="falhando-D"]')
    assert pagina.xpath('//details[@id="passaram-D"]/summary')[0].text_content().strip() == "1 teste passou"
    # The artefact list folds too, behind its count.
    (lista,) = pagina.xpath('//details[@id="lista-de-artefatos"]')
    assert lista.get("open") is None and "Artefatos (12)" in lista.xpath("./summary")[0].text_content()
    assert len(lista.xpath('.//details[@class="artefato"]')) == 12


def test_metricas_dos_workers_nao_contam_rodadas_sem_alteracao():
    """The worker metrics' rows (fabrica.desenvolvimento.execucoes) count attempts as the page does."""
    from fabrica.desenvolvimento import execucoes

    recursos = {v: {"worker": "W", "gerar_s": 0.1, "execucoes": []} for v in ("D", "E")}
    tentativas = [_tentativa(1, "E", "--- a\n+++ b\n"), _tentativa(2, "E", ""), _tentativa(1, "D", "")]
    testes = [_teste("test_f", "falhou"), _teste("test_g", "falhou", "D")]
    linhas = {linha["vertente"]: linha for linha in execucoes.linhas(recursos, tentativas, testes)}
    assert (linhas["E"]["tentativas_correcao"], linhas["D"]["tentativas_correcao"]) == (1, 0)
    assert not linhas["D"]["passou_primeira"]  # nothing tried is not a first-run pass
