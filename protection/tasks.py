"""Background work of immigration relief (``django.tasks``, run by ``manage.py run_worker``): the periodic run of
the reminders (HHS notices overdue, grants expiring) and their e-mails.

Each reminder is sent once (``ReliefReminder``'s unique constraints); each notice is e-mailed once, claimed with one
conditional ``UPDATE`` before its e-mail, by the loop all notices share (``portal.notices.email_notices``, decision
0018).
"""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from portal import notices
from protection import services
from protection.models import ReliefNotice

REMINDERS_INTERVAL = timedelta(minutes=15)


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
    notices.mail_reader(user, "protection/email/reminder_subject.txt", "protection/email/reminder_message.txt", context)


@task()
def email_relief_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims, to active accounts; the number sent. A failed e-mail
    keeps its claim until the lease ends."""
    rows = ReliefNotice.objects.select_related("user", "reminder__case")
    return notices.email_notices(rows, notice_ids, _email)


@task()
def relief_reminders_notify(reschedule: bool = False) -> int:
    """``services.relief_reminders_notify`` in the background; with ``reschedule``, again in ``REMINDERS_INTERVAL``
    (the task reaper restarts the chain if it ever stops). The number of reminders sent."""
    try:
        return len(services.relief_reminders_notify())
    finally:  # an error in one run must not stop the cycle
        if reschedule:
            relief_reminders_notify.using(run_after=timezone.now() + REMINDERS_INTERVAL).enqueue(reschedule=True)
