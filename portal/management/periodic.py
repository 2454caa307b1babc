"""The shape every periodic job's management command shares: run it once now, or with ``--schedule`` queue the
background task that runs it every few minutes and queues its next run (``portal.tasks``, decision 0018)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.tasks import Task

from portal.tasks import chain_scheduled


class PeriodicTaskCommand(BaseCommand):
    """A command for the periodic ``task`` (registered with ``register_task(..., periodic={"reschedule": True})``):
    ``run_once`` does the work in this process and says what it did; ``--schedule`` queues the task's chain unless
    one is already waiting or running. ``what`` names the job in the messages ("The purge task")."""

    task: Task[Any, Any]
    what: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="queue the periodic task for the background worker (run_worker)"
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if not schedule:
            self.stdout.write(self.run_once())
        elif chain_scheduled(self.task):
            self.stdout.write(f"{self.what} is already queued.")
        else:
            self.task.enqueue(reschedule=True)
            self.stdout.write(f"{self.what} is queued; the background worker runs it every 5 minutes.")

    def run_once(self) -> str:
        raise NotImplementedError
