"""Every write of event deconfliction: plan, edit, cancel or close an operation, and settle a conflict
(docs/decisions/0031-event-deconfliction.md).

Each is one transaction with its audit event. Creating or editing an operation looks for conflicts in that same
transaction (``_detect``): the other active agencies' operations of the same task forces (planned, or done and not
yet ended) whose time windows intersect and whose places are within the sum of their radii. A conflict found opens a
row per pair (or reopens it, when a settled pair meets at another time) and notices for both sides and the task
forces' coordinators, e-mailed after the commit. An edit never withdraws or changes a conflict otherwise: that would
tell its editor where the other operation is not.
"""

import re
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import phonenumbers
import zipcodes
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import TaskForce, User
from deconfliction.operations import geometry, selectors
from deconfliction.operations.models import Operation, OperationConflict, OperationNotice
from portal.audit import audit_record
from portal.idempotency import create_once

MAX_WINDOW = timedelta(hours=72)
ZIP_CODE = re.compile(r"\d{5}(-\d{4})?", re.ASCII)
EDITABLE_FIELDS = (
    "kind",
    "starts_at",
    "ends_at",
    "address",
    "zip_code",
    "latitude",
    "longitude",
    "radius_m",
    "case_agent",
    "phone_24h",
    "notes",
    "case_number",
)


class StaleOperationEdit(ValidationError):
    """Someone saved the operation since the form was opened: nothing is overwritten."""

    def __init__(self, changed_by: str, changed_at: datetime) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(
            _(
                "%(who)s changed this operation at %(when)s while you were editing it. Nothing was saved: the form "
                "below shows the operation as it stands now; make your changes again."
            )
            % {"who": changed_by or _("Someone"), "when": f"{timezone.localtime(changed_at):%Y-%m-%d %H:%M}"},
            code="stale",
        )


# --- Checking what a planner entered ------------------------------------------------------------------------------


def _phone(text: str) -> str:
    """A 24-hour phone as ``+1 713-555-0147``; a ``ValidationError`` when it is not a phone number."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone_24h": _("Enter a phone number that answers at any hour, e.g. 713-555-0147.")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _located(fields: dict[str, Any]) -> None:
    """Set ``latitude``, ``longitude`` and ``located_by`` from the point given, else from the ZIP code's centre (no
    geocoder is called: an address alone cannot be placed offline)."""
    latitude, longitude = fields.get("latitude"), fields.get("longitude")
    zip_code = (fields.get("zip_code") or "").strip()
    fields["zip_code"] = zip_code
    if zip_code and not ZIP_CODE.fullmatch(zip_code):
        raise ValidationError(
            {"zip_code": _("Enter a ZIP code of five digits, or five and four: 77002 or 77002-1234.")}
        )
    if (latitude is None) != (longitude is None):
        raise ValidationError({"longitude": _("Give both the latitude and the longitude, or neither.")})
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(
                {"latitude": _("Latitude must be between -90 and 90, longitude between -180 and 180.")}
            )
        fields["located_by"] = Operation.Located.POINT
        return
    if not zip_code:
        raise ValidationError(
            {
                "zip_code": _(
                    "Give the ZIP code of the place (or its latitude and longitude): an address alone cannot be placed."
                )
            }
        )
    found = zipcodes.matching(zip_code[:5])
    found = [place for place in found if place.get("lat") and place.get("long")]
    if not found:
        raise ValidationError({"zip_code": _("%(zip)s is not a known U.S. ZIP code.") % {"zip": zip_code}})
    fields["latitude"], fields["longitude"] = float(found[0]["lat"]), float(found[0]["long"])
    fields["located_by"] = Operation.Located.ZIP


def _cleaned(actor: User, fields: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The model's values from what the planner entered, or a ``ValidationError`` by field (nothing is saved)."""
    fields = dict(fields)
    errors: dict[str, list[str]] = {}
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at is None or ends_at is None:
        errors["starts_at"] = [_("Give when the operation starts and ends.")]
    elif ends_at <= starts_at:
        errors["ends_at"] = [_("The operation must end after it starts.")]
    elif ends_at - starts_at > MAX_WINDOW:
        errors["ends_at"] = [_("An operation lasts at most 72 hours: plan a longer one as several.")]
    elif ends_at <= now:
        errors["ends_at"] = [_("This window is already over: only operations still to come are planned here.")]
    radius = fields.get("radius_m") or geometry.RADIUS_DEFAULT_M
    if not geometry.RADIUS_MIN_M <= radius <= geometry.RADIUS_MAX_M:
        errors["radius_m"] = [_("The radius is between 50 and 5,000 metres.")]
    fields["radius_m"] = radius
    if fields.get("kind") not in Operation.Kind.values:
        errors["kind"] = [_("Choose the kind of operation.")]
    agent = fields.get("case_agent")
    if agent is None or not selectors.case_agents_for(actor).filter(pk=agent.pk).exists():
        errors["case_agent"] = [_("The case agent is one of your agency's investigators or supervisors.")]
    number = (fields.pop("case_number", "") or "").strip()
    fields["case"] = None
    if number:
        fields["case"] = selectors.workable_case(actor, number)
        if fields["case"] is None:
            errors["case_number"] = [_("You may not work a case numbered %(number)s.") % {"number": number}]
    for check in (_phone_checked, _located):
        try:
            check(fields)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    fields["address"] = (fields.get("address") or "").strip()
    fields["notes"] = (fields.get("notes") or "").strip()
    return fields


