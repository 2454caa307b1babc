from django.urls import path

from reports import views

urlpatterns = [
    path("", views.dashboard, name="reports_dashboard"),
    path("outreach/", views.outreach_list, name="outreach_list"),
    path("outreach/new/", views.outreach_new, name="outreach_new"),
]
