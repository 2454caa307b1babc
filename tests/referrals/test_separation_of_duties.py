"""Who chooses the agencies that see a case (issue 11, points 1, 2 and 4): only the lead agency, a caseworker's
choice waits for a supervisor, every share names who chose, and a task force's case stays inside it. A re-route of
an interagency referral is a new choice; a coordinator's is only a proposal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from agencies.models import Agency
from cases import selectors as case_selectors
from cases.models import CaseShare
from cases.services import case_share_grant
from portal.models import AuditEvent
from referrals import selectors, services
from referrals.models import Notification, Referral, ReferralEvent
from tests.factories import AgencyFactory, UserFactory, sent_join_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def state_police(task_force):
    """Another law-enforcement agency of the task force, not yet on the case."""
    agency = AgencyFactory(name="Gulf State Police", short_name="GSP", kind=Agency.Kind.STATE_LE)
    task_force.agencies.add(agency, through_defaults={})
    return agency


@pytest.fixture
def trooper(state_police):
    return UserFactory(email="trooper@gsp.example", full_name="Tess Trooper", agency=state_police)


@pytest.fixture
def outside_staff(other_agency):
    return UserFactory(email="clerk@faraway.example", full_name="Otis Outside", agency=other_agency)


@pytest.fixture
def asked_to_join(interagency_referral):
    """The lead supervisor's pending request that the shelter join the case with personal information."""
    return interagency_referral


def _sees_case(user, case) -> bool:
    return case_selectors.case_list_visible_to(user).filter(pk=case.pk).exists()


# Point 1: a coordinator proposes, the lead decides --------------------------------------------------------------


def test_a_coordinator_who_cannot_open_the_case_may_not_reroute_it_outside_the_task_force(
    asked_to_join, coordinator, other_agency, le_case
):
    assert not _sees_case(coordinator, le_case)
    with pytest.raises(ValidationError):
        services.referral_reroute(
            referral=asked_to_join, actor=coordinator, reason="No answer.", recipient_agency=other_agency
        )
    assert Referral.objects.count() == 1
    assert not CaseShare.objects.filter(agency=other_agency).exists()


def test_a_coordinators_reroute_of_an_interagency_referral_is_a_proposal_nobody_can_accept(
    asked_to_join, coordinator, state_police, trooper, le_case, supervisor
):
    proposal = services.referral_reroute(
        referral=asked_to_join, actor=coordinator, reason="The shelter is full.", recipient_agency=state_police
    )

    assert (proposal.status, proposal.proposed_by, proposal.is_proposal) == (Referral.Status.DRAFT, coordinator, True)
    assert selectors.sides_of(trooper, proposal) == frozenset()  # the proposed agency does not even see it
    with pytest.raises(Http404):
        services.referral_accept(referral=proposal, actor=trooper)
    with pytest.raises(PermissionDenied):
        services.referral_send_proposal(referral=proposal, actor=coordinator)
    assert not _sees_case(trooper, le_case)
    assert not CaseShare.objects.filter(agency=state_police).exists()
    assert list(proposal.events.values_list("verb", "actor")) == [("propose", coordinator.pk)]
    assert Notification.objects.filter(referral=proposal, user=supervisor, verb="propose").exists()


@pytest.mark.parametrize(
    ("who_sends", "share_status", "approved"),
    [("supervisor", CaseShare.Status.ACTIVE, True), ("investigator", CaseShare.Status.REQUESTED, False)],
)
def test_the_lead_agency_sends_a_proposal_and_its_acceptance_grants_as_whoever_sent_it(
    request, asked_to_join, coordinator, state_police, trooper, le_case, who_sends, share_status, approved
):
    sender = request.getfixturevalue(who_sends)
    proposal = services.referral_reroute(
        referral=asked_to_join, actor=coordinator, reason="The shelter is full.", recipient_agency=state_police
    )
    sent = services.referral_send_proposal(referral=proposal, actor=sender)
    assert (sent.status, sent.sender) == (Referral.Status.REQUESTED, sender)

    services.referral_accept(referral=sent, actor=trooper)

    share = CaseShare.objects.get(case=le_case, agency=state_police)
    assert (share.status, share.granted_by) == (share_status, sender)
    assert (share.approved_by == sender) is approved
    assert _sees_case(trooper, le_case) is approved
    action = "cases.share.granted" if approved else "cases.share.requested"
    event = AuditEvent.objects.get(action=action, details__share_id=share.pk)
    assert event.actor == sender
    assert event.details["accepted_by"] == trooper.pk
    assert event.details["referral_id"] == sent.pk
    assert event.ip_address is None  # the acceptor's address is not the granter's


