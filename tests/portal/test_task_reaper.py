"""The reaper (``portal.tasks``, ``manage.py tasks_reap``): a task whose worker died running it is failed, and run
again only when its app registered it as safe twice; every periodic chain always has a run waiting (issue 13,
"Resilience"; decision 0018). Ages are set on the rows, never waited for."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connection
from django.tasks import Task, TaskResultStatus, task
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from cases import tasks as case_tasks
from portal import tasks as portal_tasks
from portal.management.commands import run_worker
from referrals import tasks as referral_tasks

CHAINS = {
    "portal.tasks.tasks_reap",
    "referrals.tasks.referrals_expire",
    "referrals.tasks.notifications_sweep",
    "cases.tasks.meeting_packets_purge",
}


@task()
def unregistered(number: int) -> int:
    """A task no app told the reaper about."""
    return number


@pytest.fixture(autouse=True)
def database_queue(db, settings):
    """The database backend (the suite runs tasks at once, with no rows)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def running(queued: Task, *args: object, minutes: int = 20, worker: str = "w1", **kwargs: object) -> DBTaskResult:
    """A row of ``queued`` taken by ``worker`` ``minutes`` ago and never finished."""
    result = queued.enqueue(*args, **kwargs)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=minutes), worker_ids=[worker]
    )
    return DBTaskResult.objects.get(pk=result.id)


def waiting(path: str, *args: object, **kwargs: object) -> int:
    return DBTaskResult.objects.filter(
        task_path=path, status=TaskResultStatus.READY, args_kwargs={"args": list(args), "kwargs": kwargs}
    ).count()


@pytest.mark.parametrize(
    ("queued", "args", "kwargs", "run_again"),
    [
        (referral_tasks.email_notifications, [[1, 2]], {}, True),  # each notice claimed before its e-mail
        (referral_tasks.email_provider_notice, [5], {}, False),  # no record of it: could go twice
        (referral_tasks.referrals_expire, [], {"reschedule": True}, True),
        (referral_tasks.notifications_sweep, [], {"reschedule": True}, True),
        (case_tasks.build_meeting_packet, [7], {}, False),  # the purge fails the stuck packet
        (case_tasks.meeting_packets_purge, [], {}, True),
        (portal_tasks.tasks_reap, [], {"reschedule": True}, True),
        (unregistered, [3], {}, False),  # nobody said it is safe twice
    ],
)
def test_a_task_whose_worker_died_is_failed_and_run_again_only_if_safe_twice(queued, args, kwargs, run_again):
    stale = running(queued, *args, **kwargs)
    reaped = portal_tasks.tasks_reclaim()
    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED
    assert stale.finished_at is not None
    assert stale.exception_class_path == "portal.tasks.TaskReclaimed"
    assert "Reclaimed by tasks_reap" in stale.traceback
    assert ("Queued again as" in stale.traceback) is run_again
    assert reaped.failed == [str(stale.pk)]
    assert reaped.rerun == ([str(stale.pk)] if run_again else [])
    assert waiting(queued.module_path, *args, **kwargs) == (1 if run_again else 0)


def test_the_registrations_are_the_ones_the_table_lists():
    assert {path: (entry.rerun, entry.periodic) for path, entry in portal_tasks.registered_tasks().items()} == {
        "referrals.tasks.email_notifications": (True, None),
        "referrals.tasks.email_provider_notice": (False, None),
        "referrals.tasks.referrals_expire": (True, {"reschedule": True}),
        "referrals.tasks.notifications_sweep": (True, {"reschedule": True}),
        "cases.tasks.build_meeting_packet": (False, None),
        "cases.tasks.meeting_packets_purge": (True, {"reschedule": True}),
        "portal.tasks.tasks_reap": (True, {"reschedule": True}),
    }
    table = portal_tasks.__doc__ or ""
    assert all(f"``{path}``" in table for path in portal_tasks.registered_tasks())


@pytest.mark.parametrize(
    ("minutes", "status", "reclaimed"),
    [
        (14, TaskResultStatus.RUNNING, False),  # not yet 15 minutes: maybe slow
        (16, TaskResultStatus.RUNNING, True),
        (16, TaskResultStatus.SUCCESSFUL, False),
        (16, TaskResultStatus.FAILED, False),
    ],
)
def test_only_tasks_running_past_the_threshold_are_looked_at(minutes, status, reclaimed):
    row = running(unregistered, 1, minutes=minutes)
    DBTaskResult.objects.filter(pk=row.pk).update(status=status)
    assert portal_tasks.tasks_reclaim().failed == ([str(row.pk)] if reclaimed else [])


@pytest.mark.parametrize(
    ("beat", "reclaimed"),
    [
        ("this task", False),  # the worker is alive and still running it: slow, not dead
        ("another task", True),  # the worker restarted (a database error) and runs something else
        ("-", True),  # alive, running nothing
        (None, True),  # no heartbeat: killed, or its machine lost (or a plain db_worker, which keeps none)
    ],
)
def test_a_task_is_reclaimed_only_when_its_worker_does_not_say_it_runs_it(beat, reclaimed):
    row = running(referral_tasks.email_provider_notice, 5, minutes=60, worker="w1")
    if beat is not None:
        heartbeat = portal_tasks.Heartbeat("w1")
        heartbeat.current = {"this task": str(row.pk), "another task": "0f00"}.get(beat, beat)
        heartbeat.beat()
    assert portal_tasks.tasks_reclaim().failed == ([str(row.pk)] if reclaimed else [])


