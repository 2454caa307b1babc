from portal import tasks
from portal.management.periodic import PeriodicTaskCommand


class Command(PeriodicTaskCommand):
    help = (
        "Fail the background tasks whose worker died running them (queueing again those safe to run twice), and "
        "start again the periodic tasks that have no run waiting. --schedule instead queues the background task "
        "that does it every 5 minutes."
    )
    task = tasks.tasks_reap
    what = "The reaper task"

    def run_once(self) -> str:
        reaped = tasks.tasks_reclaim()
        return (
            f"{len(reaped.failed)} task(s) reclaimed, {len(reaped.rerun)} of them queued again; "
            f"{len(reaped.chains)} periodic task(s) started again."
        )
