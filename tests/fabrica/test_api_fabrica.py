"""PROMETHEUS over REST (issue 4): specs, capabilities and budgets, each with its cast.

Read rules (``fabrica.papeis``): PO and Sistema read specs, capabilities and budgets; Sistema
also submits specs; only Administrador registers or changes capabilities; an outsider gets 403,
an anonymous caller 401. Every refusal has the one error shape ``{"erro", "campos"}``.
"""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.models import Capacidade, Gap, Orcamento, Spec
from fabrica.specs.formato import SPEC_SCHEMA
from tests.apoio import assert_forma_de_erro, copia_de

pytestmark = pytest.mark.django_db

SPECS = reverse("api-specs")
SCHEMA = reverse("api-specs-schema")
CAPACIDADES = reverse("api-capacidades")
ORCAMENTOS = reverse("api-orcamentos")

LEITORES = ["sistema", "admin", "po"]
RECUSADOS = [("outsider", 403), ("anon", 401)]

# A small valid spec (vertente E), to break one field at a time.
BASE: dict = {
    "id": "spec_api",
    "titulo": "Spec enviada pela API",
    "vertentes": ["E"],
    "depende_de": [],
    "runtime": {"apis_externas": [], "gpu": False, "containers_necessarios": []},
    "schema_tdd": {"cobertura": "pairwise", "parametros": {"canal": ["web", "app"], "plano": ["free", "pro"]}},
    "spec_poo": {"classes": [{"nome": "Conta", "atributos": [{"nome": "saldo", "tipo": "int"}]}]},
}


def com(caminho: str, valor) -> dict:
    """BASE with ``a.b.c`` set to ``valor`` (``...`` deletes the key)."""
    spec = copy.deepcopy(BASE)
    *pais, ultima = caminho.split(".")
    alvo = spec
    for parte in pais:
        alvo = alvo[parte]
    if valor is ...:
        del alvo[ultima]
    else:
        alvo[ultima] = valor
    return spec


def post(cliente, endereco: str, dados):
    return cliente.post(endereco, dados, format="json")


# --- /api/specs/ -------------------------------------------------------------------------------


@pytest.mark.parametrize("quem", LEITORES)
def test_lista_de_specs_para_quem_le(api_como, specs_exemplo, quem):
    resp = api_como(quem).get(SPECS)
    assert resp.status_code == 200
    corpo = resp.json()
    assert corpo["count"] == 5
    assert {s["spec_id"] for s in corpo["results"]} == set(specs_exemplo)
    assert "texto" not in corpo["results"][0]  # the list is a summary; the detail has the text


def test_lista_de_specs_filtra_por_spec_id(api_como, specs_exemplo):
    corpo = api_como("po").get(SPECS, {"spec_id": "spec_001"}).json()
    assert [s["spec_id"] for s in corpo["results"]] == ["spec_001"]
    assert corpo["results"][0]["vertentes"] == ["E", "D"]


@pytest.mark.parametrize(("quem", "esperado"), RECUSADOS)
def test_lista_de_specs_recusada(api_como, specs_exemplo, quem, esperado):
    assert_forma_de_erro(api_como(quem).get(SPECS), esperado)


def test_post_yaml_cria_versao_e_repetir_nao_cria(api_como):
    texto = yaml.safe_dump(BASE, allow_unicode=True, sort_keys=False)
    sistema = api_como("sistema")
    resp = post(sistema, SPECS, {"yaml": texto})
    assert resp.status_code == 201, resp.json()
    corpo = resp.json()
    assert corpo["spec_id"] == "spec_api" and corpo["origem"] == "api" and corpo["importado_por"] == "usuario:sistema"
    assert corpo["texto"] == texto and corpo["conteudo"]["titulo"] == BASE["titulo"]
    assert len(corpo["sha256"]) == 64 and corpo["commit"] == ""

    de_novo = post(sistema, SPECS, {"yaml": texto})
    assert de_novo.status_code == 200
    assert de_novo.json()["id"] == corpo["id"]
    assert Spec.objects.filter(spec_id="spec_api").count() == 1


