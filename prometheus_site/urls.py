from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from fabrica.metricas import operacao
from prometheus_site.api.views import docs_da_api, endereco_desconhecido
from prometheus_site.contas import Sair

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("contas/logout/", Sair.as_view(), name="logout"),
    # Django's account pages but the password reset: it would mail a link that logs someone in, and
    # PROMETHEUS mails only notices of waiting decisions (an admin sets a forgotten password;
    # docs/seguranca.md).
    path("contas/login/", auth_views.LoginView.as_view(), name="login"),
    path("contas/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("contas/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/backlog/", include("backlog.api.urls")),
    path("api/", include("fabrica.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", docs_da_api, name="api-docs"),
    # Last under /api/: every other address (any character, a newline too) gets a JSON 404 in the
    # one error shape.
    re_path(r"^api/(?P<resto>[\s\S]*)$", endereco_desconhecido, name="api-desconhecido"),
    path("metrics", operacao.metrics, name="metrics"),
    path("saude/", operacao.saude, name="saude"),
    path("backlog/", include("backlog.urls")),
    path("", include("fabrica.urls")),
]
