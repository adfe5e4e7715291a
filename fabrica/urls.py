from django.urls import path

from fabrica import views

urlpatterns = [
    path("", views.inicio, name="inicio"),
]
