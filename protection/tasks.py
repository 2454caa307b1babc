"""Background work of immigration relief (``django.tasks``, run by ``manage.py run_worker``): the periodic run of
the reminders (HHS notices overdue, grants expiring) and their e-mails.

Each reminder is sent once (``ReliefReminder``'s unique constraints); each notice is e-mailed once, claimed with one
conditional ``UPDATE`` before its e-mail, as tips' and referrals' are (decision 0018).
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

from protection import services
from protection.models import ReliefNotice

logger = logging.getLogger(__name__)

REMINDERS_INTERVAL = timedelta(minutes=15)
EMAIL_CLAIM_LEASE = timedelta(minutes=10)


def _claim(notice_id: int, now: datetime) -> bool:
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return bool(ReliefNotice.objects.filter(free, pk=notice_id, emailed_at__isnull=True).update(email_claimed_at=now))


def _email(notice: ReliefNotice) -> None:
    """In its reader's language; the case's number, what is due and when, and a link: never the victim, nor the
    kind of relief (the reader signs in to see what they may)."""
    user = notice.user
    reminder = notice.reminder
    context = {
        "name": user.full_name,
        "case": reminder.case,
        "reminder": reminder,
        "link": settings.PORTAL_BASE_URL + reverse("relief_notices"),
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string("protection/email/reminder_subject.txt", context).strip()
        body = render_to_string("protection/email/reminder_message.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


@task()
def email_relief_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims; the number sent."""
    sent = 0
    notices = ReliefNotice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True).select_related(
        "user", "reminder__case"
    )
    for notice in notices.order_by("created_at", "id"):
        if not notice.user.is_active or not _claim(notice.pk, timezone.now()):
            continue
        try:
            _email(notice)
        except Exception:
            logger.exception("Relief notice %s could not be e-mailed", notice.pk)
            continue
        ReliefNotice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def relief_reminders_notify(reschedule: bool = False) -> int:
    """``services.relief_reminders_notify`` in the background; with ``reschedule``, again in ``REMINDERS_INTERVAL``
    (the task reaper restarts the chain if it ever stops). The number of reminders sent."""
    try:
        return len(services.relief_reminders_notify())
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            relief_reminders_notify.using(run_after=timezone.now() + REMINDERS_INTERVAL).enqueue(reschedule=True)
