"""Every URL × every role, with the expected answer written down once (issue 16).

The rows come from the URL resolver and from each API view's methods: a new URL, or a new method
on an API view, without a row here fails ``test_cada_url_e_metodo_tem_uma_linha``. Each request
runs as one of the cast (tests/conftest.py ``elenco``) and is rolled back, so a granted action
leaves nothing for the next one. An action a role may take is sent with an empty body: its
answer (400 naming the field, or the redirect of a form) shows the door opened without taking
the action; what the action does is tested where it lives.

Legend: ``L`` — a redirect to the login page; numbers — the HTTP status. API views answer 401 to the anonymous (token authentication asks for
credentials), pages redirect them to the login page.
"""

from __future__ import annotations

import hashlib
import os
import re
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.views import APIView

from backlog.models import Item
from fabrica.implantacao.models import Implantacao
from fabrica.models import Capacidade
from tests.factories import AmbienteFactory, ReleaseFactory

PAPEIS = ("anon", "outsider", "sistema", "po", "admin")
# Every request comes from an address outside the operators' networks (TEST-NET-3), as a person's
# browser or a system elsewhere would: /metrics answers by network or token, not by role.
FORA = "203.0.113.7"

# The health check answers everyone the same: 200, or 503 when the cluster's sweep is late (as it
# is in a test database whose schedule was written a while ago).
SAUDE = (200, 503)

