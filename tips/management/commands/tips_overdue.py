from portal.management.periodic import PeriodicTaskCommand
from tips import services, tasks


class Command(PeriodicTaskCommand):
    help = (
        "Tell the receiving agency's supervisors and the task force's coordinators about each tip not assessed by "
        "its deadline, once per tip. --schedule instead queues the background task that does it every 5 minutes."
    )
    task = tasks.tips_overdue_notify
    what = "The overdue-tips task"

    def run_once(self) -> str:
        return f"{len(services.tips_overdue_notify())} overdue tip(s) notified."