# Point 2: a caseworker's choice of audience waits for a supervisor ----------------------------------------------


def test_a_lead_caseworker_who_reroutes_a_supervisors_referral_becomes_its_sender_and_the_share_waits(
    asked_to_join, investigator, trooper, state_police, le_case, supervisor
):
    new = services.referral_reroute(
        referral=asked_to_join, actor=investigator, reason="The shelter is full.", recipient_agency=state_police
    )
    assert (new.status, new.sender, new.proposed_by) == (Referral.Status.REQUESTED, investigator, None)

    services.referral_accept(referral=new, actor=trooper)

    share = CaseShare.objects.get(case=le_case, agency=state_police)
    assert (share.status, share.granted_by, share.approved_by) == (CaseShare.Status.REQUESTED, investigator, None)
    assert not _sees_case(trooper, le_case)
    assert not AuditEvent.objects.filter(action="cases.share.granted", details__share_id=share.pk).exists()
    requested = AuditEvent.objects.get(action="cases.share.requested", details__share_id=share.pk)
    assert requested.actor == investigator


@pytest.mark.parametrize(
    ("who", "may_reroute", "may_mark_in_error"),
    [
        ("supervisor", True, True),
        ("investigator", True, True),  # the lead's people who manage the case; a caseworker's choice then waits
        ("coordinator", True, False),  # as a proposal only
        ("partner_investigator", False, False),
        ("advocate", False, False),  # the recipient answers; it does not choose
        ("outsider", False, False),
    ],
)
def test_who_may_choose_the_audience_of_an_interagency_referral(
    request, asked_to_join, who, may_reroute, may_mark_in_error
):
    user = request.getfixturevalue(who)
    assert selectors.may(user, asked_to_join, "reroute") is may_reroute
    assert selectors.may(user, asked_to_join, "mark_entered_in_error") is may_mark_in_error


def test_a_partner_cannot_reroute_the_leads_interagency_referral(asked_to_join, partner_investigator, state_police):
    with pytest.raises((Http404, PermissionDenied)):
        services.referral_reroute(
            referral=asked_to_join, actor=partner_investigator, reason="x", recipient_agency=state_police
        )
    assert Referral.objects.count() == 1


# Entered in error takes back the share it made ------------------------------------------------------------------


def test_marking_an_accepted_interagency_referral_entered_in_error_withdraws_its_share(
    asked_to_join, advocate, supervisor, ngo, le_case
):
    accepted = services.referral_accept(referral=asked_to_join, actor=advocate)
    assert accepted.share is not None
    assert _sees_case(advocate, le_case)

    services.referral_mark_entered_in_error(referral=accepted, actor=supervisor, reason="Wrong agency.")

    accepted.share.refresh_from_db()
    assert accepted.share.status == CaseShare.Status.REVOKED
    assert not _sees_case(advocate, le_case)
    revoked = AuditEvent.objects.get(action="cases.share.revoked", details__share_id=accepted.share.pk)
    assert revoked.actor == supervisor


def test_entered_in_error_leaves_a_share_that_another_act_holds(asked_to_join, advocate, supervisor, ngo, le_case):
    accepted = services.referral_accept(referral=asked_to_join, actor=advocate)
    later = case_share_grant(
        case=le_case, agency=ngo, level=CaseShare.Level.SUMMARY, reason="Narrowed after review", actor=supervisor
    )

    services.referral_mark_entered_in_error(referral=accepted, actor=supervisor, reason="Wrong agency.")

    later.refresh_from_db()
    assert later.status == CaseShare.Status.ACTIVE
    assert _sees_case(advocate, le_case)


