"""Immigration relief for victims (issue 17, decision 0033): each ``ReliefAction`` belongs to one victim
participation in a case, and is confidential under 8 U.S.C. 1367 (who sees it: ``protection.selectors``). Written
only through ``protection.services``; its status changes only by the transitions below, which the steps of
``protection.rules`` name.

There is deliberately no field about the victim's cooperation with an investigation: relief is recorded for what it
is, and the portal never ties one to the other.
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from agencies.models import Agency
from cases.models import Case, CaseParticipant, VictimIdentification, private_storage
from portal.models import TimeStampedModel

# Interim assistance for a foreign-national minor (22 U.S.C. 7105(b)(1)(F)): 90 days, extendable by 30.
INTERIM_ASSISTANCE_DAYS = 90
INTERIM_ASSISTANCE_EXTENSION_DAYS = 30


def relief_document_path(action: "ReliefAction", filename: str) -> str:
    """Under a random name, as a case's documents: the original name (which may name the victim) stays in the
    database."""
    return f"relief/{action.case_id}/{uuid.uuid4().hex}"


class ReliefActionQuerySet(models.QuerySet["ReliefAction"]):
    def open(self) -> "ReliefActionQuerySet":
        return self.filter(status__in=ReliefAction.OPEN)

    def hhs_sent(self) -> "ReliefActionQuerySet":
        """HHS notifications sent (submitted, or answered by HHS, granted or denied): what closes the 24-hour task.
        A denial answers a notice that was sent; it does not reopen the task."""
        return self.filter(kind=ReliefAction.Kind.HHS_NOTIFICATION, status__in=ReliefAction.SENT)


class ReliefAction(FSMModelMixin, TimeStampedModel):
    """One request, filing or notice of immigration relief for one victim in one case, and where it stands."""

    class Kind(models.TextChoices):
        CONTINUED_PRESENCE = "continued_presence", _("Continued Presence")
        CONTINUED_PRESENCE_RENEWAL = "continued_presence_renewal", _("Continued Presence renewal")
        DEFERRED_ACTION = "deferred_action", _("Deferred action")
        T_DECLARATION = "t_declaration", _("Declaration for a T visa (I-914 Supplement B)")
        U_CERTIFICATION = "u_certification", _("Certification for a U visa (I-918 Supplement B)")
        HHS_NOTIFICATION = "hhs_notification", _("HHS notification / request for assistance for a minor")
        INTERIM_ASSISTANCE = "interim_assistance", _("Interim assistance (minor)")
        ELIGIBILITY_LETTER = "eligibility_letter", _("Eligibility letter (minor)")
        CERTIFICATION_LETTER = "certification_letter", _("Certification letter (adult)")
        T_VISA = "t_visa", _("T visa")
        U_VISA = "u_visa", _("U visa")
        EMPLOYMENT_AUTHORIZATION = "employment_authorization", _("Employment authorization")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SUBMITTED = "submitted", _("Submitted")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.REQUESTED, Status.SUBMITTED)
    SENT = (Status.SUBMITTED, Status.GRANTED, Status.DENIED)  # an HHS notification that reached HHS

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relief_actions")
    participant = models.ForeignKey(CaseParticipant, on_delete=models.CASCADE, related_name="relief_actions")
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED, protected=True)
    requested_on = models.DateField(_("requested on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    extended_on = models.DateField(
        _("extended on"), null=True, blank=True, help_text=_("Interim assistance only: its 30-day extension.")
    )
    requesting_agency = models.ForeignKey(
        Agency,
        verbose_name=_("requesting or signing agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Continued Presence: the federal law-enforcement agency that requests it. A declaration or "
            "certification: the agency asked to sign it."
        ),
    )
    signing_official = models.CharField(_("signing official"), max_length=120, blank=True)
    signing_official_title = models.CharField(_("signing official's title"), max_length=120, blank=True)
    external_reference = models.CharField(
        _("external reference"), max_length=60, blank=True, help_text=_("A USCIS receipt or HHS request number.")
    )
    document = models.FileField(
        _("document"), storage=private_storage, upload_to=relief_document_path, max_length=200, blank=True
    )
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    decline_reason = models.TextField(_("why it was declined or denied"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReliefActionQuerySet.as_manager()

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("immigration relief action")
        verbose_name_plural = _("immigration relief actions")
        indexes = [
            models.Index(fields=["participant", "kind"], name="relief_participant_kind_idx"),
            models.Index(fields=["kind", "status", "expires_on"], name="relief_kind_status_expiry_idx"),
            models.Index(fields=["requesting_agency", "status", "requested_on"], name="relief_agency_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="denied") | ~Q(decline_reason=""),
                name="relief_denied_with_reason",
                violation_error_message=_("A decline or a denial says why."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(expires_on__gt=models.F("valid_from")),
                name="relief_expires_after_valid_from",
                violation_error_message=_("It expires after the day it is valid from."),
            ),
        ]

    def __str__(self) -> str:
        return f"Relief action #{self.pk} ({self.kind}) of participant #{self.participant_id}"  # never a value

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def interim_assistance_ends(self) -> date | None:
        """The last day of interim assistance: 90 days from the day it is valid, 30 more once extended."""
        if self.kind != self.Kind.INTERIM_ASSISTANCE or self.valid_from is None:
            return None
        days = INTERIM_ASSISTANCE_DAYS + (INTERIM_ASSISTANCE_EXTENSION_DAYS if self.extended_on else 0)
        return self.valid_from + timedelta(days=days)

    @transition(field=status, source=Status.REQUESTED, target=Status.SUBMITTED)
    def submit(self, *, on: date) -> None:
        self.submitted_on = on

    @transition(field=status, source=[Status.REQUESTED, Status.SUBMITTED], target=Status.GRANTED)
    def grant(self, *, on: date) -> None:
        self.decided_on = on

    @transition(field=status, source=[Status.REQUESTED, Status.SUBMITTED], target=Status.DENIED)
    def deny(self, *, on: date, reason: str) -> None:
        self.decided_on, self.decline_reason = on, reason

    @transition(field=status, source=[Status.REQUESTED, Status.SUBMITTED], target=Status.WITHDRAWN)
    def withdraw(self, *, on: date) -> None:
        self.decided_on = on

    @transition(field=status, source=Status.GRANTED, target=Status.GRANTED)
    def extend(self, *, on: date) -> None:
        """Interim assistance's one 30-day extension."""
        self.extended_on = on
        ends = self.interim_assistance_ends
        if ends is not None:
            self.expires_on = ends


