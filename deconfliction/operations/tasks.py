"""Background work of event deconfliction (``django.tasks``, run by ``manage.py run_worker``): the e-mail of each
conflict notice, sent once as tips' and referrals' are (docs/decisions/0018): a task claims a notice with one
conditional ``UPDATE`` before its e-mail, so two workers never both send it; a claim older than
``EMAIL_CLAIM_LEASE`` is a dead worker's and may be taken again.
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

from deconfliction.operations import selectors
from deconfliction.operations.models import OperationNotice

logger = logging.getLogger(__name__)

EMAIL_CLAIM_LEASE = timedelta(minutes=10)


def _claim(notice_id: int, now: datetime) -> bool:
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return bool(
        OperationNotice.objects.filter(free, pk=notice_id, emailed_at__isnull=True).update(email_claimed_at=now)
    )


def _email(notice: OperationNotice) -> None:
    """In its reader's language; only the overlap's window and whom to call (never the case, the target, the place,
    the kind or the notes of either operation), and a link."""
    user, conflict = notice.user, notice.conflict
    if notice.operation_id is not None:
        theirs = conflict.second if notice.operation_id == conflict.first_id else conflict.first
        sides = [selectors.ConflictSide.of(theirs)]
        link = settings.PORTAL_BASE_URL + reverse("operation_conflicts")
    else:
        sides = [selectors.ConflictSide.of(conflict.first), selectors.ConflictSide.of(conflict.second)]
        link = settings.PORTAL_BASE_URL + reverse("operation_conflict_board")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "name": user.full_name,
            "coordinator": notice.operation_id is None,
            "starts": timezone.localtime(conflict.overlap_starts),
            "ends": timezone.localtime(conflict.overlap_ends),
            "sides": sides,
            "link": link,
        }
        subject = render_to_string("deconfliction/operations/email/conflict_subject.txt", context).strip()
        body = render_to_string("deconfliction/operations/email/conflict_message.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


@task()
def email_operation_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims; the number sent."""
    sent = 0
    notices = OperationNotice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True).select_related(
        "user___membership__agency",
        "conflict__first__agency",
        "conflict__first__case_agent",
        "conflict__second__agency",
        "conflict__second__case_agent",
    )
    for notice in notices.order_by("created_at", "id"):
        agency = notice.user.agency
        # Nobody deactivated, nor of a deactivated agency, is e-mailed (they may have been when the notice was made).
        reachable = notice.user.is_active and agency is not None and agency.is_active
        if not reachable or not _claim(notice.pk, timezone.now()):
            continue
        try:
            _email(notice)
        except Exception:
            logger.exception("Operation conflict notice %s could not be e-mailed", notice.pk)
            continue
        OperationNotice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
