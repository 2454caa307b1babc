"""Prevention work the portal had no record of: outreach and training events (issue 18). No person is named in
them; an event is its agency's, counted on the dashboard by kind, audience and month."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
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
