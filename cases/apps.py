from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases import tasks
        from cases.selectors.cases import forget_permission_ids
        from cases.services.meetings import meeting_packet_lost
        from portal.tasks import register_task

        # migrate and flush (the tests' TransactionTestCase) rebuild auth_permission with new ids; a new connection
        # may reach a database restored or reloaded under this process: the ids are looked up again for it
        post_migrate.connect(forget_permission_ids, dispatch_uid="cases.forget_permission_ids")
        connection_created.connect(forget_permission_ids, dispatch_uid="cases.forget_permission_ids_on_connect")

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        # a lost build fails its packet at once (the coordinator asks again); the purge would in 15 minutes
        register_task(tasks.build_meeting_packet, rerun=False, on_reclaimed=meeting_packet_lost)
        register_task(tasks.meeting_packets_purge, rerun=True, periodic={"reschedule": True})