def test_entered_in_error_leaves_the_access_an_agency_had_before(
    le_case, partner_agency, supervisor, partner_investigator
):
    """The partner already sees the summary: a referral asking for the same gives no new share to withdraw."""
    referral = sent_join_request(le_case, partner_agency, by=supervisor)
    accepted = services.referral_accept(referral=referral, actor=partner_investigator)
    assert accepted.share is None

    services.referral_mark_entered_in_error(referral=accepted, actor=supervisor, reason="Sent twice.")

    assert CaseShare.objects.get(case=le_case, agency=partner_agency).status == CaseShare.Status.ACTIVE


# Point 4: the task-force boundary, in case_share_grant -----------------------------------------------------------


def test_sharing_a_task_force_case_outside_the_task_force_is_refused_by_the_service(le_case, supervisor, other_agency):
    with pytest.raises(ValidationError) as refused:
        case_share_grant(
            case=le_case, agency=other_agency, level=CaseShare.Level.SUMMARY, reason="Asked", actor=supervisor
        )
    assert "task force" in str(refused.value)
    assert not CaseShare.objects.filter(agency=other_agency).exists()


def test_asking_an_agency_outside_the_task_force_to_join_is_refused(le_case, supervisor, other_agency):
    with pytest.raises(ValidationError):
        sent_join_request(le_case, other_agency, by=supervisor)
    assert not Referral.objects.exists()


def test_the_ask_to_join_page_offers_only_the_task_forces_agencies_and_refuses_others(
    client_as, supervisor, le_case, other_agency, state_police
):
    client = client_as(supervisor)
    page = client.get(f"/referrals/cases/{le_case.pk}/refer/")
    assert page.status_code == 200
    assert f'<option value="{state_police.pk}"' in page.content.decode()
    assert f'<option value="{other_agency.pk}"' not in page.content.decode()

    response = client.post(
        f"/referrals/cases/{le_case.pk}/refer/",
        {
            "recipient_agency": other_agency.pk,
            "share_level": CaseShare.Level.SUMMARY,
            "urgency": Referral.Urgency.ROUTINE,
            "request_note": "Join us",
            "submission_key": "6f1b3c1e-8a59-4a55-9d2c-1d8d0b4b7f00",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert not Referral.objects.exists()


def test_a_reroute_through_the_page_to_an_outside_agency_changes_nothing(
    client_as, asked_to_join, coordinator, other_agency
):
    response = client_as(coordinator).post(
        f"/referrals/{asked_to_join.pk}/reroute/", {"recipient": f"agency:{other_agency.pk}", "reason": "No answer"}
    )
    assert response.status_code == 404
    assert Referral.objects.count() == 1
    assert not ReferralEvent.objects.filter(verb="reroute").exists()


# The review of the change: the access other acts gave stays; proposals stay the lead's -------------------------


def _ask(case, agency, level, actor):
    return sent_join_request(case, agency, level, by=actor)


def test_entered_in_error_leaves_a_share_another_accepted_referral_asked_for(le_case, ngo, supervisor, advocate):
    first = services.referral_accept(referral=_ask(le_case, ngo, CaseShare.Level.PERSONAL, supervisor), actor=advocate)
    second = services.referral_accept(referral=_ask(le_case, ngo, CaseShare.Level.PERSONAL, supervisor), actor=advocate)
    assert (first.share is not None, second.share) == (True, None)

    services.referral_mark_entered_in_error(referral=first, actor=supervisor, reason="Sent twice.")

    assert _sees_case(advocate, le_case)


def test_a_referral_never_narrows_the_access_an_agency_has(le_case, partner_agency, supervisor, partner_investigator):
    case_share_grant(
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint", actor=supervisor
    )
    accepted = services.referral_accept(
        referral=_ask(le_case, partner_agency, CaseShare.Level.SUMMARY, supervisor), actor=partner_investigator
    )
    assert accepted.share is None
    current = CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE)
    assert current.level == CaseShare.Level.COLLABORATE


def test_entered_in_error_puts_back_the_share_its_acceptance_replaced(
    le_case, partner_agency, supervisor, partner_investigator
):
    """The partner saw the summary; a referral widened it to law enforcement; made in error, the summary returns."""
    accepted = services.referral_accept(
        referral=_ask(le_case, partner_agency, CaseShare.Level.LAW_ENFORCEMENT, supervisor), actor=partner_investigator
    )
    assert case_selectors.VIEW_LE in case_selectors.case_permissions(partner_investigator, le_case)

    services.referral_mark_entered_in_error(referral=accepted, actor=supervisor, reason="Wrong level.")

    current = CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE)
    assert current.level == CaseShare.Level.SUMMARY
    assert current.granted_by == supervisor
    assert case_selectors.case_permissions(partner_investigator, le_case) == {case_selectors.VIEW}
    reinstated = AuditEvent.objects.get(action="cases.share.reinstated", details__share_id=current.pk)
    assert reinstated.details["referral_id"] == accepted.pk
    withdrawn = AuditEvent.objects.get(action="cases.share.revoked", details__share_id=accepted.share_id)
    assert withdrawn.details["referral_id"] == accepted.pk


