"""Who may see and act on a referral, and what its recipient sees of the person: the one place these are decided.

A person stands on a referral's side through their agency and role:
- **sender**: the sending agency's people who may refer (``referrals.add_referral``);
- **recipient**: the receiving agency's people who answer referrals (``referrals.respond_referral``), when that
  agency works in the portal; a provider outside the portal answers by e-mail or phone, and the sender records
  its answers (``on behalf``);
- **coordinator**: coordinators (``referrals.coordinate_referral``) of a task force the sending agency belongs to.
Anyone else gets a 404.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases import selectors as case_selectors
from cases.models import Consent
from referrals.models import Notification, Referral

SEND = "referrals.add_referral"
RESPOND = "referrals.respond_referral"
COORDINATE = "referrals.coordinate_referral"

SENDER, RECIPIENT, COORDINATOR = "sender", "recipient", "coordinator"

# Who may take each step. The recipient's steps fall to the sender when the recipient is not in the portal.
RECIPIENT_VERBS = frozenset({"receive", "accept", "reject", "start", "hold", "resume", "complete", "fail"})
VERB_SIDES: dict[str, frozenset[str]] = {
    **{verb: frozenset({RECIPIENT}) for verb in RECIPIENT_VERBS},
    "cancel": frozenset({SENDER, COORDINATOR}),
    "reroute": frozenset({SENDER, COORDINATOR}),
    "mark_entered_in_error": frozenset({SENDER}),
    "message": frozenset({SENDER, RECIPIENT, COORDINATOR}),
}


def coordinated_task_force_ids(user) -> frozenset[int]:
    """The task forces whose referrals a coordinator watches: those their coordination office belongs to. A
    referral belongs to its case's task force (not to every task force its sending agency is in)."""
    agency = getattr(user, "agency", None)
    if agency is None or not user.has_perm(COORDINATE):
        return frozenset()
    return frozenset(agency.task_forces.values_list("pk", flat=True))


def coordinators_of(referral: Referral) -> QuerySet:
    """The people ``coordinated_task_force_ids`` puts on a referral's coordinator side: the same rule, read the
    other way (who is told when it expires or is re-routed)."""
    from agencies.models import User
    from agencies.roles import roles_with

    task_force_id = referral.case.task_force_id
    if task_force_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, _membership__role__in=roles_with(COORDINATE), _membership__agency__task_forces=task_force_id
    ).distinct()


def sides_of(user, referral: Referral, *, task_forces: frozenset[int] | None = None) -> frozenset[str]:
    """The sides ``user`` stands on. The sender's side needs the case still in view (a share revoked since takes
    the referral away too); the recipient's side of an interagency referral needs case work (joining a case is a
    caseworker's or supervisor's decision, not provider staff's)."""
    agency = getattr(user, "agency", None)
    if agency is None:
        return frozenset()
    sides = set()
    if (
        agency.pk == referral.sender_agency_id
        and user.has_perm(SEND)
        and case_selectors.VIEW in case_selectors.case_permissions(user, referral.case)
    ):
        sides.add(SENDER)
    if (
        referral.recipient_works_in_portal
        and agency.pk == referral.recipient_agency_id
        and referral.status != Referral.Status.DRAFT
        and user.has_perm(RESPOND)
        and (referral.kind == Referral.Kind.SERVICE or user.has_perm("cases.change_case"))
    ):
        sides.add(RECIPIENT)
    task_forces = coordinated_task_force_ids(user) if task_forces is None else task_forces
    if referral.case.task_force_id is not None and referral.case.task_force_id in task_forces:
        sides.add(COORDINATOR)
    return frozenset(sides)


def may(user, referral: Referral, verb: str, sides: frozenset[str] | None = None) -> bool:
    """Whether ``user`` may take step ``verb`` (a right, not the state: the transition checks that)."""
    sides = sides_of(user, referral) if sides is None else sides
    allowed = VERB_SIDES[verb]
    if verb in RECIPIENT_VERBS and not referral.recipient_works_in_portal:
        allowed = frozenset({SENDER}) if verb != "receive" else frozenset()
    return bool(sides & allowed)


def referral_list_visible_to(user) -> QuerySet[Referral]:
    agency = getattr(user, "agency", None)
    if agency is None:
        return Referral.objects.none()
    q = Q(pk__in=[])
    if user.has_perm(SEND):
        q |= Q(sender_agency=agency)
    if user.has_perm(RESPOND):
        q |= Q(recipient_agency=agency, delivery=Referral.Delivery.PORTAL) & ~Q(status=Referral.Status.DRAFT)
    task_forces = coordinated_task_force_ids(user)
    if task_forces:
        q |= Q(case__task_force_id__in=task_forces)
    return Referral.objects.filter(q).select_related(
        "case", "sender", "sender_agency", "recipient_agency", "recipient_service", "recipient_service__organization"
    )


def referral_get_for_user(user, pk: int, *, lock: bool = False) -> Referral:
    """The referral with ``user``'s sides on it (``referral.viewer_sides``), or 404 as if it did not exist."""
    referrals = Referral.objects.select_related(
        "case", "person", "sender", "sender_agency", "recipient_agency", "recipient_service__organization"
    )
    if lock:
        referrals = referrals.select_for_update(of=("self",))
    referral = referrals.filter(pk=pk).first()
    if referral is None:
        raise Http404
    sides = sides_of(user, referral)
    if not sides:
        raise Http404
    referral.viewer_sides = sides  # type: ignore[attr-defined]
    return referral


@dataclass
class Packet:
    """What a viewer sees of the person and the needs. The recipient (and a coordinator) see the needs asked for,
    urgency, languages, whether a minor, and the PII categories an active consent releases to their agency (none:
    the referral goes de-identified); a need's details only through the ``narrative`` category. The sender's side
    sees what the case page shows them, by the case's rules."""

    person: Any  # a cases.selectors.PersonView, or None for an interagency referral
    released: frozenset[str]
    needs: list[tuple[Any, str]]  # (need, details or "")


def released_to(agency_id: int | None, person, *, on=None) -> frozenset[str]:
    """The PII categories of ``person`` that an active consent releases to ``agency_id``, whoever holds it."""
    if agency_id is None or person is None:
        return frozenset()
    day = on or timezone.localdate()
    consents = Consent.objects.filter(person=person, recipient_agency_id=agency_id, revoked_at__isnull=True)
    released: set[str] = set()
    for consent in consents:
        if consent.is_active_on(day):
            released.update(consent.categories)
    return frozenset(released)


def packet_for(user, referral: Referral, sides: frozenset[str] | None = None) -> Packet:
    sides = sides_of(user, referral) if sides is None else sides
    needs = list(referral.needs.all())
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


def notifications_of(user, limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("referral", "event__actor_agency")[:limit]


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def recipient_agencies() -> QuerySet:
    """The agencies a referral may ask to join a case: every active one (the lead is excluded by the caller)."""
    from agencies.models import Agency

    return Agency.objects.filter(is_active=True).order_by("name")
