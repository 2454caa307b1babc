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

from agencies.models import Agency
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


def coordinated_agency_ids(user) -> frozenset[int]:
    """The agencies whose referrals a coordinator watches: every agency of their agency's task forces."""
    agency = getattr(user, "agency", None)
    if agency is None or not user.has_perm(COORDINATE):
        return frozenset()
    return frozenset(
        Agency.objects.filter(Q(pk=agency.pk) | Q(task_forces__agencies=agency)).values_list("pk", flat=True)
    )


def sides_of(user, referral: Referral, *, coordinated: frozenset[int] | None = None) -> frozenset[str]:
    agency = getattr(user, "agency", None)
    if agency is None:
        return frozenset()
    sides = set()
    if agency.pk == referral.sender_agency_id and user.has_perm(SEND):
        sides.add(SENDER)
    if (
        referral.recipient_works_in_portal
        and agency.pk == referral.recipient_agency_id
        and referral.status != Referral.Status.DRAFT
        and user.has_perm(RESPOND)
    ):
        sides.add(RECIPIENT)
    coordinated = coordinated_agency_ids(user) if coordinated is None else coordinated
    if referral.sender_agency_id in coordinated:
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
    coordinated = coordinated_agency_ids(user)
    if coordinated:
        q |= Q(sender_agency_id__in=coordinated)
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
    """What the recipient of a service referral sees of the person: the needs asked for, urgency, language, the
    safety notes the sender wrote, the sender's contact, and the PII categories an active consent releases to the
    recipient's agency (none: the referral goes de-identified)."""

    person: Any  # a cases.selectors.PersonView, or None for an interagency referral
    released: frozenset[str]
    needs: list[Any]
    show_need_details: bool


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


def packet_for(user, referral: Referral) -> Packet:
    """The sender's side reads the case itself; the packet is what the recipient (and a coordinator) sees."""
    agency_id = getattr(getattr(user, "agency", None), "pk", None)
    released = released_to(agency_id, referral.person)
    view = case_selectors.PersonView.of(referral.person, released) if referral.person is not None else None
    return Packet(
        person=view,
        released=released,
        needs=list(referral.needs.all()),
        show_need_details=Consent.Category.NARRATIVE in released,
    )


def notifications_of(user, limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("referral", "event__actor_agency")[:limit]


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
