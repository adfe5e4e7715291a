from django.urls import path

from fabrica.implantacao.api import views

urlpatterns = [
    path("ambientes/", views.AmbientesView.as_view(), name="api-ambientes"),
    path("ambientes/<int:pk>/", views.AmbienteView.as_view(), name="api-ambiente"),
    path("ambientes/<int:pk>/reverter/", views.ReverterAmbienteView.as_view(), name="api-ambiente-reverter"),
    path("implantacoes/", views.ImplantacoesView.as_view(), name="api-implantacoes"),
    path("implantacoes/<int:pk>/", views.ImplantacaoView.as_view(), name="api-implantacao"),
    path("implantacoes/<int:pk>/validar/", views.ValidarImplantacaoView.as_view(), name="api-implantacao-validar"),
    path("implantacoes/<int:pk>/promover/", views.PromoverImplantacaoView.as_view(), name="api-implantacao-promover"),
    path("implantacoes/<int:pk>/dispensar/", views.DispensarPromocaoView.as_view(), name="api-implantacao-dispensar"),
    path("implantacoes/<int:pk>/repetir/", views.RepetirImplantacaoView.as_view(), name="api-implantacao-repetir"),
]