# --- the pages and the API ------------------------------------------------------------------------
# (url name, method): (anon, outsider, sistema, po, admin)
MATRIZ: dict[tuple[str, str], tuple] = {
    # Accounts and language: open to all (login is throttled: tests/test_seguranca.py).
    ("set_language", "POST"): (302, 302, 302, 302, 302),
    ("login", "GET"): (200, 200, 200, 200, 200),
    ("login", "POST"): (200, 200, 200, 200, 200),  # empty form: the page again, with the errors
    ("logout", "POST"): ("L", "L", "L", "L", "L"),
    ("password_change", "GET"): ("L", 200, 200, 200, 200),
    ("password_change", "POST"): ("L", 200, 200, 200, 200),
    ("password_change_done", "GET"): ("L", 200, 200, 200, 200),
    # One's own profile (e-mail notices on or off): every logged-in person, whatever the role; an
    # empty form is valid (every notice off) and redirects back to the page.
    ("perfil", "GET"): ("L", 200, 200, 200, 200),
    ("perfil", "POST"): ("L", 302, 302, 302, 302),
    # The PO's pages: the PO decides; the admin and a system read (what they read in the API too);
    # an outsider gets 403.
    ("inicio", "GET"): ("L", 403, 200, 200, 200),
    ("orcamento", "GET"): ("L", 403, 200, 200, 200),
    ("orcamento-decidir", "POST"): ("L", 403, 403, 302, 403),
    ("specs", "GET"): ("L", 403, 200, 200, 200),
    ("spec", "GET"): ("L", 403, 200, 200, 200),
    ("spec-orcar", "POST"): ("L", 403, 403, 302, 302),
    ("orcar-progresso", "GET"): ("L", 403, 200, 200, 200),
    ("release", "GET"): ("L", 403, 200, 200, 200),
    ("release-zip", "GET"): ("L", 403, 200, 200, 200),
    ("release-horas", "POST"): ("L", 403, 403, 302, 403),
    ("release-decidir", "POST"): ("L", 403, 403, 400, 403),
    ("construcao", "GET"): ("L", 403, 200, 200, 200),
    ("ambientes", "GET"): ("L", 403, 200, 200, 200),
    ("ambiente", "GET"): ("L", 403, 200, 200, 200),
    ("ambiente-reverter", "POST"): ("L", 403, 403, 403, 400),  # empty form: the page again, errors at the fields
    ("implantacao", "GET"): ("L", 403, 200, 200, 200),
    ("implantacao-log", "GET"): ("L", 403, 200, 200, 200),
    ("implantacao-validar", "POST"): ("L", 403, 403, 302, 403),
    ("implantacao-promover", "POST"): ("L", 403, 403, 302, 403),
    ("implantacao-dispensar", "POST"): ("L", 403, 403, 302, 403),
    # A failed deployment's decisions: without confirmado=sim the PO gets the confirmation page.
    ("implantacao-repetir", "POST"): ("L", 403, 403, 200, 403),
    ("implantacao-rejeitar-release", "POST"): ("L", 403, 403, 200, 403),
    # The backlog's board: the admin's.
    ("backlog-quadro", "GET"): ("L", 403, 403, 403, 200),
    ("backlog-item", "GET"): ("L", 403, 403, 403, 200),
    # MS_Backlog's contract: the systems' (and the admin's) API.
    ("api-backlog-itens", "GET"): (401, 403, 200, 403, 200),
    ("api-backlog-itens", "POST"): (401, 403, 400, 403, 400),
    ("api-backlog-item", "GET"): (401, 403, 200, 403, 200),
    ("api-backlog-linhagem", "GET"): (401, 403, 200, 403, 200),
    ("api-backlog-concluir", "POST"): (401, 403, 400, 403, 400),
    ("api-backlog-falhar", "POST"): (401, 403, 400, 403, 400),
    ("api-backlog-renovar", "POST"): (401, 403, 400, 403, 400),
    ("api-backlog-consumir", "POST"): (401, 403, 400, 403, 400),
    ("api-backlog-concluir-varios", "POST"): (401, 403, 400, 403, 400),
    ("api-backlog-eventos", "GET"): (401, 403, 200, 403, 200),
    # The factory's API.
    ("api-specs", "GET"): (401, 403, 200, 200, 200),
    ("api-specs", "POST"): (401, 403, 400, 403, 400),
    ("api-specs-schema", "GET"): (401, 403, 200, 200, 200),
    ("api-spec", "GET"): (401, 403, 200, 200, 200),
    ("api-spec-orcar", "POST"): (401, 403, 403, 200, 200),
    ("api-capacidades", "GET"): (401, 403, 200, 200, 200),
    ("api-capacidades", "POST"): (401, 403, 403, 403, 400),
    ("api-capacidade", "GET"): (401, 403, 200, 200, 200),
    ("api-capacidade", "PATCH"): (401, 403, 403, 403, 200),
    ("api-orcamentos", "GET"): (401, 403, 200, 200, 200),
    ("api-orcamento", "GET"): (401, 403, 200, 200, 200),
    ("api-orcamento-aprovar", "POST"): (401, 403, 403, 200, 403),
    ("api-orcamento-ajustar", "POST"): (401, 403, 403, 400, 403),
    ("api-orcamento-rejeitar", "POST"): (401, 403, 403, 400, 403),
    ("api-releases", "GET"): (401, 403, 200, 200, 200),
    ("api-release", "GET"): (401, 403, 200, 200, 200),
    ("api-release-zip", "GET"): (401, 403, 200, 200, 200),
    ("api-release-aprovar", "POST"): (401, 403, 403, 409, 403),
    ("api-release-rejeitar", "POST"): (401, 403, 403, 400, 403),
    ("api-release-horas", "POST"): (401, 403, 403, 400, 403),
    ("api-ambientes", "GET"): (401, 403, 200, 200, 200),
    ("api-ambientes", "POST"): (401, 403, 403, 403, 400),
    ("api-ambiente", "GET"): (401, 403, 200, 200, 200),
    ("api-ambiente", "PATCH"): (401, 403, 403, 403, 200),
    ("api-ambiente-reverter", "POST"): (401, 403, 403, 403, 400),
    ("api-implantacoes", "GET"): (401, 403, 200, 200, 200),
    ("api-implantacao", "GET"): (401, 403, 200, 200, 200),
    ("api-implantacao-validar", "POST"): (401, 403, 403, 400, 403),
    ("api-implantacao-promover", "POST"): (401, 403, 403, 409, 403),
    ("api-implantacao-dispensar", "POST"): (401, 403, 403, 409, 403),
    ("api-implantacao-repetir", "POST"): (401, 403, 403, 409, 403),
    ("api-implantacao-rejeitar-release", "POST"): (401, 403, 403, 409, 403),
    # The metrics (issue 18).
    ("metricas", "GET"): ("L", 403, 403, 200, 200),
    ("metricas-fatos", "GET"): ("L", 403, 403, 200, 200),
    ("api-metricas", "GET"): (401, 403, 403, 200, 200),
    # What operators and load balancers ask (issue 18): /metrics by token or network only (its
    # own tests: tests/fabrica/metricas/), the health check open.
    ("metrics", "GET"): (403, 403, 403, 403, 403),
    ("saude", "GET"): (SAUDE,) * 5,
    # The API's description is public (it documents the contract, and holds no data).
    ("api-schema", "GET"): (200, 200, 200, 200, 200),
    ("api-docs", "GET"): (200, 200, 200, 200, 200),
    ("api-desconhecido", "GET"): (404, 404, 404, 404, 404),
}

