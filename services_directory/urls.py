from django.urls import path

from services_directory import views

urlpatterns = [
    path("", views.service_search, name="service_search"),
    path("mine/", views.my_services, name="my_services"),
    path("services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path("services/<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:pk>/capacity/", views.service_capacity, name="service_capacity"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
