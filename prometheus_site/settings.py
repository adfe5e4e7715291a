"""PROMETHEUS settings: one module, configured only by environment variables.

Every variable is read once, here, through the typed helpers of ``prometheus_site.env``;
a bad value stops the start with ``ImproperlyConfigured`` and a sentence.
"""

from __future__ import annotations

import re
import socket
import warnings
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from prometheus_site.env import env_bool, env_database, env_int, env_list, env_redes, env_str
from prometheus_site.servidor import esperas_por_processo

# Django's generic classes subscriptable at run time (``admin.ModelAdmin[Item]``), as mypy sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state (the SQLite database, the spec repository, collected static files). Importing the
# settings creates nothing: ``manage.py`` makes ``PROMETHEUS_DIRETORIOS`` before a command runs,
# so ``make run`` (migrate, carregar_demo, runserver, qcluster) finds them.
VAR_DIR = Path(env_str("PROMETHEUS_VAR_DIR", str(BASE_DIR / "var")))

# DEBUG defaults to true because the two README commands are for a developer's machine;
# production sets DEBUG=false, and then a real SECRET_KEY is mandatory.
DEBUG = env_bool("DEBUG", True)
_CHAVE_DEV = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _CHAVE_DEV)
if not DEBUG and SECRET_KEY in ("", _CHAVE_DEV):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

# --- Transport and headers (docs/seguranca.md) ----------------------------------------------
# PROMETHEUS_HTTPS=true is production behind TLS: cookies only over HTTPS, HTTP redirected to
# HTTPS, HSTS for a year. It is off by default because `make run` serves plain http on
# 127.0.0.1 (with DEBUG off), where a Secure cookie would never come back and nobody could log in.
# Behind a TLS-terminating proxy on the same host, gunicorn trusts its X-Forwarded-Proto
# (gunicorn's forwarded_allow_ips, 127.0.0.1 by default), so Django sees the request as secure.
PROMETHEUS_HTTPS = env_bool("PROMETHEUS_HTTPS", False)
SECURE_SSL_REDIRECT = PROMETHEUS_HTTPS
# A load balancer's health check and Prometheus's scraper often ask over plain http inside the
# network; a redirect would read as "down". Neither answer holds a cookie or a secret.
SECURE_REDIRECT_EXEMPT = [r"^saude/$", r"^metrics$"]
SESSION_COOKIE_SECURE = PROMETHEUS_HTTPS
CSRF_COOKIE_SECURE = PROMETHEUS_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if PROMETHEUS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PROMETHEUS_HTTPS
# Only makes the domain eligible for the browsers' preload list; submitting it is the owner's act.
SECURE_HSTS_PRELOAD = PROMETHEUS_HTTPS
# Whatever the transport: no script reads either cookie (the pages' forms carry the CSRF token;
# Swagger's "Try it out" uses an API token), and neither is sent from another site's page.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): every script and style comes from this site's static
# files — no inline <script>, <style>, style= or on*= anywhere (tests/test_seguranca.py reads
# the templates). The API docs page (/api/docs/) also allows data: images (swagger-ui's CSS icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "prometheus_site.apps.AdminDoPrometheus",  # django.contrib.admin, refusing non-staff with the app's 403
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "django_htmx",
    "axes",
    "csp",
    "backlog",
    "fabrica",
]

MIDDLEWARE = [
    # First: the request histogram of /metrics times everything below it.
    "prometheus_site.observabilidade.MedirRequisicoes",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "prometheus_site.api.middleware.LimiteDeCorpoMiddleware",
    "prometheus_site.api.middleware.ConsultaSemNuloMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After locale and user (the 413 page speaks the person's language), before any
    # process_view reads the body (the CSRF check would raise RequestDataTooBig).
    "prometheus_site.api.middleware.LimiteDeCorpoDasPaginasMiddleware",
    # After locale and user too: a page's query string with a NUL gets the 400 page in the person's language.
    "prometheus_site.api.middleware.ConsultaSemNuloDasPaginasMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prometheus_site.urls"
WSGI_APPLICATION = "prometheus_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prometheus_site.contexto.navegacao",
                "prometheus_site.contexto.idiomas",
            ],
            # The project's own template library (it has no app): statuses as words, money, JSON.
            "libraries": {"palavras": "prometheus_site.templatetags.palavras"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'prometheus.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: IMMEDIATE transactions serialise writers (so a claim is never
    # taken twice), WAL lets the web server read while the cluster writes, and the timeout
    # waits for the writer lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is a file beside the real one, never Django's in-memory default: with an
    # in-memory database the live server's request threads share the test thread's one connection
    # object, so a request still running while a test's flush runs interleaves their transactions
    # (a flush undone, users left behind for the next test). A file gives every thread its own
    # connection, as PostgreSQL does, serialised by the same IMMEDIATE transactions.
    _sqlite = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("DATABASE_TEST_NAME", str(_sqlite.with_name("test_" + _sqlite.name)))
    }