# --- the admin ---------------------------------------------------------------------------------------
# Only staff enter: every other role is sent to the admin's login, which sends the anonymous to
# the app's login and shows the others the app's 403 (prometheus_site.admin.SitePrometheus).
# What the admin user gets follows each model's admin and the Administrador group's permissions:
# 403 where the group has no permission (groups, the task queue's tables, django-axes' records)
# or the model is written only by services (no add, change or delete); an object page asked for
# an id that does not exist redirects to the index (302). Every admin URL is asked with GET.
ADMIN_OUTROS = ("L", 403, 403, 403)  # anon, outsider, sistema, po — every admin URL but logout
# The admin's logout takes POST only (405 to GET); for anyone else it leads to the admin's index.
ADMIN_EXCECOES = {"admin:logout": (302, 302, 302, 302, 405)}
ADMIN: dict[str, int] = {
    "admin:app_list": 200,
    "admin:auth_group_add": 403,
    "admin:auth_group_change": 403,
    "admin:auth_group_changelist": 403,
    "admin:auth_group_delete": 403,
    "admin:auth_group_history": 302,
    "admin:auth_user_add": 200,
    "admin:auth_user_change": 302,
    "admin:auth_user_changelist": 200,
    "admin:auth_user_delete": 403,
    "admin:auth_user_history": 302,
    "admin:auth_user_password_change": 404,
    "admin:authtoken_tokenproxy_add": 200,
    "admin:authtoken_tokenproxy_change": 302,
    "admin:authtoken_tokenproxy_changelist": 200,
    "admin:authtoken_tokenproxy_delete": 302,
    "admin:authtoken_tokenproxy_history": 302,
    "admin:autocomplete": 403,
    "admin:axes_accessattempt_add": 403,
    "admin:axes_accessattempt_change": 403,
    "admin:axes_accessattempt_changelist": 403,
    "admin:axes_accessattempt_delete": 403,
    "admin:axes_accessattempt_history": 302,
    "admin:axes_accessfailurelog_add": 403,
    "admin:axes_accessfailurelog_change": 403,
    "admin:axes_accessfailurelog_changelist": 403,
    "admin:axes_accessfailurelog_delete": 403,
    "admin:axes_accessfailurelog_history": 302,
    "admin:axes_accesslog_add": 403,
    "admin:axes_accesslog_change": 403,
    "admin:axes_accesslog_changelist": 403,
    "admin:axes_accesslog_delete": 403,
    "admin:axes_accesslog_history": 302,
    "admin:backlog_evento_add": 403,
    "admin:backlog_evento_change": 302,
    "admin:backlog_evento_changelist": 200,
    "admin:backlog_evento_delete": 403,
    "admin:backlog_evento_history": 302,
    "admin:backlog_item_add": 403,
    "admin:backlog_item_change": 302,
    "admin:backlog_item_changelist": 200,
    "admin:backlog_item_delete": 403,
    "admin:backlog_item_history": 302,
    "admin:backlog_regraacesso_add": 200,
    "admin:backlog_regraacesso_change": 302,
    "admin:backlog_regraacesso_changelist": 200,
    "admin:backlog_regraacesso_delete": 302,
    "admin:backlog_regraacesso_history": 302,
    "admin:django_q_failure_add": 403,
    "admin:django_q_failure_change": 403,
    "admin:django_q_failure_changelist": 403,
    "admin:django_q_failure_delete": 403,
    "admin:django_q_failure_history": 302,
    "admin:django_q_ormq_add": 403,
    "admin:django_q_ormq_change": 403,
    "admin:django_q_ormq_changelist": 403,
    "admin:django_q_ormq_delete": 403,
    "admin:django_q_ormq_history": 302,
    "admin:django_q_schedule_add": 403,
    "admin:django_q_schedule_change": 403,
    "admin:django_q_schedule_changelist": 403,
    "admin:django_q_schedule_delete": 403,
    "admin:django_q_schedule_history": 302,
    "admin:django_q_success_add": 403,
    "admin:django_q_success_change": 403,
    "admin:django_q_success_changelist": 403,
    "admin:django_q_success_delete": 403,
    "admin:django_q_success_history": 302,
    "admin:fabrica_aviso_add": 403,
    "admin:fabrica_aviso_change": 302,
    "admin:fabrica_aviso_changelist": 200,
    "admin:fabrica_aviso_delete": 403,
    "admin:fabrica_aviso_history": 302,
    "admin:fabrica_ambiente_add": 200,
    "admin:fabrica_ambiente_change": 302,
    "admin:fabrica_ambiente_changelist": 200,
    "admin:fabrica_ambiente_delete": 302,
    "admin:fabrica_ambiente_history": 302,
    "admin:fabrica_capacidade_add": 200,
    "admin:fabrica_capacidade_change": 302,
    "admin:fabrica_capacidade_changelist": 200,
    "admin:fabrica_capacidade_delete": 302,
    "admin:fabrica_capacidade_history": 302,
    "admin:fabrica_capacidade_previa": 200,
    "admin:fabrica_construcao_add": 403,
    "admin:fabrica_construcao_change": 302,
    "admin:fabrica_construcao_changelist": 200,
    "admin:fabrica_construcao_delete": 403,
    "admin:fabrica_construcao_history": 302,
    "admin:fabrica_implantacao_add": 403,
    "admin:fabrica_implantacao_change": 302,
    "admin:fabrica_implantacao_changelist": 200,
    "admin:fabrica_implantacao_delete": 403,
    "admin:fabrica_implantacao_history": 302,
    "admin:fabrica_modeloprecificacao_add": 403,
    "admin:fabrica_modeloprecificacao_change": 302,
    "admin:fabrica_modeloprecificacao_changelist": 200,
    "admin:fabrica_modeloprecificacao_delete": 403,
    "admin:fabrica_modeloprecificacao_history": 302,
    "admin:fabrica_orcamento_add": 403,
    "admin:fabrica_orcamento_change": 302,
    "admin:fabrica_orcamento_changelist": 200,
    "admin:fabrica_orcamento_delete": 403,
    "admin:fabrica_orcamento_history": 302,
    "admin:fabrica_release_add": 403,
    "admin:fabrica_release_change": 302,
    "admin:fabrica_release_changelist": 200,
    "admin:fabrica_release_delete": 403,
    "admin:fabrica_release_history": 302,
    "admin:fabrica_tabelafaixas_add": 200,
    "admin:fabrica_tabelafaixas_change": 302,
    "admin:fabrica_tabelafaixas_changelist": 200,
    "admin:fabrica_tabelafaixas_delete": 302,
    "admin:fabrica_tabelafaixas_history": 302,
    "admin:fabrica_spec_add": 403,
    "admin:fabrica_spec_change": 302,
    "admin:fabrica_spec_changelist": 200,
    "admin:fabrica_spec_delete": 302,
    "admin:fabrica_spec_history": 302,
    "admin:fabrica_spec_sincronizar": 405,
    "admin:index": 200,
    "admin:jsi18n": 200,
    "admin:login": 302,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:view_on_site": 404,
}


