from django.urls import include, path

from fabrica.api import views
from fabrica.metricas.api import MetricasView

urlpatterns = [
    path("specs/", views.SpecsView.as_view(), name="api-specs"),
    path("specs/schema/", views.SpecSchemaView.as_view(), name="api-specs-schema"),
    path("specs/<int:pk>/", views.SpecView.as_view(), name="api-spec"),
    path("specs/<int:pk>/orcar/", views.OrcarSpecView.as_view(), name="api-spec-orcar"),
    path("capacidades/", views.CapacidadesView.as_view(), name="api-capacidades"),
    path("capacidades/<int:pk>/", views.CapacidadeView.as_view(), name="api-capacidade"),
    path("orcamentos/", views.OrcamentosView.as_view(), name="api-orcamentos"),
    path("orcamentos/<int:pk>/", views.OrcamentoView.as_view(), name="api-orcamento"),
    path("orcamentos/<int:pk>/aprovar/", views.AprovarOrcamentoView.as_view(), name="api-orcamento-aprovar"),
    path("orcamentos/<int:pk>/ajustar/", views.AjustarOrcamentoView.as_view(), name="api-orcamento-ajustar"),
    path("orcamentos/<int:pk>/rejeitar/", views.RejeitarOrcamentoView.as_view(), name="api-orcamento-rejeitar"),
    path("", include("fabrica.releases.api")),
    path("", include("fabrica.implantacao.api.urls")),
    path("metricas/", MetricasView.as_view(), name="api-metricas"),
]
