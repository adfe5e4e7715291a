from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from fabrica.metricas import operacao
from prometheus_site.api.views import endereco_desconhecido
from prometheus_site.contas import Sair

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("contas/logout/", Sair.as_view(), name="logout"),
    path("contas/", include("django.contrib.auth.urls")),
    path("api/backlog/", include("backlog.api.urls")),
    path("api/", include("fabrica.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last under /api/: every other address (any character, a newline too) gets a JSON 404 in the
    # one error shape.
    re_path(r"^api/(?P<resto>[\s\S]*)$", endereco_desconhecido, name="api-desconhecido"),
    path("metrics", operacao.metrics, name="metrics"),
    path("saude/", operacao.saude, name="saude"),
    path("backlog/", include("backlog.urls")),
    path("", include("fabrica.urls")),
]
