"""Opening, editing, moving along, assigning a case. Each service checks the actor's right through
``cases.selectors``, writes in one transaction with its audit event."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from agencies.models import TaskForce, User
from cases import selectors
from cases.models import Case, CaseNumberSequence
from cases.services.shares import _grant_to_agency
from portal.audit import audit_record
from portal.idempotency import create_once
from portal.models import AuditEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _next_case_number(year: int) -> str:
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"HT-{year}-{sequence.last:05d}"


def case_create(
    *,
    actor: User,
    title: str,
    intake_channel: str,
    case_type: str = Case.Type.UNKNOWN,
    summary: str = "",
    jurisdiction: str = "",
    indicators: list[str] | tuple[str, ...] = (),
    le_narrative: str = "",
    task_force: TaskForce | None = None,
    opened_on: date | None = None,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case led by the actor's agency, which holds every permission on it. The same ``submission_key`` again
    (the form sent twice) gives the first case back: no second case, no second number."""
    if not selectors.can_open_cases(actor) or actor.agency is None:
        raise PermissionDenied(_("You cannot open cases."))
    unknown = set(indicators) - set(Case.Indicator.values)
    if unknown:
        raise ValidationError(
            {"indicators": _("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))}}
        )
    if task_force is not None and not task_force.agencies.filter(pk=actor.agency.pk).exists():
        raise ValidationError({"task_force": _("Your agency is not a member of this task force.")})
    opened_on = opened_on or timezone.localdate()
    for name, value, choices in [("case_type", case_type, Case.Type), ("intake_channel", intake_channel, Case.Channel)]:
        if value not in choices.values:
            raise ValidationError({name: _("Choose one of the listed values.")})
    lead_agency, opened = actor.agency, opened_on

    def create(key: uuid.UUID | None) -> Case:
        with transaction.atomic():
            case = Case.objects.create(
                number=_next_case_number(opened.year),
                title=title,
                case_type=case_type,
                intake_channel=intake_channel,
                summary=summary,
                jurisdiction=jurisdiction,
                indicators=sorted(set(indicators)),
                le_narrative=le_narrative,
                task_force=task_force,
                opened_on=opened,
                lead_agency=lead_agency,
                created_by=actor,
                submission_key=key,
            )
            _grant_to_agency(case, lead_agency, selectors.CASE_PERMISSIONS)
            audit_record(action="cases.case.created", actor=actor, request=request, target=case)
        return case

    return create_once(Case, actor=actor, key=submission_key, create=create)


@dataclass(frozen=True)
class StatusChange:
    """One way a case's status moves: its words on the page and the permission it takes."""

    label: "StrOrPromise"
    permission: str


# The status changes, in the order the case page offers them: the lead's people who manage the case move it along;
# closing and reopening are a supervisor's (docs/architecture.md §4.3). The case's transitions (``Case.close`` ...)
# decide from which status each one leaves.
STATUS_CHANGES: dict[str, StatusChange] = {
    "start_investigation": StatusChange(gettext_lazy("Start the investigation"), selectors.MANAGE),
    "start_prosecution": StatusChange(gettext_lazy("Move to prosecution"), selectors.MANAGE),
    "close": StatusChange(gettext_lazy("Close the case"), selectors.DECIDE),
    "reopen": StatusChange(gettext_lazy("Reopen the case"), selectors.DECIDE),
}


def case_status_changes_for(access: selectors.CaseAccess) -> list[tuple[str, "StrOrPromise"]]:
    """The status changes the holder of ``access`` may make now: those the case's status allows and their
    permission covers. The case page offers these and ``case_transition`` refuses any other."""
    return [
        (name, change.label)
        for name, change in STATUS_CHANGES.items()
        if access.allows(change.permission) and can_proceed(getattr(access.case, name))
    ]


def case_transition(
    *, case: Case, transition: str, actor: User, reason: str = "", request: HttpRequest | None = None
) -> Case:
    """Move a case along its status transitions (``STATUS_CHANGES``); closing needs a reason."""
    change = STATUS_CHANGES.get(transition)
    if change is None:
        raise ValidationError(_("Unknown status change."))
    selectors.case_get_for_user(actor, case.pk, change.permission)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        previous = case.status
        method = getattr(case, transition)
        if transition == "close":
            if reason not in Case.ClosedReason.values:
                raise ValidationError({"reason": _("Say why the case is closed.")})
            method(reason=reason)
        else:
            method()
        case.version += 1
        case.save()
        audit_record(
            action="cases.case.status_changed",
            actor=actor,
            request=request,
            target=case,
            details={"from": previous, "to": case.status},
        )
    return case


EDITABLE_CASE_FIELDS = (
    "title",
    "case_type",
    "intake_channel",
    "summary",
    "jurisdiction",
    "indicators",
    "le_narrative",
    "task_force",
)


class StaleEdit(ValidationError):
    """Someone saved the case since the form was opened: nothing is overwritten."""

    def __init__(self, changed_fields: list[str], changed_by: str, changed_at: datetime) -> None:
        self.changed_fields = changed_fields
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(
            _(
                "%(who)s changed this case at %(when)s (%(fields)s) while you were editing it. Nothing was saved: "
                "check their changes below, then make yours again."
            )
            % {
                "who": changed_by or _("Someone"),
                "when": f"{changed_at:%Y-%m-%d %H:%M}",
                "fields": ", ".join(changed_fields),
            },
            code="stale",
        )


def case_update(*, case: Case, version: int, actor: User, request: HttpRequest | None = None, **changes: Any) -> Case:
    """Save an edit made on ``version`` of the case; refuse it if the case changed since. Editing the
    law-enforcement-sensitive narrative needs that permission."""
    unknown = set(changes) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    if "le_narrative" in changes and not access.may_see_le:
        changes.pop("le_narrative")
    if not access.manages:
        changes.pop("task_force", None)  # the task force decides the audience: the lead's to change
    task_force = changes.get("task_force")
    if task_force is not None and not task_force.agencies.filter(pk=access.case.lead_agency_id).exists():
        raise ValidationError({"task_force": _("The lead agency is not a member of this task force.")})
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.version != version:
            last = (
                AuditEvent.objects.filter(
                    action__in=["cases.case.updated", "cases.case.status_changed"],
                    object_type="cases.case",
                    object_id=str(case.pk),
                )
                .order_by("-occurred_at", "-id")
                .first()
            )
            fields = last.details.get("fields", ["status"]) if last else []
            if not access.may_see_le:
                fields = [name for name in fields if name != "le_narrative"]
            raise StaleEdit(
                changed_fields=fields,
                changed_by=last.actor_email if last else "",
                changed_at=last.occurred_at if last else current.updated_at,
            )
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, changes[name])
        current.version += 1
        current.save()
        audit_record(
            action="cases.case.updated", actor=actor, request=request, target=current, details={"fields": changed}
        )
    return current


def case_assign(*, case: Case, users: Iterable[User], actor: User, request: HttpRequest | None = None) -> None:
    """Set who works the case (a supervisor's decision): people of the lead agency whose role allows case work."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.DECIDE)
    users = list(users)
    outsiders = [user for user in users if user.agency is None or user.agency.pk != case.lead_agency_id]
    if outsiders:
        raise ValidationError({"assigned_to": _("Only people of the lead agency are assigned to its case.")})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        case.assigned_to.set(users)
        audit_record(
            action="cases.case.assigned",
            actor=actor,
            request=request,
            target=case,
            details={"user_ids": sorted(user.pk for user in users)},
        )
