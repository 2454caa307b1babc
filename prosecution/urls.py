from django.urls import path

from prosecution import views

urlpatterns = [
    path("cases/<int:pk>/arrests/new/", views.arrest_create, name="arrest_create"),
    path("arrests/<int:pk>/edit/", views.arrest_edit, name="arrest_edit"),
    path("arrests/<int:pk>/charges/new/", views.charge_add, name="charge_add"),
    path("charges/<int:pk>/decision/", views.charge_decide, name="charge_decide"),
    path("charges/<int:pk>/disposition/", views.charge_dispose, name="charge_dispose"),
    path("statutes/", views.statute_list, name="trafficking_statutes"),
    path("statutes/<int:pk>/remove/", views.statute_remove, name="trafficking_statute_remove"),
]
