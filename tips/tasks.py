"""Background work of tips (``django.tasks``, run by ``manage.py run_worker``): the periodic notice of tips not
assessed in time, and its e-mails.

Each notice is e-mailed once, as referrals' are (docs/decisions/0018), by the loop all notices share
(``portal.notices.email_notices``): a task claims a notice with one conditional ``UPDATE`` before its e-mail, so two
workers never both send it; a claim older than the lease is a dead worker's and may be taken again. The overdue run
itself marks each tip under its row lock (``services.tips_overdue_notify``): a tip is notified once, whatever the
number of workers.
"""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from portal import notices
from tips import services
from tips.models import TipNotice

OVERDUE_INTERVAL = timedelta(minutes=5)
REVIEW_INTERVAL = timedelta(hours=6)


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
    notices.mail_reader(user, f"tips/email/{kind}_subject.txt", f"tips/email/{kind}_message.txt", context)


@task()
def email_tip_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims, to active accounts; the number sent. A failed e-mail
    keeps its claim until the lease ends."""
    rows = TipNotice.objects.select_related("user", "tip__receiving_agency")
    return notices.email_notices(rows, notice_ids, _email)


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
