from django.urls import path

from fabrica.avisos import views

urlpatterns = [
    path("perfil/", views.perfil, name="perfil"),
]
