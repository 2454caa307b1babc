"""Arrests of a case's suspects, the charges of each arrest, the prosecutor's charging decision and the
disposition of each charge (issue 17, decision 0034); and the state statutes a task force counts as trafficking.

The grant reports count arrests, trafficking charges and convictions per quarter: each is one indexed filter here
(``Arrest.arrested_on``; ``Charge.is_trafficking`` with ``decided_on``; ``Charge.disposition`` with
``disposed_on``), reached from the case's task force through ``Arrest.case``.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TaskForce
from cases.models import Case, CaseParticipant
from portal.idempotency import submission_key_model_field
from portal.models import TimeStampedModel


class TraffickingStatute(TimeStampedModel):
    """A state (or local) statute that the task force counts as a trafficking statute, besides 18 U.S.C.
    1581-1597. Its coordinator lists them; charges under them are marked (``prosecution.statutes``)."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="trafficking_statutes")
    citation = models.CharField(_("citation"), max_length=120, help_text=_("e.g. Gulf State Rev. Stat. § 14:46.2"))
    citation_key = models.CharField(max_length=120, editable=False)
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. Human trafficking"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["task_force", "citation"]
        verbose_name = _("trafficking statute")
        verbose_name_plural = _("trafficking statutes")
        constraints = [
            models.UniqueConstraint(fields=["task_force", "citation_key"], name="statute_once_per_task_force")
        ]

    def __str__(self) -> str:
        return f"{self.citation} ({self.title})"


class Arrest(TimeStampedModel):
    """One arrest of a suspect in a case. ``case`` repeats the participation's case so that a case's arrests and a
    task force's per quarter are read without a join through the participation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="arrests")
    participant = models.ForeignKey(
        CaseParticipant,
        on_delete=models.PROTECT,
        related_name="arrests",
        verbose_name=_("suspect"),
        limit_choices_to={"role": CaseParticipant.Role.SUSPECT},
    )
    arrested_on = models.DateField(_("arrested on"))
    arresting_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="arrests", verbose_name=_("arresting agency")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["arrested_on", "id"]
        verbose_name = _("arrest")
        verbose_name_plural = _("arrests")
        indexes = [
            models.Index(fields=["case", "arrested_on"], name="arrest_case_idx"),
            models.Index(fields=["arrested_on"], name="arrest_arrested_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: arrest of participant {self.participant_id} on {self.arrested_on}"


class ChargeQuerySet(models.QuerySet["Charge"]):
    """The grant reports' questions, each one indexed filter."""

    def trafficking(self) -> "ChargeQuerySet":
        """Charges under a trafficking statute that a prosecutor brought (``charge_trafficking_idx``)."""
        return self.filter(is_trafficking=True, decision=Charge.Decision.CHARGED)

    def charged_between(self, first: date, last: date) -> "ChargeQuerySet":
        return self.filter(decision=Charge.Decision.CHARGED, decided_on__range=(first, last))

    def convictions(self) -> "ChargeQuerySet":
        """Convicted at trial or by plea (``charge_disposition_idx``)."""
        return self.filter(disposition__in=Charge.CONVICTIONS)

    def disposed_between(self, first: date, last: date) -> "ChargeQuerySet":
        return self.filter(disposed_on__range=(first, last))


class Charge(TimeStampedModel):
    """One charge of an arrest: the statute, whether it is a trafficking statute (decided by the portal from the
    citation, ``prosecution.statutes``), the prosecutor's charging decision and the disposition."""

    class Level(models.TextChoices):
        FELONY = "felony", _("Felony")
        MISDEMEANOR = "misdemeanor", _("Misdemeanor")
        OTHER = "other", _("Other or not known")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Decision pending")
        CHARGED = "charged", _("Charged")
        DECLINED = "declined", _("Declined")

    class Disposition(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONVICTED_AT_TRIAL = "convicted_at_trial", _("Convicted at trial")
        PLEA = "plea", _("Guilty plea")
        DISMISSED = "dismissed", _("Dismissed")
        ACQUITTED = "acquitted", _("Acquitted")

    CONVICTIONS = (Disposition.CONVICTED_AT_TRIAL, Disposition.PLEA)

    arrest = models.ForeignKey(Arrest, on_delete=models.CASCADE, related_name="charges")
    statute = models.CharField(_("statute"), max_length=120, help_text=_("e.g. 18 U.S.C. § 1591(a)"))
    citation_key = models.CharField(max_length=120, editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.FELONY)
    is_trafficking = models.BooleanField(_("trafficking statute"), default=False, editable=False)
    decision = models.CharField(
        _("charging decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    prosecuting_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charging_decisions",
        verbose_name=_("prosecutor"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, default=Disposition.PENDING
    )
    disposed_on = models.DateField(_("disposition date"), null=True, blank=True)
    sentence = models.TextField(_("sentence"), blank=True)
    disposition_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["arrest", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        indexes = [
            models.Index(fields=["is_trafficking", "decision", "decided_on"], name="charge_trafficking_idx"),
            models.Index(fields=["disposition", "disposed_on"], name="charge_disposition_idx"),
            models.Index(fields=["citation_key"], name="charge_citation_idx"),
        ]
        constraints = [
            # A decision has its day and its prosecutor; a pending one has neither.
            models.CheckConstraint(
                condition=(Q(decision="pending") & Q(decided_on__isnull=True) & Q(prosecuting_agency__isnull=True))
                | (~Q(decision="pending") & Q(decided_on__isnull=False) & Q(prosecuting_agency__isnull=False)),
                name="charge_decision_dated",
            ),
            # Declined says why; nothing else carries a reason.
            models.CheckConstraint(
                condition=(Q(decision="declined") & ~Q(decline_reason=""))
                | (~Q(decision="declined") & Q(decline_reason="")),
                name="charge_declined_with_reason",
            ),
            # Only a charge brought to court is disposed of, and a disposition has its day.
            models.CheckConstraint(
                condition=(Q(disposition="pending") & Q(disposed_on__isnull=True))
                | (~Q(disposition="pending") & Q(disposed_on__isnull=False) & Q(decision="charged")),
                name="charge_disposition_dated",
            ),
            # A sentence only follows a conviction (at trial or by plea).
            models.CheckConstraint(
                condition=Q(sentence="") | Q(disposition__in=["convicted_at_trial", "plea"]),
                name="charge_sentence_only_if_convicted",
            ),
        ]

    def __str__(self) -> str:
        return self.statute

    @property
    def is_conviction(self) -> bool:
        return self.disposition in self.CONVICTIONS
