"""Who sees a victim's immigration relief, and what waits on it: the one place that decides (decision 0033).

Relief is confidential (8 U.S.C. 1367). A reader sees a victim's relief in a case when the person's ``immigration``
category is released to them (``PersonView.categories``, the rule of cases: the agency that entered the person, a
share that releases personal information, or, for a victim service provider's client, the provider itself or an
active consent naming the reader's agency with that category), and
- their agency is law enforcement or a prosecutor and they read the case's law-enforcement-sensitive information
  (``VIEW_LE``): the case's law-enforcement team; or
- their agency is a victim service provider (an advocate, legal aid): the victim's own advocate or attorney.
Nobody else: not a coordinator, not a partner that sees a summary or personal information only, not an auditor.
Outside that audience a relief page answers 404, as for a case.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Role, TaskForceMember, User
from cases import selectors as case_selectors
from cases.models import Case, CaseParticipant, Consent, VictimIdentification
from cases.selectors.records import category_released_q
from cases.selectors.work import share_deciders_of
from protection.models import ReliefAction
from protection.rules import EXPIRY_REMINDED, SIGNED

IMMIGRATION = Consent.Category.IMMIGRATION
CHANGE, VIEW, VIEW_LE, VIEW_PII = (
    case_selectors.CHANGE,
    case_selectors.VIEW,
    case_selectors.VIEW_LE,
    case_selectors.VIEW_PII,
)
HHS_NOTICE_HOURS = 24
EXPIRY_WARNING_DAYS = (90, 60, 30)
QUEUE_READ = 50  # candidates of each kind read for the queue, the most pressing first


def can_read_relief(user: User) -> bool:
    """Whether ``user`` may see immigration relief anywhere (which: ``relief_shown_to``): a law-enforcement or
    prosecutor's agency and a role that reads law-enforcement-sensitive information, or a victim service provider
    and a role that reads personal information. The navigation and the queue ask it."""
    agency = getattr(user, "agency", None)
    if agency is None or not user.is_active or not user.has_perm(f"cases.{VIEW_PII}"):
        return False
    if agency.is_law_enforcement:
        return user.has_perm(f"cases.{VIEW_LE}")
    return agency.is_victim_service_provider


def relief_shown_to(user: User, permissions: frozenset[str], categories: frozenset[str]) -> bool:
    """Whether ``user``, holding ``permissions`` on a case and seeing ``categories`` of a victim in it, sees that
    victim's relief (the module's rule)."""
    if IMMIGRATION not in categories or not can_read_relief(user):
        return False
    agency = user.agency
    assert agency is not None
    return VIEW_LE in permissions if agency.is_law_enforcement else True


def may_record_relief(user: User, permissions: frozenset[str], categories: frozenset[str]) -> bool:
    """Whether ``user`` records and updates a victim's relief: they see it and may change the case."""
    return CHANGE in permissions and relief_shown_to(user, permissions, categories)


# --- One victim ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliefAccess:
    """A reader's access to one victim's relief in one case: the case access, the participation, the categories
    of the person released to them, and whether they may record relief."""

    access: case_selectors.CaseAccess
    participant: CaseParticipant
    categories: frozenset[str]
    may_record: bool

    @property
    def case(self) -> Case:
        return self.access.case


def relief_access_for(user: User, case_pk: int, person_pk: int) -> ReliefAccess:
    """``user``'s access to the relief of ``person_pk``, a victim in ``case_pk``: 404 outside the case, for anyone
    not a victim in it, and for a victim whose relief the reader may not see (nothing says there is any)."""
    access = case_selectors.case_access_for_user(user, case_pk)
    participant = (
        access.case.participants.filter(person_id=person_pk, role=CaseParticipant.Role.VICTIM)
        .select_related("person__entered_by_agency", "identification")
        .prefetch_related("person__consents")
        .first()
    )
    if participant is None:
        raise Http404
    categories = case_selectors.pii_categories_for(
        user, participant.person, case_permissions=access.permissions, role=participant.role
    )
    if not relief_shown_to(user, access.permissions, categories):
        raise Http404
    return ReliefAccess(
        access=access,
        participant=participant,
        categories=categories,
        may_record=may_record_relief(user, access.permissions, categories),
    )


