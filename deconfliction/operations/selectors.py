"""Who may plan operations and settle their conflicts, and what each reader sees of them (docs/decisions/0031).

- A **planner** (a caseworker or supervisor of a law-enforcement agency: ``can_plan_operations``) reads their own
  agency's operations in full, and of a conflict only the other side's contact (``ConflictSide``).
- A **coordinator** (``can_resolve_conflicts``) reads the conflicts between agencies of the task forces their
  office belongs to, each side as a contact only, and settles them. They never open an operation.
- Everybody else: nothing; every page answers 404.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, TaskForce, TaskForceMember, User
from agencies.roles import roles_with
from cases import selectors as case_selectors
from cases.models import Case
from deconfliction.operations.models import Operation, OperationConflict, OperationNotice

PLAN = "deconfliction.plan_operation"
RESOLVE = "deconfliction.resolve_operationconflict"
# A supervisor (who decides cases) changes any of the agency's operations; a caseworker those they created or are
# the case agent of.
DECIDE = "cases.decide_case"


def can_plan_operations(user: User) -> bool:
    """Whether ``user`` plans their agency's operations: their role allows it and their agency is law enforcement
    (a victim service provider, a coordination office or another government office never does)."""
    agency = getattr(user, "agency", None)
    return user.is_active and agency is not None and agency.is_law_enforcement and user.has_perm(PLAN)


def can_resolve_conflicts(user: User) -> bool:
    """Whether ``user`` watches and settles their task forces' operation conflicts (a coordinator)."""
    return user.is_active and getattr(user, "agency", None) is not None and user.has_perm(RESOLVE)


def may_edit(user: User, operation: Operation) -> bool:
    """Whether ``user`` holds the right to change ``operation``, whatever its status: a planner of its agency who
    created it or is its case agent, or a supervisor of that agency."""
    agency = getattr(user, "agency", None)
    return (
        can_plan_operations(user)
        and agency is not None
        and operation.agency_id == agency.pk
        and (user.pk in (operation.created_by_id, operation.case_agent_id) or user.has_perm(DECIDE))
    )


def may_change(user: User, operation: Operation) -> bool:
    """Whether ``user`` may edit, cancel or close ``operation`` now: it is still planned and ``may_edit``."""
    return operation.status == Operation.Status.PLANNED and may_edit(user, operation)


# --- Operations: one's own agency's only ----------------------------------------------------------------------------

_OPERATION_RELATED = ("agency", "case", "case_agent")


def operation_list_for(user: User) -> QuerySet[Operation]:
    if not can_plan_operations(user):
        return Operation.objects.none()
    return Operation.objects.filter(agency=user.agency.pk).select_related(*_OPERATION_RELATED)  # type: ignore[union-attr]


def operations_upcoming(user: User, now: datetime | None = None) -> QuerySet[Operation]:
    """The agency's operations not yet over, soonest first."""
    return operation_list_for(user).filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "id")


def operations_past(user: User, now: datetime | None = None) -> QuerySet[Operation]:
    """The agency's operations over, the latest first."""
    return operation_list_for(user).filter(ends_at__lte=now or timezone.now()).order_by("-starts_at", "-id")


def operation_get_for_user(user: User, pk: int) -> Operation:
    """One of the reader's agency's operations; 404 for anyone else (no hint that it exists)."""
    operation = operation_list_for(user).filter(pk=pk).first()
    if operation is None:
        raise Http404
    return operation