class ReliefReminder(models.Model):
    """That a reminder was sent, once: an HHS notification overdue (``identification``, escalated to the
    supervisors and coordinators), or a grant of Continued Presence or employment authorization reaching 90, 60
    or 30 days before it expires (``action``, once per threshold of each expiry: ``due``, so a corrected expiry is
    reminded anew). The unique constraints are what make each one once, whatever the number of workers."""

    class Kind(models.TextChoices):
        HHS_OVERDUE = "hhs_overdue", _("HHS notification overdue")
        EXPIRES_90 = "expires_90", _("Expires within 90 days")
        EXPIRES_60 = "expires_60", _("Expires within 60 days")
        EXPIRES_30 = "expires_30", _("Expires within 30 days")

    kind = models.CharField(max_length=15, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    identification = models.ForeignKey(
        VictimIdentification, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(ReliefAction, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    due = models.DateTimeField(help_text=_("The deadline or the expiry it is about."))
    sent_at = models.DateTimeField()
    told = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identification", "kind"],
                condition=Q(identification__isnull=False),
                name="reliefreminder_once_per_identification",
            ),
            # Once per threshold of one expiry: a corrected expiry or a renewal's new one is reminded again.
            models.UniqueConstraint(
                fields=["action", "kind", "due"],
                condition=Q(action__isnull=False),
                name="reliefreminder_once_per_expiry",
            ),
            models.CheckConstraint(
                condition=Q(identification__isnull=False, action__isnull=True)
                | Q(identification__isnull=True, action__isnull=False),
                name="reliefreminder_about_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder #{self.pk} on case #{self.case_id}"


class ReliefNotice(models.Model):
    """A reminder for one person, in the portal and by e-mail (once: claimed before its e-mail, decision 0018). It
    names the case and what is due, never the victim."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relief_notices")
    reminder = models.ForeignKey(ReliefReminder, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="reliefnotice_unread_idx")]
        constraints = [models.UniqueConstraint(fields=["user", "reminder"], name="reliefnotice_once_per_person")]

    def __str__(self) -> str:
        return f"Relief notice #{self.pk} for user #{self.user_id}"
