"""Prevention work the portal had no record of: outreach and training events (issue 18). No person is named in
them; an event is its agency's, counted on the dashboard by kind, audience and month. And the quarterly reports a
supervisor signed, frozen (decision 0037)."""

import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from portal.models import TimeStampedModel


class OutreachEvent(TimeStampedModel):
    class Kind(models.TextChoices):
        COMMUNITY_OUTREACH = "community_outreach", _("Community outreach")
        PROFESSIONAL_TRAINING = "professional_training", _("Training for professionals")
        PUBLIC_AWARENESS = "public_awareness", _("Public awareness")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        HEALTH_CARE = "health_care", _("Health care")
        SCHOOLS = "schools", _("Schools")
        HOSPITALITY = "hospitality", _("Hospitality and transport")
        COMMUNITY = "community", _("Community")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="outreach_events"
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    people_reached = models.PositiveIntegerField(
        _("number of people reached"), validators=[MaxValueValidator(1_000_000)]
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        indexes = [models.Index(fields=["agency", "held_on"], name="outreach_agency_date_idx")]

    def __str__(self) -> str:
        return f"Outreach event #{self.pk}"


class FrozenReport(Exception):
    """A signed quarterly report was asked to change or go: it never does (decision 0037)."""


class QuarterlyReportQuerySet(models.QuerySet["QuarterlyReport"]):
    """Signed reports only ever gain rows: a bulk ``update`` or ``delete`` is refused as ``save`` and ``delete``
    are on one row, and so is a ``bulk_create`` that would overwrite a row on conflict (``bulk_update`` goes
    through ``update``). It is the base manager too (``Meta.base_manager_name``), so ``_base_manager`` is no way
    round. Whatever the path, a database trigger refuses an UPDATE or a DELETE as well (migration 0002: PostgreSQL
    and SQLite)."""

    def update(self, **kwargs: Any) -> int:
        raise FrozenReport("A signed quarterly report never changes.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("update_conflicts") or (len(args) > 2 and args[2]):  # (batch_size, ignore_conflicts, update_...)
            raise FrozenReport("A signed quarterly report is never overwritten.")
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FrozenReport("A signed quarterly report is never deleted.")


class QuarterlyReport(models.Model):
    """A quarterly report as a supervisor of its agency signed it: the frozen snapshot of every measure (decision
    0037). Drafts are not stored: they are computed from the records whenever they are read
    (``reports.quarterly``). Only ``reports.services.quarterly_report_sign`` writes a row, once; the row never
    changes and is never deleted (``save``, ``delete`` and the queryset refuse; on PostgreSQL a trigger too).

    ``snapshot`` holds everything the report says (the agency, the quarter, the kind, every measure as code,
    question and value, who signed and when); ``digest`` is the SHA-256 of its canonical JSON, so a copy can be
    checked against it (``digest_matches``)."""

    class Kind(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", _("Law-enforcement measures")
        VICTIM_SERVICES = "victim_services", _("Victim-service measures")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    snapshot = models.JSONField(_("snapshot"))
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"))

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "-quarter", "kind"]
        verbose_name = _("signed quarterly report")
        verbose_name_plural = _("signed quarterly reports")
        base_manager_name = "objects"  # the refusing queryset, wherever Django reaches for the base manager
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "fiscal_year", "quarter", "kind"],
                name="quarterly_report_signed_once",
                violation_error_message=_("This quarter's report is already signed."),
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarterly_report_quarter"),
        ]

    def __str__(self) -> str:
        return f"Quarterly report #{self.pk} (FY{self.fiscal_year}-Q{self.quarter}, {self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert, never update: a row read back, one given the key of a signed row (``QuarterlyReport(pk=...)``),
        or a save asked to update (``force_update``, ``update_fields``) is refused. The INSERT is forced, so a key
        that is taken fails in the database rather than overwriting (one query more only when a key is given)."""
        if (
            not self._state.adding
            or kwargs.get("force_update")
            or kwargs.get("update_fields") is not None
            or (self.pk is not None and type(self).objects.filter(pk=self.pk).exists())
        ):
            raise FrozenReport("A signed quarterly report never changes.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise FrozenReport("A signed quarterly report is never deleted.")

    @property
    def quarter_code(self) -> str:
        return f"FY{self.fiscal_year}-Q{self.quarter}"

    def digest_matches(self) -> bool:
        """Whether the stored snapshot is still the one signed (its digest recomputed)."""
        return snapshot_digest(self.snapshot) == self.digest


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    """The SHA-256 of ``snapshot`` as canonical JSON (keys sorted, no spaces, UTF-8): the same for the same content
    whatever the order it was built in or the language of whoever reads it."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
