from django.urls import path

from fabrica.implantacao import views

urlpatterns = [
    path("ambientes/", views.ambientes, name="ambientes"),
    path("ambientes/<slug:nome>/", views.ambiente, name="ambiente"),
    path("ambientes/<slug:nome>/reverter/", views.ambiente_reverter, name="ambiente-reverter"),
    path("implantacoes/<int:pk>/", views.implantacao, name="implantacao"),
    path("implantacoes/<int:pk>/log/", views.implantacao_log, name="implantacao-log"),
    path("implantacoes/<int:pk>/validar/", views.implantacao_validar, name="implantacao-validar"),
    path("implantacoes/<int:pk>/promover/", views.implantacao_promover, name="implantacao-promover"),
    path("implantacoes/<int:pk>/dispensar/", views.implantacao_dispensar, name="implantacao-dispensar"),
    path("implantacoes/<int:pk>/repetir/", views.implantacao_repetir, name="implantacao-repetir"),
]
