"""Background work of subject deconfliction (``django.tasks``, run by ``manage.py run_worker``): the e-mails of its
notices, claimed before sending by the loop all notices share (``portal.notices.email_notices``), and the daily
expiry of the index, which also sends again the e-mails that failed."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from deconfliction.subjects import selectors
from deconfliction.subjects.models import SubjectNotice
from portal import notices

logger = logging.getLogger(__name__)

EXPIRY_INTERVAL = timedelta(hours=24)
EMAIL_RETRY_WINDOW = timedelta(days=7)  # a failed e-mail is retried by the daily run for a week


def _email(notice: SubjectNotice) -> None:
    """In the reader's language: whom to call on the other side and on what kinds of identifier, never a case,
    a role or a value (the same words as the conflicts page)."""
    user, conflict = notice.user, notice.conflict
    mine_a = conflict.a_agency_id == getattr(user.agency, "pk", None) and not conflict.one_sided
    other = (
        selectors.contact_view(conflict.b_agency, conflict.b_contact)
        if mine_a
        else selectors.contact_view(conflict.a_agency, conflict.a_contact)
    )
    notices.mail_reader(
        user,
        "deconfliction/subjects/email/conflict_subject.txt",
        "deconfliction/subjects/email/conflict_message.txt",
        lambda: {
            "name": user.full_name,
            "other": other,
            "kinds": conflict.kind_labels,  # words of the reader's language: built in it
            "link": settings.PORTAL_BASE_URL + reverse("deconfliction_conflicts"),
        },
    )


def send_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` this run claims, to active accounts; the number sent. A failed e-mail lets its
    claim go, so the periodic run (``unsent_notice_ids``) sends it again."""
    rows = SubjectNotice.objects.select_related(
        "user___membership__agency",
        "conflict__a_agency",
        "conflict__b_agency",
        "conflict__a_contact___membership",
        "conflict__b_contact___membership",
    )
    return notices.email_notices(rows, notice_ids, _email, release_on_failure=True)


def unsent_notice_ids(now: datetime | None = None) -> list[int]:
    """Notices of the last ``EMAIL_RETRY_WINDOW`` not yet e-mailed to an active reader, their claim free."""
    now = now or timezone.now()
    return list(
        SubjectNotice.objects.filter(
            notices.claim_free(now),
            emailed_at__isnull=True,
            user__is_active=True,
            created_at__gte=now - EMAIL_RETRY_WINDOW,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@task()
def email_subject_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` that this task claims; the number sent."""
    return send_notices(notice_ids)


@task()
def subject_entries_expire(reschedule: bool = False) -> int:
    """``services.entries_expire`` in the background, daily with ``reschedule``. The number of entries deleted."""
    from deconfliction.subjects import services

    try:
        try:
            send_notices(unsent_notice_ids())  # the e-mails that failed since the last run
        except Exception:
            logger.exception("Unsent subject notices could not be swept")
        return services.entries_expire()[1]
    finally:
        if reschedule:
            subject_entries_expire.using(run_after=timezone.now() + EXPIRY_INTERVAL).enqueue(reschedule=True)


@task()
def reindex_agency(agency_id: int) -> int:
    """``services.reindex_agency`` in the background (an agency joined a task force): the entries written."""
    from deconfliction.subjects import services

    return len(services.reindex_agency(agency_id))