def test_post_objeto_json_cria_versao_e_repetir_nao_cria(api_como):
    admin = api_como("admin")
    resp = post(admin, SPECS, {"spec": BASE})
    assert resp.status_code == 201, resp.json()
    assert resp.json()["conteudo"] == BASE
    assert post(admin, SPECS, {"spec": BASE}).status_code == 200

    # A changed content is a new version of the same spec id; the newest is the one priced.
    mudada = post(admin, SPECS, {"spec": com("titulo", "Outro título")})
    assert mudada.status_code == 201
    assert Spec.objects.filter(spec_id="spec_api").count() == 2
    assert Spec.objects.filter(spec_id="spec_api").first().titulo == "Outro título"


@pytest.mark.parametrize(("quem", "esperado"), [("po", 403), ("outsider", 403), ("anon", 401)])
def test_post_spec_recusado_a_quem_nao_envia(api_como, quem, esperado):
    assert_forma_de_erro(post(api_como(quem), SPECS, {"spec": BASE}), esperado)
    assert not Spec.objects.exists()


@pytest.mark.parametrize(
    ("spec", "campo", "trecho"),
    [
        pytest.param(com("titulo", 5), "titulo", "texto", id="tipo-errado-titulo"),
        pytest.param(com("runtime.gpu", "sim"), "runtime.gpu", "booleano", id="tipo-errado-gpu"),
        pytest.param(com("vertentes", "E"), "vertentes", "lista", id="tipo-errado-vertentes"),
        pytest.param(
            com("spec_poo.classes", [{"nome": "Conta", "atributos": [{"nome": "saldo", "tipo": "inteiro"}]}]),
            "spec_poo.classes[0].atributos[0].tipo",
            "inteiro",
            id="tipo-de-atributo-desconhecido",
        ),
        pytest.param(com("titulo", ...), "titulo", "obrigatório", id="sem-titulo"),
        pytest.param(com("vertentes", ["E", "X"]), "vertentes[1]", "E, P, D, I, C", id="vertente-desconhecida"),
        pytest.param(com("vertentes", ["E", "D"]), "spec_dmn", "vertente D", id="vertente-sem-secao"),
        pytest.param(
            com("schema_tdd.parametros", {"canal": ["web", "web"]}),
            "schema_tdd.parametros.canal",
            "duplicado",
            id="valor-de-parametro-duplicado",
        ),
        pytest.param(
            com("schema_tdd.parametros", {"canal": []}), "schema_tdd.parametros.canal", "vazia", id="dominio-vazio"
        ),
        pytest.param(com("id", "Spec-API"), "id", "minúsculas", id="id-invalido"),
    ],
)
@pytest.mark.parametrize("forma", ["yaml", "spec"])
def test_spec_invalida_400_nomeia_o_campo(api_como, spec, campo, trecho, forma):
    corpo = {"yaml": yaml.safe_dump(spec, allow_unicode=True)} if forma == "yaml" else {"spec": spec}
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, corpo), 400)
    assert campo in erro["campos"], erro
    assert any(trecho in m for m in erro["campos"][campo]), erro["campos"][campo]
    assert not Spec.objects.exists()


def test_spec_com_varios_erros_devolve_todos(api_como):
    spec = com("titulo", ...)
    spec["runtime"]["gpu"] = "sim"
    spec["vertentes"] = ["E", "X"]
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"spec": spec}), 400)
    assert {"titulo", "runtime.gpu", "vertentes[1]"} <= set(erro["campos"])


def test_yaml_com_erro_de_sintaxe(api_como):
    texto = "id: spec_api\ntitulo: [sem fechar\nvertentes: [E]\n"
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"yaml": texto}), 400)
    assert list(erro["campos"]) == ["yaml"]
    assert "linha" in erro["campos"]["yaml"][0] and "YAML inválido" in erro["campos"]["yaml"][0]


