from django.contrib import admin
from django.urls import include, path

from portal import views

# A database outage anywhere in a request answers 503, not the generic 500 (portal/outage.py).
handler500 = "portal.outage.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("agency/", include("agencies.urls")),
    path("cases/", include("cases.urls")),
    path("directory/", include("services_directory.urls")),
    path("referrals/", include("referrals.urls")),
    path("api/hsds/", include("services_directory.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
