from django.urls import path

from tips import views

urlpatterns = [
    path("", views.queue, name="tip_queue"),
    path("new/", views.tip_new, name="tip_new"),
    path("disseminations/", views.dissemination_log, name="tip_dissemination_log"),
    path("disseminations/export/", views.dissemination_log_export, name="tip_dissemination_log_export"),
    path("reviews/", views.review_queue, name="tip_review_queue"),
    path("<int:pk>/", views.tip_detail, name="tip_detail"),
    path("<int:pk>/print/", views.tip_print, name="tip_print"),
    path("<int:pk>/export/", views.tip_export, name="tip_export"),
    path("<int:pk>/validate/", views.tip_validate, name="tip_validate"),
    path("<int:pk>/purge/", views.tip_purge, name="tip_purge"),
    path("<int:pk>/subjects/<int:subject_pk>/", views.tip_subject_edit, name="tip_subject_edit"),
    path("<int:pk>/attachments/", views.tip_attachment_upload, name="tip_attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.tip_attachment_download, name="tip_attachment_download"),
    path("<int:pk>/<slug:verb>/", views.tip_step, name="tip_step"),
]
