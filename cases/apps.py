from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases import tasks
        from cases.selectors.cases import forget_permission_ids
        from portal.tasks import register_task

        # migrate and flush (the tests' TransactionTestCase) rebuild auth_permission with new ids
        post_migrate.connect(forget_permission_ids, dispatch_uid="cases.forget_permission_ids")

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        register_task(tasks.build_meeting_packet, rerun=False)  # the purge fails the stuck packet; asked for again
        register_task(tasks.meeting_packets_purge, rerun=True, periodic={"reschedule": True})
