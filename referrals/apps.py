from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from portal.tasks import register_task
        from referrals import tasks

        # What the reaper (portal.tasks) does with a task whose worker died: run again only what is safe twice.
        register_task(tasks.email_notifications, rerun=True)  # each notice claimed before its e-mail
        register_task(tasks.notifications_sweep, rerun=True, periodic={"reschedule": True})
        register_task(tasks.email_provider_notice, rerun=False)  # no record of it: a rerun could send it twice
        register_task(tasks.referrals_expire, rerun=True, periodic={"reschedule": True})
