from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases import services, tasks


class Command(BaseCommand):
    help = (
        "Delete the files of meeting packets past their 24 hours, and fail the packets stuck waiting or being "
        "prepared (a worker killed mid-build). --schedule instead queues the background task that does it every "
        "5 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="queue the periodic task for the background worker (run_worker)"
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if schedule:
            if _already_scheduled():
                self.stdout.write("The purge task is already queued.")
                return
            tasks.meeting_packets_purge.enqueue(reschedule=True)
            self.stdout.write("The purge task is queued; the background worker runs it every 5 minutes.")
            return
        purged = services.meeting_packets_purge()
        self.stdout.write(f"{purged} meeting packet(s) deleted or given up on.")


def _already_scheduled() -> bool:
    """A chain of the periodic purge waiting in the database queue (so that ``make demo`` twice starts one). The
    purges queued for one packet's expiry (``reschedule`` false) are not a chain."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=tasks.meeting_packets_purge.module_path, finished_at__isnull=True)
    return any(kwargs.get("reschedule") for kwargs in waiting.values_list("args_kwargs__kwargs", flat=True))
