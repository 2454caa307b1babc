from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases.selectors.cases import forget_permission_ids

        # migrate and flush (the tests' TransactionTestCase) rebuild auth_permission with new ids
        post_migrate.connect(forget_permission_ids, dispatch_uid="cases.forget_permission_ids")
