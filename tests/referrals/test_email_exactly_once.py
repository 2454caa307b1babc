"""Each notification is e-mailed exactly once (issue 13, "Resilience"; decision 0018): the queued task and the sweep
may run together, in several workers, and either may be killed half-way; a claim taken before each e-mail says who
sends it. Times are moved by ageing the rows (``created_at``, ``email_claimed_at``), never by waiting."""

import threading
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portal import notices as portal_notices
from portal.notices import EMAIL_CLAIM_LEASE, claim
from referrals import selectors, tasks
from referrals.models import Notification


class Killed(BaseException):
    """The worker's death (SIGKILL): nothing of the task runs after it, no ``except Exception`` sees it."""


@pytest.fixture
def notices(service_referral, investigator, colleague, supervisor, coordinator):
    """Four notices of one step, for four people who see the referral, made ten minutes ago and not e-mailed."""
    people = [investigator, colleague, supervisor, coordinator]
    assert all(selectors.still_told(person, service_referral) for person in people)
    made = Notification.objects.bulk_create(
        [Notification(user=person, referral=service_referral, verb="send") for person in people]
    )
    ids = [notice.pk for notice in made]
    aged(ids, created=timedelta(minutes=10))
    return ids


def aged(ids: list[int], *, created: timedelta | None = None, claimed: timedelta | None = None) -> None:
    now = timezone.now()
    if created is not None:
        Notification.objects.filter(pk__in=ids).update(created_at=now - created)
    if claimed is not None:
        Notification.objects.filter(pk__in=ids).update(email_claimed_at=now - claimed)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def emails_of(ids: list[int]) -> list[str]:
    return sorted(Notification.objects.filter(pk__in=ids).values_list("user__email", flat=True))


def test_the_queued_task_sends_each_notice_and_marks_it(notices):
    assert tasks.email_notifications.call(notices) == 4
    assert recipients() == emails_of(notices)
    assert not Notification.objects.filter(pk__in=notices, emailed_at__isnull=True).exists()


def test_two_workers_on_the_same_notices_send_each_exactly_once(notices):
    """Worker A has read the four notices and is sending the first when worker B (the sweep, or the same task
    delivered twice) reads the same four: B finds the first claimed and sends the three others; A then finds those
    e-mailed or claimed and sends none of them."""
    real_email = tasks._email
    calls = []

    def email_while_another_worker_runs(notification: Notification) -> None:
        calls.append(notification.pk)
        if len(calls) == 1:
            assert tasks._send(notices) == 3  # worker B, in the middle of A's first e-mail
        real_email(notification)

    with mock.patch.object(tasks, "_email", side_effect=email_while_another_worker_runs):
        assert tasks._send(notices) == 1  # worker A
    assert sorted(calls) == sorted(notices)
    assert recipients() == emails_of(notices)


@pytest.fixture
def notice(service_referral, investigator):
    return Notification.objects.create(user=investigator, referral=service_referral, verb="send").pk


def test_of_claims_on_one_notice_one_wins_until_its_lease_runs_out(notice):
    now = timezone.now()
    assert [
        claim(Notification, notice, now),
        claim(Notification, notice, now),
        claim(Notification, notice, now + timedelta(minutes=9)),
    ] == [True, False, False]
    assert claim(Notification, notice, now + EMAIL_CLAIM_LEASE + timedelta(seconds=1)) is True  # its worker died


def test_a_claim_is_refused_once_the_notice_is_emailed(notice):
    Notification.objects.filter(pk=notice).update(emailed_at=timezone.now())
    assert claim(Notification, notice, timezone.now() + timedelta(days=1)) is False


def test_a_notice_claimed_by_a_live_worker_is_left_to_it(notices):
    aged(notices[:1], claimed=timedelta(minutes=1))
    assert tasks.notifications_sweep.call() == 3
    assert tasks.email_notifications.call(notices) == 0
    assert recipients() == emails_of(notices[1:])


def test_a_notice_whose_claim_expired_is_sent_by_the_sweep_once(notices):
    aged(notices, claimed=EMAIL_CLAIM_LEASE + timedelta(minutes=1))
    assert tasks.notifications_sweep.call() == 4
    assert tasks.notifications_sweep.call() == 0
    assert tasks.email_notifications.call(notices) == 0
    assert recipients() == emails_of(notices)


def test_a_notice_already_emailed_is_never_sent_again(notices):
    Notification.objects.filter(pk__in=notices).update(emailed_at=timezone.now() - timedelta(minutes=9))
    aged(notices, claimed=timedelta(days=1))  # even with a claim long expired
    assert tasks.notifications_sweep.call() == 0
    assert tasks.email_notifications.call(notices) == 0
    assert mail.outbox == []


