"""The board's history (issue 11, point 13): the task force's closed referrals with their outcomes, for its
coordinators, filterable by status, outcome, agency and the day they closed."""

from datetime import timedelta

import pytest
import time_machine

from referrals import services
from referrals.models import Referral
from tests.factories import sent_referral

pytestmark = pytest.mark.django_db

URL = "/referrals/board/history/"


def _completed(referral, provider_staff, outcome=Referral.Outcome.SERVICE_DELIVERED):
    services.referral_accept(referral=referral, actor=provider_staff)
    return services.referral_complete(referral=referral, actor=provider_staff, outcome=outcome)


@pytest.fixture
def another(le_case, le_victim, shelter_need, shelter_service, investigator):
    def send():
        return sent_referral(le_case, le_victim, shelter_service, by=investigator, needs=[shelter_need])

    return send


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("investigator", 404),
        ("supervisor", 404),
        ("provider_staff", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_reads_the_history(client_as, request, who, status):
    assert client_as(request.getfixturevalue(who)).get(URL).status_code == status


def test_it_lists_closed_referrals_with_their_outcome_and_not_open_ones(
    client_as, coordinator, service_referral, another, provider_staff
):
    done = _completed(service_referral, provider_staff, Referral.Outcome.CLIENT_DECLINED)
    still_open = another()

    text = client_as(coordinator).get(URL).content.decode()

    assert f"#{done.pk}<" in text
    assert "The person declined" in text
    assert f"#{still_open.pk}<" not in text


def test_closing_stamps_the_time_whichever_way_it_closes(service_referral, another, coordinator, provider_staff):
    assert service_referral.closed_at is None
    done = _completed(service_referral, provider_staff)
    assert done.closed_at is not None

    late = another()
    with time_machine.travel(late.respond_by + timedelta(minutes=1), tick=False):
        services.referrals_expire()
    late.refresh_from_db()
    assert late.closed_at == late.respond_by + timedelta(minutes=1)

    unanswered = another()
    services.referral_reroute(
        referral=unanswered, actor=coordinator, reason="No answer", recipient_service=unanswered.recipient_service
    )
    unanswered.refresh_from_db()
    assert (unanswered.status, unanswered.closed_at is not None) == (Referral.Status.CANCELLED, True)


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ({}, {"delivered", "declined", "cancelled"}),
        ({"status": "completed"}, {"delivered", "declined"}),
        ({"status": "cancelled"}, {"cancelled"}),
        ({"outcome": "service-delivered"}, {"delivered"}),
        ({"agency": "Harbor House"}, {"delivered", "declined", "cancelled"}),
        ({"agency": "Nowhere"}, set()),
        ({"closed_from": "2026-03-02"}, {"declined", "cancelled"}),
        ({"closed_to": "2026-03-01"}, {"delivered"}),
    ],
)
def test_the_history_filters(client_as, coordinator, another, investigator, provider_staff, query, listed):
    with time_machine.travel("2026-03-01 12:00Z", tick=False):
        delivered = _completed(another(), provider_staff)
    with time_machine.travel("2026-03-05 12:00Z", tick=False):
        declined = _completed(another(), provider_staff, Referral.Outcome.CLIENT_DECLINED)
        cancelled = services.referral_cancel(referral=another(), actor=investigator, reason="Sent by mistake")
    names = {delivered.pk: "delivered", declined.pk: "declined", cancelled.pk: "cancelled"}

    text = client_as(coordinator).get(URL, query).content.decode()

    assert {name for pk, name in names.items() if f"#{pk}<" in text} == listed


def test_referrals_of_cases_outside_the_coordinators_task_force_are_not_in_the_history(
    client_as, coordinator, investigator, le_victim, shelter_service
):
    from cases.models import Case, CaseParticipant
    from cases.services import case_create, person_add_to_case

    elsewhere = case_create(actor=investigator, title="Not a task-force case", intake_channel=Case.Channel.HOTLINE)
    victim = person_add_to_case(
        case=elsewhere, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name="Other"
    ).person
    referral = sent_referral(elsewhere, victim, shelter_service, by=investigator)
    services.referral_cancel(referral=referral, actor=investigator, reason="Not needed")

    assert f"#{referral.pk}<" not in client_as(coordinator).get(URL).content.decode()


def test_the_history_costs_the_same_queries_for_one_closed_referral_or_ten(
    client_as, coordinator, another, provider_staff, django_assert_max_num_queries
):
    client = client_as(coordinator)
    _completed(another(), provider_staff)
    client.get(URL)  # warm the session and the permission caches
    with django_assert_max_num_queries(100) as one:
        client.get(URL)
    for _ in range(9):
        _completed(another(), provider_staff)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(URL)
    assert response.content.decode().count('<span class="usa-tag">Completed</span>') == 10


def test_the_board_links_its_history(client_as, coordinator):
    assert URL in client_as(coordinator).get("/referrals/board/").content.decode()