def test_a_proposal_to_an_agency_that_left_the_task_force_is_not_sent(
    asked_to_join, coordinator, state_police, supervisor, task_force
):
    proposal = services.referral_reroute(
        referral=asked_to_join, actor=coordinator, reason="Full.", recipient_agency=state_police
    )
    task_force.agencies.remove(state_police)
    with pytest.raises(ValidationError):
        services.referral_send_proposal(referral=proposal, actor=supervisor)
    proposal.refresh_from_db()
    assert proposal.status == Referral.Status.DRAFT


@pytest.mark.parametrize(
    ("who", "may_cancel"),
    [("supervisor", True), ("investigator", True), ("coordinator", True), ("partner_investigator", False)],
)
def test_who_may_cancel_a_proposal(request, asked_to_join, state_police, who, may_cancel):
    coordinator = request.getfixturevalue("coordinator")
    proposal = services.referral_reroute(
        referral=asked_to_join, actor=coordinator, reason="Full.", recipient_agency=state_police
    )
    assert selectors.may(request.getfixturevalue(who), proposal, "cancel") is may_cancel


def test_another_coordinator_may_not_cancel_a_proposal(asked_to_join, coordinator, coordination_office, state_police):
    from agencies.models import Role

    other = UserFactory(
        email="deputy@tfc.example", full_name="Dee Deputy", agency=coordination_office, role=Role.COORDINATOR
    )
    proposal = services.referral_reroute(
        referral=asked_to_join, actor=coordinator, reason="Full.", recipient_agency=state_police
    )
    with pytest.raises(PermissionDenied):
        services.referral_cancel(referral=proposal, actor=other, reason="No.")


def test_a_partner_that_works_the_case_does_not_see_a_proposal_on_the_case_page(
    client_as, asked_to_join, coordinator, supervisor, partner_agency, partner_investigator, le_case, state_police
):
    case_share_grant(
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint", actor=supervisor
    )
    proposal = services.referral_reroute(
        referral=asked_to_join, actor=coordinator, reason="Full.", recipient_agency=state_police
    )
    page = client_as(partner_investigator).get(f"/cases/{le_case.pk}/").content.decode()
    assert f"/referrals/{proposal.pk}/" not in page
    assert f"/referrals/{proposal.pk}/" in client_as(supervisor).get(f"/cases/{le_case.pk}/").content.decode()


def test_provider_staff_are_not_listed_an_ask_to_join_they_cannot_open(asked_to_join, provider_staff):
    assert selectors.sides_of(provider_staff, asked_to_join) == frozenset()
    assert not selectors.referral_list_visible_to(provider_staff).filter(pk=asked_to_join.pk).exists()