@pytest.mark.parametrize(
    ("valor", "trecho"),
    [
        pytest.param("2010-01-05", "datas sem aspas", id="data-sem-aspas"),
        pytest.param(".inf", "JSON", id="infinito"),
        pytest.param(".nan", "JSON", id="nan"),
        pytest.param("!!binary aGVsbG8=", "JSON", id="binario"),
    ],
)
def test_valor_yaml_sem_equivalente_json_em_campo_livre(api_como, valor, trecho):
    # schema_tdd.casos[].dado is free-form: the schema lets any value through, the database would not.
    spec = com("schema_tdd.casos", [{"dado": {"nascimento": "X"}, "espera": {"ok": True}}])
    texto = yaml.safe_dump(spec, sort_keys=False).replace("nascimento: X", f"nascimento: {valor}")
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"yaml": texto}), 400)
    campo = "schema_tdd.casos[0].dado.nascimento"
    assert campo in erro["campos"], erro
    assert trecho in erro["campos"][campo][0]
    assert not Spec.objects.exists()


def test_data_sem_aspas_em_campo_tipado_tem_um_erro_so(api_como):
    texto = yaml.safe_dump(BASE, sort_keys=False).replace("titulo: Spec enviada pela API", "titulo: 2024-01-05")
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"yaml": texto}), 400)
    assert list(erro["campos"]) == ["titulo"] and len(erro["campos"]["titulo"]) == 1
    assert "datas sem aspas" in erro["campos"]["titulo"][0]


@pytest.mark.parametrize("forma", ["yaml", "spec"])
def test_caractere_nulo_e_recusado(api_como, forma):
    # PostgreSQL's text and jsonb refuse NUL: it must be a 400, not a failed insert.
    spec = com("titulo", "antes\x00depois")
    corpo = {"yaml": yaml.safe_dump(spec)} if forma == "yaml" else {"spec": spec}
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, corpo), 400)
    assert "nulo" in erro["campos"]["titulo"][0]
    assert not Spec.objects.exists()


def test_yaml_aninhado_demais(api_como):
    texto = yaml.safe_dump(BASE, sort_keys=False) + "descricao: " + "[" * 400 + "]" * 400 + "\n"
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"yaml": texto}), 400)
    assert "aninhamento acima de 100 níveis" in erro["campos"]["yaml"][0]


def test_yaml_que_nao_e_mapeamento(api_como):
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"yaml": "- a\n- b\n"}), 400)
    assert "mapeamento" in erro["campos"]["yaml"][0]


def test_erro_de_campo_no_yaml_traz_a_linha(api_como):
    texto = yaml.safe_dump(com("runtime.gpu", "sim"), sort_keys=False)
    linha = next(i for i, t in enumerate(texto.splitlines(), 1) if t.strip().startswith("gpu:"))
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"yaml": texto}), 400)
    assert f"(linha {linha})" in erro["campos"]["runtime.gpu"][0]


def test_erro_de_campo_no_objeto_json_nao_cita_linha_de_yaml(api_como):
    # The client sent JSON: a line of the YAML the server made from it would point nowhere.
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, {"spec": com("runtime.gpu", "sim")}), 400)
    assert "linha" not in erro["campos"]["runtime.gpu"][0]


@pytest.mark.parametrize(
    ("corpo", "campo"),
    [
        pytest.param({}, "yaml", id="vazio"),
        pytest.param({"yaml": "id: a", "spec": BASE}, "yaml", id="os-dois"),
        pytest.param({"spec": ["nao", "e", "objeto"]}, "spec", id="spec-lista"),
        pytest.param({"yaml": 42}, "yaml", id="yaml-numero"),
    ],
)
def test_corpo_mal_formado(api_como, corpo, campo):
    erro = assert_forma_de_erro(post(api_como("sistema"), SPECS, corpo), 400)
    assert campo in erro["campos"]


