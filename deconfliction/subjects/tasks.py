"""Background work of subject deconfliction (``django.tasks``, run by ``manage.py run_worker``): the e-mails of its
notices, claimed before sending as tips' are (``tips.tasks``), and the daily expiry of the index, which also sends
again the e-mails that failed."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from deconfliction.subjects import selectors
from deconfliction.subjects.models import SubjectNotice

logger = logging.getLogger(__name__)

EXPIRY_INTERVAL = timedelta(hours=24)
EMAIL_CLAIM_LEASE = timedelta(minutes=10)
EMAIL_RETRY_WINDOW = timedelta(days=7)  # a failed e-mail is retried by the daily run for a week


def _claim(notice_id: int, now: datetime) -> bool:
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return bool(SubjectNotice.objects.filter(free, pk=notice_id, emailed_at__isnull=True).update(email_claimed_at=now))


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
    context = {
        "name": user.full_name,
        "other": other,
        "kinds": conflict.kind_labels,
        "link": settings.PORTAL_BASE_URL + reverse("deconfliction_conflicts"),
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context["kinds"] = [str(label) for label in conflict.kind_labels]
        subject = render_to_string("deconfliction/subjects/email/conflict_subject.txt", context).strip()
        body = render_to_string("deconfliction/subjects/email/conflict_message.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


def send_notices(notice_ids: list[int]) -> int:
    """E-mail each of ``notice_ids`` this run claims; the number sent. A failed e-mail lets its claim go, so the
    periodic run (``unsent_notice_ids``) sends it again."""
    sent = 0
    notices = SubjectNotice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True).select_related(
        "user___membership__agency",
        "conflict__a_agency",
        "conflict__b_agency",
        "conflict__a_contact___membership",
        "conflict__b_contact___membership",
    )
    for notice in notices.order_by("created_at", "id"):
        if not notice.user.is_active or not _claim(notice.pk, timezone.now()):
            continue
        try:
            _email(notice)
        except Exception:
            logger.exception("Subject notice %s could not be e-mailed", notice.pk)
            SubjectNotice.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(email_claimed_at=None)
            continue
        SubjectNotice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def unsent_notice_ids(now: datetime | None = None) -> list[int]:
    """Notices of the last ``EMAIL_RETRY_WINDOW`` not yet e-mailed to an active reader, their claim free."""
    now = now or timezone.now()
    free = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)
    return list(
        SubjectNotice.objects.filter(
            free, emailed_at__isnull=True, user__is_active=True, created_at__gte=now - EMAIL_RETRY_WINDOW
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