def relief_action_for(user: User, case_pk: int, pk: int) -> tuple[ReliefAccess, ReliefAction]:
    """A relief action of ``case_pk`` and the reader's access to its victim's relief (404 as ``relief_access_for``)."""
    action = ReliefAction.objects.filter(case_id=case_pk, pk=pk).select_related("participant").first()
    if action is None:
        raise Http404
    relief = relief_access_for(user, case_pk, action.participant.person_id)
    return relief, action


def may_take_step(user: User, relief: ReliefAccess, action: ReliefAction, verb: str) -> bool:
    """Whether ``user`` may take step ``verb`` on ``action`` now: they record relief for the victim, the step's
    transition is open, and a signed kind's grant or decline is the signing agency's own."""
    from django_fsm import can_proceed

    from protection.rules import KINDS, STEPS

    step = STEPS.get(verb)
    if step is None:
        return False
    if verb == "extend" and (
        action.kind != ReliefAction.Kind.INTERIM_ASSISTANCE or action.extended_on or action.valid_from is None
    ):
        return False
    if step.signer_only and KINDS[action.kind].signed:
        # The agency asked to sign decides, whoever recorded the request: seeing the victim's relief is enough
        # (a partner that reads the case's law-enforcement-sensitive information need not change the case).
        allowed = action.requesting_agency_id == getattr(user.agency, "pk", None) and user.has_perm(f"cases.{CHANGE}")
    else:
        allowed = relief.may_record
    return allowed and can_proceed(getattr(action, verb))


# --- The HHS 24-hour notice -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HhsTask:
    """The notice HHS must have within 24 hours of the portal learning of a foreign-national minor identified as a
    potential victim (22 U.S.C. 7105(b)(1)(G)): counted from when the record became a foreign-national minor's
    (``foreign_national_minor_since``: a later correction is news, not overdue), done when an HHS notification of
    that victim is submitted (or answered, granted or denied)."""

    identification: VictimIdentification
    sent: ReliefAction | None

    @property
    def due(self) -> datetime:
        return hhs_due(self.identification)

    @property
    def is_done(self) -> bool:
        return self.sent is not None

    def is_overdue(self, now: datetime | None = None) -> bool:
        return not self.is_done and (now or timezone.now()) > self.due


def hhs_due(identification: VictimIdentification) -> datetime:
    since = identification.foreign_national_minor_since or identification.created_at
    return since + timedelta(hours=HHS_NOTICE_HOURS)


def hhs_tasks_open() -> QuerySet[VictimIdentification]:
    """The identifications whose HHS notice is not sent: foreign-national minors (``foreign_national_minors``,
    through its index) with no HHS notification of theirs submitted. Matched by person, not participation: a child
    in two linked cases is notified once, from either."""
    sent = ReliefAction.objects.hhs_sent().filter(participant__person_id=OuterRef("participant__person_id"))
    return VictimIdentification.objects.foreign_national_minors().filter(~Exists(sent))


def hhs_task_of(identification: Any, actions: list[ReliefAction]) -> HhsTask | None:
    """The HHS task of a victim, given their identification as the reader sees it and their relief actions."""
    if not isinstance(identification, VictimIdentification) or not identification.is_foreign_national_minor:
        return None
    sent = next(
        (
            action
            for action in actions
            if action.kind == ReliefAction.Kind.HHS_NOTIFICATION and action.status in ReliefAction.SENT
        ),
        None,
    )
    return HhsTask(identification, sent)


# --- A case's relief, for its page and packet -----------------------------------------------------------------------


