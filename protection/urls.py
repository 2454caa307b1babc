from django.urls import path

from protection import views

urlpatterns = [
    path("", views.relief_queue, name="relief_queue"),
    path("reminders/", views.relief_notices, name="relief_notices"),
    path("cases/<int:pk>/people/<int:person_pk>/new/", views.relief_new, name="relief_new"),
    path("cases/<int:pk>/relief/<int:action_pk>/", views.relief_action, name="relief_action"),
    path("cases/<int:pk>/relief/<int:action_pk>/document/", views.relief_document, name="relief_document"),
    path("cases/<int:pk>/relief/<int:action_pk>/<slug:verb>/", views.relief_step, name="relief_step"),
]
