from django.urls import path

from backlog import views

urlpatterns = [
    path("", views.quadro, name="backlog-quadro"),
    path("itens/<int:pk>/", views.item_detalhe, name="backlog-item"),
]