@dataclass
class VictimRelief:
    participant: CaseParticipant
    view: Any  # cases.selectors.PersonView
    actions: list[ReliefAction] = field(default_factory=list)
    hhs: HhsTask | None = None
    may_record: bool = False


def relief_of_case(user: User, access: case_selectors.CaseAccess, people: list[tuple[Any, Any]]) -> list[VictimRelief]:
    """Each victim of the case whose relief ``user`` sees, with their relief actions: one query whatever their
    number (``people`` is the dossier's, already read)."""
    shown = [
        VictimRelief(
            participant=participant,
            view=view,
            may_record=may_record_relief(user, access.permissions, view.categories),
        )
        for participant, view in people
        if participant.role == CaseParticipant.Role.VICTIM
        and relief_shown_to(user, access.permissions, view.categories)
    ]
    if not shown:
        return []
    by_participant = {victim.participant.pk: victim for victim in shown}
    actions = ReliefAction.objects.filter(participant_id__in=by_participant).select_related("requesting_agency")
    for action in actions.order_by("requested_on", "id"):
        by_participant[action.participant_id].actions.append(action)
    for victim in shown:
        victim.hhs = hhs_task_of(victim.view.identification, victim.actions)
    _hhs_sent_elsewhere([victim for victim in shown if victim.hhs is not None and not victim.hhs.is_done])
    return shown


def _hhs_sent_elsewhere(waiting: list[VictimRelief]) -> None:
    """A child in two linked cases is notified to HHS once: an HHS task still open here is done when a notification
    of the same person was sent from another case (as ``hhs_tasks_open`` matches, by person). One query, and only
    when a task is open."""
    if not waiting:
        return
    sent = {
        action.participant.person_id: action
        for action in ReliefAction.objects.hhs_sent()
        .filter(participant__person_id__in={victim.participant.person_id for victim in waiting})
        .select_related("participant")
        .order_by("-submitted_on", "-id")
    }
    for victim in waiting:
        action = sent.get(victim.participant.person_id)
        if action is not None and victim.hhs is not None:
            victim.hhs = HhsTask(victim.hhs.identification, action)


