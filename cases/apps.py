from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases import tasks
        from cases.services.meetings import meeting_packet_lost
        from portal.tasks import register_task

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        # a lost build fails its packet at once (the coordinator asks again); the purge would in 15 minutes
        register_task(tasks.build_meeting_packet, rerun=False, on_reclaimed=meeting_packet_lost)
        register_task(tasks.meeting_packets_purge, rerun=True, periodic={"reschedule": True})
