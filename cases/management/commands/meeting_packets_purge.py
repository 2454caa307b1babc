from cases import services, tasks
from portal.management.periodic import PeriodicTaskCommand


class Command(PeriodicTaskCommand):
    help = (
        "Delete the files of meeting packets past their 24 hours, and fail the packets stuck waiting or being "
        "prepared (a worker killed mid-build). --schedule instead queues the background task that does it every "
        "5 minutes."
    )
    task = tasks.meeting_packets_purge
    what = "The purge task"

    def run_once(self) -> str:
        return f"{services.meeting_packets_purge()} meeting packet(s) deleted or given up on."
