"""Tips and leads (issue 15, docs/decisions/0026-tips.md): the front door from the hotline, airline crews, ports of
entry, NGOs and the public, to a case.

A tip lands in its receiving agency's holding bin (``received``), is assessed (a reasonable-suspicion basis) or
closed as non-criminal information, assigned to an agency and an owner, and ends linked to a case, opened as a new
case, or closed with a reason; a supervisor may reopen it. ``status`` is a protected django-fsm-2 field, never
assigned by hand: each change is one service of ``services.py`` with its ``TipEvent`` and ``AuditEvent``. Who sees
which tip is decided in ``selectors.py``.

``tips`` sits above ``cases``: a tip points at the case it became, a case never knows its tips.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from agencies.models import Agency
from cases.models import Case, CaseParticipant, Person, private_storage
from portal.idempotency import submission_key_model_field
from portal.models import TimeStampedModel
from tips.steps import VERB_CHOICES


class TipQuerySet(models.QuerySet["Tip"]):
    @staticmethod
    def overdue_q(now: datetime) -> Q:
        """Overdue: still awaiting its assessment past ``assess_by`` (``Tip.is_overdue`` is the same rule)."""
        return Q(status=Tip.Status.RECEIVED, assess_by__lt=now)

    def overdue(self, now: datetime) -> "TipQuerySet":
        return self.filter(self.overdue_q(now))

    def open(self) -> "TipQuerySet":
        return self.filter(status__in=Tip.OPEN)

    def by_deadline(self, now: datetime) -> "TipQuerySet":
        """The triage order: overdue ones first, then those awaiting assessment by deadline, then the rest of the
        open ones by deadline, closed ones last."""
        rank = models.IntegerField()
        return self.alias(
            overdue_rank=models.Case(models.When(self.overdue_q(now), then=0), default=1, output_field=rank),
            open_rank=models.Case(models.When(status__in=Tip.OPEN, then=0), default=1, output_field=rank),
        ).order_by("overdue_rank", "open_rank", "assess_by", "id")


class Tip(FSMModelMixin, TimeStampedModel):
    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("National hotline")
        HSI_TIPLINE = "hsi_tipline", _("HSI tip line")
        AIRLINE = "airline", _("Airline report")
        PORT_OF_ENTRY = "port_of_entry", _("Port of entry")
        FBI = "fbi", _("FBI tip")
        LOCAL_POLICE = "local_police", _("Local police or 911")
        NGO = "ngo", _("Non-governmental organization")
        PUBLIC = "public", _("Member of the public")

    class ReporterPermission(models.TextChoices):
        YES = "yes", _("Yes: their identity may be shared with law enforcement")
        NO = "no", _("No: never identify them to law enforcement")
        NOT_ASKED = "not_asked", _("Not asked")

    class CrewRole(models.TextChoices):
        FLIGHT_ATTENDANT = "flight_attendant", _("Flight attendant")
        PILOT = "pilot", _("Pilot")
        GATE_AGENT = "gate_agent", _("Gate or ground agent")
        OTHER = "other", _("Other crew")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received: awaiting assessment")
        ASSESSED = "assessed", _("Assessed: awaiting assignment")
        ASSIGNED = "assigned", _("Assigned")
        LINKED = "linked", _("Linked to a case")
        CASE_OPENED = "case_opened", _("Opened as a case")
        REFERRED = "referred", _("Referred to a victim service provider")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        NO_CRIMINAL_PREDICATE = "no_criminal_predicate", _("No criminal predicate (non-criminal information)")
        DUPLICATE = "duplicate", _("Duplicate")
        NOT_TRAFFICKING = "not_trafficking", _("Not trafficking")
        INSUFFICIENT = "insufficient", _("Insufficient information")
        OTHER_JURISDICTION = "other_jurisdiction", _("Referred to another jurisdiction")

    OPEN = (Status.RECEIVED, Status.ASSESSED, Status.ASSIGNED)
    # The close reasons a person chooses when closing (no criminal predicate is a step of its own).
    CLOSE_CHOICES = (
        CloseReason.DUPLICATE,
        CloseReason.NOT_TRAFFICKING,
        CloseReason.INSUFFICIENT,
        CloseReason.OTHER_JURISDICTION,
    )

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    channel = models.CharField(_("came in through"), max_length=20, choices=Channel.choices)
    external_reference = models.CharField(
        _("external reference"), max_length=100, blank=True, help_text=_("The hotline's or partner's own number.")
    )
    receiving_agency = models.ForeignKey(
        Agency, verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="tips_received"
    )
    # Nobody for a tip a partner system sent by the API (its event and audit row name the token).
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The reporter: all optional (anonymous tips are welcome). Their identity (name and contact) reaches law
    # enforcement only with ``reporter_permission`` yes (``selectors.TipAccess.may_read_reporter``).
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_role = models.CharField(
        _("reporter's role"), max_length=100, blank=True, help_text=_("e.g. neighbour, teacher, flight attendant")
    )
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    reporter_permission = models.CharField(
        _("may their identity be shared with law enforcement?"),
        max_length=10,
        choices=ReporterPermission.choices,
        default=ReporterPermission.NOT_ASKED,
    )
    involves_minor = models.BooleanField(_("involves a minor"), default=False)
    imminent_danger = models.BooleanField(_("someone is in imminent danger"), default=False)
    where_text = models.CharField(_("where"), max_length=300, blank=True)
    where_zip = models.CharField(_("ZIP code"), max_length=10, blank=True)
    where_airport = models.CharField(_("airport (IATA code)"), max_length=4, blank=True)
    indicators = models.JSONField(_("trafficking indicators"), default=list, blank=True)
    narrative = models.TextField(_("what was reported"))

    # Airline reports (Blue Lightning): the flight, kept on the tip (one row to read, one form).
    flight_carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    flight_number = models.CharField(_("flight number"), max_length=10, blank=True)
    flight_date = models.DateField(_("flight date"), null=True, blank=True)
    flight_departure_airport = models.CharField(_("departure airport"), max_length=4, blank=True)
    flight_arrival_airport = models.CharField(_("arrival airport"), max_length=4, blank=True)
    flight_scheduled_arrival = models.DateTimeField(_("scheduled arrival"), null=True, blank=True)
    flight_seats = models.CharField(_("seats"), max_length=80, blank=True)
    flight_party_size = models.PositiveSmallIntegerField(_("number travelling together"), null=True, blank=True)
    reporter_crew_role = models.CharField(
        _("reporter's crew role"), max_length=20, choices=CrewRole.choices, blank=True
    )

    assess_by = models.DateTimeField(_("assess by"))
    status = FSMField(_("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED, protected=True)
    basis = models.TextField(_("basis for reasonable suspicion"), blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_agency = models.ForeignKey(
        Agency,
        verbose_name=_("assigned to agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips_assigned",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips_owned",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(_("closed because"), max_length=25, choices=CloseReason.choices, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the overdue notice went out (``services.tips_overdue_notify``): once per tip.
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # 28 CFR 23.54 (docs/decisions/0028): an assessed tip is kept five years from its last validation (the first is
    # the assessment), then validated again or purged; a tip closed with no criminal predicate comes up for purging
    # (``services.review_due_for``). ``review_notified_for``: the ``review_due`` its reminder went out for (once per
    # tip per cycle).
    review_due = models.DateField(_("review due"), null=True, blank=True, editable=False)
    validated_at = models.DateTimeField(_("last validated"), null=True, blank=True, editable=False)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    review_notified_for = models.DateField(null=True, blank=True, editable=False)
    submission_key = submission_key_model_field()
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        permissions = [
            ("triage_tip", _("Can receive, assess and close the agency's tips")),
            ("assign_tip", _("Can assign and reopen the agency's tips, and work the tips assigned to the agency")),
            ("oversee_tip", _("Can follow the task force's tips to their deadlines, without their content")),
        ]
        indexes = [
            models.Index(fields=["receiving_agency", "status", "assess_by"], name="tip_receiving_idx"),
            models.Index(fields=["assigned_agency", "status"], name="tip_assigned_idx"),
            models.Index(fields=["receiving_agency", "review_due"], name="tip_review_idx"),
            # The overdue task's query: tips still awaiting assessment and not yet notified, by deadline.
            models.Index(
                fields=["assess_by"],
                name="tip_overdue_unnotified_idx",
                condition=Q(status="received", overdue_notified_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="airline") | Q(flight_scheduled_arrival__isnull=True, flight_number=""),
                name="tip_flight_only_on_airline_reports",
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(assigned_agency__isnull=False),
                name="tip_assigned_has_agency",
            ),
            # A partner's reference names one tip of the agency: the API's idempotency (tips/api.py), and a tip
            # typed in that a partner already sent.
            models.UniqueConstraint(
                fields=["receiving_agency", "external_reference"],
                condition=~Q(external_reference=""),
                name="tip_external_reference_once_per_agency",
                violation_error_code="duplicate_external_reference",
                violation_error_message=_("Your agency already has a tip with this external reference."),
            ),
        ]

    def __str__(self) -> str:
        return f"Tip #{self.pk} ({self.channel}, {self.status})"  # never content: this string ends up in logs

    @property
    def is_airline_report(self) -> bool:
        return self.channel == self.Channel.AIRLINE

    @property
    def is_urgent(self) -> bool:
        """A minor or someone in imminent danger: the short assessment deadline."""
        return self.involves_minor or self.imminent_danger

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def awaiting_assessment(self) -> bool:
        return self.status == self.Status.RECEIVED

    @property
    def is_overdue(self) -> bool:
        """Awaiting assessment past ``assess_by`` (``TipQuerySet.overdue`` is the same rule)."""
        return self.awaiting_assessment and self.assess_by < timezone.now()

    @property
    def is_anonymous(self) -> bool:
        return not (self.reporter_name or self.reporter_phone or self.reporter_email)

    @property
    def reporter_may_be_identified(self) -> bool:
        """The reporter said yes: their identity may reach law enforcement. Nothing else lets it."""
        return self.reporter_permission == self.ReporterPermission.YES

    @property
    def indicator_labels(self) -> list[str]:
        return [str(Case.Indicator(code).label) for code in self.indicators if code in Case.Indicator.values]

    # Transitions: one per step of ``steps.STEPS`` of the same name (services.py checks who, and locks the row).

    @transition(field=status, source=Status.RECEIVED, target=Status.ASSESSED)
    def assess(self) -> None:
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.CLOSED)
    def close_no_predicate(self) -> None:
        pass

    @transition(field=status, source=(Status.ASSESSED, Status.ASSIGNED), target=Status.ASSIGNED)
    def assign(self) -> None:
        pass

    @transition(field=status, source=Status.ASSIGNED, target=Status.LINKED)
    def link(self) -> None:
        pass

    @transition(field=status, source=Status.ASSIGNED, target=Status.CASE_OPENED)
    def open_case(self) -> None:
        pass

    @transition(field=status, source=Status.ASSIGNED, target=Status.REFERRED)
    def refer(self) -> None:
        pass

    @transition(field=status, source=OPEN, target=Status.CLOSED)
    def close(self) -> None:
        pass

    @transition(
        field=status,
        # A referral ends the triage as a link does, and is reopened as a close is (the referral itself stands: what
        # was passed on was passed on, and the provider keeps reading it).
        source=(Status.CLOSED, Status.REFERRED),
        # Back to where its work stopped: a tip closed before any assessment needs one; an assessed tip needs an
        # assignment anew (``tip_reopen`` takes it from whoever had it; the timeline keeps who that was).
        target=GET_STATE(
            lambda self: Tip.Status.ASSESSED if self.basis else Tip.Status.RECEIVED,
            states=[Status.RECEIVED, Status.ASSESSED],
        ),
    )
    def reopen(self) -> None:
        pass


class TipSubject(models.Model):
    """Someone a tip is about: a possible victim, a suspect, a witness. Any field may be unknown."""

    Role = CaseParticipant.Role
    Sex = Person.Sex

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(_("role"), max_length=10, choices=CaseParticipant.Role.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    alias = models.CharField(_("alias"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(_("approximate age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Person.Sex.choices, default=Person.Sex.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email_or_handle = models.CharField(_("e-mail or online handle"), max_length=200, blank=True)
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=20, blank=True)
    vehicle_state = models.CharField(_("plate state"), max_length=2, blank=True)
    business = models.CharField(_("business"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("subject of a tip")
        verbose_name_plural = _("subjects of tips")

    def __str__(self) -> str:
        return f"Subject #{self.pk} of tip #{self.tip_id}"  # never a name

    @property
    def label(self) -> str:
        return self.name or self.alias or str(_("Name not known"))


class TipEvent(models.Model):
    """One step of a tip: its timeline (who, what, when, why). Written by the services only."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now)
    verb = models.CharField(max_length=30, choices=VERB_CHOICES)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)  # ids and codes (the agency assigned, the case)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.from_status}->{self.to_status}"


