"""The API answers what its published schema (/api/schema/) says, for every operation and role.

Schemathesis generates requests from the schema — its examples, then ``EXEMPLOS_POR_OPERACAO``
random ones per operation, valid and invalid, derandomized (the same every run) — and sends each
as admin, PO, Sistema and anonymous through the WSGI application. Every response must: not be a
server error; carry a status the operation documents (``prometheus_site.api.esquema`` adds the
refusals); match the documented body, content type and headers. Path ids point at real records
half of the time (``_ajustar``), so the bodies of real records are checked, not only 404s.

Schemathesis's coverage phase (boundary and negative cases by the thousand: ~8x the requests)
and its stateful phase are off, to keep this well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from prometheus_site.wsgi import application
from tests.apoio import assert_forma_de_erro

PAPEIS = ("admin", "po", "sistema", "anon")
EXEMPLOS_POR_OPERACAO = 10

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 15,
        "generation": {
            "max-examples": EXEMPLOS_POR_OPERACAO,
            "deterministic": True,
            "database": "none",
            "no-shrink": True,
        },
        "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
    }
)
# What this test holds the API to: no 5xx, only documented statuses, bodies, content types and
# headers as published. (Whether the schema's request side is exact — schemathesis's
# positive_data_acceptance / negative_data_rejection — is not asserted here.)
VERIFICACOES = [
    getattr(schemathesis.checks, nome)
    for nome in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
]
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

# The records the fixture made, by the path prefix that addresses them, and each role's headers.
_EXISTENTES: dict[str, list[int]] = {}
_CABECALHOS: dict[str, dict[str, str]] = {}


def _ajustar(case) -> None:
    """An even generated id becomes the id of a real record of that path (an odd one stays and
    mostly gets a 404): both the record's body and the refusal are checked. The long poll waits
    for real (up to 20 s) and needs its own transaction: here it claims without waiting."""
    ids = next((ids for prefixo, ids in _EXISTENTES.items() if case.path.startswith(prefixo)), None)
    gerado = (case.path_parameters or {}).get("id")
    if ids and isinstance(gerado, int) and gerado % 2 == 0:
        case.path_parameters["id"] = ids[(gerado // 2) % len(ids)]
    if case.path == "/api/backlog/consumir/" and isinstance(case.body, dict) and "espera_segundos" in case.body:
        case.body["espera_segundos"] = 0


@pytest.fixture(scope="module")
def registros_da_api(django_db_setup, django_db_blocker, tmp_path_factory):
    """A factory with something in each list: specs, budgets (one with open gaps), a capability,
    environments (one requiring validation), releases (one fixing another), a deployment.

    Made once for the module, in a transaction rolled back at its end; each operation's test
    runs in a savepoint inside it (``db``), so what one operation writes no other sees."""
    # As Django's test client does: a request must not close the test's connection (its
    # transaction holds all of the above).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with (
        django_db_blocker.unblock(),
        override_settings(
            PROMETHEUS_IMPLANTACOES_DIR=tmp_path_factory.mktemp("implantacoes"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        try:
            yield _registros()
        finally:
            transaction.set_rollback(True)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _registros() -> dict[str, list[int]]:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from backlog.models import Item
    from fabrica.implantacao.models import Implantacao
    from fabrica.models import Ambiente, Capacidade, Orcamento, Release, Spec
    from fabrica.specs.services import spec_importar
    from tests.apoio import EXEMPLOS, orcar
    from tests.conftest import _restaurar_dados_iniciais
    from tests.fabrica.implantacao.conftest import artefatos_de, implantar
    from tests.factories import AmbienteFactory, ReleaseFactory

    if not Group.objects.filter(name="PO").exists():
        _restaurar_dados_iniciais()
    _CABECALHOS.clear()
    for papel, grupo in (("admin", "Administrador"), ("po", "PO"), ("sistema", "Sistema")):
        usuario = User.objects.create_user(username=f"esquema_{papel}", is_staff=papel == "admin")
        usuario.groups.add(Group.objects.get(name=grupo))
        _CABECALHOS[papel] = {"Authorization": f"Token {Token.objects.create(user=usuario).key}"}
    _CABECALHOS["anon"] = {}
    po = User.objects.get(username="esquema_po")

    for nome in ("spec_001", "spec_002"):
        texto = (EXEMPLOS / f"{nome}.yaml").read_text(encoding="utf-8")
        spec_importar(texto=texto, origem="git", commit="c0ffee" * 6 + "c0ff", caminho=f"specs/{nome}.yaml")
    Capacidade.objects.create(tipo="container", nome="postgres")
    pronto = orcar("spec_002")
    orcar("spec_001")  # waits for two capabilities: open gaps

    homologacao = AmbienteFactory(nome="homologacao", ordem=10, configuracao={"smoke": False})
    AmbienteFactory(
        nome="producao",
        ordem=20,
        exige_validacao_em=homologacao,
        configuracao={"smoke": False},
        grupos_aprovadores=["PO"],
    )

    def release(versao: int, **extra) -> Release:
        return ReleaseFactory(spec=pronto.spec, versao=versao, artefatos=artefatos_de(versao), **extra)

    v1 = release(1, status=Release.Status.APROVADA, decidido_por=po, decidido_em=timezone.now())
    release(2, corrige=v1)
    implantar(v1)

    _EXISTENTES.clear()
    for prefixo, modelo in (
        ("/api/ambientes/", Ambiente),
        ("/api/implantacoes/", Implantacao),
        ("/api/releases/", Release),
        ("/api/orcamentos/", Orcamento),
        ("/api/specs/", Spec),
        ("/api/capacidades/", Capacidade),
        ("/api/backlog/itens/", Item),
    ):
        _EXISTENTES[prefixo] = sorted(modelo.objects.values_list("pk", flat=True))
    return _EXISTENTES


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_segue_o_esquema(registros_da_api, db, case):
    _ajustar(case)
    for papel in PAPEIS:
        case.call_and_validate(headers=_CABECALHOS[papel], checks=VERIFICACOES)


# --- What the schema says, and the 500s schemathesis found, one by one -------------------------


def test_cada_operacao_documenta_suas_recusas_na_forma_de_erro():
    """Derived from each view: a query string with NUL, a bad filter or body is refused anywhere
    (400), so is a token (401), every view checks a permission (403), a path with an id or a
    paginated list can miss (404), a body can be too big or not JSON (413, 415), a write on a
    record can meet its status (409)."""
    erro = {"$ref": "#/components/schemas/Erro"}
    for caminho, operacoes in schema.raw_schema["paths"].items():
        for metodo, operacao in operacoes.items():
            respostas = operacao["responses"]
            esperadas = {"400", "401", "403"}
            if "{id}" in caminho:
                esperadas.add("404")
            if "requestBody" in operacao:
                esperadas |= {"413", "415"}
            if "{id}" in caminho and metodo != "get":
                esperadas.add("409")
            assert esperadas <= set(respostas), (metodo, caminho, sorted(respostas))
            for codigo in esperadas:
                assert respostas[codigo]["content"]["application/json"]["schema"] == erro, (metodo, caminho, codigo)
    assert schema.raw_schema["paths"]["/api/backlog/itens/{id}/"]["get"]["responses"].keys() == {
        "200",
        "400",
        "401",
        "403",
        "404",
    }


@pytest.mark.django_db
def test_corpo_que_o_django_recusa_responde_400_na_forma_de_erro(api_como, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    campos = {"tipo": "x", "depende_de": list(range(1, 20))}
    corpo = assert_forma_de_erro(api_como("sistema").post("/api/backlog/itens/", campos), 400)
    assert list(corpo["campos"]) == ["corpo"]


@pytest.mark.django_db
@pytest.mark.parametrize(("endereco", "filtro"), [("/api/backlog/eventos/", "item"), ("/api/implantacoes/", "release")])
def test_filtro_com_id_alem_de_qualquer_id_e_400_nomeando_o_filtro(api_como, endereco, filtro):
    corpo = assert_forma_de_erro(api_como("sistema").get(endereco, {filtro: "9" * 30}), 400)
    assert list(corpo["campos"]) == [filtro]


@pytest.mark.django_db
def test_endereco_da_api_com_quebra_de_linha_e_404_em_json(api_como):
    assert_forma_de_erro(api_como("sistema").get("/api/releases/%0A1/zip/"), 404)


@pytest.mark.django_db
def test_consulta_com_caractere_nulo_e_400_nomeando_o_parametro(api_como):
    corpo = assert_forma_de_erro(api_como("sistema").get("/api/backlog/itens/", {"spec_ref": "a\x00b"}), 400)
    assert list(corpo["campos"]) == ["spec_ref"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("quem", "endereco", "parametro"),
    [
        ("po", "/", "q"),  # the inbox's search: a 500 on PostgreSQL before
        ("admin", "/backlog/", "tipo"),  # the board's filters
        ("admin", "/admin/backlog/item/", "status"),  # the admin's list filters
        ("anon", "/", "q"),
    ],
)
def test_pagina_com_caractere_nulo_no_endereco_e_400_nomeando_o_parametro(cliente_como, quem, endereco, parametro):
    resposta = cliente_como(quem).get(endereco, {parametro: "spec\x00_003"})
    assert resposta.status_code == 400
    pagina = resposta.content.decode()
    assert f"O parâmetro “{parametro}” do endereço contém o caractere nulo" in pagina
    ingles = cliente_como(quem).get(endereco, {parametro: "a\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ingles.status_code == 400
    assert f"The address's parameter “{parametro}” contains the null character" in ingles.content.decode()
    assert cliente_como(quem).get(endereco, {parametro: "spec_003"}).status_code in (200, 302)