def test_the_heartbeat_follows_the_task_the_worker_runs():
    result = mock.Mock(id="a1b2")
    with portal_tasks.Heartbeat("w9", every=3600) as heartbeat:
        assert cache.get("portal.worker.w9") == "-"
        task_started.send(sender=Worker, task_result=result)
        heartbeat.beat()
        assert portal_tasks.worker_running("w9", "a1b2")
        task_finished.send(sender=Worker, task_result=result)
        heartbeat.beat()
        assert not portal_tasks.worker_running("w9", "a1b2")
    assert cache.get("portal.worker.w9") is None  # a worker that stops says so at once
    task_started.send(sender=Worker, task_result=result)  # no longer listening
    assert heartbeat.current == "-"


def test_run_worker_beats_and_forgets_the_task_a_database_error_lost():
    """A database error in the middle of a task: db_worker could not record its end; the restarted worker must not
    go on saying it runs it, or the reaper would never reclaim it."""
    seen: list[str] = []

    def run(worker: Worker) -> None:
        if not seen:  # the first run takes a task, then loses the database
            seen.append(instances[0].current)
            task_started.send(sender=Worker, task_result=mock.Mock(id="lost"))
            seen.append(instances[0].current)
            raise OperationalError("server closed the connection")
        seen.append(instances[0].current)  # the run after the restart

    instances: list[portal_tasks.Heartbeat] = []
    real = portal_tasks.Heartbeat

    def heartbeat(worker_id: str) -> portal_tasks.Heartbeat:
        instances.append(real(worker_id, every=3600))
        return instances[-1]

    with (
        mock.patch.object(Worker, "run", autospec=True, side_effect=run),
        mock.patch.object(Worker, "configure_signals"),
        mock.patch.object(run_worker, "sleep"),
        mock.patch.object(run_worker.connections, "close_all"),
        mock.patch.object(run_worker, "Heartbeat", side_effect=heartbeat),
    ):
        call_command("run_worker", "--no-startup-delay", "--worker-id", "w7")
    assert seen == ["-", "lost", "-"]
    assert [instance.worker_id for instance in instances] == ["w7"]


def test_every_periodic_chain_gets_one_run_waiting():
    assert set(portal_tasks.tasks_reclaim().chains) == CHAINS
    assert portal_tasks.tasks_reclaim().chains == []
    for path in CHAINS:
        assert waiting(path, reschedule=True) == 1


def test_a_chain_waiting_or_running_is_left_alone_and_a_one_off_run_is_not_a_chain():
    case_tasks.meeting_packets_purge.enqueue()  # the purge at one packet's expiry
    running(referral_tasks.referrals_expire, reschedule=True, minutes=1)  # running now, will queue its next run
    referral_tasks.notifications_sweep.enqueue(reschedule=True)
    assert set(portal_tasks.tasks_reclaim().chains) == {"cases.tasks.meeting_packets_purge", "portal.tasks.tasks_reap"}


def test_a_chain_whose_run_died_goes_on_once():
    stale = running(referral_tasks.referrals_expire, reschedule=True)
    reaped = portal_tasks.tasks_reclaim()
    assert reaped.rerun == [str(stale.pk)]
    assert "referrals.tasks.referrals_expire" not in reaped.chains  # queued again already: not twice
    assert waiting("referrals.tasks.referrals_expire", reschedule=True) == 1


def test_the_reaper_is_scheduled_once_and_queues_its_next_run():
    call_command("tasks_reap", "--schedule")
    call_command("tasks_reap", "--schedule")
    assert waiting("portal.tasks.tasks_reap", reschedule=True) == 1
    portal_tasks.tasks_reap.call(reschedule=True)
    assert waiting("portal.tasks.tasks_reap", reschedule=True) == 2  # the one scheduled, and its next run


def test_the_command_reports_what_it_did(capsys):
    running(referral_tasks.email_notifications, [1])
    call_command("tasks_reap")
    assert capsys.readouterr().out.strip() == (
        "1 task(s) reclaimed, 1 of them queued again; 4 periodic task(s) started again."
    )


def test_an_idle_queue_costs_a_few_queries(django_assert_max_num_queries):
    portal_tasks.tasks_reclaim()
    with django_assert_max_num_queries(5):  # the stale ones; the chains' (a savepoint here, a lock on PostgreSQL)
        portal_tasks.tasks_reclaim()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL, the production database")
def test_chains_are_looked_for_through_the_queues_indexes_never_the_finished_results():
    """A million finished results is ordinary: ``status IN ('READY', 'RUNNING')`` scanned them (345 ms measured);
    the two conditions match the two partial indexes (0.06 ms)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as at a million rows
    plan = portal_tasks.chain_runs(sorted(CHAINS)).explain()
    assert "Seq Scan" not in plan
    assert "tasks_db_new_ordering_idx" in plan
    assert "portal_task_running_idx" in plan