class TipNotice(models.Model):
    """A notice about a tip for one person (today: it was not assessed in time), in the portal and by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tip_notices")
    # None for a notice that a tip was purged (``verb`` "purge"): the tip and its events are gone; ``tip_number``
    # keeps its number (and nothing else of it).
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="notices", null=True, blank=True)
    event = models.ForeignKey(TipEvent, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    tip_number = models.PositiveIntegerField(null=True, blank=True)
    verb = models.CharField(max_length=30, choices=VERB_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="tipnotice_unread_idx")]
        constraints = [
            # Once per person per overdue event: a tip reopened and overdue again is a new event, told anew.
            models.UniqueConstraint(fields=["user", "event"], name="tipnotice_once_per_person_and_event")
        ]

    def __str__(self) -> str:
        return f"{self.verb} of tip #{self.tip_id or self.tip_number} for user #{self.user_id}"


def attachment_path(attachment: "TipAttachment", filename: str) -> str:
    """Stored under a random name, as a case's documents are: the original name (which may name a victim) stays in
    the database."""
    return f"tips/{attachment.tip_id}/{uuid.uuid4().hex}"


class TipAttachment(models.Model):
    """A file that came with a tip (a photo, a screenshot, a statement), kept under the document rules of cases
    (``portal.uploads.document_checked``: a type read from its content, 20 MB at most) in private storage, never
    served but through the tip's download view, which checks who reads the tip's content and audits each download.
    Purging the tip deletes its files with it."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment of a tip")
        verbose_name_plural = _("attachments of tips")

    def __str__(self) -> str:
        return f"Attachment #{self.pk} of tip #{self.tip_id}"  # never its name


