from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from referrals import tasks


class Command(BaseCommand):
    help = (
        "E-mail the notifications of the last two days that were not e-mailed five minutes after they were made (a "
        "task killed half-way), each exactly once. --schedule instead queues the background task that does it every "
        "5 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="queue the periodic task for the background worker (run_worker)"
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if schedule:
            if _already_scheduled():
                self.stdout.write("The notification sweep is already queued.")
                return
            tasks.notifications_sweep.enqueue(reschedule=True)
            self.stdout.write("The notification sweep is queued; the background worker runs it every 5 minutes.")
            return
        sent = tasks.notifications_sweep.call()
        self.stdout.write(f"{sent} notification(s) e-mailed.")


def _already_scheduled() -> bool:
    """A chain of the periodic sweep waiting in the database queue (so that ``make demo`` twice starts one)."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=tasks.notifications_sweep.module_path, finished_at__isnull=True
    ).exists()