def test_corpo_que_nao_e_json(api_como):
    resp = api_como("sistema").post(SPECS, "{nao é json", content_type="application/json")
    assert_forma_de_erro(resp, 400)


# --- /api/specs/schema/ and /api/specs/{id}/ ----------------------------------------------------


@pytest.mark.parametrize("quem", LEITORES)
def test_schema_servido(api_como, quem):
    resp = api_como(quem).get(SCHEMA)
    assert resp.status_code == 200
    assert resp.json() == json.loads(json.dumps(SPEC_SCHEMA))
    assert {"id", "titulo", "vertentes", "runtime", "schema_tdd"} <= set(resp.json()["required"])


@pytest.mark.parametrize(("quem", "esperado"), RECUSADOS)
def test_schema_recusado(api_como, quem, esperado):
    assert_forma_de_erro(api_como(quem).get(SCHEMA), esperado)


@pytest.mark.parametrize("quem", LEITORES)
def test_detalhe_da_spec(api_como, specs_exemplo, quem):
    spec = specs_exemplo["spec_001"]
    corpo = api_como(quem).get(reverse("api-spec", args=[spec.pk])).json()
    assert corpo["spec_id"] == "spec_001" and corpo["sha256"] == spec.sha256 and corpo["commit"] == spec.commit
    assert corpo["texto"] == spec.texto and corpo["conteudo"]["runtime"]["gpu"] is True


@pytest.mark.parametrize(("quem", "esperado"), RECUSADOS)
def test_detalhe_da_spec_recusado(api_como, specs_exemplo, quem, esperado):
    assert_forma_de_erro(api_como(quem).get(reverse("api-spec", args=[specs_exemplo["spec_001"].pk])), esperado)


def test_detalhe_de_spec_inexistente(api_como):
    assert_forma_de_erro(api_como("po").get(reverse("api-spec", args=[999999])), 404)


def test_specs_nao_se_alteram_pela_api(api_como, specs_exemplo):
    # Refused by the permission before the method check: 403, not 405 (prometheus_site.api.permissoes.exige).
    url = reverse("api-spec", args=[specs_exemplo["spec_001"].pk])
    assert_forma_de_erro(api_como("admin").delete(url), 403)
    assert_forma_de_erro(api_como("admin").patch(url, {"titulo": "x"}, format="json"), 403)
    assert Spec.objects.count() == 5


# --- /api/capacidades/ -------------------------------------------------------------------------


@pytest.fixture
def orcamento_com_gaps(specs_exemplo):
    """spec_001 priced: two open gaps (whisper_api, gpu), its approval item Bloqueado."""
    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_001"})
    assert processar_proximo(["orcar_spec"]) == item.pk
    return Orcamento.objects.get(item_orcar=item)


@pytest.mark.parametrize("quem", LEITORES)
def test_lista_de_capacidades(api_como, quem):
    Capacidade.objects.create(tipo="container", nome="postgres")
    Capacidade.objects.create(tipo="api_externa", nome="viacep_api", habilitada=False)
    resp = api_como(quem).get(CAPACIDADES)
    assert resp.status_code == 200
    assert [(c["tipo"], c["nome"], c["habilitada"]) for c in resp.json()] == [
        ("api_externa", "viacep_api", False),
        ("container", "postgres", True),
    ]


@pytest.mark.parametrize(("quem", "esperado"), RECUSADOS)
def test_lista_de_capacidades_recusada(api_como, quem, esperado):
    assert_forma_de_erro(api_como(quem).get(CAPACIDADES), esperado)


def test_admin_registra_capacidade(api_como):
    resp = post(api_como("admin"), CAPACIDADES, {"tipo": "fila", "nome": "rabbitmq", "descricao": "RabbitMQ 3"})
    assert resp.status_code == 201, resp.json()
    corpo = resp.json()
    assert (corpo["tipo"], corpo["nome"], corpo["habilitada"], corpo["registrada_por"]) == (
        "fila",
        "rabbitmq",
        True,
        "usuario:admin",
    )
    assert corpo["gaps_resolvidos"] == []
    assert Capacidade.objects.get(pk=corpo["id"]).descricao == "RabbitMQ 3"


