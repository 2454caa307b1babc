from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProsecutionConfig(AppConfig):
    """Arrests, charges, charging decisions and dispositions of a case's suspects (decision 0034)."""

    name = "prosecution"
    verbose_name = _("Prosecution")

    def ready(self) -> None:
        from prosecution import receivers  # noqa: F401  (a case's move marks its charges again)
