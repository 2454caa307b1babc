"""Who sees which case, and which of its fields: the one place that decides (docs/architecture.md §4.7-4.8).

A user may do X to a case when
1. their role allows X at all (a model permission on their role group: ``user.has_perm("cases.X")``),
2. their agency (through its group) or they themselves hold the object permission X on the case (guardian rows
   that ``cases.services`` derive from the lead agency and from ``CaseShare``), and no share of theirs has expired;
3. for PII that a victim service provider entered: their agency is that provider, or an active ``Consent`` of the
   person names their agency and the category.

Every page, list, count, search, export, file and packet asks here. Outside a case's audience: 404. Inside it but
without the finer permission: 403.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from agencies.auth import permission_ids, viewer_key
from agencies.models import Agency, User
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseParticipant,
    CaseShare,
    CaseUserObjectPermission,
    Consent,
    Person,
)
from portal.compiled import Memo
from portal.models import AuditEvent

# The permissions, by codename: a role holds them at all (``cases.<codename>`` on its group); the first four are
# also held per case (guardian rows), and ``MANAGE`` and ``DECIDE`` are derived per case by ``case_permissions``.
VIEW, CHANGE, VIEW_PII, VIEW_LE = "view_case", "change_case", "view_case_pii", "view_le_sensitive"
CASE_PERMISSIONS = (VIEW, CHANGE, VIEW_PII, VIEW_LE)
# Who decides who else sees the case, who works it and whether it is closed: people of the lead agency who may
# change it. A partner that collaborates (may change the case) does not control it.
MANAGE = "manage_case"
# Preparing a packet for a task force's case-coordination meeting: the coordinator's role (docs/architecture.md §4.3).
PREPARE_MEETING = "prepare_meeting_packet"
# What only a supervisor of the lead agency does: approve a share, assign the case, close or reopen it
# (docs/architecture.md §4.3).
DECIDE = "decide_case"
OPEN = "add_case"
RECORD_CONSENT = "record_consent"


def _role_allows(user: User, codename: str) -> bool:
    return user.is_active and user.has_perm(f"cases.{codename}")


# --- Role rights: what a person's role allows at all, one named check each. The page, the navigation and the service
# that acts on a right all ask the same function.


def can_read_cases(user: User) -> bool:
    """Whether ``user``'s role works with cases at all (which ones: ``case_list_visible_to``)."""
    return _role_allows(user, VIEW)


def can_work_cases(user: User) -> bool:
    """Whether ``user``'s role changes cases (which ones: those whose ``change_case`` they hold): a caseworker's or
    supervisor's, not provider staff's."""
    return _role_allows(user, CHANGE)


def can_open_cases(user: User) -> bool:
    """Whether ``user`` may open a case: their role allows it, and they have an agency to lead it."""
    return user.agency is not None and _role_allows(user, OPEN)


def can_find_people(user: User) -> bool:
    """Whether ``user``'s role may look for a person by name across cases (whom they find: ``person_search_for``)."""
    return _role_allows(user, VIEW_PII)


def can_prepare_meeting_packets(user: User) -> bool:
    """Whether ``user``'s role prepares packets for case-coordination meetings (docs/architecture.md §4.3), with an
    agency whose task forces they are for (which: ``meeting_task_forces_of``)."""
    return user.agency is not None and _role_allows(user, PREPARE_MEETING) and _role_allows(user, VIEW)


def can_record_consents(user: User) -> bool:
    """Whether ``user`` records their clients' consents at all: staff of a victim service provider whose role allows
    it (docs/architecture.md §4.6). Whose consents: ``can_record_consent``."""
    agency = user.agency
    return agency is not None and agency.is_victim_service_provider and _role_allows(user, RECORD_CONSENT)


def can_record_consent(user: User, person: Person) -> bool:
    """Whether ``user`` records (and revokes) ``person``'s consents: only the victim service provider that entered
    them, which holds their information."""
    return can_record_consents(user) and person.entered_by_agency_id == getattr(user.agency, "pk", None)


def can_revoke_consent(user: User, consent: Consent) -> bool:
    """Whether ``user`` revokes ``consent``: their agency recorded it and their role records consents. Withdrawing
    a release protects the victim, so it does not wait on anything else (the agency's kind changing, say)."""
    return consent.holder_agency_id == getattr(user.agency, "pk", None) and _role_allows(user, RECORD_CONSENT)


