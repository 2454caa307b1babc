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
    "tips.tasks.tips_overdue_notify",
    "tips.tasks.tips_review_notify",
    "deconfliction.subjects.tasks.subject_entries_expire",
    "protection.tasks.relief_reminders_notify",
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
        "tips.tasks.email_tip_notices": (True, None),
        "tips.tasks.tips_overdue_notify": (True, {"reschedule": True}),
        "tips.tasks.tips_review_notify": (True, {"reschedule": True}),
        "deconfliction.subjects.tasks.email_subject_notices": (True, None),
        "deconfliction.subjects.tasks.subject_entries_expire": (True, {"reschedule": True}),
        "deconfliction.subjects.tasks.reindex_agency": (True, None),
        "deconfliction.operations.tasks.email_operation_notices": (True, None),
        "protection.tasks.email_relief_notices": (True, None),
        "protection.tasks.relief_reminders_notify": (True, {"reschedule": True}),
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


@pytest.mark.parametrize(
    ("worker", "minutes", "reclaimed"),
    [
        ("w1", 1, True),  # its own: lost a minute ago, reclaimed at once, no 15-minute wait
        ("w2", 20, False),  # another worker's, however old: the reaper's to judge by its heartbeat
    ],
)
def test_a_worker_reclaims_at_once_what_its_own_id_lost(worker, minutes, reclaimed):
    cache.set("portal.worker.w1", "stale", timeout=60)  # the previous process's last beat, not yet expired
    lost = running(referral_tasks.email_notifications, [4], minutes=minutes, worker=worker)
    reaped = portal_tasks.tasks_reclaim_lost_by("w1")
    lost.refresh_from_db()
    assert (lost.status == TaskResultStatus.FAILED) is reclaimed
    assert (reaped.rerun == [str(lost.pk)]) is reclaimed
    assert waiting("referrals.tasks.email_notifications", [4]) == (1 if reclaimed else 0)
    if reclaimed:
        assert "Reclaimed by its own worker (w1)" in lost.traceback


def test_run_worker_reclaims_what_its_id_lost_when_it_starts_and_after_a_database_error():
    """Killed and started again by its supervisor with the same --worker-id, or back after an outage: the task it
    was running is reclaimed before it takes new work (make chaos found both left RUNNING)."""
    before = running(referral_tasks.email_notifications, [8], minutes=1, worker="w7")
    states: list[str] = []

    def run(worker: Worker) -> None:
        states.append(DBTaskResult.objects.get(pk=before.pk).status)
        if len(states) == 1:
            during = running(referral_tasks.email_notifications, [9], minutes=0, worker="w7")
            states.append(during.status)
            raise OperationalError("server closed the connection")
        states.append(DBTaskResult.objects.filter(args_kwargs__args=[[9]], worker_ids=["w7"]).get().status)

    with (
        mock.patch.object(Worker, "run", autospec=True, side_effect=run),
        mock.patch.object(Worker, "configure_signals"),
        mock.patch.object(run_worker, "sleep"),
        mock.patch.object(run_worker.connections, "close_all"),
    ):
        call_command("run_worker", "--no-startup-delay", "--worker-id", "w7")
    assert states == [
        TaskResultStatus.FAILED,
        TaskResultStatus.RUNNING,
        TaskResultStatus.FAILED,
        TaskResultStatus.FAILED,
    ]
    assert waiting("referrals.tasks.email_notifications", [8]) == 1
    assert waiting("referrals.tasks.email_notifications", [9]) == 1


def test_every_periodic_chain_gets_one_run_waiting():
    assert set(portal_tasks.tasks_reclaim().chains) == CHAINS
    assert portal_tasks.tasks_reclaim().chains == []
    for path in CHAINS:
        assert waiting(path, reschedule=True) == 1


