"""corrigir_bug (docs/desenvolvimento.md, "`corrigir_bug` and `feature_ref`"): feature_ref names a
release or a spec, an
optional case becomes a regression test, and a hotfix release linked to the fixed one results."""

from __future__ import annotations

import lxml.html
import pytest

from backlog.models import Item, Status
from fabrica.models import Release
from fabrica.releases.services import release_rejeitar
from fabrica.specs.services import spec_importar
from tests.apoio import EXEMPLOS, assert_forma_de_erro, construir, nova_versao
from tests.portugues import com_contexto

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


OUTRO_CASO = {"dado": {"idade": 70, "renda_mensal": 100}, "espera": {"risco": "recusado"}}


def test_feature_ref_spec_corrige_a_release_mais_nova(api_como, release_pronta):
    assert _corrigir(api_como, {"feature_ref": "spec_002", "erro": "primeiro", "caso": CASO}).status_code == 201
    v2 = _processar()
    assert _corrigir(api_como, {"feature_ref": "spec_002", "erro": "segundo", "caso": OUTRO_CASO}).status_code == 201
    v3 = _processar()
    assert (v2.corrige, v3.corrige) == (release_pronta, v2)


def test_rejeicao_do_po_com_spec_nova_vira_hotfix_que_mantem_as_regressoes(api_como, release_pronta, elenco):
    _corrigir(api_como, {"feature_ref": "spec_002-v1", "erro": "menor aprovado", "caso": CASO})
    v2 = _processar()
    release_rejeitar(release_id=v2.pk, por=elenco["po"], motivo="ainda aprova menores")
    pedido = Item.objects.get(tipo="corrigir_bug", status=Status.PENDENTE)
    assert pedido.contexto["feature_ref"] == "spec_002-v2" and pedido.contexto["erro"] == "ainda aprova menores"
    assert pedido.produzido_por_id == v2.item_aprovacao_id
    nova_versao("spec_002")  # the PO's fix goes through the spec: a new version is rebuilt
    v3 = _processar()
    assert v3.corrige == v2
    assert [c["nome"] for c in v3.casos if c["origem"] == "regressao"] == ["regressao_01"]


# --- nothing to fix automatically (issue 17, item 2) --------------------------------------------------


def _sem_release() -> Item:
    item = Item.objects.filter(tipo="corrigir_bug", status=Status.PENDENTE).order_by("id").last()
    antes = Release.objects.count()
    with pytest.raises(Release.DoesNotExist):
        construir(item)  # the item, its vertentes, their assembly
    assert Release.objects.count() == antes, "an identical rebuild must not become a release"
    item.refresh_from_db()
    return item


def _montagem(item: Item) -> Item:
    """The assembly of a fix's vertentes: it decides whether there is anything to fix."""
    return Item.objects.get(produzido_por=item, tipo="montar_release")


