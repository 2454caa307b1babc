"""Who may use subject deconfliction, what the index holds, and who is told what (decision 0030).

Roles (``agencies.Membership.Role``), in an agency of law enforcement (a prosecutor's office counts) or a victim
service provider:
- caseworkers, supervisors and intake staff **check** a subject, from a case they may open or a tip whose content
  they read, and see the conflicts they are the contact of; supervisors see all of their agency's conflicts;
- **coordinators** keep the **watch**: the open conflicts of their task forces (agencies and contacts, kinds,
  dates, never a case), and record the resolution. A conflict a provider's check found (``one_sided``) is the
  provider's alone and never on the watch.
Everyone else (administrators, auditors, provider staff, other kinds of agency) gets a 404.

What is indexed (``participants_indexed``, ``tip_subjects_indexed``): suspects, witnesses and victims
(``INDEXED_ROLES``) of cases that are not closed, entered by law enforcement, or by a victim service provider with
an active consent naming deconfliction; the subjects in those roles of open tips held (assigned, else received) by
law enforcement.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Role, TaskForce, TaskForceMember, User
from cases.models import Case, CaseParticipant, Consent, Person
from cases.selectors.cases import case_list_visible_to
from deconfliction.subjects.models import SubjectConflict, SubjectNotice
from tips.models import Tip, TipSubject
from tips.selectors import reported_by_provider, tip_list_readable_by

INDEXED_ROLES = (CaseParticipant.Role.SUSPECT, CaseParticipant.Role.WITNESS, CaseParticipant.Role.VICTIM)
LAW_ENFORCEMENT_KINDS = (
    Agency.Kind.FEDERAL_LE,
    Agency.Kind.STATE_LE,
    Agency.Kind.LOCAL_LE,
    Agency.Kind.PROSECUTOR,
)
CHECKING_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.INTAKE})
CONTEXT_CHOICES_LIMIT = 50


# Who may do what ----------------------------------------------------------------------------------------------


def _agency(user: User) -> Agency | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "agency", None)


def can_check(user: User) -> bool:
    """Whether ``user`` checks subjects and sees the conflicts they are told of."""
    agency = _agency(user)
    if agency is None or user.role not in CHECKING_ROLES:
        return False
    return agency.is_law_enforcement or agency.is_victim_service_provider


def can_watch(user: User) -> bool:
    """Whether ``user`` keeps the task force's deconfliction watch (coordinators)."""
    return _agency(user) is not None and user.role == Role.COORDINATOR


def watched_task_forces(user: User) -> QuerySet[TaskForce]:
    agency = _agency(user)
    if agency is None or not can_watch(user):
        return TaskForce.objects.none()
    return TaskForce.objects.filter(pk__in=TaskForceMember.objects.filter(agency=agency.pk).values("task_force_id"))


def task_force_ids_of(agency_id: int) -> list[int]:
    """The task forces an agency writes and checks under: none once it is deactivated."""
    return list(
        TaskForceMember.objects.filter(agency=agency_id, agency__is_active=True).values_list("task_force_id", flat=True)
    )


# What the index holds ----------------------------------------------------------------------------------------


def has_deconfliction_consent(person: Person, consents: Iterable[Consent], *, on: date | None = None) -> bool:
    """Whether the provider holding ``person`` has an active consent naming deconfliction (``consents``: the
    person's, prefetched)."""
    day = on or timezone.localdate()
    return any(
        consent.holder_agency_id == person.entered_by_agency_id
        and Consent.Category.DECONFLICTION in consent.categories
        and consent.is_active_on(day)
        for consent in consents
    )


def consent_valid_until(person: Person, consents: Iterable[Consent], *, on: date | None = None) -> date | None:
    """The last day the provider holding ``person`` holds an active consent naming deconfliction (``consents``: the
    person's, prefetched); None without one."""
    day = on or timezone.localdate()
    ends = [
        consent.expires_on - timedelta(days=1)  # active while the day is before expires_on
        for consent in consents
        if consent.holder_agency_id == person.entered_by_agency_id
        and Consent.Category.DECONFLICTION in consent.categories
        and consent.is_active_on(day)
    ]
    return max(ends, default=None)


