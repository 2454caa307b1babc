from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "tips"

    def ready(self) -> None:
        from portal.tasks import register_task
        from tips import tasks

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        register_task(tasks.email_tip_notices, rerun=True)  # each notice claimed before its e-mail
        register_task(tasks.tips_overdue_notify, rerun=True, periodic={"reschedule": True})
        register_task(tasks.tips_review_notify, rerun=True, periodic={"reschedule": True})
