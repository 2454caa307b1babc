"""What is waiting for one person in the cases they see, for their home's work queue (``cases.workqueue``): the
shares they decide, the needs still unmet in the cases they work, their agency's consents about to expire, and
their notices. Each reads by the rule of the page its items lead to (the case page), across the person's cases at
once: a few queries whatever the number of cases or items."""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db import models
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from agencies.models import User
from agencies.roles import roles_with
from cases.models import Case, CaseNotice, CaseParticipant, CaseShare, Consent, Need
from cases.selectors.cases import (
    CHANGE,
    DECIDE,
    VIEW,
    VIEW_LE,
    VIEW_PII,
    _exists,
    _held,
    _role_allows,
    can_read_cases,
    can_record_consents,
    case_ids_visible_to,
    case_list_visible_to,
)
from cases.selectors.people import PersonView, pii_categories_for
from cases.selectors.records import needs_visible


def open_cases_of(user: User) -> QuerySet[Case]:
    """The cases ``user`` may open (``case_list_visible_to``) that are not closed."""
    return case_list_visible_to(user).exclude(status=Case.Status.CLOSED)


def share_deciders_of(case: Case) -> QuerySet[User]:
    """Who approves or declines a share of ``case``: the active people of its lead agency whose role decides (the
    agency holds every permission on its own case; ``case_permissions`` grants ``DECIDE`` to exactly these)."""
    return User.objects.filter(
        is_active=True,
        _membership__agency_id=case.lead_agency_id,
        _membership__role__in=roles_with(f"cases.{DECIDE}"),
    )


def shares_awaiting_decision_by(user: User) -> QuerySet[CaseShare]:
    """The shares awaiting approval in the cases where ``user`` holds ``DECIDE`` (``case_permissions``: their role
    decides, they may change the case, and their agency leads it), the oldest request first: the case page offers
    each one's Approve and Decline."""
    agency = user.agency
    if agency is None or not all(_role_allows(user, codename) for codename in (VIEW, CHANGE, DECIDE)):
        return CaseShare.objects.none()
    return (
        CaseShare.objects.filter(status=CaseShare.Status.REQUESTED, case__lead_agency_id=agency.pk)
        .filter(case_id__in=case_ids_visible_to(user))
        .filter(_held(user, CHANGE, "case_id"))
        .select_related("case", "agency", "granted_by")
        .order_by("created_at", "id")
    )


def case_notices_of(user: User) -> QuerySet[CaseNotice]:
    """``user``'s notices about the shares of cases, and the requests to see more of them, that they still see (a
    share revoked since silences the older ones, as for referrals' notices), the newest first."""
    return (
        CaseNotice.objects.filter(user=user, case_id__in=case_ids_visible_to(user))
        .select_related(
            "case__lead_agency",
            "share__agency",
            "access_request__agency",
            "consent_request__agency",
            "consent_request__holder_agency",
            "actor",
        )
        .order_by("-created_at", "-id")
    )


# How many of a person's most urgent unmet needs are read to find those they may see; the home lists a few.
NEEDS_READ = 50


def urgent_needs_for(user: User) -> list[Need]:
    """The unmet emergency and urgent needs in the open cases ``user`` works (may change), emergencies first, then
    the newest, as the case page shows them (``needs_visible``: a victim service provider's client's medical or
    immigration need only through their consent, a suspect's only with law-enforcement access).

    Read for all those cases at once (the needs; their cases with ``user``'s permissions on each; the cases' people
    with their consents: five queries), then each case's needs through ``needs_visible`` itself."""
    if not can_read_cases(user) or not _role_allows(user, CHANGE):
        return []
    emergency = models.When(urgency=Need.Urgency.EMERGENCY, then=0)
    rank = models.Case(emergency, default=1, output_field=models.IntegerField())
    candidates = list(
        Need.objects.filter(status=Need.Status.UNMET, urgency__in=[Need.Urgency.EMERGENCY, Need.Urgency.URGENT])
        .filter(case_id__in=open_cases_of(user).filter(_held(user, CHANGE)).values("pk"))
        .alias(rank=rank)
        .order_by("rank", "-created_at", "-id")
        .values_list("pk", "case_id")[:NEEDS_READ]
    )
    if not candidates:
        return []
    allowed = [codename for codename in (VIEW, VIEW_PII, VIEW_LE) if _role_allows(user, codename)]
    cases = list(
        Case.objects.filter(pk__in={case_id for _pk, case_id in candidates})
        .annotate(**{f"holds_{codename}": _exists(user, codename) for codename in allowed})
        .prefetch_related(Prefetch("needs", Need.objects.filter(pk__in=[pk for pk, _case_id in candidates])))
    )
    permissions = {
        case.pk: frozenset(codename for codename in allowed if getattr(case, f"holds_{codename}")) for case in cases
    }
    people = _people_on(user, list(permissions), permissions)
    shown = {
        view.need.pk: view.need
        for case in cases
        for view in needs_visible(user, case, people.get(case.pk, []), {})  # reads the prefetched needs
    }
    return [shown[pk] for pk, _case_id in candidates if pk in shown]


def _people_on(
    user: User, case_ids: list[int], permissions: dict[int, frozenset[str]]
) -> dict[int, list[tuple[Any, PersonView]]]:
    """``people_of_case_for`` for several cases in two queries: each case's participants as ``user`` may see them,
    suspects only with law-enforcement access."""
    participants = (
        CaseParticipant.objects.filter(case_id__in=case_ids)
        .select_related("person__entered_by_agency")
        .prefetch_related("person__consents")
        .order_by("role", "id")
    )
    day = timezone.localdate()
    people: dict[int, list[tuple[Any, PersonView]]] = {}
    for participant in participants:
        held = permissions.get(participant.case_id, frozenset())
        if participant.role == CaseParticipant.Role.SUSPECT and VIEW_LE not in held:
            continue
        categories = pii_categories_for(user, participant.person, case_permissions=held, role=participant.role, on=day)
        people.setdefault(participant.case_id, []).append((participant, PersonView.of(participant.person, categories)))
    return people


CONSENT_EXPIRY_WARNING = timedelta(days=14)


class InCase(TypedDict):
    case_id: int


if TYPE_CHECKING:  # a type only: ``WithAnnotations`` cannot be subscripted at run time
    from django_stubs_ext import WithAnnotations

    ConsentInCase = WithAnnotations[Consent, InCase]  # a consent as ``consents_expiring_for`` gives it


def consents_expiring_for(user: User, *, today: date | None = None) -> "QuerySet[ConsentInCase]":
    """The active consents ``user``'s agency holds (``consents_held_by``) that expire within
    ``CONSENT_EXPIRY_WARNING``, the soonest first, each with ``case_id``: a case of the person ``user`` may open,
    whose page lists the consent (the latest such case)."""
    agency = user.agency
    if agency is None or not can_record_consents(user):
        return cast("QuerySet[ConsentInCase]", Consent.objects.none())
    today = today or timezone.localdate()
    in_a_case_seen = (
        CaseParticipant.objects.filter(person_id=OuterRef("person_id"), case_id__in=case_ids_visible_to(user))
        .order_by("-case_id")
        .values("case_id")[:1]
    )
    return (
        Consent.objects.filter(
            holder_agency=agency,
            revoked_at__isnull=True,
            signed_on__lte=today,
            expires_on__gt=today,
            expires_on__lte=today + CONSENT_EXPIRY_WARNING,
        )
        .annotate(case_id=Subquery(in_a_case_seen))
        .filter(case_id__isnull=False)
        .select_related("recipient_agency")
        .order_by("expires_on", "id")
    )