def case_agents_for(user: User) -> QuerySet[User]:
    """Who may be an operation's case agent: the active people of the planner's agency whose role plans
    operations (a short list: one agency's people)."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, _membership__agency=agency.pk, _membership__role__in=roles_with(PLAN)
    ).order_by("full_name", "pk")


def workable_case(user: User, number: str) -> Case | None:
    """The case numbered ``number`` if ``user`` may work it (``cases.selectors.case_list_workable_by``)."""
    return case_selectors.case_list_workable_by(user).filter(number=number.strip().upper()).first()


# --- Conflicts: what each side and the coordinators see ----------------------------------------------------------


@dataclass(frozen=True)
class ConflictSide:
    """All that is disclosed of an operation outside its agency: whom to call."""

    name: str
    agency: str
    phone: str

    @classmethod
    def of(cls, operation: Operation) -> "ConflictSide":
        return cls(name=operation.case_agent.full_name, agency=str(operation.agency), phone=operation.phone_24h)


@dataclass(frozen=True)
class ConflictView:
    conflict: OperationConflict
    starts: datetime
    ends: datetime
    mine: Operation | None  # the reader's agency's operation (a planner's view), else None
    sides: tuple[ConflictSide, ...]  # the other side for a planner; both sides for a coordinator
    unread: bool = False


_CONFLICT_RELATED = (
    "first__agency",
    "first__case_agent",
    "second__agency",
    "second__case_agent",
)


def _conflict_q_for_agency(agency_id: int) -> Q:
    return Q(first__agency=agency_id) | Q(second__agency=agency_id)


def conflicts_for_agency(user: User) -> QuerySet[OperationConflict]:
    """The conflicts of the planner's agency's operations, open ones first, then by when they overlap."""
    if not can_plan_operations(user):
        return OperationConflict.objects.none()
    return (
        OperationConflict.objects.filter(_conflict_q_for_agency(user.agency.pk))  # type: ignore[union-attr]
        .select_related(*_CONFLICT_RELATED)
        .order_by("status", "overlap_starts", "id")
    )


def conflicts_of(operation: Operation) -> QuerySet[OperationConflict]:
    """The conflicts of one operation (which its page, read by its own agency, lists)."""
    return (
        OperationConflict.objects.filter(Q(first=operation.pk) | Q(second=operation.pk))
        .select_related(*_CONFLICT_RELATED)
        .order_by("status", "overlap_starts", "id")
    )


def view_for_planner(user: User, conflict: OperationConflict, unread: frozenset[int] = frozenset()) -> ConflictView:
    agency_id = user.agency.pk  # type: ignore[union-attr]
    mine, theirs = (
        (conflict.first, conflict.second)
        if conflict.first.agency_id == agency_id
        else (conflict.second, conflict.first)
    )
    return ConflictView(
        conflict=conflict,
        starts=conflict.overlap_starts,
        ends=conflict.overlap_ends,
        mine=mine,
        sides=(ConflictSide.of(theirs),),
        unread=conflict.pk in unread,
    )


def view_for_coordinator(conflict: OperationConflict) -> ConflictView:
    return ConflictView(
        conflict=conflict,
        starts=conflict.overlap_starts,
        ends=conflict.overlap_ends,
        mine=None,
        sides=(ConflictSide.of(conflict.first), ConflictSide.of(conflict.second)),
    )


def coordinated_task_force_ids(user: User) -> QuerySet[Any]:
    """The task forces whose conflicts a coordinator watches: those their office belongs to."""
    if not can_resolve_conflicts(user):
        return TaskForceMember.objects.none().values("task_force_id")
    return TaskForceMember.objects.filter(agency=user.agency.pk).values("task_force_id")  # type: ignore[union-attr]


def _shared_by_both(task_forces: QuerySet[Any]) -> Exists:
    """A task force among ``task_forces`` of which both operations' agencies are members."""
    return Exists(
        TaskForce.objects.filter(pk__in=task_forces)
        .filter(members__agency=OuterRef("first__agency"))
        .filter(members__agency=OuterRef("second__agency"))
    )


def conflicts_coordinated_by(user: User) -> QuerySet[OperationConflict]:
    """The conflicts between two agencies of a task force the coordinator's office belongs to."""
    if not can_resolve_conflicts(user):
        return OperationConflict.objects.none()
    return OperationConflict.objects.filter(_shared_by_both(coordinated_task_force_ids(user))).select_related(
        *_CONFLICT_RELATED
    )


def open_conflicts_coordinated_by(user: User) -> QuerySet[OperationConflict]:
    return conflicts_coordinated_by(user).filter(status=OperationConflict.Status.OPEN).order_by("overlap_starts", "id")


def conflict_get_for_coordinator(user: User, pk: int) -> OperationConflict:
    conflict = conflicts_coordinated_by(user).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    return conflict


def shared_task_force_ids(first: Agency | int, second: Agency | int) -> QuerySet[Any]:
    """The task forces both agencies belong to."""
    first_id = first if isinstance(first, int) else first.pk
    second_id = second if isinstance(second, int) else second.pk
    return (
        TaskForceMember.objects.filter(agency=first_id)
        .filter(task_force__in=TaskForceMember.objects.filter(agency=second_id).values("task_force_id"))
        .values("task_force_id")
    )


def partner_agency_ids(agency: Agency | int) -> QuerySet[Any]:
    """The agencies that share a task force with ``agency`` (itself included): whose operations it is compared
    with."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    return TaskForceMember.objects.filter(
        task_force__in=TaskForceMember.objects.filter(agency=agency_id).values("task_force_id"),
        agency__is_active=True,  # a deactivated agency's operations conflict with no one's
    ).values("agency_id")


def reachable(users: QuerySet[User]) -> QuerySet[User]:
    """Those of ``users`` who may still be told: active people of active agencies."""
    return users.filter(is_active=True, _membership__agency__is_active=True)


def operation_recipients(operation: Operation) -> list[User]:
    """Who of the planning agency is told of ``operation``'s conflict: its case agent; if they may no longer be told
    (deactivated, or now of another agency), whoever planned it; else the agency's supervisors (nobody when the agency
    itself is deactivated)."""
    for candidate in (operation.case_agent_id, operation.created_by_id):
        user = reachable(User.objects.filter(pk=candidate, _membership__agency=operation.agency_id)).first()
        if user is not None:
            return [user]
    return list(
        reachable(
            User.objects.filter(_membership__agency=operation.agency_id, _membership__role__in=roles_with(DECIDE))
        ).order_by("pk")
    )


def coordinators_of(conflict: OperationConflict) -> QuerySet[User]:
    """Who settles ``conflict``: the coordinators of a task force both agencies belong to (``conflicts_coordinated_by``
    read the other way)."""
    shared = shared_task_force_ids(conflict.first.agency_id, conflict.second.agency_id)
    return (
        reachable(
            User.objects.filter(
                _membership__role__in=roles_with(RESOLVE),
                _membership__agency__task_force_memberships__task_force__in=shared,
            )
        )
        .distinct()
        .order_by("pk")
    )


def unread_conflict_ids(user: User) -> frozenset[int]:
    return frozenset(
        OperationNotice.objects.filter(user=user.pk, read_at__isnull=True).values_list("conflict_id", flat=True)
    )


def unread_notice_count(user: User) -> int:
    return OperationNotice.objects.filter(user=user.pk, read_at__isnull=True).count()