def permission_id(codename: str, user: User | None = None) -> Value | Subquery:
    """The id of the ``cases.<codename>`` permission, as the grant rows name it.

    When ``user``'s role holds it, the id read with the person's permissions (``agencies.auth.permission_ids``:
    the query that answered ``user.has_perm`` also read the ids, and they live as long as that answer, one
    request), passed as a value: the query then looks the grants up by it in their indexes, as hand-written SQL
    would. Otherwise a scalar subquery that the database evaluates once per query (PostgreSQL's InitPlan; SQLite a
    constant). Never matched by codename in a join, which SQLite (no statistics until ANALYZE) planned as a scan of
    all grants, and never an id cached in the process: permissions are rebuilt with new ids by a flush or a reload
    of the database under running processes (the tests' two gunicorns saw it), and a stale id could name another
    permission."""
    if user is not None:
        known = permission_ids(user).get(f"cases.{codename}")
        if known is not None:
            return Value(known)
    return Subquery(
        Permission.objects.filter(content_type__app_label="cases", codename=codename).order_by().values("pk")[:1]
    )


@dataclass(frozen=True)
class _Grants:
    """Where ``user``'s ``codename`` on a case comes from: their own rows, their agency's group's rows, and the
    agency's expired shares, which void the agency's rows until the job that revokes them has run. The one
    statement of "holds X on a case"; ``_held`` and ``_held_here`` are its two shapes for a person,
    ``cases_held_by_agency`` the agency's half alone."""

    by_user: QuerySet[CaseUserObjectPermission]
    by_agency: QuerySet[CaseGroupObjectPermission] | None
    expired: QuerySet[CaseShare] | None

    @classmethod
    def of(cls, user: User, codename: str) -> "_Grants":
        permission = permission_id(codename, user)
        by_user = CaseUserObjectPermission.objects.filter(user_id=user.pk, permission_id=permission)
        agency = user.agency
        if agency is None:
            return cls(by_user, None, None)
        return cls(by_user, *cls.of_agency(agency, permission))

    @staticmethod
    def of_agency(
        agency: Agency, permission: Value | Subquery
    ) -> tuple[QuerySet[CaseGroupObjectPermission], QuerySet[CaseShare]]:
        """The agency's half: its group's rows of ``permission`` (an id, ``permission_id``) and its expired
        shares."""
        by_agency = CaseGroupObjectPermission.objects.filter(group_id=agency.group_id, permission_id=permission)
        expired = CaseShare.objects.filter(
            agency_id=agency.pk, status=CaseShare.Status.ACTIVE, expires_on__lte=timezone.localdate()
        )
        return by_agency, expired


def _agency_held_case_ids(
    by_agency: QuerySet[CaseGroupObjectPermission], expired: QuerySet[CaseShare]
) -> QuerySet[Any]:
    """The ids of the cases an agency's rows name, less those its expired shares void."""
    return by_agency.exclude(content_object_id__in=expired.values("case_id")).values("content_object_id")


def _held(user: User, codename: str, case_ref: str = "pk") -> Q:
    """Rows whose case (``case_ref``: ``"pk"`` in a query of cases, ``"case_id"`` in one of rows that point at a
    case) ``user`` or their agency holds ``codename`` on, with no expired share of their agency.

    One semi-join driven by the grant rows: ``case IN (user's grants UNION ALL agency's grants EXCEPT expired)``.
    Its cost follows how many cases the person sees, not how many exist: the database reads the person's grants
    through the (user|group, permission, case) indexes, then fetches those cases by primary key. (An OR of
    correlated EXISTS made it walk every case and probe each: 160 ms for a person who sees ten of 500,000.)"""
    sql, params = _HELD_SQL.get(
        (viewer_key(user), codename), lambda: _held_case_ids(user, codename).query.sql_with_params()
    )
    return Q(**{f"{case_ref}__in": RawSQL(sql, params)})  # noqa: S611  (compiled by the ORM, above)


# ``_held``'s subquery as compiled for a person (portal/compiled.py): every page asks it, and compiling it cost more
# than the database spent on it. ``_Grants.of`` reads nothing of the person that ``viewer_key`` does not hold.
_HELD_SQL = Memo()


def _held_case_ids(user: User, codename: str) -> QuerySet[Any]:
    grants = _Grants.of(user, codename)
    by_user = grants.by_user.values("content_object_id")
    if grants.by_agency is None or grants.expired is None:
        return by_user
    return by_user.union(_agency_held_case_ids(grants.by_agency, grants.expired), all=True)