def test_rejeicao_sem_caso_nem_spec_nova_termina_em_nada_a_corrigir(api_como, cliente_como, release_pronta, elenco):
    """The deterministic generator would rebuild the rejected release byte for byte: the item
    ends with that result for the PO, and no new identical release waits for a decision."""
    release_rejeitar(release_id=release_pronta.pk, por=elenco["po"], motivo="o limite ignora a renda")
    item = _sem_release()
    assert item.status == Status.CONCLUIDO
    montagem = _montagem(item)
    assert montagem.status == Status.CONCLUIDO
    resultado = montagem.resultado
    assert resultado["nada_a_corrigir"] is True
    assert (resultado["corrige"], resultado["corrige_id"]) == ("spec_002-v1", release_pronta.pk)
    assert resultado["por_que"] == "gerador_deterministico" and resultado["corretor"] == "deterministico"
    assert "nova versão da spec" in resultado["motivo"] and "corretor com modelo" in resultado["motivo"]
    total = len(release_pronta.testes)
    assert resultado["testes"] == {"passaram": total, "falharam": 0}
    assert not Item.objects.filter(tipo="aprovar_release").exclude(pk=release_pronta.item_aprovacao_id).exists()

    # REST: the fix's assembly says it; the release lists the fix.
    corpo = api_como("sistema").get(f"/api/backlog/itens/{montagem.pk}/").json()
    assert corpo["status"] == "Concluido" and corpo["resultado"]["nada_a_corrigir"] is True
    detalhe = api_como("po").get(f"/api/releases/{release_pronta.pk}/").json()
    assert [n["item"] for n in detalhe["nada_a_corrigir"]] == [item.pk]
    assert detalhe["nada_a_corrigir"][0]["resultado"]["por_que"] == "gerador_deterministico"
    assert detalhe["comparacao"] is None  # a normal release compares with nothing

    # The rejected release's page and its timeline say it; the build's page stops waiting.
    html = cliente_como("po").get(f"/releases/{release_pronta.pk}/").content.decode()
    assert f'id="nada-a-corrigir-{item.pk}"' in html and "Nada a corrigir automaticamente." in html
    assert "o limite ignora a renda" in html
    tempo = html[html.index('id="linha-do-tempo"') :]
    assert f"#{item.pk}" in tempo and "nada a corrigir automaticamente" in tempo
    construcao = cliente_como("po").get(f"/desenvolvimento/{item.pk}/").content.decode()
    assert 'id="nada-a-corrigir"' in construcao and "hx-get" not in construcao
    assert f'href="/releases/{release_pronta.pk}/"' in construcao

    # How to go on: a new spec version (the spec's page, which the PO opens; the admin's sync for
    # admins), a case over the API, or a model-backed corrector.
    # The reason keeps its lines (a failed deployment's log excerpt read as one run-on line before).
    (citado,) = lxml.html.fromstring(html).xpath(f'//*[@id="nada-a-corrigir-{item.pk}"]//q')
    assert "texto-com-linhas" in citado.get("class") and citado.text_content() == "o limite ignora a renda"
    prosseguir = lxml.html.fromstring(html).xpath(f'//*[@id="como-prosseguir-{item.pk}"]')[0]
    texto = " ".join(prosseguir.text_content().split())
    assert "specs/spec_002.yaml" in texto and "POST /api/specs/" in texto and "contexto.caso" in texto
    assert "PROMETHEUS_LLM_URL" in texto and "docs/modelo.md" in texto
    assert prosseguir.xpath(".//a/@href") == [f"/specs/{release_pronta.spec_id}/"]
    assert cliente_como("po").get(f"/specs/{release_pronta.spec_id}/").status_code == 200
    do_admin = lxml.html.fromstring(cliente_como("admin").get(f"/releases/{release_pronta.pk}/").content.decode())
    links = do_admin.xpath(f'//*[@id="como-prosseguir-{item.pk}"]//a/@href')
    assert "/admin/fabrica/spec/" in links and cliente_como("admin").get("/admin/fabrica/spec/").status_code == 200
    assert 'id="como-prosseguir"' in construcao and f'href="/specs/{release_pronta.spec_id}/"' in construcao

    # In English, whole.
    ingles = cliente_como("po")
    ingles.cookies["django_language"] = "en"
    pagina = lxml.html.fromstring(ingles.get(f"/releases/{release_pronta.pk}/").content.decode())
    bloco = pagina.xpath(f'//*[@id="nada-a-corrigir-{item.pk}"]')[0].text_content()
    assert "Nothing to fix automatically." in bloco and "deterministic generator rebuilt" in bloco
    assert "How to go on:" in bloco and "A new version of the spec spec_002" in bloco
    assert "model-backed corrector" in bloco
    assert com_contexto(bloco, ["o limite ignora a renda"]) == {}
    evento = pagina.xpath('//strong[@class="nada-a-corrigir"]')[0].text_content()
    assert evento == "nothing to fix automatically"
    estado = lxml.html.fromstring(ingles.get(f"/desenvolvimento/{item.pk}/").content.decode())
    texto = estado.xpath('//*[@id="estado"]')[0].text_content()
    assert "Nothing to fix automatically:" in texto and "How to go on:" in texto and com_contexto(texto) == {}


def _seguir_ate_o_desfecho(api, item_id: int) -> dict:
    """What a REST consumer polling only its own desenvolvimento/corrigir_bug item does: read the
    item, follow ``montagem_url`` to the assembly, follow the assembly's link to the release."""
    origem = api.get(f"/api/backlog/itens/{item_id}/").json()
    assert origem["status"] == "Concluido"
    assert origem["resultado"]["montagem_url"] == f"/api/backlog/itens/?produzido_por={item_id}&tipo=montar_release"
    lista = api.get(origem["resultado"]["montagem_url"]).json()
    (montagem,) = lista["results"] if isinstance(lista, dict) else lista
    assert montagem["tipo"] == "montar_release" and montagem["produzido_por"] == item_id
    assert montagem["status"] == "Concluido"
    return montagem["resultado"]


