"""Who may see and act on a referral, and what its recipient sees of the person: the one place these are decided.

A person stands on a referral's side through their agency and role:
- **sender**: the sending agency's people who may refer (``referrals.add_referral``);
- **recipient**: the receiving agency's people who answer referrals (``referrals.respond_referral``), when that
  agency works in the portal; a provider outside the portal answers by e-mail or phone, and the sender records
  its answers (``on behalf``);
- **coordinator**: coordinators (``referrals.coordinate_referral``) of a task force the sending agency belongs to.
Anyone else gets a 404.
"""

import operator
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.http import Http404

from agencies.auth import viewer_key
from agencies.models import User
from cases import selectors as case_selectors
from cases.models import Case, CaseNotice, CaseParticipant, Consent, Need, Person
from cases.presenters import person_label
from cases.selectors.work import case_notices_of
from portal.compiled import Memo
from referrals.models import Notification, Referral, ReferralQuerySet
from referrals.steps import COORDINATOR, RECIPIENT, SENDER, STEPS

SEND = "referrals.add_referral"
RESPOND = "referrals.respond_referral"
COORDINATE = "referrals.coordinate_referral"


def can_send_referrals(user: User) -> bool:
    """Whether ``user``'s role sends referrals (for which cases: those they work, ``case_access_for_user``)."""
    return user.has_perm(SEND)


def can_answer_referrals(user: User) -> bool:
    """Whether ``user``'s role answers the referrals sent to their agency (which: ``sides_of``)."""
    return user.has_perm(RESPOND)


def can_coordinate_referrals(user: User) -> bool:
    """Whether ``user``'s role routes their task forces' referrals (which: ``coordinated_task_force_ids``)."""
    return user.has_perm(COORDINATE)


def coordinated_task_force_ids(user: User) -> frozenset[int]:
    """The task forces whose referrals a coordinator watches: those their coordination office belongs to. A
    referral belongs to its case's task force (not to every task force its sending agency is in)."""
    agency = getattr(user, "agency", None)
    if agency is None or not can_coordinate_referrals(user):
        return frozenset()
    return frozenset(agency.task_forces.values_list("pk", flat=True))


def coordinators_of(referral: Referral) -> QuerySet[User]:
    """The people ``coordinated_task_force_ids`` puts on a referral's coordinator side: the same rule, read the
    other way (who is told when it expires or is re-routed)."""
    from agencies.roles import roles_with

    task_force_id = referral.case.task_force_id
    if task_force_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, _membership__role__in=roles_with(COORDINATE), _membership__agency__task_forces=task_force_id
    ).distinct()


