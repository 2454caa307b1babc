"""Who finds which referral in their inbox, and whether its page opens for them: one table, every role of the demo
(issue 13: provider staff's inbox listed 'ask to join' referrals whose page then answered 404). The inbox, the
other lists and a referral's page read one rule (``selectors._side_rules``): listed means it opens."""

import pytest
from django.urls import reverse

from agencies.models import Role
from cases.models import CaseShare
from referrals import selectors, services
from referrals.models import Referral
from tests.factories import UserFactory, sent_join_request, sent_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal_aid_advocate(legal_aid):
    return UserFactory(email="advocate@gla.example", full_name="Gil Legal", agency=legal_aid)


@pytest.fixture
def intake_officer(task_force, lead_agency):
    return UserFactory(email="intake@ffo.example", full_name="Ines Intake", agency=lead_agency, role=Role.INTAKE)


@pytest.fixture
def referrals(
    le_case, le_victim, shelter_need, shelter_service, offline_clinic, ngo, legal_aid, partner_agency, investigator,
    supervisor, coordinator,
):  # fmt: skip
    """The lead field office's referrals of ``le_case`` (a case of the task force), by letter:
    S, the victim to the shelter's service (in the portal), open; J, the shelter asked to join the case, open;
    O, the victim to a clinic outside the portal (by e-mail), open; R, legal aid asked to join, re-routed by the
    coordinator (closed, cancelled); P, the coordinator's proposal from it to the partner police (a draft, the
    lead's to send)."""
    rerouted = sent_join_request(le_case, legal_aid, CaseShare.Level.SUMMARY, by=supervisor)
    proposal = services.referral_reroute(
        referral=rerouted, actor=coordinator, reason="Legal aid does not answer.", recipient_agency=partner_agency
    )
    return {
        "S": sent_referral(le_case, le_victim, shelter_service, by=investigator, needs=[shelter_need]),
        "J": sent_join_request(le_case, ngo, CaseShare.Level.PERSONAL, by=supervisor),
        "O": sent_referral(le_case, le_victim, offline_clinic, by=investigator, delivery="email"),
        "R": Referral.objects.get(pk=rerouted.pk),
        "P": proposal,
    }


ALL = "SJORP"

# who: the role (and agency); the inbox page's status; where each referral is listed in it ("open" list or
# "history"); the referrals whose page opens (200; every other one answers 404).
TABLE = [
    ("investigator", 200, {}, ALL),  # caseworker of the lead agency: the sender's side of all five, none to it
    ("colleague", 200, {}, ALL),
    ("supervisor", 200, {}, ALL),
    ("agency_admin", 404, {}, ""),  # the lead agency's administrator: no case work
    ("intake_officer", 404, {}, ""),  # the lead agency's intake: opens cases, neither sends nor answers
    ("partner_investigator", 200, {}, ""),  # the partner police: the proposal to it is not sent yet
    ("advocate", 200, {"S": "open", "J": "open"}, "SJ"),  # the shelter's caseworker
    ("shelter_supervisor", 200, {"S": "open", "J": "open"}, "SJ"),
    ("provider_staff", 200, {"S": "open"}, "S"),  # the shelter's provider staff: not asked to join a case
    ("legal_aid_advocate", 200, {"R": "history"}, "R"),  # legal aid's caseworker: its request, re-routed
    ("legal_aid_staff", 200, {}, ""),  # legal aid's provider staff: not asked to join a case
    ("coordinator", 404, {}, ALL),  # the task force's coordinator: the board, not an inbox
    ("auditor", 404, {}, ""),
    ("outsider", 200, {}, ""),  # a caseworker of an agency of another task force
]


def _inbox(client) -> dict[int, str]:
    listed: dict[int, str] = {}
    for where, query in (("open", ""), ("history", "?show=history")):
        response = client.get(reverse("referral_inbox") + query)
        listed.update({referral.pk: where for referral in response.context["page"].object_list})
    return listed


@pytest.mark.parametrize(("who", "inbox_status", "listed", "opens"), TABLE)
def test_who_finds_which_referral_in_the_inbox_and_opens_it(
    client_as, request, referrals, who, inbox_status, listed, opens
):
    user = request.getfixturevalue(who)
    client = client_as(user)
    names = {referral.pk: name for name, referral in referrals.items()}

    assert client.get(reverse("referral_inbox")).status_code == inbox_status
    in_inbox = _inbox(client) if inbox_status == 200 else {}
    details = {name: client.get(reverse("referral_detail", args=[r.pk])).status_code for name, r in referrals.items()}

    assert {names[pk]: where for pk, where in in_inbox.items()} == listed
    assert details == {name: 200 if name in opens else 404 for name in ALL}


@pytest.mark.parametrize("who", [row[0] for row in TABLE])
def test_every_list_shows_exactly_the_referrals_whose_page_opens(client_as, request, referrals, who):
    """The rule read both ways for every role: what ``referral_list_visible_to`` (the outbox, the board, the
    notices) and the inbox hold is what the page lets in, and ``sides_of`` (which the services ask) agrees."""
    user = request.getfixturevalue(who)
    listed = set(selectors.referral_list_visible_to(user).values_list("pk", flat=True))
    inbox = {r.pk for closed in (False, True) for r in selectors.referral_inbox_for(user, closed=closed)}
    opens = {
        r.pk
        for r in referrals.values()
        if client_as(user).get(reverse("referral_detail", args=[r.pk])).status_code == 200
    }

    assert listed == opens
    assert inbox <= opens
    assert {r.pk for r in referrals.values() if selectors.sides_of(user, r)} == opens