class PurgeReason(models.TextChoices):
    """Why a tip was purged: a code, never words of the tip (the tombstone keeps nothing else)."""

    REVIEW_NOT_VALIDATED = "review_not_validated", _("Not validated at review: no longer relevant or reliable")
    NO_CRIMINAL_PREDICATE = "no_criminal_predicate", _("Non-criminal information (no criminal predicate)")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")
    MISLEADING = "misleading", _("Found misleading, obsolete or unreliable")


class TipDissemination(models.Model):
    """One time a tip's content left its receiving agency (28 CFR 23.20(g), docs/decisions/0028): when, who sent
    it, to whom, by which path, and why. Written by the services, in the transaction of the step that sent it.

    The receiving agency is kept on the row: the log is that agency's record, and it outlives the tip. When a tip
    is purged its rows stay, without content: ``tip`` becomes None, ``tip_number`` keeps its number, ``reason`` is
    emptied and ``tombstone`` points at the purge's audit event."""

    class Path(models.TextChoices):
        ASSIGNMENT = "assignment", _("Assigned to another agency")
        LINK = "link", _("Linked to a case")
        CASE_OPENED = "case_opened", _("Opened as a case")
        REFERRAL = "referral", _("Referred to a victim service provider")
        PRINT = "print", _("Printed")
        EXPORT = "export", _("Exported")
        ATTACHMENT = "attachment", _("Attachment downloaded")

    tip = models.ForeignKey(Tip, on_delete=models.SET_NULL, null=True, blank=True, related_name="disseminations")
    tip_number = models.PositiveIntegerField(_("tip"))
    receiving_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    path = models.CharField(_("how"), max_length=20, choices=Path.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    recipient_agency = models.ForeignKey(
        Agency, verbose_name=_("sent to"), on_delete=models.PROTECT, related_name="tip_disseminations_received"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=200, blank=True)
    tombstone = models.ForeignKey(
        "portal.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("dissemination of a tip")
        verbose_name_plural = _("disseminations of tips")
        indexes = [models.Index(fields=["receiving_agency", "occurred_at"], name="tipdissemination_agency_idx")]

    def __str__(self) -> str:
        return f"Tip #{self.tip_number} {self.path} to agency #{self.recipient_agency_id}"


class TipReferral(models.Model):
    """A tip referred to a victim service provider for services (docs/decisions/0026-tips.md): what is asked, and
    what of the tip was passed on (``passed_on``, ``Content`` codes, bounded by ``selectors.referable_content``).
    The provider reads the tip through this row and only what it lists. Not a ``referrals.Referral``: that one
    refers a person of a case, and a tip has neither until it is triaged.

    ``consent``: for a tip an NGO received, the ``cases.Consent`` categories its victim agreed to release to this
    provider, as stated by that NGO's own staff who record its clients' consents (empty: no consent, and then no
    victim detail goes)."""

    class Content(models.TextChoices):
        NARRATIVE = "narrative", _("What was reported (the narrative)")
        VICTIM_IDENTITY = "victim_identity", _("The victims' identity (name, alias, age, sex)")
        VICTIM_CONTACT = "victim_contact", _("The victims' contact (phone, e-mail or online handle)")
        REPORTER = "reporter", _("The reporter's name and contact")

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(
        Agency, verbose_name=_("referred to"), on_delete=models.PROTECT, related_name="tip_referrals_received"
    )
    asked = models.TextField(_("what is asked"))
    passed_on = models.JSONField(_("what was passed on"), default=list, blank=True)
    consent = models.JSONField(_("the victim's consent"), default=list, blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(_("referred"), default=timezone.now)

    class Meta:
        ordering = ["-referred_at", "-id"]
        verbose_name = _("referral of a tip")
        verbose_name_plural = _("referrals of tips")
        indexes = [models.Index(fields=["agency", "tip"], name="tipreferral_agency_idx")]

    def __str__(self) -> str:
        return f"Referral #{self.pk} of tip #{self.tip_id} to agency #{self.agency_id}"  # never content

    @property
    def passed_on_labels(self) -> list[str]:
        return [str(self.Content(code).label) for code in self.passed_on if code in self.Content.values]
