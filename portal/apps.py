from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from portal.sqlite import gather_statistics_after_migrate

        post_migrate.connect(gather_statistics_after_migrate, dispatch_uid="portal.sqlite.gather_statistics")

        from portal.tasks import register_task, tasks_reap

        register_task(tasks_reap, rerun=True, periodic={"reschedule": True})


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    """The Django admin, signing in through the portal's own sign-in (system-use notice, lockout, MFA)."""

    default_site = "portal.admin_site.PortalAdminSite"