@pytest.mark.parametrize(("quem", "esperado"), [("sistema", 403), ("po", 403), ("outsider", 403), ("anon", 401)])
def test_registrar_capacidade_so_admin(api_como, orcamento_com_gaps, quem, esperado):
    assert_forma_de_erro(post(api_como(quem), CAPACIDADES, {"tipo": "hardware", "nome": "gpu"}), esperado)
    assert not Capacidade.objects.exists()
    assert orcamento_com_gaps.gaps.filter(item__status=Status.PENDENTE).count() == 2


def test_capacidade_duplicada(api_como):
    admin = api_como("admin")
    assert post(admin, CAPACIDADES, {"tipo": "container", "nome": "postgres"}).status_code == 201
    erro = assert_forma_de_erro(post(admin, CAPACIDADES, {"tipo": "container", "nome": "postgres"}), 400)
    assert "nome" in erro["campos"]
    assert Capacidade.objects.count() == 1


@pytest.mark.parametrize(
    ("corpo", "campo"),
    [
        pytest.param({"tipo": "GPU!", "nome": "gpu"}, "tipo", id="tipo-com-maiusculas"),
        pytest.param({"tipo": "hardware", "nome": "minha gpu"}, "nome", id="nome-com-espaco"),
        pytest.param({"nome": "gpu"}, "tipo", id="sem-tipo"),
        pytest.param({"tipo": "hardware"}, "nome", id="sem-nome"),
        pytest.param({"tipo": "x" * 41, "nome": "gpu"}, "tipo", id="tipo-longo"),
        pytest.param({"tipo": "hardware", "nome": "gpu", "habilitada": "talvez"}, "habilitada", id="habilitada"),
    ],
)
def test_capacidade_invalida(api_como, corpo, campo):
    erro = assert_forma_de_erro(post(api_como("admin"), CAPACIDADES, corpo), 400)
    assert campo in erro["campos"], erro
    assert not Capacidade.objects.exists()


def test_registrar_capacidade_resolve_os_gaps_que_esperam_por_ela(api_como, orcamento_com_gaps):
    gpu = orcamento_com_gaps.gaps.get(recurso="gpu")
    resp = post(api_como("admin"), CAPACIDADES, {"tipo": "hardware", "nome": "gpu"})
    assert resp.status_code == 201
    (resolvido,) = resp.json()["gaps_resolvidos"]
    assert resolvido["item"] == gpu.item_id and resolvido["item_status"] == Status.CONCLUIDO
    assert resolvido["resolucao"]["resolvido_por"] == "usuario:admin" and resolvido["resolucao"]["resolvido_em"]
    # One gap left: the approval still waits.
    assert Item.objects.get(pk=orcamento_com_gaps.item_aprovacao_id).status == Status.BLOQUEADO


def test_capacidade_desabilitada_nao_resolve_e_habilitar_resolve(api_como, orcamento_com_gaps):
    admin = api_como("admin")
    Capacidade.objects.create(tipo="api_externa", nome="whisper_api")  # before the budget: not in the gaps
    criada = post(admin, CAPACIDADES, {"tipo": "hardware", "nome": "gpu", "habilitada": False})
    assert criada.status_code == 201 and criada.json()["gaps_resolvidos"] == []
    assert Gap.objects.filter(item__status=Status.PENDENTE).count() == 2

    url = reverse("api-capacidade", args=[criada.json()["id"]])
    habilitada = admin.patch(url, {"habilitada": True}, format="json")
    assert habilitada.status_code == 200, habilitada.json()
    assert habilitada.json()["habilitada"] is True
    assert [g["recurso"] for g in habilitada.json()["gaps_resolvidos"]] == ["gpu"]

    whisper = Capacidade.objects.get(nome="whisper_api")
    whisper_url = reverse("api-capacidade", args=[whisper.pk])
    assert admin.patch(whisper_url, {"habilitada": False}, format="json").json()["habilitada"] is False
    assert admin.patch(whisper_url, {"habilitada": True}, format="json").json()["gaps_resolvidos"][0]["recurso"] == (
        "whisper_api"
    )
    aprovacao = Item.objects.get(pk=orcamento_com_gaps.item_aprovacao_id)
    assert aprovacao.status == Status.PENDENTE