def _rotas(padroes, prefixo: str = "", espaco: str | None = None):
    for padrao in padroes:
        if isinstance(padrao, URLResolver):
            yield from _rotas(padrao.url_patterns, prefixo + str(padrao.pattern), padrao.namespace or espaco)
        elif isinstance(padrao, URLPattern) and padrao.name:
            nome = f"{espaco}:{padrao.name}" if espaco else padrao.name
            yield nome, prefixo + str(padrao.pattern), padrao.callback


def _metodos(callback) -> list[str]:
    classe = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if classe is not None and issubclass(classe, APIView):
        return [m.upper() for m in classe.http_method_names if hasattr(classe, m) and m not in ("options", "head")]
    return []


def _linhas_do_resolver() -> dict[str, tuple[str, object]]:
    rotas: dict[str, tuple[str, object]] = {}
    for nome, rota, callback in _rotas(get_resolver().url_patterns):
        rotas.setdefault(nome, (rota, callback))  # contas/logout/ is ours, before Django's
    return rotas


def test_cada_url_e_metodo_tem_uma_linha():
    rotas = _linhas_do_resolver()
    nomes_da_matriz = {nome for nome, _ in MATRIZ}
    sem_linha = sorted(n for n in rotas if not n.startswith("admin:") and n not in nomes_da_matriz)
    assert sem_linha == [], "add these URLs to MATRIZ with the answer each role should get"
    metodos_sem_linha = sorted(
        (nome, metodo)
        for nome, (_, callback) in rotas.items()
        for metodo in _metodos(callback)
        if not nome.startswith("admin:") and (nome, metodo) not in MATRIZ
    )
    assert metodos_sem_linha == [], "add these API methods to MATRIZ"
    assert sorted(n for n in nomes_da_matriz if n not in rotas) == [], "MATRIZ names URLs that no longer exist"
    admin = sorted(n for n in rotas if n.startswith("admin:"))
    assert admin and sorted([*ADMIN, *ADMIN_EXCECOES]) == admin, (
        "add the admin's new URLs to ADMIN (or remove old ones)"
    )


