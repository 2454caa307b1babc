from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender: AppConfig, using: str, **kwargs: Any) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from agencies.roles import sync_role_groups

    # Permissions of every app must exist before the role groups can point at them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_groups()


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        from agencies import language, signals  # noqa: F401  (receivers: audit, and the language at sign-in)

        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="agencies_sync_role_groups")