def _side_rules(user: User, task_forces: frozenset[int] | None = None) -> dict[str, Q]:
    """The one statement of who stands on which side of a referral, as a condition on referrals per side: the lists
    (``referral_list_visible_to``, ``referral_inbox_for``) filter by them and a referral's sides (``sides_of``, and
    so its page) are read by them, so that a list never shows a referral its page would refuse (issue 13: the
    provider staff's inbox and the referral's page once said it twice, in two languages, and could drift apart).

    - The sender's side needs the case still in view: a share revoked since takes the referral away too.
    - The recipient's side: an agency that works in the portal, once the referral is sent (a draft is the lead's
      to decide); on an interagency referral it needs case work (joining a case is a caseworker's or supervisor's
      decision, not provider staff's).
    - The coordinator's side: the case belongs to a task force they coordinate (``task_forces``, when the caller
      has read them already: ``coordinated_task_force_ids``)."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return {}
    rules: dict[str, Q] = {}
    if can_send_referrals(user) and case_selectors.can_read_cases(user):
        rules[SENDER] = Q(sender_agency=agency.pk, case_id__in=case_selectors.case_ids_visible_to(user))
    if can_answer_referrals(user):
        received = Q(recipient_agency=agency.pk, delivery=Referral.Delivery.PORTAL) & ~Q(status=Referral.Status.DRAFT)
        if not case_selectors.can_work_cases(user):
            received &= Q(kind=Referral.Kind.SERVICE)
        rules[RECIPIENT] = received
    if task_forces is None:
        task_forces = coordinated_task_force_ids(user)
    if task_forces:
        rules[COORDINATOR] = Q(case__task_force_id__in=sorted(task_forces))
    return rules


def _with_sides(referrals: QuerySet[Referral], rules: dict[str, Q]) -> QuerySet[Referral]:
    """``referrals`` with a boolean ``side_<name>`` for each side of ``rules`` (the names are not fields')."""
    return referrals.annotate(
        **{f"side_{side}": ExpressionWrapper(rule, output_field=BooleanField()) for side, rule in rules.items()}
    )


def _sides_read(referral: Referral, rules: dict[str, Q]) -> frozenset[str]:
    return frozenset(side for side in rules if getattr(referral, f"side_{side}", False))


def sides_of(user: User, referral: Referral) -> frozenset[str]:
    """The sides ``user`` stands on, by ``_side_rules`` read on the referral's stored row (one query): what the
    lists show is exactly what this lets open."""
    rules = _side_rules(user)
    if not rules or referral.pk is None:
        return frozenset()
    found = _with_sides(Referral.objects.filter(pk=referral.pk), rules).only("pk").first()
    return frozenset() if found is None else _sides_read(found, rules)


def may(user: User, referral: Referral, verb: str, sides: frozenset[str] | None = None) -> bool:
    """Whether ``user`` may take step ``verb`` (a right, not the state: the transition checks that), by the step's
    ``sides``; the recipient's answers fall to the sender when the recipient is not in the portal.

    On an interagency referral, choosing the agency that joins the case (sending, re-routing, marking it entered in
    error, which withdraws the share) is the lead agency's: its people who manage the case, as for a new share. A
    coordinator may re-route one only as a proposal (``chooses_audience`` says which)."""
    sides = sides_of(user, referral) if sides is None else sides
    step = STEPS[verb]
    allowed = step.sides
    if step.answer and not referral.recipient_works_in_portal:
        allowed = frozenset({SENDER})
    if referral.kind == Referral.Kind.INTERAGENCY and step.chooses_audience:
        if chooses_audience(user, referral, sides):
            return True
        return verb == "reroute" and COORDINATOR in sides
    if verb == "cancel" and referral.is_proposal:  # the lead's to decide, or its proposer's to take back
        return user.pk == referral.proposed_by_id or chooses_audience(user, referral, sides)
    return bool(sides & allowed)


def chooses_audience(user: User, referral: Referral, sides: frozenset[str] | None = None) -> bool:
    """Whether ``user`` decides who sees ``referral``'s case: the sender's side, managing the case (the lead
    agency). Their choice takes effect as a share of theirs would: a caseworker's waits for a supervisor."""
    sides = sides_of(user, referral) if sides is None else sides
    return SENDER in sides and case_selectors.MANAGE in case_selectors.case_permissions(user, referral.case)


def routing_only(sides: frozenset[str]) -> bool:
    """A coordinator who neither sent nor answers the referral sees what routing needs (kind, needs' categories
    and urgency, the person's languages, sex and whether a minor, deadlines, status, who), not the conversation,
    the safety notes, the request's words or any detail of the person."""
    return COORDINATOR in sides and not sides & {SENDER, RECIPIENT}


_LIST_RELATED = (
    "case",
    "sender",
    "sender_agency",
    "recipient_agency",
    "recipient_service",
    "recipient_service__organization",
)


def referral_list_visible_to(user: User, task_forces: frozenset[int] | None = None) -> ReferralQuerySet:
    """The referrals ``user`` stands on a side of (``_side_rules``): those whose page they may open. ``task_forces``:
    those they coordinate, when the caller has read them (``coordinated_task_force_ids``), so that what it built
    and what it keyed that on are one reading (the dashboard's kept queries)."""
    rules = _side_rules(user, task_forces)
    if not rules:
        return Referral.objects.none()
    return Referral.objects.filter(reduce(operator.or_, rules.values())).select_related(*_LIST_RELATED)


def referral_outbox_for(user: User) -> ReferralQuerySet:
    """The referrals ``user``'s agency sent that they stand on the sender's side of."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return Referral.objects.none()
    return referral_list_visible_to(user).filter(sender_agency=agency)


def holds_proposals(referrals: QuerySet[Referral]) -> bool:
    """Whether ``referrals`` hold a draft: a coordinator's proposal awaiting the lead agency, the only draft there
    is (a referral is sent as it is made). A list offers to filter by it only then."""
    return referrals.filter(status=Referral.Status.DRAFT).exists()


def referral_inbox_for(user: User, *, closed: bool = False) -> ReferralQuerySet:
    """The referrals sent to ``user``'s agency that they answer (the recipient's side of ``_side_rules``, nothing
    else): the open ones, most urgent first (the answer-by date soonest, then the oldest; ``id`` is the order they
    were made in and keeps the order stable), or with ``closed`` the closed ones, most recently closed first.

    The conditions and orders are the ones the partial indexes ``referral_inbox_open_idx`` and
    ``referral_inbox_closed_idx`` are built for: a page is a walk of the index that stops after it, whatever the
    agency's history holds (issue 13: the busiest agency's 64,000 referrals were sorted for each page). A referral
    in neither list is a draft, which is not the recipient's yet."""
    rule = _side_rules(user).get(RECIPIENT)
    if rule is None:
        return Referral.objects.none()
    # Each row names the service and the needs asked for: one query for the page's needs, whatever its length.
    referrals = Referral.objects.filter(rule).select_related(*_LIST_RELATED).prefetch_related("needs")
    if closed:
        return referrals.filter(status__in=Referral.CLOSED).order_by("-closed_at", "-id")
    return referrals.filter(status__in=Referral.OPEN).order_by("respond_by", "id")


