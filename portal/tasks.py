"""Tasks left running by a dead worker are reclaimed, and periodic chains never stop (issue 13, "Resilience";
docs/decisions/0018-tasks-reclaimed-and-e-mail-sent-once.md).

A worker killed mid-task (SIGKILL, the machine lost) leaves its django_tasks_db result ``RUNNING`` for ever: nothing
in django_tasks_db looks at it again. If the task was a periodic one that queues its next run when it ends, the
chain stops for good (unanswered referrals would never expire again). ``tasks_reap``, itself periodic, does two
things:

1. **Reclaims** each result running longer than ``PORTAL_TASKS_RUNNING_STALE_AFTER`` (15 minutes, the threshold
   ``/readyz`` reports) whose worker is not alive and running it: django_tasks_db records the worker ids but no
   heartbeat, so ``manage.py run_worker`` keeps one (``Heartbeat``: every 30 seconds, in the shared cache, the id of
   the task it runs). The result is marked failed through django_tasks_db's own ``DBTaskResult.set_failed``, with a
   ``TaskReclaimed`` error that says so, and queued again only when its app registered it as safe to run twice.
2. **Restarts periodic chains**: each registered periodic task with no run waiting or running is queued with the
   arguments that start its chain.

Each app registers its tasks in its ``AppConfig.ready()`` (``register_task``): portal imports no domain app, so the
list cannot live here, and a setting would name tasks far from the code that knows whether they are safe to repeat.
A task nobody registered is failed and not run again. The registrations today:

=============================================  ==========  ========================================================
task                                           reclaimed   why
=============================================  ==========  ========================================================
``referrals.tasks.email_notifications``        run again   each notice is claimed before its e-mail: none twice
``referrals.tasks.notifications_sweep``        periodic    the same claim; the chain is restarted
``referrals.tasks.email_provider_notice``      failed      an e-mail outside the portal with no record of it: a
                                                           second run could send it twice (the sender sees the
                                                           referral and can call)
``referrals.tasks.referrals_expire``           periodic    expires only referrals still overdue, each under lock
``cases.tasks.build_meeting_packet``           failed      its packet is failed with it (``on_reclaimed``; else
                                                           the purge would when it has not moved for 15 minutes)
                                                           and the coordinator asks again; a build claims only
                                                           queued packets, so a rerun would do nothing
``cases.tasks.meeting_packets_purge``          run again,  deletes what is past its time and fails what is stuck:
                                               periodic    twice is once
``portal.tasks.tasks_reap``                    run again,  this module: reclaiming twice finds nothing the second
                                               periodic    time
``tips.tasks.email_tip_notices``              run again   each notice is claimed before its e-mail: none twice
``tips.tasks.tips_overdue_notify``             run again,  notifies only tips not yet notified, each under lock
                                               periodic
``tips.tasks.tips_review_notify``              run again,  reminds only of reviews not yet told for this cycle, each
                                               periodic    under lock
``protection.tasks.email_relief_notices``      run again   each notice is claimed before its e-mail: none twice
``protection.tasks.relief_reminders_notify``   run again,  each reminder is one row under a unique constraint:
                                               periodic    a second run finds it sent
=============================================  ==========  ========================================================

The deconfliction app's tasks (their paths are longer):

=========================================================  ==========  ============================================
``deconfliction.subjects.tasks.email_subject_notices``     run again   each notice is claimed before its e-mail
``deconfliction.subjects.tasks.subject_entries_expire``    run again,  deletes only entries past their renewal
                                                           periodic    date: twice is once
``deconfliction.subjects.tasks.reindex_agency``            run again   writes the difference: twice is once
``deconfliction.operations.tasks.email_operation_notices`` run again   each notice is claimed before its e-mail
=========================================================  ==========  ============================================
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections
from django.db.models import Q, QuerySet
from django.tasks import Task, task
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger("portal.worker")

REAP_INTERVAL = timedelta(minutes=5)
HEARTBEAT_EVERY = 30.0  # seconds
# A heartbeat older than this is a dead worker's. Longer than a few missed beats (the cache briefly unreachable),
# far shorter than the 15 minutes a task must have run before it is looked at.
HEARTBEAT_LASTS = timedelta(minutes=5)
CHAINS_LOCK = 0x7461736B  # PostgreSQL advisory lock: two reapers at once restart a chain once


class TaskReclaimed(Exception):
    """The error recorded on a task whose worker died while running it."""


@dataclass(frozen=True)
class Registered:
    task: Task[Any, Any]
    rerun: bool
    periodic: dict[str, Any] | None
    on_reclaimed: Callable[..., Any] | None = None


_REGISTRY: dict[str, Registered] = {}


def register_task(
    registered: Task[Any, Any],
    *,
    rerun: bool = False,
    periodic: dict[str, Any] | None = None,
    on_reclaimed: Callable[..., Any] | None = None,
) -> None:
    """Tell the reaper about ``registered``: ``rerun`` if it is safe to run twice (queued again when reclaimed),
    ``periodic`` the keyword arguments that start its chain (queued when no run of it waits or runs),
    ``on_reclaimed`` a function called with the task's arguments when it is reclaimed, in the same transaction (a
    lost packet build fails its packet at once)."""
    _REGISTRY[registered.module_path] = Registered(
        task=registered, rerun=rerun, periodic=periodic, on_reclaimed=on_reclaimed
    )


def registered_tasks() -> dict[str, Registered]:
    return dict(_REGISTRY)


# Heartbeats ----------------------------------------------------------------------------------------------------


def _heartbeat_key(worker_id: str) -> str:
    return f"portal.worker.{worker_id}"


def worker_running(worker_id: str, result_id: str) -> bool:
    """Whether worker ``worker_id`` said within ``HEARTBEAT_LASTS`` that it is running result ``result_id``."""
    return cache.get(_heartbeat_key(worker_id)) == str(result_id)


class Heartbeat:
    """``run_worker``'s pulse: a thread that writes, every ``HEARTBEAT_EVERY`` seconds, the id of the task this
    worker runs (or ``-``) to the shared cache (Redis, or the database cache; both reach every machine), for
    ``HEARTBEAT_LASTS``. The task's id is followed through django.tasks' ``task_started`` and ``task_finished``
    signals, which db_worker sends around each task. A worker that dies stops beating; one that restarted after a
    database error beats for its new task, not the one it lost. A task whose worker is busy for a long time is
    left alone: a hung task is the supervisor's to restart, not the reaper's to run twice."""

    def __init__(self, worker_id: str, every: float = HEARTBEAT_EVERY) -> None:
        self.worker_id = worker_id
        self.every = every
        self.current = "-"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id}", daemon=True)
        self._uid = f"portal.tasks.heartbeat.{id(self)}"

    def _started(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        self.current = str(task_result.id)

    def _finished(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        self.idle()

    def idle(self) -> None:
        """Running nothing: after a task, or after a database error that stopped the worker in the middle of one
        (db_worker could not record its end, and sends no ``task_finished``)."""
        self.current = "-"

    def beat(self) -> None:
        try:
            cache.set(_heartbeat_key(self.worker_id), self.current, timeout=HEARTBEAT_LASTS.total_seconds())
        except Exception:  # the cache or its database away for a moment: the next beat tries again
            logger.warning("The worker's heartbeat could not be written", exc_info=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                self.beat()
        finally:
            for opened in connections.all(initialized_only=True):  # this thread's own (the database cache's)
                opened.close()

    def __enter__(self) -> "Heartbeat":
        task_started.connect(self._started, weak=False, dispatch_uid=f"{self._uid}.started")
        task_finished.connect(self._finished, weak=False, dispatch_uid=f"{self._uid}.finished")
        self.beat()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every)
        task_started.disconnect(dispatch_uid=f"{self._uid}.started")
        task_finished.disconnect(dispatch_uid=f"{self._uid}.finished")
        try:
            cache.delete(_heartbeat_key(self.worker_id))
        except Exception:
            logger.warning("The worker's heartbeat could not be removed", exc_info=True)


# Reaping -------------------------------------------------------------------------------------------------------


@dataclass
class Reaped:
    failed: list[str] = field(default_factory=list)  # results marked failed
    rerun: list[str] = field(default_factory=list)  # of those, the ones queued again
    chains: list[str] = field(default_factory=list)  # periodic tasks whose chain was started again


def _on_database_backend(registered: Task[Any, Any]) -> bool:
    return isinstance(registered.get_backend(), DatabaseBackend)


def tasks_reclaim(*, now: datetime | None = None) -> Reaped:
    """Fail (and, where registered as safe, queue again) the tasks whose worker died running them, then restart the
    periodic chains that have no run waiting or running. Safe to run in several workers at once: each result is
    locked (skipped if taken) and checked again before it is failed, and chains are restarted under one lock."""
    now = now or timezone.now()
    reaped = Reaped()
    stale = DBTaskResult.objects.running().filter(started_at__lte=now - settings.PORTAL_TASKS_RUNNING_STALE_AFTER)
    for pk in list(stale.values_list("pk", flat=True)):  # through portal_task_running_idx (portal migration 0003)
        _reclaim_logged(pk, now, reaped)
    _restart_chains(reaped)
    return reaped


def _reclaim_logged(pk: UUID, now: datetime, reaped: Reaped, *, lost_by: str = "") -> None:
    """``_reclaim``, an error in it logged and not raised: one bad row (arguments that no longer fit its task after
    a deploy, say) must not keep the reaper from the others and the chains, nor a worker from starting. A database
    error is raised: the caller backs off and tries again."""
    try:
        _reclaim(pk, now, reaped, lost_by=lost_by)
    except DatabaseError:
        raise
    except Exception:
        logger.exception("Could not reclaim task %s", pk)


def tasks_reclaim_lost_by(worker_id: str) -> Reaped:
    """Reclaim at once what worker ``worker_id`` itself lost: the results still RUNNING whose last worker is this id.
    ``run_worker`` calls it when it starts and after each database error, before it takes new work. A worker id names
    one process at a time (db_worker requires it unique), so whatever runs under it then was lost with the previous
    process of that id (killed, and started again by its supervisor with the same ``--worker-id``) or with the
    outage (db_worker could not record the task's end). No 15-minute wait and no heartbeat to trust: the only one
    who could be running it says it is not. The running results are few (portal_task_running_idx)."""
    now = timezone.now()
    reaped = Reaped()
    running = DBTaskResult.objects.running().values_list("pk", "worker_ids")
    for pk, worker_ids in list(running):
        if worker_ids and worker_ids[-1] == worker_id:
            _reclaim_logged(pk, now, reaped, lost_by=worker_id)
    _restart_chains(reaped)  # a chain whose next run was lost with it (or with the reaper's own) goes on at once
    return reaped


def _reclaim(pk: UUID, now: datetime, reaped: Reaped, *, lost_by: str = "") -> None:
    with exclusive_transaction(DBTaskResult.objects.db):
        result = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=TaskResultStatus.RUNNING)
            .first()
        )
        if result is None:
            return  # finished meanwhile, or another reaper has it
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if lost_by:
            if worker != lost_by:
                return  # claimed again by another worker meanwhile
        elif worker and worker_running(worker, str(result.pk)):
            return  # slow, not dead
        registered = _REGISTRY.get(result.task_path)
        rerun = registered is not None and registered.rerun
        if rerun and registered is not None and registered.periodic is not None and _chain_pending(registered):
            rerun = False  # it queued its next run before it was lost: a second would double the chain
        again = None
        if rerun or (registered is not None and registered.on_reclaimed is not None):
            task_result = result.task_result
            if registered is not None and registered.on_reclaimed is not None:
                registered.on_reclaimed(*task_result.args, **task_result.kwargs)
            if rerun:
                again = result.task.enqueue(*task_result.args, **task_result.kwargs)  # due at once: it was due before
        result.set_failed(
            TaskReclaimed(
                (
                    f"Reclaimed by its own worker ({worker}) at {now:%Y-%m-%d %H:%M:%S %Z}, started again after it was "
                    f"lost (running since {result.started_at:%Y-%m-%d %H:%M:%S %Z}). "
                    if lost_by
                    else f"Reclaimed by tasks_reap at {now:%Y-%m-%d %H:%M:%S %Z}: running since "
                    f"{result.started_at:%Y-%m-%d %H:%M:%S %Z} and its worker ({worker or 'unknown'}) no longer runs "
                    "it (killed, or its machine lost). "
                )
                + (
                    f"Queued again as {again.id}: it is safe to run twice."
                    if again is not None
                    else "Not run again: it is not registered as safe to run twice."
                )
            )
        )
    logger.warning("Reclaimed task %s (%s) from worker %s; queued again: %s", pk, result.task_path, worker, rerun)
    reaped.failed.append(str(pk))
    if again is not None:
        reaped.rerun.append(str(pk))


def chain_runs(paths: list[str]) -> "QuerySet[DBTaskResult]":
    """The runs of ``paths`` waiting or running, as two conditions: each matches its partial index (django_tasks_db's
    on waiting tasks, portal_task_running_idx on running ones), never the finished results (``status IN (...)``
    read a million of them in 345 ms; this, 0.06 ms)."""
    waiting_or_running = Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING)
    return DBTaskResult.objects.filter(waiting_or_running).filter(task_path__in=paths).order_by()


def chain_scheduled(periodic: Task[Any, Any]) -> bool:
    """Whether the periodic task ``periodic`` (registered with ``periodic=``) has a run of its chain waiting or
    running: ``--schedule`` then queues no second chain (``make demo`` twice starts one). A run queued for another
    reason (the purge at one packet's expiry) is not its chain."""
    entry = _REGISTRY[periodic.module_path]
    runs = chain_runs([periodic.module_path]).values_list("args_kwargs", flat=True)
    return any(_is_chain_run(entry, args_kwargs) for args_kwargs in runs)


def _is_chain_run(entry: Registered, args_kwargs: dict[str, Any]) -> bool:
    """Whether a queued run of ``entry`` is its chain's (queued with the keyword arguments that start it)."""
    return all(args_kwargs.get("kwargs", {}).get(name) == value for name, value in (entry.periodic or {}).items())


def _chain_pending(entry: Registered) -> bool:
    """Whether the periodic task ``entry`` has a run of its chain waiting."""
    waiting = chain_runs([entry.task.module_path]).filter(status=TaskResultStatus.READY)
    return any(_is_chain_run(entry, args_kwargs) for args_kwargs in waiting.values_list("args_kwargs", flat=True))


def _restart_chains(reaped: Reaped) -> None:
    """Queue each periodic task with no run of its chain waiting or running (a run queued for another reason, e.g.
    the purge at one packet's expiry without ``reschedule``, is not its chain). One query for all of them."""
    periodic = [
        entry for entry in _REGISTRY.values() if entry.periodic is not None and _on_database_backend(entry.task)
    ]
    with exclusive_transaction(DBTaskResult.objects.db):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAINS_LOCK])
        pending = chain_runs([entry.task.module_path for entry in periodic]).values_list("task_path", "args_kwargs")
        chains = {path for path, args_kwargs in pending if _is_chain_run(_REGISTRY[path], args_kwargs)}
        for entry in periodic:
            if entry.task.module_path in chains:
                continue
            entry.task.enqueue(**(entry.periodic or {}))
            logger.warning("Restarted the periodic task %s: no run of it was waiting", entry.task.module_path)
            reaped.chains.append(entry.task.module_path)


@task()
def tasks_reap(reschedule: bool = False) -> dict[str, list[str]]:
    """``tasks_reclaim`` in the background; with ``reschedule``, again in ``REAP_INTERVAL`` (``manage.py tasks_reap
    --schedule`` starts the chain, and each run restarts the others' chains)."""
    try:
        reaped = tasks_reclaim()
        return {"failed": reaped.failed, "rerun": reaped.rerun, "chains": reaped.chains}
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            tasks_reap.using(run_after=timezone.now() + REAP_INTERVAL).enqueue(reschedule=True)