else:
    # Persistent connections: django-q2 reconnects ~5 times per task with CONN_MAX_AGE=0 and
    # stalls near 70 tasks/s; with persistent connections it does ~450/s (docs/arquitetura.md,
    # "Background work").
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimo=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str(
        "DATABASE_TEST_NAME", "test_" + str(DATABASES["default"]["NAME"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
# django-axes first: it refuses a locked-out user and address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, docs/seguranca.md): after PROMETHEUS_LOGIN_TENTATIVAS failed
# logins of one username from one address, that pair is refused for PROMETHEUS_LOGIN_BLOQUEIO_MIN
# minutes with a page saying so (429). The pair, not the address alone: people behind one NAT or
# proxy do not lock each other out; not the username alone: a stranger cannot lock the PO out
# from everywhere. A successful login clears the count. The API's tokens never pass through here.
AXES_FAILURE_LIMIT = env_int("PROMETHEUS_LOGIN_TENTATIVAS", 5, minimo=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PROMETHEUS_LOGIN_BLOQUEIO_MIN", 15, minimo=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "prometheus_site.contas.bloqueado"

# --- Language, time -------------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
# Each language named in itself, whatever the page's language: a reader looks for their own.
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

# --- Static files (served by WhiteNoise; no CDN anywhere) ------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"  # written by collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
# `collectstatic` (run by `make run` and the production notes) writes each file with a gzip
# twin, which WhiteNoise serves to clients that accept it; under DEBUG the files are also found
# where they are, so `make dev` and the tests need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise from here.
WHITENOISE_ROOT = BASE_DIR / "static" / "raiz"
# Until collectstatic runs, WhiteNoise's "No directory at" warning on every start says nothing useful.
warnings.filterwarnings("ignore", message=f"No directory at: {re.escape(str(STATIC_ROOT))}/?$")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "prometheus_site.api.paginacao.Paginacao",
    # DRF's JSON parser refusing absurdly nested bodies with a 400 (they would 500 later).
    "DEFAULT_PARSER_CLASSES": [
        "prometheus_site.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "prometheus_site.api.erros.tratar_excecao",
    "DEFAULT_SCHEMA_CLASS": "prometheus_site.api.esquema.Esquema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PROMETHEUS API",
    "DESCRIPTION": "MS_Backlog contract and the PROMETHEUS software factory.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusItemEnum": "backlog.models.Status",
        "StatusOrcamentoEnum": "fabrica.models.Orcamento.Status",
        "StatusImplantacaoEnum": "fabrica.implantacao.models.Implantacao.Status",
        "TipoImplantacaoEnum": "fabrica.implantacao.models.Implantacao.Tipo",
        "StatusReleaseEnum": "fabrica.models.Release.Status",
        "TipoReleaseEnum": "fabrica.models.Release.Tipo",
        "OrigemSpecEnum": "fabrica.models.Spec.Origem",
    },
}
# Bodies over this size get 413 (see prometheus_site.api.middleware): JSON for the API, the 413 page for pages.
PROMETHEUS_MAX_CORPO = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = PROMETHEUS_MAX_CORPO

# --- MS_Backlog -----------------------------------------------------------------------------
PROMETHEUS_LEASE_SEGUNDOS = env_int("PROMETHEUS_LEASE_SEGUNDOS", 300, minimo=1)
PROMETHEUS_BACKOFF_SEGUNDOS = env_int("PROMETHEUS_BACKOFF_SEGUNDOS", 10, minimo=0)
# How long a server process remembers an API token's user and permission (backlog.api.autenticacao).
PROMETHEUS_API_CACHE_SEGUNDOS = env_int("PROMETHEUS_API_CACHE_SEGUNDOS", 5, minimo=0)
# Long polls that may wait at once in one server process (backlog.espera; sized against the
# server's threads in prometheus_site.servidor).
PROMETHEUS_ESPERAS_POR_PROCESSO = esperas_por_processo()

# --- Specs (docs/arquitetura.md, "Specs"): a git repository holding specs/<spec_id>.yaml ---
PROMETHEUS_SPECS_REPO = Path(env_str("PROMETHEUS_SPECS_REPO", str(VAR_DIR / "specs-repo")))
PROMETHEUS_SPECS_EXEMPLO = BASE_DIR / "examples" / "specs-repo"

# Made by ``manage.py`` before any command runs (see VAR_DIR above).
PROMETHEUS_DIRETORIOS = [VAR_DIR]

# --- Development (fabrica.desenvolvimento): the sandbox of generated code (docs/sandbox.md) ----
# Limits in plain seconds and bytes (prlimit would read "1GiB" as one byte).
PROMETHEUS_SANDBOX = {
    "tempo_total_s": env_int("PROMETHEUS_SANDBOX_TEMPO_S", 120, minimo=5),
    "tempo_por_teste_s": env_int("PROMETHEUS_SANDBOX_TEMPO_TESTE_S", 30, minimo=1),
    "memoria_bytes": env_int("PROMETHEUS_SANDBOX_MEMORIA_BYTES", 1024**3, minimo=128 * 1024**2),
    "cpu_s": env_int("PROMETHEUS_SANDBOX_CPU_S", 120, minimo=1),
    "processos": env_int("PROMETHEUS_SANDBOX_PROCESSOS", 64, minimo=8),
    "arquivos_abertos": env_int("PROMETHEUS_SANDBOX_ARQUIVOS", 256, minimo=32),
    "tamanho_arquivo_bytes": env_int("PROMETHEUS_SANDBOX_ARQUIVO_BYTES", 64 * 1024**2, minimo=1024**2),
}
# auto: bubblewrap where it runs, else the namespaces of `unshare` (root), else the basic isolation,
# saying so at start and on each release; completo: bubblewrap or namespaces, never basic; bwrap,
# namespaces, basico: that one or refuse to build (docs/sandbox.md).
PROMETHEUS_SANDBOX_ISOLAMENTO = env_str("PROMETHEUS_SANDBOX_ISOLAMENTO", "auto")
if PROMETHEUS_SANDBOX_ISOLAMENTO not in ("auto", "completo", "bwrap", "namespaces", "basico"):
    raise ImproperlyConfigured(
        f"PROMETHEUS_SANDBOX_ISOLAMENTO={PROMETHEUS_SANDBOX_ISOLAMENTO!r}: use auto, completo, bwrap, namespaces or basico."
    )
# First of the 32 uids the sandbox runs as when PROMETHEUS runs as root (one per concurrent run,
# each taken with a lock named by the uid in the host's temp directory: nodes sharing a host never
# share a uid; give each its own range, 61000, 61032, …, so they do not wait for each other).
PROMETHEUS_SANDBOX_UID = env_int("PROMETHEUS_SANDBOX_UID", 61000, minimo=1000)
# The interpreter of the generated tests; empty: this one (its venv must hold the release's deps).
PROMETHEUS_SANDBOX_PYTHON = env_str("PROMETHEUS_SANDBOX_PYTHON", "")
PROMETHEUS_CORRECOES = 3  # correction attempts per vertente (docs/desenvolvimento.md, "The loop")

# --- A model behind the generator and the corrector (docs/modelo.md) -------------------------
# Unset URL: the deterministic generator and corrector, exactly as without this block.
_VERTENTES = ("E", "P", "D", "I", "C")


def _vertentes(nome: str, valor: str) -> tuple[str, ...]:
    escolhidas = tuple(v.strip().upper() for v in valor.split(",") if v.strip())
    if set(escolhidas) - set(_VERTENTES):
        raise ImproperlyConfigured(f"{nome}={','.join(escolhidas)!r}: use vertentes among E,P,D,I,C (or empty).")
    return escolhidas


def _preco(nome: str, valor: str) -> Decimal:
    try:
        preco = Decimal(valor)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{nome}={valor!r} is not a number (a price per million tokens).") from None
    if not preco.is_finite() or preco < 0:
        raise ImproperlyConfigured(f"{nome}={valor!r} must be a price of zero or more per million tokens.")
    return preco


_LLM_URL = env_str("PROMETHEUS_LLM_URL", "")
_LLM_MODELO = env_str("PROMETHEUS_LLM_MODELO", "")
if _LLM_URL and not _LLM_MODELO:
    raise ImproperlyConfigured("PROMETHEUS_LLM_URL is set: PROMETHEUS_LLM_MODELO must name the model to ask.")
if _LLM_URL and not re.match(r"^https?://", _LLM_URL):
    raise ImproperlyConfigured(f"PROMETHEUS_LLM_URL={_LLM_URL!r}: use an http:// or https:// URL ending in /v1.")
# The key apart, under a name Django's error reports mask (…KEY): never in a page, log or release.
PROMETHEUS_LLM_API_KEY = env_str("PROMETHEUS_LLM_CHAVE", "")
# Keyword arguments of fabrica.desenvolvimento.llm.cliente.ConfigModelo (but the key), or None.
PROMETHEUS_LLM: dict | None = (
    {
        "url": _LLM_URL,
        "modelo": _LLM_MODELO,
        "timeout_s": env_int("PROMETHEUS_LLM_TIMEOUT_S", 120, minimo=1),
        "tentativas": env_int("PROMETHEUS_LLM_RETENTATIVAS", 3, minimo=0),
        "tempo_total_s": env_int("PROMETHEUS_LLM_TEMPO_TOTAL_S", 600, minimo=1),
        "tokens_release": env_int("PROMETHEUS_LLM_TOKENS_RELEASE", 200_000, minimo=1000),
        "tokens_orcamento": env_int("PROMETHEUS_LLM_TOKENS_ORCAMENTO", 1_000_000, minimo=1000),
        "max_resposta": env_int("PROMETHEUS_LLM_MAX_RESPOSTA", 4096, minimo=256),
        "gerar": _vertentes("PROMETHEUS_LLM_GERAR", env_str("PROMETHEUS_LLM_GERAR", "E")),
        "corrigir": _vertentes("PROMETHEUS_LLM_CORRIGIR", env_str("PROMETHEUS_LLM_CORRIGIR", ",".join(_VERTENTES))),
        "preco_entrada": _preco("PROMETHEUS_LLM_PRECO_ENTRADA", env_str("PROMETHEUS_LLM_PRECO_ENTRADA", "0")),
        "preco_saida": _preco("PROMETHEUS_LLM_PRECO_SAIDA", env_str("PROMETHEUS_LLM_PRECO_SAIDA", "0")),
    }
    if _LLM_URL
    else None
)

# --- Background work (django-q2) ------------------------------------------------------------
# This node's name (README, "Several nodes"): recorded on the items it processes (their
# ``consumidor``, PROMETHEUS@<node>:<pid>) and on each vertente it builds. Default: the host's name;
# two nodes on one host need their own.
PROMETHEUS_NO = env_str("PROMETHEUS_NO", socket.gethostname())
if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", PROMETHEUS_NO):
    raise ImproperlyConfigured(f"PROMETHEUS_NO={PROMETHEUS_NO!r}: use 1 to 100 letters, digits, '.', '_' or '-'.")
_BROKER = env_str("PROMETHEUS_Q_BROKER", "orm")
# The longest task is a build: up to 5 vertentes, each run in the sandbox once and again after
# each of its 3 corrections, every run bounded by the sandbox's wall-clock limit. The task
# timeout covers that worst case plus generation; a shorter one would kill a build that is
# still within its limits (600 s covered barely one vertente).
_PIOR_CONSTRUCAO = 5 * (1 + PROMETHEUS_CORRECOES) * (PROMETHEUS_SANDBOX["tempo_total_s"] + 15) + 300
if PROMETHEUS_LLM is not None:  # and one call to the model per generation and per correction
    _PIOR_CONSTRUCAO += 5 * (1 + PROMETHEUS_CORRECOES) * PROMETHEUS_LLM["tempo_total_s"]
_Q_TIMEOUT = env_int("PROMETHEUS_Q_TIMEOUT", _PIOR_CONSTRUCAO, minimo=1)
Q_CLUSTER: dict = {
    "name": "prometheus",
    "workers": env_int("PROMETHEUS_Q_WORKERS", 2, minimo=1),
    # A task that outlives this is killed; its backlog item is rescued by its lease (the
    # heartbeat of fabrica.consumidor.Batimento stops with the process).
    "timeout": _Q_TIMEOUT,
    # The ORM broker hands an unacknowledged task out again after `retry` seconds: it must exceed
    # the timeout, or a long build would be started a second time while the first still runs.
    "retry": _Q_TIMEOUT + 120,
    # A task is a "claim the next item of this type" poke, harmless to repeat: one more attempt
    # lets a poke lost with a killed worker come back, instead of waiting for the sweep. Retries
    # of the work itself belong to MS_Backlog (falhar with backoff, the lease rescue), and a
    # rescued item builds one release (Release.item_origem is one-to-one).
    "max_attempts": 2,
    "ack_failures": True,
    # Keep the latest successes for the admin, prune older ones (the backlog is the history).
    "save_limit": 500,
    "catch_up": False,
    "label": "Django Q2",
}
if _BROKER == "orm":
    Q_CLUSTER["orm"] = "default"
    # django-q2's ORM broker, whose pusher on PostgreSQL waits for a NOTIFY of each enqueue
    # (at most 1 s) instead of reading the queue every `poll` seconds (prometheus_site/fila.py).
    Q_CLUSTER["broker_class"] = "prometheus_site.fila.OrmComAviso"
    # Between reads on SQLite, or while the pusher's listening connection is down.
    Q_CLUSTER["poll"] = 0.2
elif _BROKER.startswith(("redis://", "rediss://")):
    # django-q2's Redis broker pops a task with no receipt: a task taken by a node that dies is
    # lost. Its item is not: the backlog's lease expires and the sweep rescues and dispatches it
    # (README, "Several nodes").
    Q_CLUSTER["redis"] = _BROKER
else:
    raise ImproperlyConfigured(f"PROMETHEUS_Q_BROKER={_BROKER!r}: use 'orm' (the database) or a redis:// URL.")
# In tests and in `manage.py` one-off runs, tasks may run inline instead of in the cluster.
Q_SYNC = env_bool("PROMETHEUS_Q_SYNC", False)
Q_CLUSTER["sync"] = Q_SYNC

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's default config gives "django" its own console handler: without this, every
        # "Not Found"/"Forbidden" line was written twice (there and through the root's).
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
    },
}

# --- Deployment (fabrica.implantacao) -------------------------------------------------------------
# Where the directory target deploys an environment whose own directory is empty.
PROMETHEUS_IMPLANTACOES_DIR = Path(env_str("PROMETHEUS_IMPLANTACOES_DIR", str(VAR_DIR / "implantacoes")))
# Releases kept per environment and spec (an environment may say otherwise); the current and the
# previous one are never removed, so at least 2.
PROMETHEUS_IMPLANTACAO_RETENCAO = env_int("PROMETHEUS_IMPLANTACAO_RETENCAO", 5, minimo=2)
# Default time limit of a smoke check or a deployment command (an environment may say otherwise).
PROMETHEUS_IMPLANTACAO_TIMEOUT = env_int("PROMETHEUS_IMPLANTACAO_TIMEOUT", 300, minimo=1)
# How long a deployment waits for another one to the same environment to finish before its item
# fails (and is retried by the backlog after its backoff).
PROMETHEUS_IMPLANTACAO_ESPERA = env_int("PROMETHEUS_IMPLANTACAO_ESPERA", 300, minimo=0)

# --- E-mail notices (fabrica.avisos, docs/avisos.md) ---------------------------------------------
# A decision that starts waiting is announced by e-mail to each person who may decide it. Without
# EMAIL_HOST the messages are written to the console (`make run`: they appear in its output);
# with it, they go out by SMTP. Sending happens in the background (never in the decision's
# transaction); a failure is logged and retried by the sweep.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
# SMTPS (implicit TLS, port 465) or STARTTLS (port 587, the default); never both.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587, minimo=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set one of them to false.")
# Seconds an SMTP connection may block a background worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimo=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PROMETHEUS <prometheus@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as people reach it: the links in the e-mails are absolute.
PROMETHEUS_URL_BASE = env_str("PROMETHEUS_URL_BASE", "http://127.0.0.1:8000")
if not re.match(r"^https?://[^/\s]+(/\S*)?$", PROMETHEUS_URL_BASE):
    raise ImproperlyConfigured(
        f"PROMETHEUS_URL_BASE={PROMETHEUS_URL_BASE!r}: use an http(s) URL, e.g. https://prometheus.example.com."
    )
# The daily digest of what has waited more than a day (schedule "prometheus-resumo-diario", 08:00
# by default: an admin moves it in Django admin). On by default: it writes only when a decision was
# left waiting over a day, exactly when the first notice was missed; each person may turn it off.
PROMETHEUS_AVISOS_RESUMO = env_bool("PROMETHEUS_AVISOS_RESUMO", True)

# --- Metrics (fabrica.metricas): the dashboard, /api/metricas/, /metrics, /saude/ ------------------
# The table of DORA performance bands used when no table is marked as the default in Django admin
# (the tables live in the database: fabrica.metricas.faixas). The migration that wrote the
# published tables marked this one as the default, so an installation that set it keeps it.
PROMETHEUS_METRICAS_FAIXAS = env_str("PROMETHEUS_METRICAS_FAIXAS", "dora_2023")
if not re.fullmatch(r"[a-z0-9_]{1,50}", PROMETHEUS_METRICAS_FAIXAS):
    raise ImproperlyConfigured(
        f"PROMETHEUS_METRICAS_FAIXAS={PROMETHEUS_METRICAS_FAIXAS!r}: the key of a table of DORA bands "
        "(lowercase letters, digits and _), such as dora_2023, dora_2021 or gitlab."
    )
# /metrics: answered to a request bearing this token (Authorization: Bearer …) or coming from one
# of these networks (REMOTE_ADDR: behind a proxy, allow the proxy or use the token). Empty token:
# only the networks.
PROMETHEUS_METRICS_TOKEN = env_str("PROMETHEUS_METRICS_TOKEN", "")
PROMETHEUS_METRICS_REDES = env_redes("PROMETHEUS_METRICS_REDES", ["127.0.0.1/32", "::1/128"])
# /metrics: the 12-week numbers of /api/metricas/ it exports are kept (per process) until a fact is
# recorded (a backlog event, budget, release, vertente execution or deployment: fabrica.metricas.
# selectors.versao_dos_fatos) and for at most this many seconds (a change that adds no row, such as
# real hours typed on a release, shows within it). 0: recomputed at every scrape.
PROMETHEUS_METRICS_CACHE_S = env_int("PROMETHEUS_METRICS_CACHE_S", 60, minimo=0)
# Set by gunicorn's master (prometheus_site.gunicorn) for its workers: where their histograms'
# files are, added up at each scrape. Empty (runserver, tests): this process's own histograms.
PROMETHEUS_METRICAS_PROCESSOS = env_str("PROMETHEUS_MULTIPROC_DIR", "")
# /saude/: the cluster is alive while the sweep (scheduled every minute) is not overdue by more
# than this; the disk of PROMETHEUS_VAR_DIR needs this much free space.
PROMETHEUS_SAUDE_CLUSTER_ATRASO = env_int("PROMETHEUS_SAUDE_CLUSTER_ATRASO", 180, minimo=60)
PROMETHEUS_SAUDE_DISCO_LIVRE = env_int("PROMETHEUS_SAUDE_DISCO_LIVRE", 200 * 1024 * 1024, minimo=0)
