from django.urls import path

from services_directory import views

urlpatterns = [
    path("", views.service_search, name="service_search"),
    path("mine/", views.my_services, name="my_services"),
    path("services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path("services/<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:pk>/hours/", views.service_hours, name="service_hours"),
    path("services/<uuid:pk>/locations/", views.service_locations, name="service_locations"),
    path("services/<uuid:pk>/locations/new/", views.service_location, name="service_location_add"),
    path("services/<uuid:pk>/locations/<uuid:location_pk>/", views.service_location, name="service_location"),
    path(
        "services/<uuid:pk>/locations/<uuid:location_pk>/remove/",
        views.service_location_remove,
        name="service_location_remove",
    ),
    path("services/<uuid:pk>/capacity/", views.service_capacity, name="service_capacity"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
