"""Who may see the dashboard and the outreach events, and which agencies and task forces they may filter by.

The counts themselves read every app through its own selectors (``reports.sections``); this module only says
who comes in and what the filters offer. Rights are by role (the roles' table, ``agencies.roles``, is below this
app and names no permission of it)."""

from django.db.models import Q, QuerySet

from agencies.models import Agency, Role, TaskForce, TaskForceMember, User
from reports.models import OutreachEvent

# Those who work or watch cases and referrals: the dashboard counts their work. Agency admins manage people (no
# case content), provider staff answer referrals, intake triages tips and auditors read the trail: none of them
# would see more than a page of zeros, and the counts are case content.
DASHBOARD_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.COORDINATOR})
OUTREACH_RECORDERS = DASHBOARD_ROLES
OUTREACH_READERS = DASHBOARD_ROLES | {Role.AUDITOR}


def _role_in(user: User, roles: frozenset[str]) -> bool:
    return user.is_active and user.agency is not None and user.role in roles


def can_view_dashboard(user: User) -> bool:
    return _role_in(user, DASHBOARD_ROLES)


def can_record_outreach(user: User) -> bool:
    """Whether ``user`` records their agency's outreach and training events (only their own agency's)."""
    return _role_in(user, OUTREACH_RECORDERS)


def can_read_outreach(user: User) -> bool:
    """Whether ``user`` reads the list of their agency's outreach events (auditors too)."""
    return _role_in(user, OUTREACH_READERS)


def outreach_events_of_agency(user: User) -> QuerySet[OutreachEvent]:
    """The events of ``user``'s agency, newest first: the list page's."""
    if not can_read_outreach(user) or user.agency is None:
        return OutreachEvent.objects.none()
    return OutreachEvent.objects.filter(agency=user.agency.pk).select_related("recorded_by").order_by("-held_on", "-id")


def task_forces_of(user: User) -> QuerySet[TaskForce]:
    """The task forces ``user``'s agency belongs to: the dashboard's task-force filter."""
    if user.agency is None:
        return TaskForce.objects.none()
    return TaskForce.objects.filter(agencies=user.agency.pk).order_by("name")


def _in_view(user: User, field: str = "pk") -> Q:
    """Rows whose agency (``field``) is ``user``'s or a member of one of its task forces: one semi-join."""
    assert user.agency is not None
    partners = TaskForceMember.objects.filter(
        task_force__in=TaskForceMember.objects.filter(agency=user.agency.pk).values("task_force_id")
    ).values("agency_id")
    return Q(**{f"{field}__in": partners}) | Q(**{field: user.agency.pk})


def agencies_in_view(user: User) -> QuerySet[Agency]:
    """``user``'s agency and the members of its task forces: the agencies the dashboard's filter offers and whose
    outreach events it counts (prevention work names nobody; a task force counts its members' together)."""
    if user.agency is None:
        return Agency.objects.none()
    return Agency.objects.filter(_in_view(user)).order_by("name")


def outreach_events_visible_to(user: User) -> QuerySet[OutreachEvent]:
    """The events the dashboard counts for ``user``: those of the agencies in their view (``agencies_in_view``)."""
    if not can_view_dashboard(user) or user.agency is None:
        return OutreachEvent.objects.none()
    return OutreachEvent.objects.filter(_in_view(user, "agency_id"))