def test_patch_so_descricao_mantem_o_resto(api_como):
    cap = Capacidade.objects.create(tipo="container", nome="redis", habilitada=False)
    resp = api_como("admin").patch(reverse("api-capacidade", args=[cap.pk]), {"descricao": "Redis 7"}, format="json")
    assert resp.status_code == 200
    cap.refresh_from_db()
    assert (cap.descricao, cap.habilitada, cap.tipo, cap.nome) == ("Redis 7", False, "container", "redis")


@pytest.mark.parametrize(("quem", "esperado"), [("sistema", 403), ("po", 403), ("outsider", 403), ("anon", 401)])
def test_alterar_capacidade_so_admin(api_como, orcamento_com_gaps, quem, esperado):
    cap = Capacidade.objects.create(tipo="hardware", nome="gpu", habilitada=False)
    resp = api_como(quem).patch(reverse("api-capacidade", args=[cap.pk]), {"habilitada": True}, format="json")
    assert_forma_de_erro(resp, esperado)
    cap.refresh_from_db()
    assert cap.habilitada is False
    assert orcamento_com_gaps.gaps.filter(item__status=Status.PENDENTE).count() == 2


@pytest.mark.parametrize(("quem", "esperado"), [("po", 200), ("sistema", 200), ("outsider", 403), ("anon", 401)])
def test_detalhe_da_capacidade(api_como, quem, esperado):
    cap = Capacidade.objects.create(tipo="hardware", nome="gpu")
    resp = api_como(quem).get(reverse("api-capacidade", args=[cap.pk]))
    if esperado == 200:
        assert resp.status_code == 200 and resp.json()["nome"] == "gpu"
    else:
        assert_forma_de_erro(resp, esperado)


def test_capacidade_inexistente(api_como):
    admin = api_como("admin")
    assert_forma_de_erro(admin.get(reverse("api-capacidade", args=[999999])), 404)
    assert_forma_de_erro(
        admin.patch(reverse("api-capacidade", args=[999999]), {"habilitada": True}, format="json"), 404
    )


def test_patch_invalido(api_como):
    cap = Capacidade.objects.create(tipo="hardware", nome="gpu")
    erro = assert_forma_de_erro(
        api_como("admin").patch(reverse("api-capacidade", args=[cap.pk]), {"habilitada": "talvez"}, format="json"), 400
    )
    assert "habilitada" in erro["campos"]


# --- /api/orcamentos/ --------------------------------------------------------------------------


@pytest.mark.parametrize("quem", LEITORES)
def test_lista_de_orcamentos(api_como, orcamento_com_gaps, quem):
    corpo = api_como(quem).get(ORCAMENTOS).json()
    assert corpo["count"] == 1
    (orc,) = corpo["results"]
    assert orc["id"] == orcamento_com_gaps.pk and orc["spec_ref"] == "spec_001"
    assert orc["item_status"] == Status.BLOQUEADO and orc["modelo_versao"] == 1
    assert orc["spec_sha256"] == orcamento_com_gaps.spec.sha256 and orc["spec_commit"] == orcamento_com_gaps.spec.commit
    assert orc["custo"]["total"] > 0 and orc["esforco"]["total"] > 0


def test_lista_de_orcamentos_filtra(api_como, orcamento_com_gaps):
    po = api_como("po")
    assert po.get(ORCAMENTOS, {"spec_ref": "spec_001"}).json()["count"] == 1
    assert po.get(ORCAMENTOS, {"spec_ref": "spec_002"}).json()["count"] == 0
    assert po.get(ORCAMENTOS, {"status": "Aberto"}).json()["count"] == 1
    assert po.get(ORCAMENTOS, {"status": "Aprovado"}).json()["count"] == 0


