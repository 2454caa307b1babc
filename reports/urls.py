from django.urls import path

from reports import quarterly_views, views

urlpatterns = [
    path("", views.dashboard, name="reports_dashboard"),
    path("outreach/", views.outreach_list, name="outreach_list"),
    path("outreach/new/", views.outreach_new, name="outreach_new"),
    path("quarterly/", quarterly_views.quarterly_list, name="quarterly_list"),
    path("quarterly/<str:quarter>/", quarterly_views.quarterly_report, name="quarterly_report"),
    path("quarterly/<str:quarter>/sign/", quarterly_views.quarterly_sign, name="quarterly_sign"),
    path("quarterly/<str:quarter>/report.csv", quarterly_views.quarterly_csv, name="quarterly_csv"),
    path("quarterly/<str:quarter>/report.pdf", quarterly_views.quarterly_pdf, name="quarterly_pdf"),
]
