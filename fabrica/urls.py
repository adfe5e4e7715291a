from django.urls import include, path

from fabrica import views

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("orcamentos/<int:pk>/", views.orcamento, name="orcamento"),
    path("orcamentos/<int:pk>/<str:decisao>/", views.orcamento_decidir, name="orcamento-decidir"),
    path("specs/", views.specs, name="specs"),
    path("specs/<int:pk>/", views.spec, name="spec"),
    path("specs/<int:pk>/orcar/", views.spec_orcar, name="spec-orcar"),
    path("orcar/<int:item_id>/", views.orcar_progresso, name="orcar-progresso"),
    path("", include("fabrica.releases.urls")),
    path("", include("fabrica.implantacao.urls")),
    path("", include("fabrica.metricas.urls")),
    path("", include("fabrica.avisos.urls")),
]
