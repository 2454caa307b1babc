"""The home page is a work queue (portal.workqueue, decision 0023): what waits for each role, read through the
selectors of the page each item leads to, in a number of queries that does not grow with the data."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from agencies.services import invitation_create
from cases.models import Case, CaseParticipant, CaseShare, Need
from cases.selectors import needs_visible_to
from cases.selectors.work import urgent_needs_for
from cases.services import (
    case_create,
    case_share_decline,
    case_share_grant,
    case_transition,
    need_add,
    need_mark_met,
    person_add_to_case,
)
from portal import workqueue
from portal.workqueue import SHOWN, work_queue_for
from referrals.models import Notification, Referral
from tests.factories import UserFactory, given_consent, sent_referral
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


def _case(lead, task_force, *, title="Venue", victims=1) -> Case:
    case = case_create(
        actor=lead, title=title, intake_channel=Case.Channel.HOTLINE, case_type=Case.Type.SEX, task_force=task_force
    )
    for number in range(victims):
        person_add_to_case(
            case=case, role=CaseParticipant.Role.VICTIM, actor=lead, given_name=f"V{number}", family_name="Doe"
        )
    return case


def _need(case, actor, urgency=Need.Urgency.URGENT, category=Need.Category.EMERGENCY_SHELTER) -> Need:
    person = case.participants.filter(role=CaseParticipant.Role.VICTIM).first().person
    return need_add(case=case, person=person, category=category, urgency=urgency, actor=actor)


def _lock(user) -> None:
    AccessAttempt.objects.create(
        username=user.email, ip_address="127.0.0.1", user_agent="test", http_accept="*/*", path_info="/",
        get_data="", post_data="", failures_since_start=5,
    )  # fmt: skip


def _queue(user) -> dict[str, list[str]]:
    return {section.key: [str(item.label) for item in section.items] for section in work_queue_for(user).waiting}


class World:
    """Work for every role of the cast, ``add(n)`` times over: a case of the lead agency with urgent needs, a
    caseworker's share request, a referral to the shelter's service with a notice to its sender, a shelter client
    whose consent expires soon, an invitation and a locked account."""

    def __init__(self, cast, task_force, service) -> None:
        self.cast, self.task_force, self.service, self.made = cast, task_force, service, 0

    def add(self, n: int) -> None:
        c = self.cast
        for _ in range(n):
            self.made += 1
            case = _case(c["investigator"], self.task_force, title=f"Venue {self.made}")
            _need(case, c["investigator"], Need.Urgency.EMERGENCY)
            _need(case, c["investigator"], Need.Urgency.URGENT, Need.Category.INTERPRETATION)
            case_share_grant(
                case=case, agency=c["ngo"], level=CaseShare.Level.SUMMARY, reason="Shelter", actor=c["investigator"]
            )
            person = case.participants.get().person
            referral = sent_referral(case, person, self.service, by=c["investigator"])
            Notification.objects.create(user=c["investigator"], referral=referral, verb="accepted")
            client_case = _case(c["advocate"], self.task_force, title=f"Client {self.made}")
            given_consent(client_case.participants.get().person, c["lead_agency"], by=c["advocate"], days=10)
            invitation_create(
                agency=c["lead_agency"],
                email=f"new{self.made}@ffo.example",
                full_name=f"Newcomer {self.made}",
                role=Role.CASEWORKER,
                actor=c["agency_admin"],
            )
            _lock(UserFactory(email=f"locked{self.made}@ffo.example", agency=c["lead_agency"]))


@pytest.fixture
def world(
    task_force, lead_agency, ngo, investigator, supervisor, advocate, provider_staff, coordinator, agency_admin
) -> World:
    cast = {
        "lead_agency": lead_agency,
        "ngo": ngo,
        "investigator": investigator,
        "advocate": advocate,
        "agency_admin": agency_admin,
    }
    return World(cast, task_force, listed_service(name="Harbor House", agency=ngo))


# Who sees which sections, on the same world.
ROLES = [
    ("investigator", {"needs", "referrals-changed", "cases"}),
    ("supervisor", {"needs", "shares", "cases"}),
    ("advocate", {"consents", "to-answer", "referrals-changed", "cases"}),
    ("provider_staff", {"to-answer", "referrals-changed"}),
    ("agency_admin", {"locked", "invitations"}),
    ("partner_investigator", {"cases"}),
    ("coordinator", {"overdue", "cases"}),
    ("auditor", set()),
    ("outsider", {"cases"}),  # none: "0 open cases"
]


@pytest.mark.parametrize(("who", "sections"), ROLES)
def test_each_role_sees_its_own_work(world, request, who, sections):
    world.add(1)
    _overdue()
    user = request.getfixturevalue(who)
    assert set(_queue(user)) == sections


def _overdue() -> None:
    """Every referral's answer was due yesterday (the coordinator's overdue ones)."""
    Referral.objects.update(respond_by=timezone.now() - timedelta(days=1))


@pytest.mark.parametrize(
    "who", ["investigator", "supervisor", "advocate", "provider_staff", "agency_admin", "coordinator"]
)
def test_the_home_costs_the_same_queries_with_one_item_or_many(world, request, client_as, who):
    user = request.getfixturevalue(who)
    client = client_as(user)
    world.add(1)
    _overdue()
    client.get(reverse("home"))  # the session's first request pays for what it caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("home")).status_code == 200
    world.add(SHOWN + 2)
    _overdue()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("home")).content.decode()
    assert len(many) == len(one), "\n".join(query["sql"] for query in many)
    if who != "provider_staff":  # the shelter's staff have no section with more than one page of items here
        assert 'class="usa-link" href="' in page


def test_lists_stop_at_five_with_a_link_to_the_page_that_lists_them_all(world, investigator, provider_staff, client_as):
    world.add(SHOWN + 1)
    queue = {section.key: section for section in work_queue_for(provider_staff).waiting}
    assert len(queue["to-answer"].items) == SHOWN
    assert queue["to-answer"].more
    page = client_as(provider_staff).get(reverse("home")).content.decode()
    assert f'href="{reverse("referral_inbox")}">See all referrals to your agency' in page


def test_a_supervisor_sees_the_share_requests_and_the_requester_the_decision(
    world, investigator, supervisor, client_as
):
    world.add(1)
    share = CaseShare.objects.get(status=CaseShare.Status.REQUESTED)
    page = client_as(supervisor).get(reverse("home")).content.decode()
    assert "Shares awaiting your approval" in page
    assert f"{share.case.number}: share with Safe Harbor Shelter" in page
    assert reverse("case_detail", args=[share.case_id]) + "#shares-heading" in page
    assert "Decisions on the shares you asked for" not in client_as(investigator).get(reverse("home")).content.decode()

    case_share_decline(share=share, actor=supervisor)
    assert "Shares awaiting your approval" not in client_as(supervisor).get(reverse("home")).content.decode()
    page = client_as(investigator).get(reverse("home")).content.decode()
    assert "Decisions on the shares you asked for" in page
    assert "Share declined by Sue Supervisor" in page


def test_only_needs_that_are_unmet_urgent_and_in_open_cases_are_waiting(investigator, supervisor, task_force):
    case = _case(investigator, task_force)
    emergency = _need(case, investigator, Need.Urgency.EMERGENCY)
    urgent = _need(case, investigator, Need.Urgency.URGENT, Need.Category.FOOD)
    _need(case, investigator, Need.Urgency.ROUTINE, Need.Category.CLOTHING)
    met = _need(case, investigator, Need.Urgency.EMERGENCY, Need.Category.CHILD_CARE)
    need_mark_met(need=met, actor=investigator)
    assert urgent_needs_for(investigator) == [emergency, urgent]  # emergencies first
    closed = _case(investigator, task_force, title="Closed")
    _need(closed, investigator, Need.Urgency.EMERGENCY)
    case_transition(case=closed, transition="close", actor=supervisor, reason=Case.ClosedReason.OTHER)
    assert urgent_needs_for(investigator) == [emergency, urgent]


def test_a_shelter_clients_medical_need_waits_for_another_agency_only_through_their_consent(
    ngo_case, ngo_client, advocate, shelter_supervisor, investigator, lead_agency
):
    """The lead agency works the shelter's case (it collaborates) but the client released nothing medical to it:
    the case page hides the need, so the home does too, until a consent releases it."""
    case_share_grant(
        case=ngo_case, agency=lead_agency, level=CaseShare.Level.COLLABORATE, reason="Joint", actor=shelter_supervisor
    )
    medical = need_add(
        case=ngo_case, person=ngo_client, category=Need.Category.MEDICAL, urgency=Need.Urgency.EMERGENCY, actor=advocate
    )
    assert medical not in needs_visible_to(investigator, ngo_case)
    assert urgent_needs_for(investigator) == []
    assert urgent_needs_for(advocate) == [medical]
    given_consent(ngo_client, lead_agency, ["medical"], by=advocate)
    assert urgent_needs_for(investigator) == [medical]


def test_consents_expiring_within_fourteen_days_wait_for_the_shelter_that_holds_them(
    ngo_client, advocate, provider_staff, lead_agency, partner_agency, ngo_case
):
    soon = given_consent(ngo_client, lead_agency, by=advocate, days=14)
    given_consent(ngo_client, partner_agency, by=advocate, days=15)
    assert _queue(advocate)["consents"] == ["Consent to release to Federal Field Office"]
    item = next(section for section in work_queue_for(advocate).waiting if section.key == "consents").items[0]
    assert item.url == reverse("case_detail", args=[ngo_case.pk]) + "#consents-heading"
    assert item.when == soon.expires_on
    assert "consents" not in _queue(provider_staff)  # staff do not record consents


def test_an_admin_sees_locked_accounts_and_invitations_of_their_agency_only(agency_admin, other_agency, lead_agency):
    _lock(UserFactory(email="locked@ffo.example", full_name="Lou Locked", agency=lead_agency))
    _lock(UserFactory(email="locked@faraway.example", full_name="Far Locked", agency=other_agency))
    invitation_create(
        agency=lead_agency, email="new@ffo.example", full_name="Nora New", role=Role.CASEWORKER, actor=agency_admin
    )
    assert _queue(agency_admin) == {"locked": ["Lou Locked"], "invitations": ["Nora New"]}


def test_a_person_with_nothing_waiting_is_told_so(auditor, client_as):
    page = client_as(auditor).get(reverse("home")).content.decode()
    assert "Nothing is waiting for you." in page
    assert "Nothing has been shared with your agency yet" not in page


def test_portal_finds_the_sections_through_the_setting_and_imports_no_domain_app(settings, agency_admin):
    tree = ast.parse(Path(workqueue.__file__).read_text(encoding="utf-8"))
    imported = {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"agencies", "cases", "referrals", "services_directory"}
    settings.PORTAL_WORK_QUEUE = []
    assert work_queue_for(agency_admin).sections == []
    settings.PORTAL_WORK_QUEUE = ["agencies.workqueue.sections"]
    assert [section.key for section in work_queue_for(agency_admin).sections] == ["locked", "invitations"]