# --- The queue -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting on relief: an HHS notice to send (``hhs``), a grant expiring (``expiry``), a declaration or
    certification awaiting its signature (``signature``), interim assistance running (``interim``)."""

    what: str
    case: Case
    person_id: int
    due: datetime | date | None
    overdue: bool = False
    action: ReliefAction | None = None
    identification: VictimIdentification | None = None
    age_days: int | None = None


def _shown_participants(
    user: User, participant_ids: set[int], permissions: dict[int, frozenset[str]]
) -> dict[int, frozenset[str]]:
    """Of ``participant_ids``, those whose relief ``user`` sees, with the categories of the person released to them
    (two queries: the victims, their consents)."""
    if not participant_ids:
        return {}
    participants = (
        CaseParticipant.objects.filter(pk__in=participant_ids, role=CaseParticipant.Role.VICTIM)
        .select_related("person__entered_by_agency")
        .prefetch_related("person__consents")
    )
    day = timezone.localdate()
    shown: dict[int, frozenset[str]] = {}
    for participant in participants:
        held = permissions.get(participant.case_id, frozenset())
        categories = case_selectors.pii_categories_for(
            user, participant.person, case_permissions=held, role=participant.role, on=day
        )
        if relief_shown_to(user, held, categories):
            shown[participant.pk] = categories
    return shown


def _identification_shown(categories: frozenset[str] | None) -> bool:
    """Whether the identification (citizenship, age: what an HHS line tells) is released with these categories: it
    goes with the person's identity (decision 0032, ``cases.selectors.identification_shown``), not with the
    immigration category alone."""
    return categories is not None and case_selectors.IDENTIFICATION_CATEGORY in categories


def _relief_cases_q(user: User, case_field: str) -> Q:
    """The cases whose relief ``user`` may see at all, in SQL (before a queue's read is capped): those they open
    and whose personal information they read, and for law enforcement whose law-enforcement information too. A
    summary share's case, whose rows would only be dropped after the cap, is never read."""
    held = case_selectors.cases_held(user, VIEW, case_field) & case_selectors.cases_held(user, VIEW_PII, case_field)
    agency = user.agency
    if agency is not None and agency.is_law_enforcement:
        held &= case_selectors.cases_held(user, VIEW_LE, case_field)
    return held


def relief_queue_for(user: User, *, now: datetime | None = None) -> list[QueueItem]:
    """What waits on relief for ``user``'s agency, deadlines first: HHS notices overdue or due, grants of
    Continued Presence and employment authorization expiring within 90 days, declarations and certifications asked
    of their agency (or, for an advocate, asked by it) with their age, and interim assistance running. Each kind is
    read capped (``QUEUE_READ``) in the cases whose relief they may see (``_relief_cases_q``, in SQL before the cap),
    then kept only where they see the victim's relief (consents, the identification for an HHS line):
    a fixed number of queries whatever the agency's history."""
    if not can_read_relief(user):
        return []
    agency = user.agency
    assert agency is not None
    now = now or timezone.now()
    today = timezone.localdate(now)
    in_reach = _relief_cases_q(user, "participant__case_id")
    hhs = list(
        hhs_tasks_open()
        .filter(in_reach)
        .select_related("participant__case")
        .order_by("foreign_national_minor_since", "id")[:QUEUE_READ]
    )
    expiring = list(
        ReliefAction.objects.filter(
            _relief_cases_q(user, "case_id"),
            kind__in=EXPIRY_REMINDED,
            status=ReliefAction.Status.GRANTED,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=EXPIRY_WARNING_DAYS[0]),
        )
        .select_related("case", "participant")
        .order_by("expires_on", "id")[:QUEUE_READ]
    )
    signatures = list(
        ReliefAction.objects.filter(_relief_cases_q(user, "case_id"), kind__in=SIGNED, status__in=ReliefAction.OPEN)
        .filter(Q(requesting_agency_id=agency.pk) | Q(recorded_by_agency_id=agency.pk))
        .select_related("case", "participant", "requesting_agency")
        .order_by("requested_on", "id")[:QUEUE_READ]
    )
    interim = list(
        ReliefAction.objects.filter(
            _relief_cases_q(user, "case_id"),
            kind=ReliefAction.Kind.INTERIM_ASSISTANCE,
            status=ReliefAction.Status.GRANTED,
            expires_on__gte=today,
        )
        .select_related("case", "participant")
        .order_by("expires_on", "id")[:QUEUE_READ]
    )
    actions = [*expiring, *signatures, *interim]
    participant_ids = {identification.participant_id for identification in hhs} | {a.participant_id for a in actions}
    case_ids = {identification.participant.case_id for identification in hhs} | {a.case_id for a in actions}
    shown = _shown_participants(user, participant_ids, case_selectors.case_permissions_many(user, case_ids))
    items = [
        QueueItem(
            "hhs",
            identification.participant.case,
            identification.participant.person_id,
            hhs_due(identification),
            overdue=now > hhs_due(identification),
            identification=identification,
        )
        for identification in hhs
        if _identification_shown(shown.get(identification.participant_id))
    ]
    items += [
        QueueItem("expiry", action.case, action.participant.person_id, action.expires_on, action=action)
        for action in expiring
        if action.participant_id in shown
    ]
    items += [
        QueueItem(
            "signature",
            action.case,
            action.participant.person_id,
            None,
            action=action,
            age_days=(today - action.requested_on).days,
        )
        for action in signatures
        if action.participant_id in shown
    ]
    items += [
        QueueItem("interim", action.case, action.participant.person_id, action.expires_on, action=action)
        for action in interim
        if action.participant_id in shown
    ]
    return items


# --- Whom reminders reach -------------------------------------------------------------------------------------------


