from portal.management.periodic import PeriodicTaskCommand
from referrals import services, tasks


class Command(PeriodicTaskCommand):
    help = (
        "Cancel (as expired) the referrals nobody answered by their deadline, telling their senders and the "
        "task force's coordinators. --schedule instead queues the background task that does it every 5 minutes."
    )
    task = tasks.referrals_expire
    what = "The expiry task"

    def run_once(self) -> str:
        return f"{len(services.referrals_expire())} referral(s) expired."
