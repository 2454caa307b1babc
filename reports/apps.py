from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The top floor (docs/architecture.md §11): reads every app through its selectors; nothing imports it."""

    name = "reports"