# --- the objects the URLs point at -------------------------------------------------------------------


@pytest.fixture
def objetos(orcamento_pronto, elenco, settings):
    from django_q.models import Schedule

    # A healthy factory for /saude/: the cluster's sweep on time, and no free-disk floor (the
    # test machine's disk is not the subject here).
    Schedule.objects.update_or_create(
        name="prometheus-varredura",
        defaults={"func": "fabrica.tasks.varrer", "schedule_type": "I", "minutes": 1, "next_run": timezone.now()},
    )
    settings.PROMETHEUS_SAUDE_DISCO_LIVRE = 0
    spec = orcamento_pronto.spec
    homologacao = AmbienteFactory(nome="homologacao", ordem=10, configuracao={"smoke": False})
    AmbienteFactory(nome="producao", ordem=20, exige_validacao_em=homologacao, grupos_aprovadores=["PO"])
    conteudo = "VERSAO = 1\n"
    release = ReleaseFactory(
        spec=spec,
        versao=1,
        artefatos=[
            {
                "caminho": "app/__init__.py",
                "vertente": "E",
                "papel": "codigo",
                "conteudo": conteudo,
                "sha256": hashlib.sha256(conteudo.encode()).hexdigest(),
            }
        ],
    )
    implantacao = Implantacao.objects.create(
        ambiente=homologacao,
        release=release,
        spec_ref=spec.spec_id,
        versao=release.rotulo_versao,
        alvo="diretorio",
        status=Implantacao.Status.CONCLUIDA,
        iniciado_em=timezone.now(),
        terminado_em=timezone.now(),
    )
    return {
        "spec": spec,
        "orcamento": orcamento_pronto,
        "orcar": Item.objects.filter(tipo="orcar_spec").first(),
        "desenvolvimento": release.item_origem,
        "release": release,
        "ambiente": homologacao,
        "implantacao": implantacao,
        "capacidade": Capacidade.objects.first(),
        "item": Item.objects.first(),
    }


def _argumentos(nome: str, rota: str, o: dict) -> dict:
    args: dict = {}
    if "<int:pk>" in rota:
        chave = next(
            c
            for prefixo, c in [
                ("api-backlog", "item"),
                ("backlog-item", "item"),
                ("api-spec", "spec"),
                ("spec", "spec"),
                ("api-capacidade", "capacidade"),
                ("api-orcamento", "orcamento"),
                ("orcamento", "orcamento"),
                ("api-release", "release"),
                ("release", "release"),
                ("api-ambiente", "ambiente"),
                ("api-implantacao", "implantacao"),
                ("implantacao", "implantacao"),
            ]
            if nome.startswith(prefixo)
        )
        args["pk"] = o[chave].pk
    if "<slug:nome>" in rota:
        args["nome"] = o["ambiente"].nome
    if "<int:item_id>" in rota:
        args["item_id"] = o["orcar" if nome == "orcar-progresso" else "desenvolvimento"].pk
    if "<str:decisao>" in rota:
        args["decisao"] = "aprovar"
    if "<str:chave>" in rota:
        from fabrica.metricas.selectors import DEFINICOES

        args["chave"] = next(iter(DEFINICOES))
    if "(?P<resto>" in rota:
        args["resto"] = "nada-aqui/"
    return args


def _endereco(nome: str, rota: str, o: dict) -> str:
    if nome.startswith("admin:"):
        return _endereco_admin(nome, rota)
    return reverse(nome, kwargs=_argumentos(nome, rota, o))


# The admin's URL parameters: an object that does not exist, the project's app, a real content type.
VALORES_ADMIN = {"object_id": "999999", "id": "999999", "app_label": "fabrica", "content_type_id": "1"}