def test_a_chain_waiting_or_running_is_left_alone_and_a_one_off_run_is_not_a_chain():
    case_tasks.meeting_packets_purge.enqueue()  # the purge at one packet's expiry
    running(referral_tasks.referrals_expire, reschedule=True, minutes=1)  # running now, will queue its next run
    referral_tasks.notifications_sweep.enqueue(reschedule=True)
    assert set(portal_tasks.tasks_reclaim().chains) == {
        "cases.tasks.meeting_packets_purge",
        "portal.tasks.tasks_reap",
        "tips.tasks.tips_overdue_notify",
        "tips.tasks.tips_review_notify",
        "deconfliction.subjects.tasks.subject_entries_expire",
        "protection.tasks.relief_reminders_notify",
    }


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
        "1 task(s) reclaimed, 1 of them queued again; 8 periodic task(s) started again."
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


@pytest.fixture
def coordinator_packet(coordinator, task_force):
    """A packet row as ``meeting_packet_request`` leaves it (the build itself is not run here)."""
    from cases.models import MeetingPacket

    return MeetingPacket.objects.create(
        requested_by=coordinator,
        agency=coordinator.agency,
        task_force=task_force,
        meeting_on=timezone.localdate(),
        steps_total=2,
    )


def test_a_lost_packet_build_fails_its_packet_at_once(coordinator_packet):
    """The worker that lost a build reclaims it and the packet stops saying "being prepared" (make chaos saw it
    stuck until the purge, 15 minutes later); a finished packet is never touched."""
    from cases.models import MeetingPacket
    from portal.models import AuditEvent

    packet = coordinator_packet
    MeetingPacket.objects.filter(pk=packet.pk).update(status=MeetingPacket.Status.RUNNING)
    lost = running(case_tasks.build_meeting_packet, packet.pk, minutes=1, worker="w3")
    portal_tasks.tasks_reclaim_lost_by("w3")
    packet.refresh_from_db()
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert packet.status == MeetingPacket.Status.FAILED
    event = AuditEvent.objects.get(action="cases.meeting_packet.failed", object_id=str(packet.pk))
    assert event.details["reason"] == "worker_lost"
    assert waiting("cases.tasks.build_meeting_packet", packet.pk) == 0  # not run twice


def test_a_reclaimed_build_leaves_a_finished_packet_alone(coordinator_packet):
    from cases.models import MeetingPacket

    packet = coordinator_packet
    MeetingPacket.objects.filter(pk=packet.pk).update(status=MeetingPacket.Status.READY)
    running(case_tasks.build_meeting_packet, packet.pk, minutes=1, worker="w3")
    portal_tasks.tasks_reclaim_lost_by("w3")
    packet.refresh_from_db()
    assert packet.status == MeetingPacket.Status.READY


def test_one_row_that_cannot_be_reclaimed_does_not_stop_the_others_nor_the_chains(caplog):
    broken = running(referral_tasks.email_notifications, [1], worker="w5")
    sound = running(referral_tasks.email_notifications, [2], worker="w5")
    real = portal_tasks._reclaim

    def reclaim(pk, now, reaped, *, lost_by=""):
        if pk == broken.pk:
            raise TypeError("arguments no longer fit the task")
        return real(pk, now, reaped, lost_by=lost_by)

    with mock.patch.object(portal_tasks, "_reclaim", side_effect=reclaim):
        reaped = portal_tasks.tasks_reclaim_lost_by("w5")
    assert reaped.failed == [str(sound.pk)]
    assert set(reaped.chains) == CHAINS
    assert "Could not reclaim task" in caplog.text


def test_a_lost_periodic_run_that_had_queued_its_next_is_not_run_twice():
    lost = running(referral_tasks.referrals_expire, reschedule=True, minutes=1, worker="w6")
    referral_tasks.referrals_expire.enqueue(reschedule=True)  # its next run, queued before it was lost
    portal_tasks.tasks_reclaim_lost_by("w6")
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert waiting("referrals.tasks.referrals_expire", reschedule=True) == 1