def consent_released_to(person: Person, consents: Iterable[Consent], *, on: date | None = None) -> dict[str, str]:
    """To whom the active consents naming deconfliction of the provider holding ``person`` release a match:
    ``{recipient agency id: last day}`` (the latest, where several name the same agency)."""
    day = on or timezone.localdate()
    released: dict[str, str] = {}
    for consent in consents:
        if (
            consent.holder_agency_id == person.entered_by_agency_id
            and Consent.Category.DECONFLICTION in consent.categories
            and consent.is_active_on(day)
        ):
            last = (consent.expires_on - timedelta(days=1)).isoformat()
            recipient = str(consent.recipient_agency_id)
            released[recipient] = max(released.get(recipient, last), last)
    return released


def may_learn_of(released_to: dict[str, str] | None, agency_id: int, *, on: date | None = None) -> bool:
    """Whether ``agency_id`` may be told of a side whose release is ``released_to``: anyone of a law-enforcement side
    (None), only an agency a provider's client's consent names, on or before its last day ({} for nobody: a
    provider's check)."""
    if released_to is None:
        return True
    last = released_to.get(str(agency_id))
    return last is not None and last >= (on or timezone.localdate()).isoformat()


def participant_indexed(participant: CaseParticipant, *, on: date | None = None) -> bool:
    """The one rule for a case participant (its case, person, agency and consents loaded)."""
    if participant.role not in INDEXED_ROLES or participant.case.status == Case.Status.CLOSED:
        return False
    agency = participant.person.entered_by_agency
    if agency.is_law_enforcement:
        return True
    if agency.is_victim_service_provider:
        return has_deconfliction_consent(participant.person, participant.person.consents.all(), on=on)
    return False


def participants_of(*, case_ids: Iterable[int] = (), person_ids: Iterable[int] = ()) -> QuerySet[CaseParticipant]:
    """The participants of these cases or people, loaded for ``participant_indexed`` (three queries)."""
    condition = Q(case_id__in=list(case_ids)) | Q(person_id__in=list(person_ids))
    return (
        CaseParticipant.objects.filter(condition)
        .select_related("case", "person__entered_by_agency", "person__entered_by")
        .prefetch_related("person__consents")
    )


def tip_holder(tip: Tip) -> tuple[Agency, User | None]:
    """The agency holding a tip (assigned, else receiving) and its point of contact (owner, else who entered it)."""
    if tip.assigned_agency_id:
        return tip.assigned_agency, tip.owner  # type: ignore[return-value]
    return tip.receiving_agency, tip.received_by


def tip_subject_indexed(subject: TipSubject) -> bool:
    """An open tip's subject held by law enforcement; never the victim of a tip a victim service provider received,
    who is that provider's client even once the tip is passed to the police (decision 0028,
    ``tips.selectors.reported_by_provider``) and has no consent path here."""
    tip = subject.tip
    if subject.role not in INDEXED_ROLES or tip.status not in Tip.OPEN:
        return False
    if subject.role == TipSubject.Role.VICTIM and reported_by_provider(tip):
        return False
    agency, _contact = tip_holder(tip)
    return agency.is_law_enforcement


def tip_subjects_of(tip_ids: Iterable[int]) -> QuerySet[TipSubject]:
    return TipSubject.objects.filter(tip_id__in=list(tip_ids)).select_related(
        "tip__assigned_agency", "tip__receiving_agency", "tip__owner", "tip__received_by"
    )


def case_ids_of_person(person_id: int) -> list[int]:
    return list(CaseParticipant.objects.filter(person_id=person_id).values_list("case_id", flat=True))


# The context of a check -------------------------------------------------------------------------------------


def check_cases_for(user: User) -> QuerySet[Case]:
    """The cases ``user`` may check from: those they may open, not closed."""
    return case_list_visible_to(user).exclude(status=Case.Status.CLOSED)


def check_tips_for(user: User) -> QuerySet[Tip]:
    """The tips ``user`` may check from: open tips whose content they read."""
    return tip_list_readable_by(user).filter(status__in=Tip.OPEN)


