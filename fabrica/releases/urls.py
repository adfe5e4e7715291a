from django.urls import path

from fabrica.releases import views

urlpatterns = [
    path("releases/<int:pk>/", views.release, name="release"),
    path("releases/<int:pk>/zip/", views.release_zip, name="release-zip"),
    path("releases/<int:pk>/horas/", views.release_horas, name="release-horas"),
    path("releases/<int:pk>/<str:decisao>/", views.release_decidir, name="release-decidir"),
    path(
        "implantacoes/<int:pk>/rejeitar-release/",
        views.implantacao_rejeitar_release,
        name="implantacao-rejeitar-release",
    ),
    path("desenvolvimento/<int:item_id>/", views.construcao, name="construcao"),
]
