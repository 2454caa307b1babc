from django.urls import path

from deconfliction.subjects import views

urlpatterns = [
    path("", views.conflicts, name="deconfliction_conflicts"),
    path("check/", views.check_start, name="deconfliction_check_start"),
    path("check/case/<int:pk>/", views.check_case, name="deconfliction_check_case"),
    path("check/tip/<int:pk>/", views.check_tip, name="deconfliction_check_tip"),
    path("watch/", views.watch, name="deconfliction_watch"),
    path("watch/<int:pk>/resolve/", views.watch_resolve, name="deconfliction_watch_resolve"),
]
