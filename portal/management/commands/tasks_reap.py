from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal import tasks


class Command(BaseCommand):
    help = (
        "Fail the background tasks whose worker died running them (queueing again those safe to run twice), and "
        "start again the periodic tasks that have no run waiting. --schedule instead queues the background task "
        "that does it every 5 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="queue the periodic task for the background worker (run_worker)"
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if schedule:
            if _already_scheduled():
                self.stdout.write("The reaper task is already queued.")
                return
            tasks.tasks_reap.enqueue(reschedule=True)
            self.stdout.write("The reaper task is queued; the background worker runs it every 5 minutes.")
            return
        reaped = tasks.tasks_reclaim()
        self.stdout.write(
            f"{len(reaped.failed)} task(s) reclaimed, {len(reaped.rerun)} of them queued again; "
            f"{len(reaped.chains)} periodic task(s) started again."
        )


def _already_scheduled() -> bool:
    """A chain of the periodic reaper waiting in the queue (so that ``make demo`` twice starts one)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=tasks.tasks_reap.module_path, finished_at__isnull=True).exists()
