"""``manage.py run_worker``: django_tasks_db's ``db_worker``, restarted after a database outage.

``db_worker`` exits on the first database error (PostgreSQL restarted, a failover, the network gone for a few
seconds) and its due tasks, e-mails among them, then wait until someone starts it again. This command runs the same
worker, with the same options, and on ``OperationalError`` or ``InterfaceError`` closes the connections, waits (1, 2,
4 … 30 seconds, growing while the failures follow one another) and starts it again, logging each restart. Any other
exception still ends it: a bug is for the supervisor (systemd's ``Restart=always``, docs/deployment.md) and its
logs, not to be retried in a loop (docs/decisions/0016-background-work-survives-outages.md). While it runs, it
keeps a heartbeat saying which task it runs, so that ``tasks_reap`` fails only the tasks of dead workers
(``portal.tasks``, decision 0018); when it starts, and again after each database error, it reclaims at once the
tasks its own worker id lost (give each supervised worker a stable ``--worker-id``, docs/deployment.md).
"""

import logging
from time import monotonic, sleep
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from portal.tasks import Heartbeat, tasks_reclaim_lost_by

logger = logging.getLogger("portal.worker")

DATABASE_ERRORS = (OperationalError, InterfaceError)
FIRST_WAIT = 1.0  # seconds
LONGEST_WAIT = 30.0


def backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` database errors in a row: 1, 2, 4, 8, 16, then 30."""
    return min(FIRST_WAIT * 2 ** (failures - 1), LONGEST_WAIT)


class Command(db_worker.Command):
    help = (
        "Run the database background worker (db_worker, same options), starting it again after a database error "
        "with a growing wait (at most 30 s). Autoreload is off: the restarts are this command's."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Under the autoreloader the worker runs in a thread whose error nobody would see, and no restart would come.
        options["reload"] = False
        with Heartbeat(options["worker_id"]) as heartbeat:  # what this worker runs, for the reaper (portal.tasks)
            self._run_restarting(heartbeat, *args, **options)

    def _run_restarting(self, heartbeat: Heartbeat, *args: Any, **options: Any) -> None:
        failures = 0
        while True:
            started = monotonic()
            try:
                # What this worker id lost (its previous process killed, or the task the outage interrupted) is
                # reclaimed before it takes new work (portal.tasks.tasks_reclaim_lost_by).
                tasks_reclaim_lost_by(options["worker_id"])
                super().handle(*args, **options)
            except DATABASE_ERRORS as error:
                if monotonic() - started > LONGEST_WAIT:
                    failures = 0  # it ran well for a while: this is a new outage, start again at the shortest wait
                failures += 1
                wait = backoff(failures)
                logger.warning(
                    "The worker stopped on a database error (%s: %s; %d in a row); starting it again in %g s",
                    type(error).__name__,
                    error,
                    failures,
                    wait,
                )
                heartbeat.idle()  # the task it was running, if any, is lost: the reaper may reclaim it
                connections.close_all()  # the next start opens fresh connections
                sleep(wait)
            else:
                return  # --batch, --max-tasks, or a signal: ended as db_worker ends