def _endereco_admin(nome: str, rota: str) -> str:
    parametros = re.findall(r"<(?:\w+:)?(\w+)>", rota)
    return reverse(nome, kwargs={p: VALORES_ADMIN[p] for p in parametros})


# --- asking, as each role ---------------------------------------------------------------------------


@contextmanager
def _desfeito():
    """Runs one request in a savepoint rolled back at the end (marked as the test's own, so the
    services' durable transactions are allowed inside it, as in any test)."""
    bloco = transaction.atomic()
    bloco._from_testcase = True
    with bloco:
        yield
        transaction.set_rollback(True)


def _resposta(cliente: Client, metodo: str, endereco: str):
    with _desfeito():
        if metodo == "GET":
            return cliente.get(endereco)
        return getattr(cliente, metodo.lower())(endereco, data={}, content_type="application/json")


def _como_visto(resposta, endereco: str) -> object:
    if resposta.status_code == 302:
        destino = resposta["Location"]
        if destino.startswith(reverse("login")) and not endereco.startswith(reverse("login")):
            return "L"
    return resposta.status_code


@pytest.mark.parametrize("papel", PAPEIS)
def test_cada_url_responde_a_cada_papel_o_que_a_matriz_diz(papel, elenco, objetos, settings):
    settings.PROMETHEUS_Q_SYNC = False  # nothing runs behind a request here
    indice = PAPEIS.index(papel)
    cliente = Client(REMOTE_ADDR=FORA)
    if elenco[papel] is not None:
        cliente.force_login(elenco[papel])
    rotas = _linhas_do_resolver()
    divergentes = []
    for (nome, metodo), esperados in sorted(MATRIZ.items()):
        rota, _ = rotas[nome]
        endereco = _endereco(nome, rota, objetos)
        if nome == "logout" and papel != "anon":
            continue  # logging out would end this role's session for the next rows: last, below
        visto = _como_visto(_resposta(cliente, metodo, endereco), endereco)
        if visto != esperados[indice] and not (isinstance(esperados[indice], tuple) and visto in esperados[indice]):
            divergentes.append(f"{metodo} {endereco} ({nome}): {visto}, expected {esperados[indice]}")
    for nome in sorted(n for n in rotas if n.startswith("admin:")):
        endereco = _endereco_admin(nome, rotas[nome][0])
        if nome in ADMIN_EXCECOES:
            esperado = ADMIN_EXCECOES[nome][indice]
        else:
            esperado = ADMIN[nome] if papel == "admin" else ADMIN_OUTROS[indice]
        resposta = _resposta(cliente, "GET", endereco)
        if resposta.status_code == 302 and resposta["Location"].startswith(reverse("admin:login")):
            resposta = _resposta(cliente, "GET", resposta["Location"])  # where the admin's login leads
        visto = _como_visto(resposta, endereco)
        if visto != esperado:
            divergentes.append(f"GET {endereco} ({nome}): {visto}, expected {esperado}")
    if papel != "anon":
        visto = _como_visto(_resposta(cliente, "POST", reverse("logout")), reverse("logout"))
        if visto != MATRIZ[("logout", "POST")][indice]:
            divergentes.append(f"POST logout: {visto}")
    if os.environ.get("PROMETHEUS_MATRIZ_VER"):
        print("\n".join(f"[{papel}] {d}" for d in divergentes))
    assert divergentes == []


# --- links: a page links only where its viewer may go (issue 17 item 7) ---------------------------


def test_quem_pode_abrir_cada_pagina_e_o_que_a_matriz_diz(elenco):
    """``navegacao.pode_abrir_url`` decides every link a page shows; it must answer what the page
    itself answers, role by role, or a link would lead to a 403 (or a page be hidden for nothing)."""
    from prometheus_site.navegacao import acessos_registrados, pode_abrir_url

    acessos = acessos_registrados()
    assert {"backlog-item", "release", "implantacao", "orcamento", "spec", "ambiente"} <= set(acessos)
    divergentes = []
    for nome in sorted(acessos):
        esperados = MATRIZ.get((nome, "GET"))
        assert esperados is not None, f"{nome}: a registered page without a GET row in MATRIZ"
        for indice, papel in enumerate(PAPEIS):
            if papel == "anon":
                continue
            abre = pode_abrir_url(nome, elenco[papel])
            if abre != (esperados[indice] == 200):
                divergentes.append(f"{nome} as {papel}: helper says {abre}, the page answers {esperados[indice]}")
    assert divergentes == []