def check_context_for(user: User, context: str, pk: int) -> Case | Tip:
    """The case or tip a check is made from: 404 unless ``user`` checks and may open it."""
    if not can_check(user):
        raise Http404
    found: Case | Tip | None = None
    if context == "case":
        found = check_cases_for(user).filter(pk=pk).first()
    elif context == "tip":
        found = check_tips_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# Who is told what -------------------------------------------------------------------------------------------


def conflicts_for(user: User) -> QuerySet[SubjectConflict]:
    """The conflicts told to ``user``: as a side's contact, or as a supervisor of a side's agency. A one-sided
    conflict (a provider's check) is only side ``b``'s."""
    agency = _agency(user)
    if agency is None or not can_check(user):
        return SubjectConflict.objects.none()
    if user.role == Role.SUPERVISOR:
        side_a, side_b = Q(a_agency=agency.pk), Q(b_agency=agency.pk)
    else:
        side_a = Q(a_agency=agency.pk, a_contact=user.pk)
        side_b = Q(b_agency=agency.pk, b_contact=user.pk)
    return SubjectConflict.objects.filter((side_a & Q(one_sided=False)) | side_b).select_related(
        "a_agency", "b_agency", "a_contact___membership", "b_contact___membership", "resolved_by"
    )


def watch_for(user: User, *, open_only: bool = True) -> QuerySet[SubjectConflict]:
    """The coordinator's watch: the two-sided conflicts of their task forces."""
    if not can_watch(user):
        return SubjectConflict.objects.none()
    conflicts = SubjectConflict.objects.filter(task_force__in=watched_task_forces(user), one_sided=False)
    if open_only:
        conflicts = conflicts.filter(status=SubjectConflict.Status.OPEN)
    return conflicts.select_related(
        "task_force", "a_agency", "b_agency", "a_contact___membership", "b_contact___membership", "resolved_by"
    )


def watch_conflict_for(user: User, pk: int) -> SubjectConflict:
    conflict = watch_for(user, open_only=False).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    return conflict


def unread_notices_of(user: User) -> QuerySet[SubjectNotice]:
    return SubjectNotice.objects.filter(user=user.pk, read_at__isnull=True)


def in_task_force() -> Q:
    """Entries (or anything with ``agency`` and ``task_force``) of an active agency still a member of the task
    force: an agency deactivated or gone from the task force is neither matched nor told, even before a reindex."""
    member = TaskForceMember.objects.filter(task_force=OuterRef("task_force_id"), agency=OuterRef("agency_id"))
    return Q(Exists(member), agency__is_active=True)


def still_valid(on: date | None = None) -> Q:
    """Entries whose provider client's consent is still active (law enforcement's have no end)."""
    return Q(valid_until__isnull=True) | Q(valid_until__gte=on or timezone.localdate())


def recipients_for(agency: Agency, contact: User | None, task_force_id: int) -> list[User]:
    """Whom to tell on one side: its contact if still an active member of the agency, else its supervisors; nobody
    once the agency is deactivated or no longer a member of the task force."""
    current = Agency.objects.filter(pk=agency.pk, is_active=True, task_force_memberships__task_force=task_force_id)
    if not current.exists():
        return []
    if contact is not None and contact.is_active and getattr(contact.agency, "pk", None) == agency.pk:
        return [contact]
    return list(
        User.objects.filter(_membership__agency=agency.pk, _membership__role=Role.SUPERVISOR, is_active=True).order_by(
            "pk"
        )
    )


def contact_view(agency: Agency, contact: User | None) -> dict[str, Any]:
    """What a side is told of the other: whom to call. Name, agency, work phone (else the agency's), e-mail; the
    agency's own phone and e-mail once the contact's account is closed or they moved to another agency."""
    membership = getattr(contact, "membership", None) if contact is not None else None
    if contact is not None and (not contact.is_active or getattr(membership, "agency_id", None) != agency.pk):
        contact = membership = None  # gone, or moved to another agency: the agency's own desk
    return {
        "name": contact.full_name if contact is not None else "",
        "agency": agency.name,
        "phone": (membership.phone if membership is not None else "") or agency.phone,
        "email": contact.email if contact is not None else agency.email,
    }