@dataclass(frozen=True)
class ReferralAccess:
    """One person's access to one referral, as ``referral_access_for_user`` found it: the referral, and the sides
    the viewer stands on (``sides_of``; never empty)."""

    referral: Referral
    sides: frozenset[str]
    viewer: User

    @property
    def is_sender(self) -> bool:
        return SENDER in self.sides

    @property
    def is_recipient(self) -> bool:
        return RECIPIENT in self.sides

    @property
    def routing_only(self) -> bool:
        return routing_only(self.sides)

    def may(self, verb: str) -> bool:
        """Whether the viewer may take step ``verb`` (``may``)."""
        return may(self.viewer, self.referral, verb, self.sides)


def referral_access_for_user(user: User, pk: int) -> ReferralAccess:
    """The referral and ``user``'s sides on it (``_side_rules``, read with the row: one query), or 404 as if it did
    not exist."""
    rules = _side_rules(user)
    referral = (
        _with_sides(Referral.objects.filter(pk=pk), rules)
        .select_related(
            "case", "person", "sender", "sender_agency", "recipient_agency", "recipient_service__organization"
        )
        .first()
        if rules
        else None
    )
    sides = _sides_read(referral, rules) if referral is not None else frozenset()
    if referral is None or not sides:
        raise Http404
    return ReferralAccess(referral, sides, user)


REFER_FROM_SHOWN = 100


def cases_to_refer_from(user: User) -> QuerySet[Case]:
    """The cases ``user`` may refer a person from (``_may_refer``'s case rule: they send referrals and work the
    case), not closed, the most recently opened first, at most ``REFER_FROM_SHOWN`` (a case number finds others)."""
    if not can_send_referrals(user):
        return Case.objects.none()
    return case_selectors.case_list_workable_by(user).exclude(status=Case.Status.CLOSED).order_by("-opened_on", "-id")


@dataclass(frozen=True)
class PersonToRefer:
    """A victim of a case as the referrer may see them, with their unmet needs, those the service offers first."""

    label: str
    view: case_selectors.PersonView
    needs: list[Need]


def people_to_refer(user: User, access: case_selectors.CaseAccess, categories: list[str]) -> list[PersonToRefer]:
    """The victims of ``access.case`` whom ``user`` may refer, each with the unmet needs they may see (a need is
    what a referral asks for), needs in ``categories`` first."""
    people = case_selectors.people_of_case_for(user, access.case, access.permissions)
    unmet = case_selectors.needs_visible_to(user, access.case, access.permissions).filter(status=Need.Status.UNMET)
    by_person: dict[int, list[Need]] = {}
    for need in unmet.order_by("pk"):
        by_person.setdefault(need.person_id, []).append(need)
    return [
        PersonToRefer(
            label=person_label(participant, view),
            view=view,
            needs=sorted(by_person.get(view.pk, []), key=lambda need: need.category not in categories),
        )
        for participant, view in people
        if participant.role == CaseParticipant.Role.VICTIM
    ]


