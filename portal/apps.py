from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "Portal"


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    """The Django admin, signing in through the portal's own sign-in (system-use notice, lockout, MFA)."""

    default_site = "portal.admin_site.PortalAdminSite"
