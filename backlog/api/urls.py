from django.urls import path

from backlog.api import views

urlpatterns = [
    path("itens/", views.ItensView.as_view(), name="api-backlog-itens"),
    path("itens/<int:pk>/", views.ItemView.as_view(), name="api-backlog-item"),
    path("itens/<int:pk>/linhagem/", views.LinhagemView.as_view(), name="api-backlog-linhagem"),
    path("itens/<int:pk>/concluir/", views.ConcluirView.as_view(), name="api-backlog-concluir"),
    path("itens/<int:pk>/falhar/", views.FalharView.as_view(), name="api-backlog-falhar"),
    path("itens/<int:pk>/renovar/", views.RenovarView.as_view(), name="api-backlog-renovar"),
    path("consumir/", views.ConsumirView.as_view(), name="api-backlog-consumir"),
    path("concluir/", views.ConcluirVariosView.as_view(), name="api-backlog-concluir-varios"),
    path("eventos/", views.EventosView.as_view(), name="api-backlog-eventos"),
]
