"""Cases, the people in them, and the two records that decide who sees what: ``CaseShare`` and ``Consent``
(docs/architecture.md §4). Writes go through ``cases.services``; reads that depend on who asks, through
``cases.selectors``.
"""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, TaskForce, User
from portal import languages as language_codes
from portal.categories import NeedCategory
from portal.idempotency import submission_key_model_field
from portal.models import TimeStampedModel


class CaseNumberSequence(models.Model):
    """The last case number given out in a year (``HT-2026-00042``), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(FSMModelMixin, TimeStampedModel):
    class Type(models.TextChoices):
        SEX = "sex", _("Sex trafficking")
        LABOR = "labor", _("Labor trafficking")
        BOTH = "both", _("Sex and labor trafficking")
        UNKNOWN = "unknown", _("Not yet known")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATION = "investigation", _("Under investigation")
        PROSECUTION = "prosecution", _("In prosecution")
        CLOSED = "closed", _("Closed")

    class ClosedReason(models.TextChoices):
        ADJUDICATED = "adjudicated", _("Prosecuted to a verdict or plea")
        DECLINED = "declined", _("Prosecution declined")
        NO_TRAFFICKING = "no_trafficking", _("No trafficking found")
        INSUFFICIENT = "insufficient", _("Insufficient evidence")
        TRANSFERRED = "transferred", _("Transferred to another jurisdiction")
        VICTIM_DECLINED = "victim_declined", _("Victim declined to participate")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("Hotline tip")
        AIRLINE = "airline", _("Airline report")
        PORT_OF_ENTRY = "port_of_entry", _("Port-of-entry encounter")
        NGO = "ngo", _("Non-governmental organization")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        PUBLIC = "public", _("Member of the public")

    class Indicator(models.TextChoices):
        DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
        CONFISCATED_DOCUMENTS = "confiscated_documents", _("Identity documents confiscated")
        RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement or confinement")
        THREATS = "threats", _("Threats against the person or family")
        VIOLENCE = "violence", _("Physical or sexual violence")
        WAGE_THEFT = "wage_theft", _("Unpaid or withheld wages")
        EXCESSIVE_HOURS = "excessive_hours", _("Excessive working hours")
        DECEPTIVE_RECRUITMENT = "deceptive_recruitment", _("Deceptive recruitment")
        ISOLATION = "isolation", _("Isolation from family or community")
        SUBSTANDARD_HOUSING = "substandard_housing", _("Housing controlled by the employer")
        COMMERCIAL_SEX_MINOR = "commercial_sex_minor", _("Minor in commercial sex")
        COERCED_SUBSTANCE_USE = "coerced_substance_use", _("Coerced substance use")

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    case_type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.UNKNOWN)
    status = FSMField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN, protected=True)
    closed_reason = models.CharField(_("closed because"), max_length=20, choices=ClosedReason.choices, blank=True)
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="led_cases"
    )
    task_force = models.ForeignKey(
        TaskForce, verbose_name=_("task force"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    indicators = models.JSONField(_("trafficking indicators"), default=list, blank=True)
    intake_channel = models.CharField(_("came in through"), max_length=20, choices=Channel.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=200, blank=True)
    le_narrative = models.TextField(
        _("law-enforcement-sensitive narrative"),
        blank=True,
        help_text=_("Investigative details shown only to those who may see law-enforcement-sensitive information."),
    )
    assigned_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), blank=True, related_name="assigned_cases"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = submission_key_model_field()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_case_pii", _("Can see the personal information of the people in the case")),
            ("view_le_sensitive", _("Can see law-enforcement-sensitive information")),
            ("decide_case", _("Can approve shares, assign and close the agency's cases")),
        ]
        indexes = [
            models.Index(fields=["lead_agency", "status"], name="case_lead_status_idx"),
            models.Index(fields=["-opened_on", "-id"], name="case_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @transition(field=status, source=Status.OPEN, target=Status.INVESTIGATION)
    def start_investigation(self) -> None:
        pass

    @transition(field=status, source=Status.INVESTIGATION, target=Status.PROSECUTION)
    def start_prosecution(self) -> None:
        pass

    @transition(field=status, source=[Status.OPEN, Status.INVESTIGATION, Status.PROSECUTION], target=Status.CLOSED)
    def close(self, *, reason: str) -> None:
        self.closed_reason = reason
        self.closed_on = timezone.localdate()

    @transition(field=status, source=Status.CLOSED, target=Status.OPEN)
    def reopen(self) -> None:
        self.closed_reason = ""
        self.closed_on = None


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's object permissions on cases, with a real foreign key (never the generic tables:
    docs/architecture.md §12). Written only by ``cases.services``."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="case_group_perm_idx")]


class CaseShare(FSMModelMixin, TimeStampedModel):
    """Why another agency sees a case, and how much (docs/architecture.md §4.5). The guardian rows follow from it, and
    exist only
    while it is active. A caseworker requests a share; a supervisor of the lead agency approves it
    (docs/architecture.md §4.3)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting a supervisor's approval")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    class Level(models.TextChoices):
        SUMMARY = "summary", _("Summary only")
        PERSONAL = "personal", _("Summary and personal information")
        LAW_ENFORCEMENT = "law_enforcement", _("Everything, including law-enforcement-sensitive information")
        COLLABORATE = "collaborate", _("Everything, and may edit the case")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_shares")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    reason = models.TextField(_("reason"))
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED, protected=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agency's share this one replaced (put back if this one is withdrawn as made in error)."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(_("why it was ended"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=Q(status__in=["requested", "active"]),
                name="caseshare_one_current_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.agency} ({self.get_level_display()})"

    @property
    def awaits_approval(self) -> bool:
        """Requested by a caseworker, not yet decided by a supervisor."""
        return self.status == self.Status.REQUESTED

    @transition(field=status, source=Status.REQUESTED, target=Status.ACTIVE)
    def approve(self, *, by: User) -> None:
        self.approved_by = by

    @transition(field=status, source=Status.REQUESTED, target=Status.DECLINED)
    def decline(self, *, by: User) -> None:
        self.revoked_by = by
        self.revoked_at = timezone.now()

    @transition(field=status, source=[Status.REQUESTED, Status.ACTIVE], target=Status.REVOKED)
    def revoke(self, *, by: User) -> None:
        self.revoked_by = by
        self.revoked_at = timezone.now()


