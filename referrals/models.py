"""Referrals (docs/architecture.md §5): a closed loop from request to outcome, between agencies and to service
providers.

Statuses are the FHIR/Gravity ``Task`` codes. Each status change is one service function in ``services.py`` (one
transaction, one ``ReferralEvent``, one ``AuditEvent``, notifications on commit); ``status`` is a protected
django-fsm-2 field, never assigned by hand. Who may do what to a referral is decided in ``selectors.py``.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from agencies.models import Agency
from cases.models import Case, CaseShare, Need, Person
from portal.idempotency import submission_key_model_field
from portal.models import TimeStampedModel
from referrals.steps import VERB_CHOICES
from services_directory.models import Service


class ReferralQuerySet(models.QuerySet["Referral"]):
    @staticmethod
    def overdue_q(now: datetime) -> Q:
        """Overdue: still awaiting an answer past its deadline (``Referral.is_overdue`` is the same rule)."""
        return Q(status__in=Referral.AWAITING_ANSWER, respond_by__lt=now)

    def overdue(self, now: datetime) -> "ReferralQuerySet":
        return self.filter(self.overdue_q(now))

    def expired(self) -> "ReferralQuerySet":
        """Cancelled because nobody answered in time (``Referral.is_expired`` is the same rule)."""
        return self.filter(status=Referral.Status.CANCELLED, cancel_reason=Referral.CancelReason.EXPIRED)

    def overdue_first(self, now: datetime) -> "ReferralQuerySet":
        """Overdue ones first, closed ones last, then by deadline: the order a list of referrals is worked in."""
        rank = models.IntegerField()
        return self.alias(
            overdue_rank=models.Case(models.When(self.overdue_q(now), then=0), default=1, output_field=rank),
            closed_rank=models.Case(models.When(status__in=Referral.CLOSED, then=1), default=0, output_field=rank),
        ).order_by("overdue_rank", "closed_rank", "respond_by", "-id")


class Referral(FSMModelMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        INTERAGENCY = "interagency", _("Ask an agency to join the case")
        SERVICE = "service", _("Refer a person to a service")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REQUESTED = "requested", _("Sent")
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Declined")
        IN_PROGRESS = "in-progress", _("In progress")
        ON_HOLD = "on-hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Could not be completed")
        CANCELLED = "cancelled", _("Cancelled")
        ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")

    class CancelReason(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn by the sender")
        CONSENT_REVOKED = "consent-revoked", _("The person withdrew their consent")
        EXPIRED = "expired", _("Nobody answered in time")
        REROUTED = "rerouted", _("Sent to another recipient instead")

    class Outcome(models.TextChoices):
        SERVICE_DELIVERED = "service-delivered", _("Service delivered")
        PARTIALLY_DELIVERED = "partially-delivered", _("Partly delivered")
        CLIENT_DECLINED = "client-declined", _("The person declined")
        PROVIDER_DECLINED = "provider-declined", _("The provider declined")
        NO_CAPACITY = "no-capacity", _("No capacity")
        NOT_ELIGIBLE = "not-eligible", _("Not eligible")
        COULD_NOT_CONTACT = "could-not-contact", _("Could not reach the person")
        JOINED_CASE = "joined-case", _("The agency joined the case")
        OTHER = "other", _("Other")

    class Delivery(models.TextChoices):
        PORTAL = "portal", _("In the portal")
        EMAIL = "email", _("By a de-identified e-mail notice")
        PHONE = "phone", _("Made by phone")

    Urgency = Need.Urgency

    OPEN = (Status.REQUESTED, Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD)
    AWAITING_ANSWER = (Status.REQUESTED, Status.RECEIVED)
    CLOSED = (Status.REJECTED, Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.ENTERED_IN_ERROR)

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(
        Person, verbose_name=_("person referred"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    needs = models.ManyToManyField(Need, verbose_name=_("needs"), blank=True, related_name="referrals")
    sender_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_sent")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_sent")
    recipient_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_received"
    )
    recipient_service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    delivery = models.CharField(_("how it reaches the recipient"), max_length=10, choices=Delivery.choices)
    share_level = models.CharField(_("access asked for"), max_length=20, choices=CaseShare.Level.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Need.Urgency.choices)
    respond_by = models.DateTimeField(_("answer by"))
    request_note = models.TextField(_("what is asked"), blank=True)
    safety_notes = models.TextField(
        _("safety notes"),
        blank=True,
        help_text=_("Shown to the recipient: what they must know to keep the person safe."),
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True)
    status_reason = models.TextField(_("reason"), blank=True)
    cancel_reason = models.CharField(_("cancelled because"), max_length=20, choices=CancelReason.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=25, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    rerouted_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reroutes")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A coordinator who proposed this agency; the lead agency decides whether to send it."),
    )
    share = models.ForeignKey(
        CaseShare,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The share its acceptance created (none if the agency already had that access)."),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [
            ("respond_referral", _("Can answer and work the referrals sent to the agency")),
            ("coordinate_referral", _("Can watch, cancel and re-route the task force's referrals")),
        ]
        indexes = [
            models.Index(fields=["status", "respond_by"], name="referral_status_due_idx"),
            models.Index(fields=["recipient_agency", "status"], name="referral_recipient_idx"),
            models.Index(fields=["sender_agency", "status"], name="referral_sender_idx"),
            models.Index(fields=["closed_at"], name="referral_closed_idx", condition=Q(closed_at__isnull=False)),
            # The pages that grow with history read through these (issue 13): an agency's open referrals, most
            # urgent first (the inbox), and its closed ones, most recently closed first (the inbox's history), each
            # a walk of the index in the page's order that stops after a page, never a sort of the agency's history;
            # the board's referrals that expired in its recent weeks. The conditions spell ``OPEN`` and ``CLOSED`` out
            # (the class's names are not in reach here; a test holds them equal) and must stay the queries' own words:
            # the planner uses a partial index only for a query whose condition implies the index's.
            models.Index(
                fields=["recipient_agency", "respond_by", "id"],
                name="referral_inbox_open_idx",
                condition=Q(status__in=["requested", "received", "accepted", "in-progress", "on-hold"]),  # OPEN
            ),
            models.Index(
                fields=["recipient_agency", "closed_at", "id"],
                name="referral_inbox_closed_idx",
                condition=Q(status__in=["rejected", "completed", "failed", "cancelled", "entered-in-error"]),  # CLOSED
            ),
            models.Index(fields=["status", "cancel_reason", "respond_by", "id"], name="referral_expired_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="interagency", recipient_agency__isnull=False, recipient_service__isnull=True)
                | Q(kind="service", recipient_service__isnull=False, person__isnull=False),
                name="referral_recipient_fits_kind",
            )
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk} ({self.kind}, {self.status})"

    @property
    def is_proposal(self) -> bool:
        """A coordinator's proposed re-route of an interagency referral, not yet sent by the lead agency."""
        return self.status == self.Status.DRAFT and self.proposed_by_id is not None

    @property
    def recipient_works_in_portal(self) -> bool:
        """A recipient agency in the portal answers itself; otherwise the sender records the answers."""
        return self.delivery == self.Delivery.PORTAL and self.recipient_agency_id is not None

    # Its state, as the pages and templates ask about it (they never compare statuses themselves).

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def awaiting_answer(self) -> bool:
        """Sent, and neither accepted nor declined yet: its deadline runs."""
        return self.status in self.AWAITING_ANSWER

    @property
    def is_overdue(self) -> bool:
        """Awaiting an answer past its deadline (``ReferralQuerySet.overdue`` is the same rule)."""
        return self.awaiting_answer and self.respond_by < timezone.now()

    @property
    def is_expired(self) -> bool:
        """Cancelled because nobody answered in time (``referrals_expire``): it may still be re-routed."""
        return self.status == self.Status.CANCELLED and self.cancel_reason == self.CancelReason.EXPIRED

    @property
    def status_label(self) -> str:
        """The status as pages name it: a referral nobody answered in time is "Expired", not "Cancelled"."""
        return str(_("Expired")) if self.is_expired else str(self.get_status_display())

    # Transitions: one per step of ``steps.STEPS``, of the same name (services.py checks who and locks the row).

    @transition(field=status, source=Status.DRAFT, target=Status.REQUESTED)
    def send(self) -> None:
        pass

    @transition(field=status, source=Status.REQUESTED, target=Status.RECEIVED)
    def receive(self) -> None:
        pass

    @transition(field=status, source=AWAITING_ANSWER, target=Status.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=AWAITING_ANSWER, target=Status.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=Status.ACCEPTED, target=Status.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.ON_HOLD)
    def hold(self) -> None:
        pass

    @transition(field=status, source=Status.ON_HOLD, target=Status.IN_PROGRESS)
    def resume(self) -> None:
        pass

    @transition(field=status, source=(Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD), target=Status.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(field=status, source=(Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD), target=Status.FAILED)
    def fail(self) -> None:
        pass

    @transition(field=status, source=(Status.DRAFT, *OPEN), target=Status.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=status, source=AWAITING_ANSWER, target=Status.CANCELLED)
    def expire(self) -> None:
        pass

    @transition(field=status, source=AWAITING_ANSWER, target=Status.CANCELLED)
    def reroute(self) -> None:
        pass

    @transition(field=status, source="+", target=Status.ENTERED_IN_ERROR)  # "+": from any status but itself
    def mark_entered_in_error(self) -> None:
        pass


class ReferralEvent(models.Model):
    """One status change (or message) of a referral: its timeline. Written by the services only."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(auto_now_add=True)
    verb = models.CharField(max_length=30, choices=VERB_CHOICES)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    on_behalf_of_recipient = models.BooleanField(
        default=False, help_text=_("The sender recorded the answer of a recipient who is not in the portal.")
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        # The dashboard's days to accept (reports.sections): each referral's first acceptance, read from the index.
        indexes = [
            models.Index(
                fields=["referral", "occurred_at", "id"],
                condition=models.Q(to_status="accepted"),
                name="referralevent_accepted_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.from_status}->{self.to_status}"


class ReferralMessage(TimeStampedModel):
    """A message on a referral, between the sender's and the recipient's people (and coordinators)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message #{self.pk} on referral #{self.referral_id}"


class Notification(models.Model):
    """An in-app notice of a referral's change for one person; its e-mail goes from a background task."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(ReferralEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    verb = models.CharField(max_length=30, choices=VERB_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # When a worker took it to e-mail (referrals.tasks._claim): of two workers, the one whose conditional update
    # set this sends; another may take it over only once the claim is older than the lease (its worker died).
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            # The sweep's query (referrals.tasks.notifications_to_sweep): only the notices not yet e-mailed, by age,
            # so it reads the last two days of those and never the millions already sent.
            models.Index(
                fields=["created_at"], name="notification_unemailed_idx", condition=models.Q(emailed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} for user #{self.user_id}"
