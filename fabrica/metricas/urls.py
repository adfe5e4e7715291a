from django.urls import path

from fabrica.metricas import views

urlpatterns = [
    path("metricas/", views.painel, name="metricas"),
    path("metricas/fatos/<str:chave>/", views.fatos, name="metricas-fatos"),
]