def validate_language_codes(value: object) -> None:
    """A person's languages are codes of ``portal.languages`` (chosen from its list), never free text."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Choose the languages from the list."), code="invalid")
    unknown = [code for code in value if not language_codes.is_known(code)]
    if unknown:
        raise ValidationError(
            _("Not a language of the list: %(codes)s") % {"codes": ", ".join(unknown)}, code="unknown_language"
        )


class Person(TimeStampedModel):
    """Someone in one or more cases. Names, date of birth, contact details and identity documents are PII: shown
    only as ``cases.selectors`` allow (docs/architecture.md §4.7)."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Another sex or gender")
        UNKNOWN = "unknown", _("Not known")

    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=60, blank=True)
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("ISO 639 codes of portal.languages"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=language_codes.choices
    )
    languages_note = models.CharField(
        _("other languages"),
        max_length=200,
        blank=True,
        help_text=_("Languages the list does not have, in words (and what could not be read when the list came in)."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    identity_documents = models.JSONField(
        _("identity documents"), default=list, blank=True, help_text=_('e.g. [{"kind": "passport", "number": "..."}]')
    )
    entered_by_agency = models.ForeignKey(
        Agency, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="people_entered"
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"Person #{self.pk}"  # never a name: this string ends up in logs

    def clean(self) -> None:
        if self.preferred_language and self.preferred_language not in self.languages:
            self.languages = [self.preferred_language, *self.languages]

    @property
    def is_minor(self) -> bool | None:
        age = age_on(self.date_of_birth, timezone.localdate())
        return None if age is None else age < 18


class CaseParticipant(TimeStampedModel):
    class Role(models.TextChoices):
        VICTIM = "victim", _("Victim or survivor")
        SUSPECT = "suspect", _("Suspect")
        WITNESS = "witness", _("Witness")
        GUARDIAN = "guardian", _("Parent or guardian")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("role in the case"), max_length=10, choices=Role.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("case participant")
        verbose_name_plural = _("case participants")
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="participant_unique_role_in_case")
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.get_role_display()} #{self.person_id}"


def age_on(date_of_birth: date | None, day: date) -> int | None:
    """Whole years from ``date_of_birth`` to ``day`` (a birthday counts on the day itself); None without a date of
    birth. Someone born on 29 February turns a year older on 1 March in a common year."""
    if date_of_birth is None:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


class VictimIdentificationQuerySet(models.QuerySet["VictimIdentification"]):
    def minors_at_identification(self) -> "VictimIdentificationQuerySet":
        return self.filter(age_at_identification__lt=18)

    def foreign_national_minors(self) -> "VictimIdentificationQuerySet":
        """Those the HHS must hear of within 24 hours when identified as potential victims (22 U.S.C. 7105(b)(1)(G)):
        foreign nationals under 18 when identified. Walks ``victim_id_citizenship_age_idx``."""
        return self.filter(citizenship=VictimIdentification.Citizenship.FOREIGN_NATIONAL).minors_at_identification()


class VictimIdentification(TimeStampedModel):
    """How a victim in one case was identified, and the facts the grant reports count (issue 17): one per victim
    participation. These are the person's information, released as their identity is (decision 0032): written only
    through ``cases.services.victim_identification_save``, read only through ``cases.selectors``.

    ``age_at_identification`` is derived from the person's date of birth and ``identified_on`` (``age_on``), stored
    only so that reports can filter on it with an index; the services keep it in step with both."""

    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential victim")
        CONFIRMED = "confirmed", _("Confirmed victim")

    class TraffickingType(models.TextChoices):
        SEX = "sex", _("Sex trafficking")
        LABOR = "labor", _("Labor trafficking")
        BOTH = "both", _("Sex and labor trafficking")
        UNKNOWN = "unknown", _("Not known yet")

    class Citizenship(models.TextChoices):
        US_CITIZEN = "us_citizen", _("U.S. citizen")
        PERMANENT_RESIDENT = "permanent_resident", _("Lawful permanent resident")
        FOREIGN_NATIONAL = "foreign_national", _("Foreign national")
        NOT_REPORTED = "not_reported", _("Not reported")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        SELF_DESCRIBED = "self_described", _("Self-described")
        NOT_REPORTED = "not_reported", _("Not reported")

    class RaceEthnicity(models.TextChoices):
        """The minimum categories of OMB SPD 15 (2024), several allowed."""

        AMERICAN_INDIAN = "american_indian_alaska_native", _("American Indian or Alaska Native")
        ASIAN = "asian", _("Asian")
        BLACK = "black_african_american", _("Black or African American")
        HISPANIC = "hispanic_latino", _("Hispanic or Latino")
        MIDDLE_EASTERN = "middle_eastern_north_african", _("Middle Eastern or North African")
        PACIFIC_ISLANDER = "native_hawaiian_pacific_islander", _("Native Hawaiian or Pacific Islander")
        WHITE = "white", _("White")
        NOT_REPORTED = "not_reported", _("Not reported")

    class Disability(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NOT_REPORTED = "not_reported", _("Not reported")

    class ReferralSource(models.TextChoices):
        HOTLINE = "hotline", _("Hotline")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        NGO = "ngo", _("Nongovernmental organization")
        SELF = "self", _("Self-referred")
        FAMILY = "family", _("Family or friend")
        HEALTH_CARE = "health_care", _("Health care")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other")
        NOT_REPORTED = "not_reported", _("Not reported")

    participant = models.OneToOneField(CaseParticipant, on_delete=models.CASCADE, related_name="identification")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.POTENTIAL)
    identified_on = models.DateField(_("identified on"))
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("identified by"), on_delete=models.PROTECT, related_name="+"
    )
    identified_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    trafficking_type = models.CharField(
        _("type of trafficking"), max_length=10, choices=TraffickingType.choices, default=TraffickingType.UNKNOWN
    )
    age_at_identification = models.PositiveSmallIntegerField(_("age when identified"), null=True, editable=False)
    # When the portal learned this record is a foreign-national minor's (the HHS 24 hours count from it): set by the
    # services when a recording or a correction (citizenship, date of birth, day identified) makes it one, kept while
    # it stays one, cleared when it no longer is. Not ``created_at``: a correction days later is news, not overdue.
    foreign_national_minor_since = models.DateTimeField(null=True, blank=True, editable=False)
    citizenship = models.CharField(
        _("citizenship"), max_length=20, choices=Citizenship.choices, default=Citizenship.NOT_REPORTED
    )
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, default=Gender.NOT_REPORTED)
    gender_description = models.CharField(_("gender, in their words"), max_length=60, blank=True)
    race_ethnicity = models.JSONField(_("race and ethnicity"), default=list)
    disability = models.CharField(
        _("disability"), max_length=15, choices=Disability.choices, default=Disability.NOT_REPORTED
    )
    referral_source = models.CharField(
        _("referred by"), max_length=20, choices=ReferralSource.choices, default=ReferralSource.NOT_REPORTED
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = VictimIdentificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("victim identification")
        verbose_name_plural = _("victim identifications")
        indexes = [
            models.Index(fields=["identified_on", "status"], name="victim_id_identified_idx"),
            models.Index(fields=["citizenship", "age_at_identification"], name="victim_id_citizenship_age_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="confirmed") & Q(confirmed_on__isnull=False) & Q(confirmed_by__isnull=False))
                | (Q(status="potential") & Q(confirmed_on__isnull=True) & Q(confirmed_by__isnull=True)),
                name="victim_id_confirmed_with_date_and_by",
                violation_error_message=_("A confirmed victim has the date they were confirmed, and only they do."),
            ),
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=models.F("identified_on")),
                name="victim_id_confirmed_after_identified",
                violation_error_message=_("A victim is confirmed on or after the day they were identified."),
            ),
        ]

    def __str__(self) -> str:
        return f"Identification of participant #{self.participant_id}"  # never a value: it ends up in logs

    @property
    def is_foreign_national_minor(self) -> bool:
        return (
            self.citizenship == self.Citizenship.FOREIGN_NATIONAL
            and self.age_at_identification is not None
            and self.age_at_identification < 18
        )

    @property
    def race_ethnicity_labels(self) -> list[str]:
        known = self.RaceEthnicity.values
        return [str(self.RaceEthnicity(code).label) if code in known else code for code in self.race_ethnicity]

    @property
    def gender_text(self) -> str:
        if self.gender == self.Gender.SELF_DESCRIBED and self.gender_description:
            return self.gender_description
        return str(self.get_gender_display())


