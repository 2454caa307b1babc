from django.contrib import admin
from django.urls import include, path

from portal import views

# A database outage anywhere in a request answers 503, anything else unhandled the portal's 500 page
# (portal/outage.py); refusals answer the portal's 403 and 404 pages (portal/errors.py).
handler500 = "portal.outage.server_error"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("agency/", include("agencies.urls")),
    path("cases/", include("cases.urls")),
    path("directory/", include("services_directory.urls")),
    path("referrals/", include("referrals.urls")),
    path("tips/", include("tips.urls")),
    path("deconfliction/", include("deconfliction.urls")),
    path("protection/", include("protection.urls")),
    path("prosecution/", include("prosecution.urls")),
    path("reports/", include("reports.urls")),
    path("api/hsds/", include("services_directory.api_urls")),
    path("api/tips/", include("tips.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