def escalation_recipients(case: Case) -> list[User]:
    """Who is told that an HHS notice is overdue: the lead agency's supervisors and the task force's coordinators
    (the coordinators learn that a notice is late, in which case, and nothing of the victim)."""
    supervisors = list(share_deciders_of(case))
    coordinators: list[User] = []
    if case.task_force_id is not None:
        members = TaskForceMember.objects.filter(task_force_id=case.task_force_id).values("agency_id")
        coordinators = list(
            User.objects.filter(
                is_active=True, _membership__agency__in=members, _membership__role=Role.COORDINATOR
            ).order_by("pk")
        )
    return [*supervisors, *(user for user in coordinators if user not in supervisors)]


def expiry_recipients(action: ReliefAction) -> list[User]:
    """Who is reminded of an expiring grant: the case's agents (the people assigned to it, else those of the lead
    agency who work cases), who recorded it and the requesting agency's people who work cases, and the victim's
    advocates (people of victim service providers who work cases), each
    only if they see the victim's relief."""
    case = action.case
    agents = list(case.assigned_to.filter(is_active=True)) or list(case_selectors.case_assignable_people(case))
    person = action.participant.person
    advocates = User.objects.filter(
        is_active=True,
        _membership__agency__kind=Agency.Kind.VICTIM_SERVICES,
        _membership__role__in=[Role.CASEWORKER, Role.SUPERVISOR],
    ).filter(
        Q(_membership__agency_id=person.entered_by_agency_id)
        | Q(_membership__agency__consents_received__person_id=person.pk)
        | Q(_membership__agency__case_shares__case_id=case.pk)
    )
    # The agency that must renew it: who recorded it, and the requesting agency's people who work cases (the FBI's
    # Continued Presence on a local police case is the FBI's to renew, whoever is assigned to the case).
    requesters = User.objects.none()
    if action.requesting_agency_id is not None:
        requesters = User.objects.filter(
            is_active=True,
            _membership__agency_id=action.requesting_agency_id,
            _membership__role__in=[Role.CASEWORKER, Role.SUPERVISOR],
        )
    recorder = [action.recorded_by] if action.recorded_by.is_active else []
    candidates = {user.pk: user for user in [*agents, *recorder, *requesters.order_by("pk"), *advocates.distinct()]}
    return [user for user in candidates.values() if sees_relief_of(user, action.participant)]


def sees_relief_of(user: User, participant: CaseParticipant) -> bool:
    """Whether ``user`` sees the relief of ``participant`` now (the module's rule, read afresh: for reminders)."""
    if not can_read_relief(user):
        return False
    case = participant.case
    if not case_selectors.case_list_visible_to(user).filter(pk=case.pk).exists():
        return False
    permissions = case_selectors.case_permissions(user, case)
    categories = case_selectors.pii_categories_for(
        user, participant.person, case_permissions=permissions, role=participant.role
    )
    return relief_shown_to(user, permissions, categories)


# --- Many cases at once, for the reports ----------------------------------------------------------------------------


def relief_actions_visible_to(user: User, *, on: date | None = None) -> QuerySet[ReliefAction]:
    """The relief actions ``user`` sees, as one queryset (for counting over many cases: the dashboard): the
    module's rule (``relief_shown_to``) in SQL, as the queue narrows it (``_relief_cases_q``: the cases they open and
    whose personal information, and for law enforcement whose law-enforcement information, they read), of a victim
    whose ``immigration`` category is released to them (``category_released_q``: not a provider's client, or their
    own agency's, or under an active consent naming their agency with ``immigration``, on ``on``, today by default).
    Nobody whose role or agency never sees relief (``can_read_relief``) sees any."""
    if not can_read_relief(user):
        return ReliefAction.objects.none()
    return ReliefAction.objects.filter(
        _relief_cases_q(user, "case_id"),
        category_released_q(user, IMMIGRATION, "participant__person", on=on),
        participant__role=CaseParticipant.Role.VICTIM,
    )
