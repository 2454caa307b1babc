from portal.management.periodic import PeriodicTaskCommand
from referrals import tasks


class Command(PeriodicTaskCommand):
    help = (
        "E-mail the notifications of the last two days that were not e-mailed five minutes after they were made (a "
        "task killed half-way), each exactly once. --schedule instead queues the background task that does it every "
        "5 minutes."
    )
    task = tasks.notifications_sweep
    what = "The notification sweep"

    def run_once(self) -> str:
        return f"{tasks.notifications_sweep.call()} notification(s) e-mailed."