def case_ids_visible_to(user: User) -> QuerySet[Any]:
    """The ids of the cases ``user`` may open, as a subquery for rows that point at a case (a referral's, say):
    ``case_list_visible_to`` without reading the cases themselves."""
    if not _role_allows(user, VIEW):
        return Case.objects.none().values("pk")
    return _held_case_ids(user, VIEW)


def cases_held(user: User, codename: str, case_ref: str = "pk", *, per_row: bool = False) -> Q:
    """Rows whose case (``case_ref``) ``user`` may ``codename``: their role allows it and they or their agency hold it
    (``_held``, compiled once per person). For the apps above cases that count or list rows of many cases (a
    dashboard, a relief queue) without reading the cases.

    ``per_row`` asks it of each row (correlated ``EXISTS``, ``_held_here``) rather than as ``IN`` the set held: for
    a condition under an ``OR`` of rows already narrowed to the reader's cases, where PostgreSQL would otherwise
    give up the outer query's index and read the whole table to test each row against the set."""
    if not _role_allows(user, codename):
        return Q(pk__in=[])
    return _held_here(user, codename, case_ref) if per_row else _held(user, codename, case_ref)


def cases_held_by_agency(agency: Agency, codename: str, case_ref: str = "pk") -> Q:
    """Rows whose case (``case_ref``) ``agency`` itself holds ``codename`` on: its group's rows (those of the cases it
    leads, and of its active shares at a level that grants ``codename``), less those of its shares that have
    expired. The agency-level form of ``cases_held``, with no person's role or own rows: for what an agency answers
    for as a whole (its quarterly report's arrests and charges count only cases it holds ``view_le_sensitive``
    on)."""
    by_agency, expired = _Grants.of_agency(agency, permission_id(codename))
    return Q(**{f"{case_ref}__in": _agency_held_case_ids(by_agency, expired)})


def case_permissions_many(user: User, case_ids: set[int]) -> dict[int, frozenset[str]]:
    """``case_permissions`` of several cases in one query (the four grants; ``MANAGE`` and ``DECIDE`` left out)."""
    allowed = [codename for codename in CASE_PERMISSIONS if _role_allows(user, codename)]
    if not case_ids or not allowed:
        return {}
    cases = Case.objects.filter(pk__in=case_ids).annotate(**{codename: _exists(user, codename) for codename in allowed})
    rows: list[dict[str, Any]] = list(cases.values("pk", *allowed))
    return {row["pk"]: frozenset(codename for codename in allowed if row[codename]) for row in rows}


def _held_here(user: User, codename: str, case_ref: str = "pk") -> Q:
    """``_held`` for one row at a time (correlated EXISTS on the row's case): cheaper where the outer query is
    already narrowed to one case or a few, as on a case's own page."""
    grants = _Grants.of(user, codename)
    held = Q(Exists(grants.by_user.filter(content_object_id=OuterRef(case_ref))))
    if grants.by_agency is not None and grants.expired is not None:
        held |= Q(Exists(grants.by_agency.filter(content_object_id=OuterRef(case_ref)))) & ~Q(
            Exists(grants.expired.filter(case_id=OuterRef(case_ref)))
        )
    return held


def case_list_visible_to(user: User) -> QuerySet[Case]:
    """The cases ``user`` may open: a semi-join on their grant rows (``_held``), never a list of ids."""
    if not _role_allows(user, VIEW):
        return Case.objects.none()
    return Case.objects.filter(_held(user, VIEW)).select_related("lead_agency", "task_force")


def case_list_workable_by(user: User) -> QuerySet[Case]:
    """The cases ``user`` may change (work): ``case_list_visible_to`` narrowed to the ``change_case`` they hold."""
    if not _role_allows(user, CHANGE):
        return Case.objects.none()
    return case_list_visible_to(user).filter(_held(user, CHANGE))


def case_permissions(user: User, case: Case) -> frozenset[str]:
    """What ``user`` may do to ``case`` (a subset of ``CASE_PERMISSIONS``). Two queries for one case."""
    allowed = {codename for codename in CASE_PERMISSIONS if _role_allows(user, codename)}
    if not allowed:
        return frozenset()
    rows = Case.objects.filter(pk=case.pk).values(**{codename: _exists(user, codename) for codename in allowed})
    held = rows.first() or {}
    granted = {codename for codename in allowed if held.get(codename)}
    if CHANGE in granted and user.agency is not None and user.agency.pk == case.lead_agency_id:
        granted.add(MANAGE)
        if _role_allows(user, DECIDE):
            granted.add(DECIDE)
    return frozenset(granted)


