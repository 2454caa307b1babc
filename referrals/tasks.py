"""Background work of referrals (``django.tasks``, run by ``manage.py db_worker``): e-mail for notifications, the
de-identified notice to a provider outside the portal, and the periodic expiry of unanswered referrals."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from referrals import selectors, services
from referrals.models import Notification, Referral

EXPIRY_INTERVAL = timedelta(minutes=5)


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """One e-mail per notification, in its reader's language; never a person's details, only the referral's
    number, its step and a link (the reader signs in to see the rest)."""
    sent = 0
    notifications = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user",
        "referral__case",
        "referral__sender_agency",
        "referral__recipient_agency",
        "referral__recipient_service",
        "event__actor_agency",
    )
    for notification in notifications:
        user = notification.user
        if not selectors.still_told(user, notification.referral):
            continue  # they no longer see the referral (a share revoked, an account closed): no e-mail about it
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
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


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
