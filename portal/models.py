"""Cross-cutting models: the append-only audit trail and the timestamped base every domain model uses."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One business or access event (docs/architecture.md §8). Rows are never changed: PostgreSQL refuses UPDATE and
    DELETE.

    ``agency_id``/``agency_name`` and ``actor_email`` are snapshots taken when the event happened, so the record
    still says who acted after a person changes agency; ``portal`` depends on no domain app, hence no foreign key
    to ``agencies.Agency``. ``details`` never holds PII: ids, codes and counts only.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    occurred_at = models.DateTimeField(_("when (UTC)"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_email = models.CharField(_("actor e-mail"), max_length=254, blank=True)
    agency_id = models.BigIntegerField(_("agency id"), null=True, blank=True)
    agency_name = models.CharField(_("agency"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-occurred_at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["agency_id", "-occurred_at"], name="audit_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_email or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Audit events are append-only.")
