from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from referrals import services, tasks


class Command(BaseCommand):
    help = (
        "Cancel (as expired) the referrals nobody answered by their deadline, telling their senders and the "
        "task force's coordinators. --schedule instead queues the background task that does it every 5 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="queue the periodic task for the background worker (db_worker)"
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if schedule:
            if _already_scheduled():
                self.stdout.write("The expiry task is already queued.")
                return
            tasks.referrals_expire.enqueue(reschedule=True)
            self.stdout.write("The expiry task is queued; the background worker runs it every 5 minutes.")
            return
        expired = services.referrals_expire()
        self.stdout.write(f"{len(expired)} referral(s) expired.")


def _already_scheduled() -> bool:
    """A chain of the periodic task waiting in the database queue (so that ``make demo`` twice starts one)."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=tasks.referrals_expire.module_path, finished_at__isnull=True).exists()
