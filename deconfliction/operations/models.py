"""Event deconfliction (issue 16, docs/decisions/0031-event-deconfliction.md): planned operations of the task
force's law-enforcement agencies, the conflicts found between two of them (the same time and the same place), and
the notices that tell both case agents and the task force's coordinators whom to call.

An ``Operation`` is its agency's alone: no other agency reads its case, target, address, kind or notes. An
``OperationConflict`` discloses, to the other side and to the coordinators, only that an operation of another
agency overlaps, the window of the overlap and whom to call (``selectors.ConflictSide``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.models import Case
from portal.idempotency import submission_key_model_field
from portal.models import TimeStampedModel

__all__ = ["Operation", "OperationConflict", "OperationNotice"]


class Operation(TimeStampedModel):
    class Kind(models.TextChoices):
        WARRANT = "warrant", _("Warrant service")
        UNDERCOVER = "undercover", _("Undercover meeting")
        INTERVIEW = "interview", _("Interview")
        RESCUE = "rescue", _("Rescue or recovery")
        SURVEILLANCE = "surveillance", _("Surveillance")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Done")

    class Located(models.TextChoices):
        """How the point was found: a ZIP's centroid is coarse, so it compares with a wider radius."""

        POINT = "point", _("Latitude and longitude")
        ZIP = "zip", _("ZIP code centre")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind of operation"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    located_by = models.CharField(_("located by"), max_length=10, choices=Located.choices)
    radius_m = models.PositiveIntegerField(_("radius in metres"), default=300)
    case_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("case agent"), on_delete=models.PROTECT, related_name="+"
    )
    phone_24h = models.CharField(_("24-hour phone"), max_length=40)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    submission_key = submission_key_model_field()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        permissions = [("plan_operation", _("Can plan operations and be told when they overlap another agency's"))]
        indexes = [
            # The detection's bounding box: planned operations by latitude, then longitude (services.detect).
            models.Index(
                fields=["latitude", "longitude"], name="operation_planned_box_idx", condition=Q(status="planned")
            ),
            # An agency's lists, upcoming and past.
            models.Index(fields=["agency", "starts_at"], name="operation_agency_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="operation_ends_after_start"),
            models.CheckConstraint(condition=Q(radius_m__gte=50, radius_m__lte=5000), name="operation_radius_bounded"),
        ]

    def __str__(self) -> str:
        return f"Operation #{self.pk}"  # never its kind, place or case


class OperationConflict(models.Model):
    """Two planned operations of two agencies that overlap in time and place: one row per pair, ``first`` the lower
    id. The coordinator records how it was settled."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        WITHDRAWN = "withdrawn", _("No longer overlapping")

    class Resolution(models.TextChoices):
        SEPARATELY = "separately", _("Proceed separately")
        JOINTLY = "jointly", _("Work jointly")
        DEFERS = "defers", _("One side defers")
        NOT_SAME_PLACE = "not_same_place", _("Not the same place")

    first = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    overlap_starts = models.DateTimeField(_("overlap starts"))
    overlap_ends = models.DateTimeField(_("overlap ends"))
    distance_m = models.PositiveIntegerField(_("distance in metres"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    detected_at = models.DateTimeField(_("found"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["overlap_starts", "id"]
        verbose_name = _("operation conflict")
        verbose_name_plural = _("operation conflicts")
        permissions = [("resolve_operationconflict", _("Can see the task force's operation conflicts and settle them"))]
        indexes = [models.Index(fields=["status", "overlap_starts"], name="opconflict_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="opconflict_pair_unique"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="opconflict_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"Conflict #{self.pk} (operations #{self.first_id} and #{self.second_id})"


class OperationNotice(models.Model):
    """A conflict told to one person (a case agent or a coordinator), in the portal and by e-mail, once each time
    the conflict opens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conflict = models.ForeignKey(OperationConflict, on_delete=models.CASCADE, related_name="notices")
    # The recipient's own operation (a case agent's); empty for a coordinator, who sees both sides' contacts.
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="opnotice_unread_idx")]

    def __str__(self) -> str:
        return f"Notice of conflict #{self.conflict_id} for user #{self.user_id}"