@dataclass(frozen=True)
class Reroute:
    """A re-routing seen from one of its two referrals: the other one (``None`` where the viewer may not open it),
    and the reason given, which the re-routed referral keeps."""

    rerouted_from: Referral | None
    rerouted_to: Referral | None


def reroutes_of(user: User, referral: Referral) -> Reroute:
    """The referral ``referral`` was re-routed from and the one it was re-routed to, each only if ``user`` may open
    it (``referral_list_visible_to``: a provider never learns which other provider was asked). One query."""
    linked = list(
        referral_list_visible_to(user).filter(Q(pk=referral.rerouted_from_id or 0) | Q(rerouted_from_id=referral.pk))[
            :2
        ]
    )
    return Reroute(
        rerouted_from=next((r for r in linked if r.pk == referral.rerouted_from_id), None),
        rerouted_to=next((r for r in linked if r.rerouted_from_id == referral.pk), None),
    )


@dataclass
class Packet:
    """What a viewer sees of the person and the needs. The recipient (and a coordinator) see the needs asked for,
    urgency, languages, whether a minor, and the PII categories an active consent releases to their agency (none:
    the referral goes de-identified); a need's details only through the ``narrative`` category. The sender's side
    sees what the case page shows them, by the case's rules."""

    person: case_selectors.PersonView | None  # None for an interagency referral
    released: frozenset[str]
    needs: list[tuple[Need, str]]  # (need, details or "")


def released_to(agency_id: int | None, person: Person | None, *, on: date | None = None) -> frozenset[str]:
    """The PII categories of ``person`` that an active consent releases to ``agency_id``, whoever holds it."""
    if agency_id is None or person is None:
        return frozenset()
    consents = Consent.objects.filter(person=person, recipient_agency_id=agency_id, revoked_at__isnull=True)
    return case_selectors.consent_categories_for(agency_id, consents, on=on)


def packet_for(user: User, referral: Referral, sides: frozenset[str] | None = None) -> Packet:
    sides = sides_of(user, referral) if sides is None else sides
    needs = list(referral.needs.all())
    if routing_only(sides):
        view = case_selectors.PersonView.of(referral.person, frozenset()) if referral.person is not None else None
        return Packet(person=view, released=frozenset(), needs=[(need, "") for need in needs])
    if SENDER in sides:
        case = referral.case
        permissions = case_selectors.case_permissions(user, case)
        people = case_selectors.people_of_case_for(user, case, permissions)
        shown = {item.need.pk: item.details for item in case_selectors.needs_visible(user, case, people, {})}
        view = next((v for _participant, v in people if referral.person_id == v.pk), None)
        return Packet(
            person=view,
            released=view.categories if view is not None else frozenset(),
            needs=[(need, _text(shown.get(need.pk))) for need in needs if need.pk in shown],
        )
    agency_id = getattr(getattr(user, "agency", None), "pk", None)
    released = released_to(agency_id, referral.person)
    view = case_selectors.PersonView.of(referral.person, released) if referral.person is not None else None
    narrative = Consent.Category.NARRATIVE in released
    return Packet(person=view, released=released, needs=[(need, need.details if narrative else "") for need in needs])


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _notifications_still_seen(user: User) -> QuerySet[Notification]:
    """``user``'s notices of the referrals they may still see (a share revoked since silences the older ones). It
    starts from their notices (``notification_unread_idx``) and asks of each one's referral, rather than building
    every referral they see to match the notices against (on every page, that read the whole case table at 500,000
    cases)."""
    still_seen = referral_list_visible_to(user).filter(pk=OuterRef("referral_id"))
    return Notification.objects.filter(user=user).filter(Exists(still_seen))


