from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "protection"

    def ready(self) -> None:
        from portal.tasks import register_task
        from protection import tasks

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        register_task(tasks.email_relief_notices, rerun=True)  # each notice claimed before its e-mail
        register_task(tasks.relief_reminders_notify, rerun=True, periodic={"reschedule": True})