class Consent(TimeStampedModel):
    """A victim's written, time-limited consent for a victim service provider to release PII to one agency
    (docs/architecture.md §4.6, 34 U.S.C. 12291(b)(2)). Evaluated at read time: expiry and revocation need no job."""

    class Category(models.TextChoices):
        IDENTITY = "identity", _("Identity (names, date of birth, identity documents)")
        CONTACT = "contact", _("Contact details")
        MEDICAL = "medical", _("Medical information")
        IMMIGRATION = "immigration", _("Immigration information")
        NARRATIVE = "narrative", _("Their account of events")
        # Not a release of information: the client's identifiers may join the task force's deconfliction index as
        # keyed digests, so that agencies working the same person learn of each other (docs/decisions/0030).
        DECONFLICTION = "deconfliction", _("Subject deconfliction (matching without disclosure)")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    holder_agency = models.ForeignKey(
        Agency, verbose_name=_("released by"), on_delete=models.PROTECT, related_name="consents_held"
    )
    recipient_agency = models.ForeignKey(
        Agency, verbose_name=_("released to"), on_delete=models.PROTECT, related_name="consents_received"
    )
    categories = models.JSONField(_("what may be released"), default=list)
    purpose = models.TextField(_("purpose"))
    signed_on = models.DateField(_("signed on"))
    expires_on = models.DateField(_("expires on"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        permissions = [("record_consent", _("Can record and revoke a client's consent to release information"))]
        indexes = [models.Index(fields=["person", "recipient_agency"], name="consent_person_recipient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("signed_on")), name="consent_expires_after_signing"
            )
        ]

    def __str__(self) -> str:
        return f"Consent #{self.pk} for person #{self.person_id} to {self.recipient_agency}"

    @property
    def category_labels(self) -> list[str]:
        """What may be released, in words of the reader's language (the codes are not for people)."""
        return [str(self.Category(code).label) if code in self.Category.values else code for code in self.categories]

    def is_active_on(self, day: date) -> bool:
        return self.revoked_at is None and self.signed_on <= day < self.expires_on


class Need(FSMModelMixin, TimeStampedModel):
    """A victim's need, by the service directory's categories. Its status changes only by ``mark_met``."""

    Category = NeedCategory

    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        URGENT = "urgent", _("Urgent")
        ROUTINE = "routine", _("Routine")

    class Status(models.TextChoices):
        UNMET = "unmet", _("Unmet")
        MET = "met", _("Met")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="needs")
    category = models.CharField(_("category"), max_length=25, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.UNMET, protected=True)
    details = models.TextField(_("details"), blank=True)
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["status", "urgency", "id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_urgency_display()})"

    @property
    def is_met(self) -> bool:
        return self.status == self.Status.MET

    @transition(field=status, source=Status.UNMET, target=Status.MET)
    def mark_met(self) -> None:
        pass


class ServiceEventQuerySet(models.QuerySet["ServiceEvent"]):
    def standing(self) -> "ServiceEventQuerySet":
        """The services not withdrawn (entered in error, or recorded by a referral entered in error): the only ones
        any page, packet or report shows or counts."""
        return self.filter(withdrawn_at__isnull=True)

    def delivered_between(self, start: date, end: date) -> "ServiceEventQuerySet":
        """Services delivered from ``start`` to ``end`` (both included), withdrawn ones left out: what the grant
        reports count per category per quarter (``.values("category").annotate(...)``), walking
        ``service_event_report_idx``."""
        return self.standing().filter(kind=ServiceEvent.Kind.DELIVERED, provided_on__range=(start, end))


class ServiceEvent(TimeStampedModel):
    """A service a victim in one case received, or was referred to, on one day (issue 17, decision 0035): one row
    per service and category, by the directory's categories (the same words as ``Need``). Written only through
    ``cases.services`` (a direct record, or a completed service referral), read only through ``cases.selectors``
    (``services_visible``: shown where a need of the same category of the person would be).

    ``referral_id`` is the referral it came from, as a number and not a foreign key: ``referrals`` sits above
    ``cases`` (docs/architecture.md §3), and a foreign key would make this app's migrations depend on that app's.
    Referrals are never deleted (``on_delete=PROTECT`` from their case; a mistake is "entered in error"), so the
    number stays good; the unique constraint makes a completion record each category once, however often it is
    retried."""

    Category = NeedCategory

    class Kind(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        REFERRED = "referred", _("Referred elsewhere")

    participant = models.ForeignKey(CaseParticipant, on_delete=models.CASCADE, related_name="service_events")
    category = models.CharField(_("service"), max_length=25, choices=Category.choices)
    kind = models.CharField(_("delivered or referred"), max_length=10, choices=Kind.choices, default=Kind.DELIVERED)
    provided_on = models.DateField(_("date"))
    provider = models.ForeignKey(
        Agency,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_events",
        help_text=_("The agency in the portal that delivered it or was referred to."),
    )
    provider_name = models.CharField(
        _("provider outside the portal"),
        max_length=200,
        blank=True,
        help_text=_("The organization's name, when it does not work in the portal."),
    )
    program = models.CharField(_("program"), max_length=200, blank=True)
    referral_id = models.BigIntegerField(_("referral"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    submission_key = submission_key_model_field()
    # Withdrawn: entered in error (a direct record, by whoever may record one, with its reason) or recorded by a
    # referral since entered in error (its reason is the referral's step). The row stays, for the record and the
    # audit trail; nothing shows or counts it (``standing``).
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True, editable=False)

    objects = ServiceEventQuerySet.as_manager()

    class Meta:
        ordering = ["provided_on", "id"]
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        indexes = [
            models.Index(fields=["kind", "provided_on", "category"], name="service_event_report_idx"),
            # A reader's services in a period, from their cases' participants (the dashboard): one probe each.
            models.Index(fields=["participant", "provided_on"], name="service_event_person_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral_id", "category"],
                condition=Q(referral_id__isnull=False),
                name="service_event_once_per_referral",
                violation_error_message=_("This referral's service is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | ~Q(provider_name=""),
                name="service_event_has_provider",
                violation_error_message=_("Say who provided the service."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="service_event_withdrawn_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Service event #{self.pk} of participant #{self.participant_id}"  # never a value: it ends up in logs

    @property
    def provider_label(self) -> str:
        return self.provider.name if self.provider is not None else self.provider_name

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Visibility(models.TextChoices):
    """Who among those who see a case may read a note or a document."""

    CASE_TEAM = "case_team", _("Everyone who sees the case")
    LAW_ENFORCEMENT = "law_enforcement", _("Law-enforcement-sensitive")


class Note(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    visibility = models.CharField(
        _("visible to"), max_length=20, choices=Visibility.choices, default=Visibility.CASE_TEAM
    )
    # Whom a victim service provider's note is about (its clients in the case): another agency reads it only when
    # each of them released their account (``narrative``) to it (cases.selectors.notes_visible).
    about = models.ManyToManyField(Person, verbose_name=_("about"), blank=True, related_name="notes_about")
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"Note #{self.pk} on {self.case.number}"

    @property
    def is_law_enforcement_sensitive(self) -> bool:
        return self.visibility == Visibility.LAW_ENFORCEMENT


def private_storage() -> Storage:
    return storages["private"]


def document_path(document: "Document", filename: str) -> str:
    """Stored under a random name: the original name (which may hold a victim's name) stays in the database."""
    return f"cases/{document.case_id}/{uuid.uuid4().hex}"


class Document(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=20, choices=Visibility.choices, default=Visibility.CASE_TEAM
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"Document #{self.pk} on {self.case.number}"

    @property
    def is_law_enforcement_sensitive(self) -> bool:
        return self.visibility == Visibility.LAW_ENFORCEMENT


def meeting_packet_path(packet: "MeetingPacket", filename: str) -> str:
    return f"meeting-packets/{uuid.uuid4().hex}.pdf"


class MeetingPacket(FSMModelMixin, TimeStampedModel):
    """A PDF of several cases for a task force's case-coordination meeting, each case redacted for the person who
    asked for it. Built by a background task (``cases.tasks.build_meeting_packet``); the file lives in private
    storage and is deleted ``LIFETIME`` after it is ready (the row stays, as a record). Its status changes by the
    transitions below, and from queued to running by the worker's claim: one conditional UPDATE, so that of two
    workers given the same packet one builds it."""

    LIFETIME = timedelta(hours=24)
    MAX_CASES = 50

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after 24 hours")
        WITHDRAWN = "withdrawn", _("Withdrawn: what you may see in it has changed")

    MAX_WORKING_PER_PERSON = 3  # packets one person may have waiting or being prepared at once

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text=_("The requester's agency when they asked.")
    )
    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField(_("meeting date"))
    cases = models.ManyToManyField(Case, related_name="+", verbose_name=_("cases"))
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, protected=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to=meeting_packet_path, max_length=200, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    cases_left_out = models.PositiveSmallIntegerField(
        default=0, help_text=_("Cases the requester could no longer see when the packet was built.")
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # What the file discloses, per case: the requester's permissions and, per person, the categories shown. A download
    # checks the requester still sees at least this much (cases.selectors.meeting_packet_still_readable).
    disclosed = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("meeting packet")
        verbose_name_plural = _("meeting packets")
        permissions = [("prepare_meeting_packet", _("Can prepare packets for the task force's coordination meetings"))]
        indexes = [models.Index(fields=["status", "expires_at"], name="meetingpacket_expiry_idx")]

    def __str__(self) -> str:
        return f"Meeting packet #{self.pk} ({self.task_force}, {self.meeting_on})"

    @property
    def percent_done(self) -> int:
        if self.is_ready:
            return 100
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    def is_downloadable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.is_ready and bool(self.file) and self.expires_at is not None and now < self.expires_at

    @transition(field=status, source=Status.RUNNING, target=Status.READY)
    def finish(self) -> None:
        pass

    @transition(field=status, source=[Status.QUEUED, Status.RUNNING], target=Status.FAILED)
    def fail(self) -> None:
        """The build failed, or was given up on: still waiting or running a lifetime after it was asked for."""

    @transition(field=status, source=Status.READY, target=Status.EXPIRED)
    def expire(self) -> None:
        """Its lifetime is over: the file is deleted."""

    @transition(field=status, source=Status.READY, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """Its requester may no longer read everything it holds: the file is deleted."""


class AccessRequest(FSMModelMixin, TimeStampedModel):
    """An agency that sees a case through a share asks the lead agency for a higher level (decision 0025). A
    supervisor of the lead agency approves it (a new share at that level replaces the agency's current one, through
    ``case_share_grant``) or declines it with a reason. One open request per case and agency."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the lead agency's decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_requests")
    agency = models.ForeignKey(Agency, verbose_name=_("asked by agency"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level asked for"), max_length=20, choices=CaseShare.Level.choices)
    reason = models.TextField(_("reason"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_share = models.ForeignKey(
        CaseShare,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The share through which the agency saw the case when it asked."),
    )
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.TextField(_("why it was declined"), blank=True)
    share = models.ForeignKey(
        CaseShare,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The share the approval made."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request for more access")
        verbose_name_plural = _("requests for more access")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"], condition=Q(status="open"), name="accessrequest_one_open_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"Access request #{self.pk} on case #{self.case_id} by agency #{self.agency_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @transition(field=status, source=Status.OPEN, target=Status.APPROVED)
    def approve(self, *, by: User, share: CaseShare) -> None:
        self.decided_by, self.decided_at, self.share = by, timezone.now(), share

    @transition(field=status, source=Status.OPEN, target=Status.DECLINED)
    def decline(self, *, by: User, reason: str) -> None:
        self.decided_by, self.decided_at, self.decline_reason = by, timezone.now(), reason


class ConsentRequest(FSMModelMixin, TimeStampedModel):
    """An agency that finds a victim service provider's client withheld for want of a consent asks the provider to
    record one (decision 0025). It records nothing itself: the provider decides with its client, and the request is
    done when a consent for the asking agency is recorded or the provider answers that the client declined (no
    reason of the client is kept). One open request per person and asking agency."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the agency's answer")
        RECORDED = "recorded", _("Consent recorded")
        CLIENT_DECLINED = "declined", _("The client declined")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", help_text=_("The case where the asker met the person.")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    holder_agency = models.ForeignKey(
        Agency, verbose_name=_("asked of agency"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("asked by agency"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request to record a consent")
        verbose_name_plural = _("requests to record a consent")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "agency"], condition=Q(status="open"), name="consentrequest_one_open_per_agency"
            )
        ]
        indexes = [models.Index(fields=["holder_agency", "status"], name="consentrequest_holder_idx")]

    def __str__(self) -> str:
        return f"Consent request #{self.pk} for person #{self.person_id} by agency #{self.agency_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @transition(field=status, source=Status.OPEN, target=Status.RECORDED)
    def fulfil(self, *, by: User, consent: Consent) -> None:
        self.answered_by, self.answered_at, self.consent = by, timezone.now(), consent

    @transition(field=status, source=Status.OPEN, target=Status.CLIENT_DECLINED)
    def client_declined(self, *, by: User) -> None:
        self.answered_by, self.answered_at = by, timezone.now()


class CaseNotice(models.Model):
    """An in-app notice of a step about who sees a case, for one person: a share asked for (to the supervisors who
    decide), approved or declined (to the person who asked); more access asked for (to the lead's supervisors),
    approved or declined (to the asker); a consent asked for (to the provider's people who record consents),
    recorded or declined by the client (to the asker). The referrals' notices page lists these beside its own
    (decision 0023); written by ``cases.services`` only, and shown only while the person still sees the case.
    Exactly one of ``share``, ``access_request`` and ``consent_request`` is what it is about."""

    class Verb(models.TextChoices):
        SHARE_REQUESTED = "share_requested", _("Share asked for")
        SHARE_APPROVED = "share_approved", _("Share approved")
        SHARE_DECLINED = "share_declined", _("Share declined")
        ACCESS_REQUESTED = "access_requested", _("More access asked for")
        ACCESS_APPROVED = "access_approved", _("More access approved")
        ACCESS_DECLINED = "access_declined", _("More access declined")
        CONSENT_REQUESTED = "consent_requested", _("Consent asked for")
        CONSENT_RECORDED = "consent_recorded", _("Consent recorded as asked")
        CONSENT_DECLINED = "consent_declined", _("Consent declined by the client")

    # Who a notice names beside the case: the agency the share is for, the agency asking, or the agency answering.
    ASKING = frozenset({Verb.ACCESS_REQUESTED, Verb.CONSENT_REQUESTED})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notices")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    share = models.ForeignKey(CaseShare, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    access_request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    consent_request = models.ForeignKey(
        ConsentRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="casenotice_unread_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(share__isnull=False, access_request__isnull=True, consent_request__isnull=True)
                | Q(share__isnull=True, access_request__isnull=False, consent_request__isnull=True)
                | Q(share__isnull=True, access_request__isnull=True, consent_request__isnull=False),
                name="casenotice_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.verb} for user #{self.user_id}"

    def get_absolute_url(self) -> str:
        """Where the step is worked or its answer shown."""
        if self.consent_request_id is not None and self.verb in self.ASKING:
            return reverse("consent_requests") + f"#consent-request-{self.consent_request_id}"
        if self.access_request_id is not None and self.verb in self.ASKING:
            anchor = "access-requests-heading"
        elif self.share_id is not None:
            anchor = "shares-heading"
        else:
            anchor = "access-heading"
        return reverse("case_detail", args=[self.case_id]) + f"#{anchor}"

    @property
    def agency(self) -> Agency:
        """The agency the notice names: the share's agency; the agency asking (to those who decide); the lead
        agency or the provider that answered (to the asker)."""
        if self.share_id is not None and self.share is not None:
            return self.share.agency
        if self.access_request is not None:
            return self.access_request.agency if self.verb in self.ASKING else self.case.lead_agency
        assert self.consent_request is not None
        return self.consent_request.agency if self.verb in self.ASKING else self.consent_request.holder_agency