def notifications_of(user: User, limit: int = 100) -> QuerySet[Notification]:
    """A person's newest notices of the referrals they may still see."""
    return (
        _notifications_still_seen(user)
        .select_related("referral", "event__actor_agency")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class ChangedReferral:
    """A referral with steps ``user`` has not read about: how many, and when the last one was."""

    referral: Referral
    steps: int
    last_at: datetime


def referrals_changed_for(user: User, limit: int) -> list[ChangedReferral]:
    """The referrals of ``user``'s unread notices (those ``notifications_of`` shows as new), the most recently
    changed first, at most ``limit``: two queries, the first over the person's unread notices only."""
    rows = list(
        _notifications_still_seen(user)
        .filter(read_at__isnull=True)
        .values("referral_id")
        .annotate(last_at=Max("created_at"), steps=Count("pk"))
        .order_by("-last_at", "-referral_id")[:limit]
    )
    referrals = referral_list_visible_to(user).in_bulk([row["referral_id"] for row in rows])
    return [
        ChangedReferral(referrals[row["referral_id"]], row["steps"], row["last_at"])
        for row in rows
        if row["referral_id"] in referrals
    ]


UNREAD_COUNTED = 99  # the navigation says "99+" past this


def unread_count(user: User) -> int:
    """The navigation's count of ``user``'s unread notices about referrals they still see
    (``_notifications_still_seen``), counted up to one past ``UNREAD_COUNTED`` (the navigation then says "99+"):
    the bound keeps a person who never reads their notices (thousands unread) from paying for each of them on every
    page.

    One query on every page: the SQL is compiled once per person and process (``_UNREAD_SQL``; building it cost
    ~4 ms of Python a page, running it a fraction), and it starts from the person's unread notices
    (``notification_unread_idx``), asking of each one's referral only whether the person still sees it."""
    sql, params = _UNREAD_SQL.get((viewer_key(user), coordinated_task_force_ids(user)), lambda: _unread_sql(user))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) unread", params)  # noqa: S608  (our own compiled SQL)
        (count,) = cursor.fetchone()
    return int(count)


def _unread_sql(user: User) -> tuple[str, tuple[Any, ...]]:
    still_seen = _notifications_still_seen(user).filter(read_at__isnull=True)
    return still_seen.order_by().values("pk")[: UNREAD_COUNTED + 1].query.sql_with_params()  # stops at the bound


# ``unread_count``'s query as compiled for a person (portal/compiled.py): ``_side_rules`` reads of the person only
# what ``viewer_key`` holds, and the task forces they coordinate.
_UNREAD_SQL = Memo()


def notices_of(user: User, limit: int = 100) -> list[Notification | CaseNotice]:
    """The notices page: the newest ``limit`` of ``user``'s notices of referrals (``notifications_of``) and of the
    shares of cases (``cases.selectors.work.case_notices_of``) they still see, merged by time (two queries;
    decision 0023)."""
    merged: list[Notification | CaseNotice] = [*notifications_of(user, limit), *case_notices_of(user)[:limit]]
    merged.sort(key=lambda notice: (notice.created_at, notice.pk), reverse=True)
    return merged[:limit]


def still_told(user: User, referral: Referral) -> bool:
    """Whether ``user`` is told of ``referral``'s steps now: the same sides that would let them open it."""
    return user.is_active and bool(sides_of(user, referral))


def referral_history_for(user: User) -> ReferralQuerySet:
    """The closed referrals of the task forces ``user`` coordinates, most recently closed first: their outcomes
    are what a coordinator reports on."""
    task_forces = coordinated_task_force_ids(user)
    if not task_forces:
        return Referral.objects.none()
    return (
        referral_list_visible_to(user)
        .filter(case__task_force_id__in=task_forces, status__in=Referral.CLOSED)
        .order_by("-closed_at", "-id")
    )


def expired_to_reroute_for(user: User, *, since: datetime, limit: int = 50) -> ReferralQuerySet:
    """The latest ``limit`` referrals of the task forces ``user`` coordinates that expired (nobody answered) with a
    deadline since ``since`` and were not re-routed, the latest first: the board's call to re-route them. The bound
    keeps it to the recent rows of ``referral_expired_idx``, however many expired over the years (those are in the
    history).

    The rows are chosen by id first, then read with what the board shows of them: chosen and read in one query,
    PostgreSQL took the expired rows not yet re-routed for one (the anti-join's estimate) and read the agencies,
    people and services tables once for each of them (a second at 500,000 cases, for 2,400 rows of which 50 show)."""
    task_forces = coordinated_task_force_ids(user)
    if not task_forces:
        return Referral.objects.none()
    latest = (
        referral_list_visible_to(user)
        .expired()
        .filter(case__task_force_id__in=task_forces, respond_by__gte=since, reroutes__isnull=True)
        .order_by("-respond_by", "-id")
        .values("pk")[:limit]
    )
    return Referral.objects.filter(pk__in=latest).select_related(*_LIST_RELATED).order_by("-respond_by", "-id")