@pytest.mark.parametrize(("quem", "esperado"), RECUSADOS)
def test_lista_de_orcamentos_recusada(api_como, orcamento_com_gaps, quem, esperado):
    assert_forma_de_erro(api_como(quem).get(ORCAMENTOS), esperado)


@pytest.mark.parametrize("quem", LEITORES)
def test_detalhe_do_orcamento(api_como, orcamento_com_gaps, quem):
    corpo = api_como(quem).get(reverse("api-orcamento", args=[orcamento_com_gaps.pk])).json()
    for secao in ("runtime", "teste", "carga", "esforco", "dependencias", "custo", "explicacao", "casos_teste"):
        assert corpo[secao], secao
    assert {(g["tipo_recurso"], g["recurso"], g["item_status"]) for g in corpo["gaps"]} == {
        ("api_externa", "whisper_api", Status.PENDENTE),
        ("hardware", "gpu", Status.PENDENTE),
    }
    assert corpo["explicacao"]["esforco.total"]["valor"] == corpo["esforco"]["total"]
    assert corpo["horas_reais"] is None


@pytest.mark.parametrize(("quem", "esperado"), RECUSADOS)
def test_detalhe_do_orcamento_recusado(api_como, orcamento_com_gaps, quem, esperado):
    assert_forma_de_erro(api_como(quem).get(reverse("api-orcamento", args=[orcamento_com_gaps.pk])), esperado)


def test_orcamento_inexistente(api_como):
    assert_forma_de_erro(api_como("po").get(reverse("api-orcamento", args=[999999])), 404)


def test_orcamentos_nao_se_criam_pela_api(api_como, orcamento_com_gaps):
    assert_forma_de_erro(post(api_como("admin"), ORCAMENTOS, {"spec_ref": "spec_001"}), 403)
    assert Orcamento.objects.count() == 1


def _orcar(n: int) -> None:
    inicio = Orcamento.objects.count()
    for i in range(inicio, inicio + n):
        # One budget per spec version: each is a copy of spec_001 or spec_005 under its own id.
        copia = copia_de(("spec_001", "spec_005")[i % 2], f"spec_lista_{i}")
        backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": copia.spec_id})
    while processar_proximo(["orcar_spec"]) is not None:
        pass


def _consultas(cliente, endereco: str) -> int:
    cliente.get(endereco)  # the first request of a user also loads its permissions
    with CaptureQueriesContext(connection) as consultas:
        resp = cliente.get(endereco)
    assert resp.status_code == 200
    return len(consultas)


def test_lista_de_orcamentos_custa_as_mesmas_consultas_para_2_ou_20(api_como, specs_exemplo):
    po = api_como("po")
    _orcar(2)
    com_2 = _consultas(po, ORCAMENTOS)
    _orcar(18)
    assert api_como("po").get(ORCAMENTOS).json()["count"] == 20
    com_20 = _consultas(po, ORCAMENTOS)
    assert com_20 == com_2, (com_2, com_20)


def test_detalhe_do_orcamento_custa_as_mesmas_consultas_com_ou_sem_gaps(api_como, specs_exemplo):
    po = api_como("po")
    _orcar(1)
    com_gaps = Orcamento.objects.get(spec_ref="spec_lista_0")
    Capacidade.objects.create(tipo="container", nome="postgres")
    backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_002"})
    processar_proximo(["orcar_spec"])
    sem_gaps = Orcamento.objects.get(spec_ref="spec_002")
    assert com_gaps.gaps.count() == 2 and sem_gaps.gaps.count() == 0
    assert _consultas(po, reverse("api-orcamento", args=[com_gaps.pk])) == _consultas(
        po, reverse("api-orcamento", args=[sem_gaps.pk])
    )
