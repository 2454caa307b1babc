from django.urls import include, path

urlpatterns = [
    path("", include("deconfliction.subjects.urls")),
    path("operations/", include("deconfliction.operations.urls")),
]
