from django.urls import path

from services_directory import api

urlpatterns = [
    path("", api.meta, name="hsds_api_meta"),
    path("openapi.json", api.openapi, name="hsds_api_openapi"),
    path("services", api.service_list, name="hsds_api_services"),
    path("services/<str:pk>", api.service_detail, name="hsds_api_service"),
]
