"""Requests to see more of a case (decision 0025): for more access, asked of the lead agency, and for a consent,
asked of the victim service provider that holds a person's information. Who may ask, who decides, and what waits
for whom."""

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from agencies.models import Agency, User
from agencies.roles import roles_with
from cases.models import AccessRequest, Case, CaseParticipant, CaseShare, ConsentRequest
from cases.selectors.cases import (
    CHANGE,
    DECIDE,
    PREPARE_MEETING,
    RECORD_CONSENT,
    VIEW,
    _held,
    _role_allows,
    can_record_consents,
    case_access_for_user,
    case_ids_visible_to,
)
from cases.selectors.people import PersonView, WithheldBecause

# Why a person may be withheld that a consent the provider records would answer.
CONSENT_REASONS = frozenset(
    {
        WithheldBecause.NO_CONSENT,
        WithheldBecause.CONSENT_EXPIRED,
        WithheldBecause.CONSENT_REVOKED,
        WithheldBecause.NOT_RELEASED,
    }
)


def can_ask_for_access(user: User) -> bool:
    """Whether ``user``'s role asks, for their agency, to see more of a case it sees: those who work cases
    (caseworkers, supervisors) and coordinators. Which cases, and what: ``cases.services.access_ask_for``."""
    return (
        user.agency is not None
        and _role_allows(user, VIEW)
        and (_role_allows(user, CHANGE) or _role_allows(user, PREPARE_MEETING))
    )


def agency_share_of(user: User, case: Case) -> CaseShare | None:
    """The active share through which ``user``'s agency sees ``case``, if any."""
    if user.agency is None:
        return None
    return case.shares.filter(agency=user.agency, status=CaseShare.Status.ACTIVE).first()


def access_request_latest(case: Case, agency: Agency | None) -> AccessRequest | None:
    """``agency``'s latest request for more access to ``case`` (open, approved or declined)."""
    if agency is None:
        return None
    return AccessRequest.objects.filter(case=case, agency=agency).order_by("-created_at", "-id").first()


def access_requests_open_in(case: Case) -> QuerySet[AccessRequest]:
    """The requests for more access to ``case`` awaiting its lead's decision, the oldest first (the case page shows
    them to those who manage it)."""
    return (
        AccessRequest.objects.filter(case=case, status=AccessRequest.Status.OPEN)
        .select_related("agency", "asked_by", "from_share")
        .order_by("created_at", "id")
    )


def access_request_get_for_decider(user: User, case_pk: int, pk: int) -> tuple[Case, AccessRequest]:
    """The case and one of its open requests for more access, if ``user`` decides its shares (a supervisor of the
    lead agency): 404 outside the case or for a request not open, 403 for one who sees the case but does not
    decide."""
    case = case_access_for_user(user, case_pk, DECIDE).case
    access_request = access_requests_open_in(case).filter(pk=pk).first()
    if access_request is None:
        raise Http404
    return case, access_request


def access_requests_awaiting_decision_by(user: User) -> QuerySet[AccessRequest]:
    """The open requests for more access in the cases where ``user`` holds ``DECIDE`` (the rule of
    ``shares_awaiting_decision_by``), the oldest first."""
    agency = user.agency
    if agency is None or not all(_role_allows(user, codename) for codename in (VIEW, CHANGE, DECIDE)):
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.filter(status=AccessRequest.Status.OPEN, case__lead_agency_id=agency.pk)
        .filter(case_id__in=case_ids_visible_to(user))
        .filter(_held(user, CHANGE, "case_id"))
        .select_related("case", "agency", "asked_by")
        .order_by("created_at", "id")
    )


def people_to_ask_consent_for(people: list[tuple[Any, PersonView]]) -> list[tuple[Any, PersonView]]:
    """The people of a case page whose information is withheld for want of a consent (not for the share's level):
    a consent their provider records would release it."""
    return [
        (participant, view)
        for participant, view in people
        if view.withheld_because is not None and view.withheld_because.reason in CONSENT_REASONS
    ]


def consent_requests_open_from(agency: Agency | None, person_ids: list[int]) -> dict[int, ConsentRequest]:
    """``agency``'s open requests for a consent of each of ``person_ids`` (one query), by person."""
    if agency is None or not person_ids:
        return {}
    requests = ConsentRequest.objects.filter(agency=agency, person_id__in=person_ids, status=ConsentRequest.Status.OPEN)
    return {request.person_id: request for request in requests}


def consent_recorders_of(agency_id: int) -> QuerySet[User]:
    """Who is asked to record a consent: the active people of the provider whose role records consents."""
    return User.objects.filter(
        is_active=True,
        _membership__agency_id=agency_id,
        _membership__role__in=roles_with(f"cases.{RECORD_CONSENT}"),
    )


def consent_requests_for(user: User) -> QuerySet[ConsentRequest]:
    """The open requests to record a consent of a client of ``user``'s agency, if ``user`` records its consents,
    the oldest first. Each says whether ``user`` sees the case it was asked from (``case_seen``: only then is the
    case named) and a case of the person that ``user`` may open (``form_case_id``), whose consent form records it."""
    agency = user.agency
    if agency is None or not can_record_consents(user):
        return ConsentRequest.objects.none()
    visible = case_ids_visible_to(user)
    a_case_seen = (
        CaseParticipant.objects.filter(person_id=OuterRef("person_id"), case_id__in=visible)
        .order_by("-case_id")
        .values("case_id")[:1]
    )
    return (
        ConsentRequest.objects.filter(holder_agency=agency, status=ConsentRequest.Status.OPEN)
        .annotate(
            case_seen=ExpressionWrapper(Q(case_id__in=visible), output_field=BooleanField()),
            form_case_id=Subquery(a_case_seen),
        )
        .select_related("case", "person", "agency", "asked_by")
        .order_by("created_at", "id")
    )


def consent_request_get_for_holder(user: User, pk: int) -> ConsentRequest:
    """A request to record a consent of a client of ``user``'s agency, open or answered, if ``user`` records its
    consents; 404 otherwise."""
    agency = user.agency
    consent_request = (
        ConsentRequest.objects.filter(pk=pk, holder_agency_id=agency.pk).select_related("agency").first()
        if agency is not None and can_record_consents(user)
        else None
    )
    if consent_request is None:
        raise Http404
    return consent_request
