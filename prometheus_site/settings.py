"""PROMETHEUS settings: one module, configured only by environment variables.

Every variable is read once, here, through the typed helpers of ``prometheus_site.env``;
a bad value stops the start with ``ImproperlyConfigured`` and a sentence.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from prometheus_site.env import env_bool, env_database, env_int, env_list, env_str
from prometheus_site.servidor import esperas_por_processo

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
if not DEBUG and SECRET_KEY == _CHAVE_DEV:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "backlog",
    "fabrica",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "prometheus_site.api.middleware.LimiteDeCorpoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
            ],
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
else:
    # Persistent connections: django-q2 reconnects ~5 times per task with CONN_MAX_AGE=0 and
    # stalls near 70 tasks/s; with persistent connections it does ~450/s (DESIGN §7).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimo=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str(
        "DATABASE_TEST_NAME", "test_" + str(DATABASES["default"]["NAME"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Language, time -------------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Português (Brasil)")), ("en", _("English"))]
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
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
    },
}
# Bodies over this size get 413 (see prometheus_site.api.middleware); Django's own check covers forms.
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

# --- Specs (DESIGN §4): a git repository holding specs/<spec_id>.yaml ------------------------
PROMETHEUS_SPECS_REPO = Path(env_str("PROMETHEUS_SPECS_REPO", str(VAR_DIR / "specs-repo")))
PROMETHEUS_SPECS_EXEMPLO = BASE_DIR / "examples" / "specs-repo"

# Made by ``manage.py`` before any command runs (see VAR_DIR above).
PROMETHEUS_DIRETORIOS = [VAR_DIR]

# --- Background work (django-q2) ------------------------------------------------------------
_BROKER = env_str("PROMETHEUS_Q_BROKER", "orm")
Q_CLUSTER: dict = {
    "name": "prometheus",
    "workers": env_int("PROMETHEUS_Q_WORKERS", 2, minimo=1),
    # A task that outlives this is killed; its backlog item is rescued by its lease.
    "timeout": env_int("PROMETHEUS_Q_TIMEOUT", 600, minimo=1),
    "retry": env_int("PROMETHEUS_Q_TIMEOUT", 600, minimo=1) + 60,
    # Retries belong to MS_Backlog (falhar with backoff), not to the task queue.
    "max_attempts": 1,
    "ack_failures": True,
    # Keep the latest successes for the admin, prune older ones (the backlog is the history).
    "save_limit": 500,
    "catch_up": False,
    "label": "Django Q2",
}
if _BROKER == "orm":
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.2
elif _BROKER.startswith(("redis://", "rediss://")):
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
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
