from django.urls import path

from tips import views

urlpatterns = [
    path("", views.queue, name="tip_queue"),
    path("new/", views.tip_new, name="tip_new"),
    path("<int:pk>/", views.tip_detail, name="tip_detail"),
    path("<int:pk>/<slug:verb>/", views.tip_step, name="tip_step"),
]