def _phone_checked(fields: dict[str, Any]) -> None:
    fields["phone_24h"] = _phone((fields.get("phone_24h") or "").strip())


# --- Operations ---------------------------------------------------------------------------------------------------


def operation_create(
    *, actor: User, request: HttpRequest | None = None, submission_key: uuid.UUID | None = None, **entered: Any
) -> Operation:
    """Plan an operation of the actor's agency, and tell whoever it conflicts with. A form sent twice plans once
    (``submission_key``)."""
    if not selectors.can_plan_operations(actor):
        raise PermissionDenied
    agency = actor.agency
    assert agency is not None  # can_plan_operations
    fields = _cleaned(actor, {name: entered.get(name) for name in EDITABLE_FIELDS}, now=timezone.now())

    def create(key: uuid.UUID | None) -> Operation:
        with transaction.atomic():
            operation = Operation.objects.create(agency=agency, created_by=actor, submission_key=key, **fields)
            audit_record(action="deconfliction.operation.created", actor=actor, request=request, target=operation)
            _detect(operation, actor=actor, request=request)
        return operation

    return create_once(Operation, actor=actor, key=submission_key, create=create)


def _last_change(operation: Operation) -> tuple[str, datetime]:
    from portal.models import AuditEvent

    last = (
        AuditEvent.objects.filter(object_type="deconfliction.operation", object_id=str(operation.pk))
        .order_by("-occurred_at", "-id")
        .first()
    )
    return (last.actor_email, last.occurred_at) if last else ("", operation.updated_at)


def operation_update(
    *, operation: Operation, version: int, actor: User, request: HttpRequest | None = None, **entered: Any
) -> Operation:
    """Save an edit made on ``version`` of the operation (a stale one is refused: ``StaleOperationEdit``), then look
    for conflicts again: new ones are told; those no longer overlapping are kept as they are (``_detect``). A new
    case agent or 24-hour phone is told to both sides and the coordinators of its open and settled conflicts."""
    operation = selectors.operation_get_for_user(actor, operation.pk)
    if not selectors.may_edit(actor, operation):
        raise PermissionDenied
    fields = _cleaned(actor, {name: entered.get(name) for name in EDITABLE_FIELDS}, now=timezone.now())
    with transaction.atomic():
        current = Operation.objects.select_for_update().get(pk=operation.pk)
        if current.version != version:
            who, when = _last_change(current)
            raise StaleOperationEdit(changed_by=who, changed_at=when)
        if current.status != Operation.Status.PLANNED:
            raise ValidationError(_("This operation is no longer planned: it cannot be changed."))
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        current.version += 1
        current.save()
        # Field names only: the values are the agency's own (docs/decisions/0031).
        audit_record(
            action="deconfliction.operation.updated",
            actor=actor,
            request=request,
            target=current,
            details={"fields": changed},
        )
        told = _detect(current, actor=actor, request=request)
        if {"case_agent", "phone_24h"} & set(changed):
            # Whom to call changed: both sides and the coordinators of its conflicts still open or settled learn it.
            for conflict in selectors.conflicts_of(current).filter(
                status__in=(OperationConflict.Status.OPEN, OperationConflict.Status.RESOLVED)
            ):
                if conflict not in told:
                    _disclose(conflict, actor=actor, request=request, reason="contact_changed")
    return current


def operation_close(*, operation: Operation, status: str, actor: User, request: HttpRequest | None = None) -> Operation:
    """Cancel a planned operation (its open conflicts are withdrawn), or record it done once it has started: it ends
    now if it was to end later, keeps conflicting until then, and only its open conflicts whose overlap had not yet
    begun are withdrawn."""
    if status not in (Operation.Status.CANCELLED, Operation.Status.DONE):
        raise ValidationError(_("An operation is cancelled or done."))
    operation = selectors.operation_get_for_user(actor, operation.pk)
    if not selectors.may_edit(actor, operation):
        raise PermissionDenied
    with transaction.atomic():
        current = Operation.objects.select_for_update().get(pk=operation.pk)
        if current.status != Operation.Status.PLANNED:
            raise ValidationError(_("This operation is no longer planned."))
        now = timezone.now()
        if status == Operation.Status.DONE:
            if current.starts_at >= now:
                raise ValidationError(_("An operation is recorded done once it has started: cancel it instead."))
            current.ends_at = min(current.ends_at, now)
        current.status = status
        current.version += 1
        current.save(update_fields=["status", "ends_at", "version", "updated_at"])
        audit_record(
            action=f"deconfliction.operation.{'cancelled' if status == Operation.Status.CANCELLED else 'done'}",
            actor=actor,
            request=request,
            target=current,
        )
        _detect(current, actor=actor, request=request)
    return current