def test_o_item_de_quem_pediu_leva_ao_desfecho_pela_api(api_como, release_pronta, elenco):
    """Issue 17: the outcome of a desenvolvimento (its release) and of a corrigir_bug (a hotfix, or
    nothing to fix) is reachable from the item its producer polls, through the backlog contract."""
    api = api_como("sistema")
    resultado = _seguir_ate_o_desfecho(api, release_pronta.item_origem_id)
    assert (resultado["release_ref"], resultado["release_id"]) == ("spec_002-v1", release_pronta.pk)
    assert api.get(resultado["release_url"]).json()["release_ref"] == "spec_002-v1"

    # A fix with nothing to fix: the assembly says so and links the release that lists it.
    release_rejeitar(release_id=release_pronta.pk, por=elenco["po"], motivo="o limite ignora a renda")
    item = _sem_release()
    resultado = _seguir_ate_o_desfecho(api, item.pk)
    assert resultado["nada_a_corrigir"] is True and resultado["corrige_url"] == f"/api/releases/{release_pronta.pk}/"
    assert [n["item"] for n in api.get(resultado["corrige_url"]).json()["nada_a_corrigir"]] == [item.pk]

    # A fix with a case: the assembly links the hotfix.
    assert (
        _corrigir(api_como, {"feature_ref": "spec_002-v1", "erro": "menor aprovado", "caso": CASO}).status_code == 201
    )
    hotfix = _processar()
    resultado = _seguir_ate_o_desfecho(api, hotfix.item_origem_id)
    assert resultado["release_url"] == f"/api/releases/{hotfix.pk}/" and resultado["release_ref"] == "spec_002-v2"


@pytest.mark.parametrize("valor", ["abc", "-1", "1.5", str(2**63)])
def test_filtro_produzido_por_invalido_e_recusado_nomeando_o_campo(api_como, valor):
    resp = api_como("sistema").get("/api/backlog/itens/", {"produzido_por": valor})
    assert "produzido_por" in assert_forma_de_erro(resp, 400)["campos"]


def test_com_caso_a_correcao_vira_hotfix_mesmo_com_o_codigo_igual(api_como, release_pronta):
    _corrigir(api_como, {"feature_ref": "spec_002-v1", "erro": "menor aprovado", "caso": CASO})
    hotfix = _processar()
    detalhe = api_como("po").get(f"/api/releases/{hotfix.pk}/").json()
    comparacao = detalhe["comparacao"]
    assert comparacao["corrige_ref"] == "spec_002-v1" and comparacao["nada_mudou"] is False
    # The regression case is one new passing test per vertente; nothing else moved.
    novos = {t["id"] for t in comparacao["novos_passando"]}
    assert novos == {t["arquivo"] + "::" + t["nome"] for t in hotfix.testes if t["caso"] == "regressao_01"}
    assert comparacao["corrigidos"] == comparacao["novas_falhas"] == comparacao["ainda_falhando"] == []
    assert comparacao["mantidos"] == len(release_pronta.testes)
    assert {a["caminho"] for a in comparacao["alterados"]} >= {"README.md", "pyproject.toml"}
    assert all(a["diff"].startswith("--- a/") for a in comparacao["alterados"])


def test_nada_a_corrigir_decide_pelo_que_foi_reconstruido(release_pronta):
    from fabrica.desenvolvimento.services import nada_a_corrigir

    base = {
        "alvo": release_pronta,
        "spec": release_pronta.spec,
        "caso": None,
        "artefatos": [a for a in release_pronta.artefatos if a["vertente"]],
        "testes": release_pronta.testes,
        "corretor": "deterministico",
    }
    assert nada_a_corrigir(**base)["por_que"] == "gerador_deterministico"
    assert nada_a_corrigir(**{**base, "corretor": "modelo"})["por_que"] == "corretor_sem_efeito"
    # Something to record: a case, a new spec version, other code, another test outcome.
    assert nada_a_corrigir(**{**base, "caso": CASO}) is None
    assert nada_a_corrigir(**{**base, "spec": nova_versao("spec_002")}) is None
    outro = [
        {**a, "conteudo": a["conteudo"] + "\n# mudou\n"} if a["papel"] == "codigo" else a for a in base["artefatos"]
    ]
    assert nada_a_corrigir(**{**base, "artefatos": outro}) is None
    falhou = [{**base["testes"][0], "status": "falhou"}, *base["testes"][1:]]
    assert nada_a_corrigir(**{**base, "testes": falhou}) is None


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
