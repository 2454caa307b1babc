from django.urls import path

from tips import api

urlpatterns = [
    path("", api.receive, name="tips_api_receive"),
    path("openapi.json", api.openapi, name="tips_api_openapi"),
]