def _exists(user: User, codename: str) -> ExpressionWrapper:
    return ExpressionWrapper(_held_here(user, codename), output_field=BooleanField())


@dataclass(frozen=True)
class CaseAccess:
    """One person's access to one case, as ``case_access_for_user`` found it: the case, and what they may do to it
    (a subset of ``CASE_PERMISSIONS`` plus ``MANAGE`` and ``DECIDE``)."""

    case: Case
    permissions: frozenset[str]

    def allows(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def may_change(self) -> bool:
        return CHANGE in self.permissions

    @property
    def may_see_pii(self) -> bool:
        return VIEW_PII in self.permissions

    @property
    def may_see_le(self) -> bool:
        return VIEW_LE in self.permissions

    @property
    def manages(self) -> bool:
        """Of the lead agency and may change the case: decides who else sees it and who works it."""
        return MANAGE in self.permissions

    @property
    def decides(self) -> bool:
        """A supervisor of the lead agency: approves shares, assigns, closes and reopens."""
        return DECIDE in self.permissions

    def may_end_share(self, share: CaseShare) -> bool:
        """Whether the holder may stop ``share``: anyone who manages the case withdraws a request still awaiting
        approval, but a share a supervisor approved is a supervisor's to end. The case page offers "Stop sharing"
        and ``case_share_revoke`` acts by this one rule."""
        return self.manages and (share.approved_by_id is None or self.decides)


def case_access_for_user(user: User, pk: int, perm: str = VIEW) -> CaseAccess:
    """The case and ``user``'s access to it, if they may ``perm`` it: 404 outside its audience, 403 without the
    finer permission."""
    case = case_list_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    access = CaseAccess(case, case_permissions(user, case))
    if not access.allows(perm):
        raise PermissionDenied
    return access


def case_get_for_user(user: User, pk: int, perm: str = VIEW) -> Case:
    """The case, if ``user`` may ``perm`` it (``case_access_for_user`` without the rest of the answer)."""
    return case_access_for_user(user, pk, perm).case


def share_candidates(case: Case) -> QuerySet[Agency]:
    """The agencies the lead may let see ``case``: active ones other than the lead, and, for a task force's case,
    only that task force's members. The one statement of the boundary: the Share form, "ask an agency to join"
    (and its re-routing) offer these, and ``case_share_grant`` refuses any other."""
    agencies = Agency.objects.filter(is_active=True).exclude(pk=case.lead_agency_id)
    if case.task_force_id is not None:
        agencies = agencies.filter(task_forces=case.task_force_id)
    return agencies.order_by("name")


def shares_of(case: Case) -> QuerySet[CaseShare]:
    return case.shares.filter(status__in=[CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE]).select_related(
        "agency", "granted_by", "approved_by"
    )


def case_activity(
    case: Case, permissions: frozenset[str], limit: int = 25, *, withheld_referrals: frozenset[int] = frozenset()
) -> QuerySet[AuditEvent]:
    """The newest events about the case (views, changes, shares, downloads), for those who may change it. Without
    ``view_le_sensitive``, nothing about a suspect: not their being added, not a read of their details. Nothing
    left by a referral withheld from the reader (``CaseDossier.withheld_referrals``): the services it recorded."""
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    if withheld_referrals:
        events = events.exclude(
            pk__in=events.filter(
                action__startswith="cases.service_event.", details__referral_id__in=sorted(withheld_referrals)
            ).values("pk")
        )
    if VIEW_LE not in permissions:
        suspects = list(case.participants.filter(role=CaseParticipant.Role.SUSPECT).values_list("person_id", flat=True))
        about_suspects = events.filter(
            Q(action="cases.participant.added", details__role=CaseParticipant.Role.SUSPECT)
            | Q(details__person_id__in=suspects)
        )
        # By id (a subquery), not ``exclude`` on a JSON key: events without the key must stay.
        events = events.exclude(pk__in=about_suspects.values("pk"))
    return events.select_related("actor").order_by("-occurred_at", "-id")[:limit]


def case_assignable_people(case: Case) -> QuerySet[User]:
    """Who may be assigned to ``case``: active people of its lead agency whose role works cases."""
    return User.objects.filter(
        is_active=True, _membership__agency_id=case.lead_agency_id, groups__permissions__codename=CHANGE
    ).distinct()