# --- Detection ----------------------------------------------------------------------------------------------------


def _place(operation: Operation) -> geometry.Place:
    return geometry.Place(
        latitude=operation.latitude,
        longitude=operation.longitude,
        radius_m=operation.radius_m,
        from_zip=operation.located_by == Operation.Located.ZIP,
    )


def _intersect(first: tuple[datetime, datetime], second: tuple[datetime, datetime]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def _overlapping(operation: Operation) -> dict[int, tuple[Operation, tuple[datetime, datetime], float]]:
    """The operations of the other active agencies of ``operation``'s task forces that meet it now, by id: planned
    ones, and those recorded done whose (shortened) window is not over, each with the overlap's window and distance."""
    if operation.status == Operation.Status.CANCELLED or not operation.agency.is_active:
        return {}
    place = _place(operation)
    min_lat, max_lat, min_lon, max_lon = geometry.bounding_box(place, place.reach_m + geometry.WIDEST_RADIUS_M)
    candidates = (
        Operation.objects.filter(
            status__in=(Operation.Status.PLANNED, Operation.Status.DONE),
            latitude__range=(min_lat, max_lat),
            longitude__range=(min_lon, max_lon),
            starts_at__lt=operation.ends_at,
            ends_at__gt=operation.starts_at,
            agency__in=selectors.partner_agency_ids(operation.agency_id),
        )
        .exclude(agency=operation.agency_id)
        .select_related("agency", "case_agent")
    )
    found: dict[int, tuple[Operation, tuple[datetime, datetime], float]] = {}
    for other in candidates:
        window = geometry.overlap_window(operation.starts_at, operation.ends_at, other.starts_at, other.ends_at)
        if window is None or not geometry.places_overlap(place, _place(other)):
            continue
        found[other.pk] = (other, window, geometry.distance_m(place, _place(other)))
    return found


def _detect(operation: Operation, *, actor: User, request: HttpRequest | None) -> list[OperationConflict]:
    """Open ``operation``'s new conflicts, disclose again those that meet at a new time, withdraw those a
    cancellation (or an early end) settles; the conflicts disclosed (told to their people).

    An edit of the place, the radius or the window never withdraws a conflict nor changes it while the two still
    meet in the window disclosed: whether it did would tell the editor where and when the other operation is not
    (docs/decisions/0031). A conflict leaves "open" only by the coordinator's settling, or when one of its operations
    is cancelled or recorded done before the overlap began.

    Two operations planned at the same moment in two transactions must not both miss each other: the agency's task
    forces are locked first (in id order), so the detections of agencies sharing a task force run one after the
    other, and the second sees the first's committed operation."""
    list(TaskForce.objects.select_for_update(of=("self",)).filter(members__agency=operation.agency_id).order_by("pk"))
    existing = {
        (conflict.second_id if conflict.first_id == operation.pk else conflict.first_id): conflict
        for conflict in OperationConflict.objects.select_for_update().filter(
            Q(first=operation.pk) | Q(second=operation.pk)
        )
    }
    found = _overlapping(operation)
    told: list[tuple[OperationConflict, str]] = []
    now = timezone.now()
    for other_pk, (other, window, distance) in found.items():
        conflict = existing.get(other_pk)
        if conflict is None:
            first, second = sorted((operation, other), key=lambda op: op.pk)
            conflict = OperationConflict.objects.create(
                first=first,
                second=second,
                overlap_starts=window[0],
                overlap_ends=window[1],
                distance_m=round(distance),
            )
            told.append((conflict, "opened"))
            continue
        if operation.status != Operation.Status.PLANNED:
            continue  # recorded done: its window only shrank, nothing new to tell
        disclosed = (conflict.overlap_starts, conflict.overlap_ends)
        if conflict.status != OperationConflict.Status.WITHDRAWN and _intersect(window, disclosed):
            continue  # the same meeting: kept as first disclosed, its version unchanged (a coordinator's form holds)
        if conflict.status == OperationConflict.Status.RESOLVED:
            # They meet again at another time: the settling was for the other meeting. The trail keeps it.
            audit_record(
                action="deconfliction.conflict.reopened",
                actor=actor,
                request=request,
                target=conflict,
                details={
                    "operations": [conflict.first_id, conflict.second_id],
                    "earlier_resolution": conflict.resolution,
                    "earlier_resolved_by": conflict.resolved_by_id,
                },
            )
            conflict.resolution, conflict.resolved_by, conflict.resolved_at = "", None, None
        reason = "met_again" if conflict.status == OperationConflict.Status.OPEN else "reopened"
        conflict.status = OperationConflict.Status.OPEN
        conflict.overlap_starts, conflict.overlap_ends, conflict.distance_m = window[0], window[1], round(distance)
        conflict.detected_at = now
        conflict.version += 1
        conflict.save()
        told.append((conflict, reason))
    for conflict in existing.values():
        if conflict.status != OperationConflict.Status.OPEN:
            continue
        cancelled = operation.status == Operation.Status.CANCELLED
        ended_before = operation.status == Operation.Status.DONE and conflict.overlap_starts >= operation.ends_at
        if cancelled or ended_before:
            _withdraw(conflict, actor=actor, request=request)
    for conflict, reason in told:
        _disclose(conflict, actor=actor, request=request, reason=reason)
    return [conflict for conflict, _reason in told]


def _withdraw(conflict: OperationConflict, *, actor: User, request: HttpRequest | None) -> None:
    conflict.status = OperationConflict.Status.WITHDRAWN
    conflict.version += 1
    conflict.save(update_fields=["status", "version"])
    audit_record(
        action="deconfliction.conflict.withdrawn",
        actor=actor,
        request=request,
        target=conflict,
        details={"operations": [conflict.first_id, conflict.second_id]},
    )


def _disclose(conflict: OperationConflict, *, actor: User, request: HttpRequest | None, reason: str) -> None:
    """Tell both sides (each the other's contact: the case agent, else who planned it, else the agency's
    supervisors) and the coordinators of the task forces both agencies belong to (both contacts): a notice each,
    e-mailed after the commit, and an audit event of the disclosure in each side's agency's trail.

    ``reason``: ``opened``, ``reopened`` (a settled or withdrawn conflict meets again), ``met_again`` (an open one
    meets at another time) or ``contact_changed``."""
    first = Operation.objects.select_related("agency").get(pk=conflict.first_id)
    second = Operation.objects.select_related("agency").get(pk=conflict.second_id)
    notices = [
        OperationNotice(user=user, conflict=conflict, operation=first) for user in selectors.operation_recipients(first)
    ]
    notices += [
        OperationNotice(user=user, conflict=conflict, operation=second)
        for user in selectors.operation_recipients(second)
    ]
    notices += [OperationNotice(user=user, conflict=conflict) for user in selectors.coordinators_of(conflict)]
    notices = OperationNotice.objects.bulk_create(notices)
    details = {
        "operations": [conflict.first_id, conflict.second_id],
        "agencies": [first.agency_id, second.agency_id],
        "recipients": sorted(notice.user_id for notice in notices),
        "reason": reason,
    }
    for agency in (first.agency, second.agency):
        audit_record(
            action="deconfliction.conflict.disclosed",
            actor=actor,
            request=request,
            target=conflict,
            agency=agency,
            details=details,
        )
    ids = [notice.pk for notice in notices]
    if ids:
        from deconfliction.operations.tasks import email_operation_notices

        transaction.on_commit(partial(email_operation_notices.enqueue, ids))


# --- Conflicts ----------------------------------------------------------------------------------------------------


def conflict_resolve(
    *, conflict: OperationConflict, resolution: str, version: int, actor: User, request: HttpRequest | None = None
) -> OperationConflict:
    """A coordinator records how an open conflict was settled (after both sides spoke)."""
    conflict = selectors.conflict_get_for_coordinator(actor, conflict.pk)
    if resolution not in OperationConflict.Resolution.values:
        raise ValidationError({"resolution": _("Choose how the conflict was settled.")})
    with transaction.atomic():
        current = OperationConflict.objects.select_for_update().get(pk=conflict.pk)
        if current.status != OperationConflict.Status.OPEN:
            raise ValidationError(_("This conflict is no longer open: someone settled it, or it no longer overlaps."))
        if current.version != version:
            raise ValidationError(_("This conflict changed while you were reading it: check it again."))
        current.status = OperationConflict.Status.RESOLVED
        current.resolution = resolution
        current.resolved_by = actor
        current.resolved_at = timezone.now()
        current.version += 1
        current.save()
        audit_record(
            action="deconfliction.conflict.resolved",
            actor=actor,
            request=request,
            target=current,
            details={"resolution": resolution, "operations": [current.first_id, current.second_id]},
        )
    return current


def notices_mark_read(*, user: User, conflict_ids: list[int]) -> int:
    """The reader has seen these conflicts: their notices are read."""
    if not conflict_ids:
        return 0
    return OperationNotice.objects.filter(user=user.pk, conflict__in=conflict_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
