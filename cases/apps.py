from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases import tasks
        from portal.tasks import register_task

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        register_task(tasks.build_meeting_packet, rerun=False)  # the purge fails the stuck packet; asked for again
        register_task(tasks.meeting_packets_purge, rerun=True, periodic={"reschedule": True})
