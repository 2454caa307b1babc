from deconfliction.subjects import services, tasks
from portal.management.periodic import PeriodicTaskCommand


class Command(PeriodicTaskCommand):
    help = (
        "Renew the deconfliction entries past their renewal date whose case or tip is still open, delete the others "
        "(and the clients whose consent to deconfliction ended). --schedule instead queues the background task that "
        "does it every day."
    )
    task = tasks.subject_entries_expire
    what = "The deconfliction expiry task"

    def run_once(self) -> str:
        renewed, deleted = services.entries_expire()
        return f"{renewed} deconfliction entries renewed, {deleted} deleted."
