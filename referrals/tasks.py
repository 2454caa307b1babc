"""Background work of referrals (``django.tasks``, run by ``manage.py run_worker``): e-mail for notifications and
the sweep that sends those a killed task left behind, the de-identified notice to a provider outside the portal, and
the periodic expiry of unanswered referrals.

**Each notification is e-mailed exactly once** (docs/decisions/0018-tasks-reclaimed-and-e-mail-sent-once.md), by
the loop all notices share (``portal.notices.email_notices``: a claim before each e-mail, ``emailed_at`` after it).
The task queued when a notification is created and the sweep (every ``SWEEP_INTERVAL``, notices older than
``SWEEP_AFTER``) may run at the same time, in several workers; the claim says which one sends. A task killed
half-way holds at most the notice it was sending; the others are free for the sweep five minutes later.

A sending error (the SMTP server refuses) keeps the claim: the sweep tries again after the lease, until the notice
is ``SWEEP_WITHIN`` old, and the other notices go on meanwhile. Someone who no longer sees the referral is not
e-mailed, and their notice is held away from the sweep for its whole window.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal import notices
from referrals import selectors, services
from referrals.models import Notification, Referral

EXPIRY_INTERVAL = timedelta(minutes=5)
SWEEP_INTERVAL = timedelta(minutes=5)
SWEEP_AFTER = timedelta(minutes=5)  # the queued task's turn first: it sends within seconds when the worker runs
SWEEP_WITHIN = timedelta(days=2)  # older notices are not e-mailed late: the reader has seen them in the portal
SWEEP_BATCH = 200
SWEEP_BATCHES = 10  # per run: a backlog is worked through over several runs, never in one long task


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
    notices.mail_reader(
        user, "referrals/email/notification_subject.txt", "referrals/email/notification_message.txt", context
    )


def _still_told(notification: Notification) -> bool:
    return selectors.still_told(notification.user, notification.referral)


def _send(notification_ids: Iterable[int]) -> int:
    """E-mail each of ``notification_ids`` that this call claims; the number sent. Someone who no longer sees the
    referral (a share revoked, an account closed) gets no e-mail about it, now or later: their notice is held past
    the sweep's window, so the sweep never takes it again (a revoked share can silence thousands at once, which
    would otherwise crowd out the notices still to send)."""
    rows = Notification.objects.select_related(
        "user",
        "referral__case",
        "referral__sender_agency",
        "referral__recipient_agency",
        "referral__recipient_service",
        "event__actor_agency",
    )
    return notices.email_notices(
        rows,
        notification_ids,
        _email,
        reachable=_still_told,
        silence_for=SWEEP_WITHIN,
    )


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the notifications of one referral step, queued when they are created: each one this task claims
    (another worker or the sweep may have it); the number sent."""
    return _send(notification_ids)


def unsent_notifications(now: datetime) -> QuerySet[Notification]:
    """The notices of the last ``SWEEP_WITHIN`` not e-mailed ``SWEEP_AFTER`` after they were made and not claimed by
    a live worker, oldest first: a range of ``notification_unemailed_idx``, the partial index on those not
    e-mailed."""
    return Notification.objects.filter(
        notices.claim_free(now),
        emailed_at__isnull=True,
        created_at__gte=now - SWEEP_WITHIN,
        created_at__lte=now - SWEEP_AFTER,
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