def test_a_batch_killed_half_way_leaves_the_rest_to_the_sweep_which_sends_each_once(notices):
    """The task sends the first notice, then dies while sending the second: the first is e-mailed and marked, the
    second claimed (its worker's death is indistinguishable from a slow send), the other two untouched."""
    real_email = tasks._email
    calls = []

    def email_then_die(notification: Notification) -> None:
        calls.append(notification.pk)
        if len(calls) == 2:
            raise Killed
        real_email(notification)

    with mock.patch.object(tasks, "_email", side_effect=email_then_die), pytest.raises(Killed):
        tasks.email_notifications.call(notices)
    first, second, *rest = notices  # the task sends in the order they were made
    assert recipients() == emails_of([first])

    assert tasks.notifications_sweep.call() == 2  # the two nobody claimed, five minutes on
    assert recipients() == emails_of([first, *rest])

    aged([second], claimed=EMAIL_CLAIM_LEASE + timedelta(seconds=1))  # the dead worker's lease runs out
    assert tasks.notifications_sweep.call() == 1
    assert tasks.notifications_sweep.call() == 0
    assert recipients() == emails_of(notices)  # four people, one e-mail each


def test_a_sending_error_keeps_the_claim_and_the_others_go_on(notices):
    real_email = tasks._email
    refused = notices[0]

    def refuse_one(notification: Notification) -> None:
        if notification.pk == refused:
            raise SMTPRecipientsRefused({"x@example.org": (550, b"no")})
        real_email(notification)

    with mock.patch.object(tasks, "_email", side_effect=refuse_one):
        assert tasks.email_notifications.call(notices) == 3
        assert tasks.notifications_sweep.call() == 0  # refused a moment ago: its claim holds
    aged([refused], claimed=EMAIL_CLAIM_LEASE + timedelta(seconds=1))
    assert tasks.notifications_sweep.call() == 1
    assert recipients() == emails_of(notices)


def test_someone_who_no_longer_sees_the_referral_gets_no_email(service_referral, outsider):
    assert not selectors.still_told(outsider, service_referral)
    notice = Notification.objects.create(user=outsider, referral=service_referral, verb="send")
    aged([notice.pk], created=timedelta(minutes=10))
    assert tasks.email_notifications.call([notice.pk]) == 0
    # never taken again within the sweep's window: thousands silenced at once must not crowd out the others
    later = timezone.now() + EMAIL_CLAIM_LEASE + timedelta(minutes=1)
    assert notice.pk not in tasks.notifications_to_sweep(later, limit=10)
    aged([notice.pk], claimed=EMAIL_CLAIM_LEASE + timedelta(seconds=1))
    assert tasks.notifications_sweep.call() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("age", "swept"),
    [
        (timedelta(minutes=1), False),  # the queued task's turn
        (tasks.SWEEP_AFTER + timedelta(seconds=5), True),
        (tasks.SWEEP_WITHIN - timedelta(minutes=5), True),
        (tasks.SWEEP_WITHIN + timedelta(minutes=5), False),  # days late: the reader has seen it in the portal
    ],
)
def test_the_sweep_takes_notices_between_five_minutes_and_two_days_old(notices, age, swept):
    aged(notices, created=age)
    assert tasks.notifications_sweep.call() == (4 if swept else 0)


def test_the_sweep_works_in_bounded_batches(notices):
    with mock.patch.object(tasks, "SWEEP_BATCH", 1), mock.patch.object(tasks, "SWEEP_BATCHES", 3):
        assert tasks.notifications_to_sweep(timezone.now(), limit=1) == notices[:1]
        assert tasks.notifications_sweep.call() == 3  # at most three batches of one a run
        assert tasks.notifications_sweep.call() == 1
    assert recipients() == emails_of(notices)


def test_the_sweeps_query_reads_the_partial_index_of_notices_not_emailed(db):
    queryset = tasks.unsent_notifications(timezone.now())  # the sweep's own query, claim condition and all
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: make the planner show its choice
        plan = queryset.explain()
    assert "notification_unemailed_idx" in plan


def test_the_sweep_is_scheduled_once_and_queues_its_next_run(db, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("notifications_sweep", "--schedule")
    call_command("notifications_sweep", "--schedule")
    [queued] = DBTaskResult.objects.filter(task_path="referrals.tasks.notifications_sweep")
    assert queued.args_kwargs["kwargs"] == {"reschedule": True}
    tasks.notifications_sweep.call(reschedule=True)
    assert DBTaskResult.objects.filter(task_path="referrals.tasks.notifications_sweep").count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_on_postgresql_send_each_exactly_once(notices):
    """Two threads, each with its own connection, read the same four notices and claim the first at the same moment
    (a barrier), then race through the rest: PostgreSQL's row lock makes the second ``UPDATE`` wait for the first
    and then find the claim taken."""
    real_claim = claim
    barrier = threading.Barrier(2, timeout=30)
    sent: list[int] = []

    def claim_together(model: type[Notification], notification_id: int, now: datetime, **kwargs) -> bool:
        if notification_id == notices[0]:
            barrier.wait()  # both have read the rows; neither has claimed one
        return real_claim(model, notification_id, now, **kwargs)

    def worker() -> None:
        try:
            sent.append(tasks._send(notices))
        finally:
            connection.close()

    with mock.patch.object(portal_notices, "claim", side_effect=claim_together):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(sent) == 2
    assert sum(sent) == 4
    assert recipients() == emails_of(notices)
