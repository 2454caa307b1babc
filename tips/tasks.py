"""Background work of tips (``django.tasks``, run by ``manage.py run_worker``): the periodic notice of tips not
assessed in time, and its e-mails.

Each notice is e-mailed once, as referrals' are (docs/decisions/0018): a task claims a notice with one conditional
``UPDATE`` before its e-mail, so two workers never both send it; a claim older than ``EMAIL_CLAIM_LEASE`` is a dead
worker's and may be taken again. The overdue run itself marks each tip under its row lock
(``services.tips_overdue_notify``): a tip is notified once, whatever the number of workers.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tips import services
from tips.models import TipNotice

logger = logging.getLogger(__name__)

OVERDUE_INTERVAL = timedelta(minutes=5)
REVIEW_INTERVAL = timedelta(hours=6)
EMAIL_CLAIM_LEASE = timedelta(minutes=10)


def _claim(notice_id: int, now: datetime) -> bool:
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return bool(TipNotice.objects.filter(free, pk=notice_id, emailed_at__isnull=True).update(email_claimed_at=now))


def _email(notice: TipNotice) -> None:
    """In its reader's language; never the tip's content: its number, channel, receiving agency and deadline, and
    a link (the reader signs in to see what they may)."""
    user = notice.user
    if notice.verb == "purge":  # the tip is gone: its number, nothing else, and no link to it
        link = settings.PORTAL_BASE_URL + reverse("home")
    elif notice.verb == "review_due":
        link = settings.PORTAL_BASE_URL + reverse("tip_review_queue")
    else:
        link = settings.PORTAL_BASE_URL + reverse("tip_detail", args=[notice.tip_id])
    context = {
        "notice": notice,
        "tip": notice.tip,
        "number": notice.tip_id or notice.tip_number,
        "name": user.full_name,
        "link": link,
    }
    kind = notice.verb if notice.verb in ("purge", "review_due") else "overdue"
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"tips/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"tips/email/{kind}_message.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


@task()
def email_tip_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims; the number sent."""
    sent = 0
    notices = TipNotice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True).select_related(
        "user", "tip__receiving_agency"
    )
    for notice in notices.order_by("created_at", "id"):
        if not notice.user.is_active or not _claim(notice.pk, timezone.now()):
            continue
        try:
            _email(notice)
        except Exception:
            logger.exception("Tip notice %s could not be e-mailed", notice.pk)
            continue
        TipNotice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def tips_overdue_notify(reschedule: bool = False) -> int:
    """``services.tips_overdue_notify`` in the background; with ``reschedule``, run again in ``OVERDUE_INTERVAL``
    (the task reaper restarts the chain if it ever stops, decision 0018). The number of tips notified."""
    try:
        return len(services.tips_overdue_notify())
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            tips_overdue_notify.using(run_after=timezone.now() + OVERDUE_INTERVAL).enqueue(reschedule=True)


@task()
def tips_review_notify(reschedule: bool = False) -> int:
    """``services.tips_review_notify`` in the background (reviews due within 30 days, once per tip per cycle); with
    ``reschedule``, run again in ``REVIEW_INTERVAL``, as ``tips_overdue_notify``. The number of tips notified."""
    try:
        return len(services.tips_review_notify())
    finally:
        if reschedule:
            tips_review_notify.using(run_after=timezone.now() + REVIEW_INTERVAL).enqueue(reschedule=True)
