from django.apps import AppConfig


class DeconflictionConfig(AppConfig):
    name = "deconfliction"

    def ready(self) -> None:
        # Each half keeps itself current from cases and tips through their signals (cases never import this app).
        from deconfliction.operations import receivers as operation_receivers  # noqa: F401
        from deconfliction.subjects import receivers as subject_receivers  # noqa: F401
