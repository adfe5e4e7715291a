"""corrigir_bug (docs/desenvolvimento.md, "`corrigir_bug` and `feature_ref`"): feature_ref names a
release or a spec, an
optional case becomes a regression test, and a hotfix release linked to the fixed one results."""

from __future__ import annotations

import pytest

from backlog.models import Item, Status
from fabrica.models import Release
from fabrica.releases.services import release_rejeitar
from fabrica.specs.services import spec_importar
from tests.apoio import EXEMPLOS, assert_forma_de_erro, construir

CASO = {"dado": {"idade": 17, "renda_mensal": 900}, "espera": {"risco": "recusado"}}


def _corrigir(api_como, contexto: dict):
    return api_como("sistema").post(
        "/api/backlog/itens/", {"tipo": "corrigir_bug", "contexto": contexto}, format="json"
    )


def _processar() -> Release:
    item = Item.objects.filter(tipo="corrigir_bug", status=Status.PENDENTE).order_by("id").last()
    return construir(item)


def test_corrigir_bug_pela_api_com_caso_gera_hotfix_com_teste_de_regressao(api_como, release_pronta):
    resp = _corrigir(
        api_como,
        {"feature_ref": "spec_002-v1", "erro": "menor de 18 aprovado", "stack_trace": "Traceback…", "caso": CASO},
    )
    assert resp.status_code == 201, resp.content
    hotfix = _processar()
    assert hotfix.tipo == Release.Tipo.HOTFIX and hotfix.corrige == release_pronta
    assert hotfix.rotulo_versao == "spec_002-v2"
    regressao = hotfix.casos[-1]
    assert regressao == {
        "nome": "regressao_01",
        "origem": "regressao",
        "titulo": "menor de 18 aprovado",
        "dado": CASO["dado"],
        "espera": CASO["espera"],
        "classes": None,
    }
    for vertente in ("D", "E"):
        (teste,) = [t for t in hotfix.testes if t["vertente"] == vertente and t["caso"] == "regressao_01"]
        assert teste["nome"] == "test_chaves[regressao_01]" and teste["status"] == "passou"
        assert teste["origem"] == "regressao"
    assert hotfix.correcao["erro"] == "menor de 18 aprovado" and hotfix.correcao["stack_trace"] == "Traceback…"
    aprovacao = hotfix.item_aprovacao
    assert aprovacao.tipo == "aprovar_release"
    assert aprovacao.contexto["tipo"] == "hotfix" and aprovacao.contexto["corrige"] == "spec_002-v1"
    assert hotfix.orcamento == release_pronta.orcamento


@pytest.mark.parametrize(
    ("ref", "trecho"),
    [
        ("spec_002-v9", "A release spec_002-v9 não existe."),
        ("spec_999", "A spec spec_999 não tem release para corrigir"),
        ("não é ref!", "não é uma release (spec_001-v2) nem uma spec (spec_001)"),
    ],
)
def test_feature_ref_desconhecido_e_recusado_nomeando_o_campo(api_como, release_pronta, ref, trecho):
    corpo = assert_forma_de_erro(_corrigir(api_como, {"feature_ref": ref, "erro": "quebrou"}), 400)
    assert any(trecho in m for m in corpo["campos"]["contexto.feature_ref"])
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_caso_malformado_e_recusado(api_como, release_pronta):
    corpo = assert_forma_de_erro(
        _corrigir(api_como, {"feature_ref": "spec_002-v1", "erro": "x", "caso": {"dado": {}}}), 400
    )
    assert "contexto.caso.espera" in corpo["campos"]


def test_feature_ref_spec_corrige_a_release_mais_nova(api_como, release_pronta):
    assert _corrigir(api_como, {"feature_ref": "spec_002", "erro": "primeiro"}).status_code == 201
    v2 = _processar()
    assert _corrigir(api_como, {"feature_ref": "spec_002", "erro": "segundo"}).status_code == 201
    v3 = _processar()
    assert (v2.corrige, v3.corrige) == (release_pronta, v2)


def test_rejeicao_do_po_vira_hotfix_que_mantem_as_regressoes(api_como, release_pronta, elenco):
    _corrigir(api_como, {"feature_ref": "spec_002-v1", "erro": "menor aprovado", "caso": CASO})
    v2 = _processar()
    release_rejeitar(release_id=v2.pk, por=elenco["po"], motivo="ainda aprova menores")
    pedido = Item.objects.get(tipo="corrigir_bug", status=Status.PENDENTE)
    assert pedido.contexto["feature_ref"] == "spec_002-v2" and pedido.contexto["erro"] == "ainda aprova menores"
    assert pedido.produzido_por_id == v2.item_aprovacao_id
    v3 = _processar()
    assert v3.corrige == v2
    assert [c["nome"] for c in v3.casos if c["origem"] == "regressao"] == ["regressao_01"]


def test_hotfix_constroi_a_versao_mais_nova_da_spec(api_como, release_pronta):
    texto = (
        (EXEMPLOS / "spec_002.yaml")
        .read_text()
        .replace("titulo: Score de crédito para vendas a prazo", "titulo: Score de crédito (revisado)")
    )
    nova, criada = spec_importar(texto=texto, origem="api")
    assert criada
    _corrigir(api_como, {"feature_ref": "spec_002-v1", "erro": "título errado"})
    hotfix = _processar()
    assert hotfix.spec == nova and hotfix.spec_sha256 == nova.sha256 != release_pronta.spec_sha256
    # the covering array of the new version, by the same deterministic generator
    assert [c["classes"] for c in hotfix.casos if c["origem"] == "combinacao"] == [
        c["classes"] for c in release_pronta.casos if c["origem"] == "combinacao"
    ]
