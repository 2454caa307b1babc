"""Background work of referrals (``django.tasks``, run by ``manage.py run_worker``): e-mail for notifications and
the sweep that sends those a killed task left behind, the de-identified notice to a provider outside the portal, and
the periodic expiry of unanswered referrals.

**Each notification is e-mailed exactly once** (docs/decisions/0018-tasks-reclaimed-and-e-mail-sent-once.md). The
task queued when a notification is created and the sweep (every ``SWEEP_INTERVAL``, notices older than
``SWEEP_AFTER``) may run at the same time, in several workers; each of them *claims* a notification before sending
it, one conditional ``UPDATE`` (``_claim``) whose row count says who sends: it succeeds only while the notification
is not e-mailed and nobody else holds a claim younger than ``EMAIL_CLAIM_LEASE``. The same statement is the lock on
PostgreSQL (a second ``UPDATE`` waits for the first, then finds the claim taken) and on SQLite (writes are serial).
Each notification is claimed just before its own e-mail, not the whole batch at once, so a task killed half-way
holds at most the one it was sending; the others are free for the sweep five minutes later.

A worker that dies *between* the SMTP server's acceptance and the ``UPDATE`` that records ``emailed_at`` leaves a
sent notice looking unsent: the sweep sends it again once the lease has passed. That window is milliseconds (the
mark is the statement right after ``send_mail``), and it is the one way to send twice. Marking before sending would
close it but open a worse one: a death after the mark loses the notice for good, and a missed referral (answers are
due within hours) costs more than a duplicate. A sending error (the SMTP server refuses) keeps the claim: the sweep
tries again after the lease, until the notice is ``SWEEP_WITHIN`` old, and the other notices go on meanwhile.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from referrals import selectors, services
from referrals.models import Notification, Referral

logger = logging.getLogger(__name__)

EXPIRY_INTERVAL = timedelta(minutes=5)
# A claim older than this is a dead worker's: longer than any one e-mail can take (the SMTP timeout is 20 s).
EMAIL_CLAIM_LEASE = timedelta(minutes=10)
SWEEP_INTERVAL = timedelta(minutes=5)
SWEEP_AFTER = timedelta(minutes=5)  # the queued task's turn first: it sends within seconds when the worker runs
SWEEP_WITHIN = timedelta(days=2)  # older notices are not e-mailed late: the reader has seen them in the portal
SWEEP_BATCH = 200
SWEEP_BATCHES = 10  # per run: a backlog is worked through over several runs, never in one long task


def _claim(notification_id: int, now: datetime) -> bool:
    """Take ``notification_id`` to e-mail it: true for exactly one caller while it is not e-mailed and nobody holds
    a live claim on it. Runs in autocommit (tasks run outside any transaction), so the claim is visible to other
    workers before the e-mail leaves."""
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return bool(
        Notification.objects.filter(free, pk=notification_id, emailed_at__isnull=True).update(email_claimed_at=now)
    )


def _email(notification: Notification) -> None:
    """The e-mail itself: in its reader's language, never a person's details, only the referral's number, its step
    and a link (the reader signs in to see the rest)."""
    user = notification.user
    context = {
        "notification": notification,
        "referral": notification.referral,
        "event": notification.event,
        "name": user.full_name,
        "link": settings.PORTAL_BASE_URL + reverse("referral_detail", args=[notification.referral_id]),
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string("referrals/email/notification_subject.txt", context).strip()
        body = render_to_string("referrals/email/notification_message.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


def _send(notification_ids: Iterable[int]) -> int:
    """E-mail each of ``notification_ids`` that this call claims; the number sent."""
    sent = 0
    notifications = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user",
        "referral__case",
        "referral__sender_agency",
        "referral__recipient_agency",
        "referral__recipient_service",
        "event__actor_agency",
    )
    for notification in notifications.order_by("created_at", "id"):
        if not _claim(notification.pk, timezone.now()):
            continue  # another worker sends it, or has sent it since this one read the rows
        if not selectors.still_told(notification.user, notification.referral):
            # They no longer see the referral (a share revoked, an account closed): no e-mail about it, now or
            # later. The claim is held past the sweep's window, so the sweep never takes the notice again (a revoked
            # share can silence thousands at once, which would otherwise crowd out the notices still to send).
            Notification.objects.filter(pk=notification.pk).update(email_claimed_at=timezone.now() + SWEEP_WITHIN)
            continue
        try:
            _email(notification)
        except Exception:
            logger.exception("Notification %s could not be e-mailed; the sweep tries again later", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the notifications of one referral step, queued when they are created: each one this task claims
    (another worker or the sweep may have it); the number sent."""
    return _send(notification_ids)


def unsent_notifications(now: datetime) -> QuerySet[Notification]:
    """The notices of the last ``SWEEP_WITHIN`` not e-mailed ``SWEEP_AFTER`` after they were made and not claimed by
    a live worker, oldest first: a range of ``notification_unemailed_idx``, the partial index on those not
    e-mailed."""
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return Notification.objects.filter(
        free, emailed_at__isnull=True, created_at__gte=now - SWEEP_WITHIN, created_at__lte=now - SWEEP_AFTER
    ).order_by("created_at", "id")


def notifications_to_sweep(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """The ids of the next ``limit`` of ``unsent_notifications``."""
    return list(unsent_notifications(now).values_list("pk", flat=True)[:limit])


@task()
def notifications_sweep(reschedule: bool = False) -> int:
    """E-mail the notices a killed or failed task left unsent (see the module's docstring), in batches of
    ``SWEEP_BATCH``, at most ``SWEEP_BATCHES`` a run; with ``reschedule``, run again in ``SWEEP_INTERVAL``
    (``manage.py notifications_sweep --schedule`` starts the chain). The number sent."""
    try:
        sent = 0
        for _batch in range(SWEEP_BATCHES):
            batch = notifications_to_sweep(timezone.now(), SWEEP_BATCH)
            if not batch:
                break
            sent += _send(batch)  # each notice of the batch is claimed, or skipped: the next batch is new ones
        return sent
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            notifications_sweep.using(run_after=timezone.now() + SWEEP_INTERVAL).enqueue(reschedule=True)


@task()
def email_provider_notice(referral_id: int) -> bool:
    """Tell a provider outside the portal that a referral is coming: the needs, the urgency, the deadline and the
    sender's contact, never the person's name or details (docs/architecture.md §5)."""
    referral = (
        Referral.objects.select_related("sender___membership", "sender_agency", "recipient_service__organization")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or referral.recipient_service is None:
        return False
    service = referral.recipient_service
    address = service.email or service.organization.email
    if not address:
        return False
    context = {"referral": referral, "service": service, "needs": list(referral.needs.all())}
    send_mail(
        subject=render_to_string("referrals/email/provider_notice_subject.txt", context).strip(),
        message=render_to_string("referrals/email/provider_notice_message.txt", context),
        from_email=None,
        recipient_list=[address],
    )
    return True


@task()
def referrals_expire(reschedule: bool = False) -> int:
    """``services.referrals_expire``, in the background; with ``reschedule``, run again in ``EXPIRY_INTERVAL``
    (the demo's worker keeps it going; production can use it or a cron job calling ``manage.py
    referrals_expire``)."""
    try:
        return len(services.referrals_expire())
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            referrals_expire.using(run_after=timezone.now() + EXPIRY_INTERVAL).enqueue(reschedule=True)
