"""The relief queue (decision 0033): per agency, deadlines first (overdue HHS notices, grants expiring, declarations
and certifications awaiting a decision with their age), for an advocate their clients'; reachable from the
navigation and the home; only what the reader may see, at a cost that does not grow with the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from protection import selectors, services
from protection.models import ReliefAction
from tests.protection.conftest import granted, identify_minor, victim_of

pytestmark = pytest.mark.django_db
K = ReliefAction.Kind


def _declaration(case, actor, agency, days_ago):
    return services.relief_action_record(
        case=case,
        person=victim_of(case).person,
        kind=K.T_DECLARATION,
        actor=actor,
        requested_on=timezone.localdate() - timedelta(days=days_ago),
        requesting_agency=agency,
    )


def _expiring(case, actor, days):
    today = timezone.localdate()
    action = services.relief_action_record(
        case=case,
        person=victim_of(case).person,
        kind=K.CONTINUED_PRESENCE,
        actor=actor,
        requested_on=today - timedelta(days=400),
        requesting_agency=actor.agency,
    )
    return granted(action, actor, valid_from=today - timedelta(days=300), expires_on=today + timedelta(days=days))


def test_the_queue_lists_deadlines_first_with_their_age(
    client_as, relief_case, investigator, state_agency, state_investigator
):
    identify_minor(relief_case, investigator)
    _expiring(relief_case, investigator, 45)
    _declaration(relief_case, investigator, state_agency, 12)
    items = selectors.relief_queue_for(state_investigator)
    assert [item.what for item in items] == ["hhs", "expiry", "signature"]
    assert items[2].age_days == 12
    page = client_as(state_investigator).get(reverse("relief_queue")).content.decode()
    assert "expires in 45 days" in page
    assert "12 days ago" in page
    assert page.index("relief-hhs") < page.index("relief-expiry") < page.index("relief-signature")
    listed = AuditEvent.objects.get(action="protection.relief.listed", actor=state_investigator)
    assert listed.details == {"person_ids": [victim_of(relief_case).person.pk]}


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("investigator", True),
        ("state_investigator", True),
        ("advocate", True),
        ("partner_investigator", False),  # a summary share
        ("state_intake", False),  # intake reads no law-enforcement-sensitive information
    ],
)
def test_the_queue_shows_only_relief_the_reader_sees(
    request, relief_case, investigator, state_investigator, who, listed
):
    _expiring(relief_case, investigator, 30)
    reader = request.getfixturevalue(who)
    assert bool(selectors.relief_queue_for(reader)) is listed


def test_an_advocate_sees_their_clients(client_case, t_visa, advocate, shelter_supervisor, lead_agency):
    action = services.relief_action_record(
        case=client_case,
        person=victim_of(client_case).person,
        kind=K.EMPLOYMENT_AUTHORIZATION,
        actor=advocate,
        requested_on=timezone.localdate() - timedelta(days=100),
    )
    granted(
        action,
        advocate,
        valid_from=timezone.localdate() - timedelta(days=90),
        expires_on=timezone.localdate() + timedelta(days=20),
    )
    assert [item.action for item in selectors.relief_queue_for(shelter_supervisor)] == [action]


def test_navigation_and_home_lead_to_the_queue(client_as, relief_case, investigator, coordinator):
    identify_minor(relief_case, investigator)
    home = client_as(investigator).get(reverse("home")).content.decode()
    assert reverse("relief_queue") in home
    assert "Immigration relief deadlines" in home
    coordinator_home = client_as(coordinator).get(reverse("home")).content.decode()
    assert reverse("relief_queue") not in coordinator_home


def _queue_queries(user) -> tuple[int, int]:
    selectors.relief_queue_for(user)  # the person's permissions read once, as on any page
    with CaptureQueriesContext(connection) as queries:
        items = selectors.relief_queue_for(user)
    return len(items), len(queries)


def test_the_queue_costs_the_same_for_one_row_or_many(relief_case, investigator, state_agency, state_investigator):
    _declaration(relief_case, investigator, state_agency, 3)
    one = _queue_queries(state_investigator)
    identify_minor(relief_case, investigator)
    for days in (10, 40, 80):
        _expiring(relief_case, investigator, days)
    for days in (5, 8):
        _declaration(relief_case, investigator, state_agency, days)
    many = _queue_queries(state_investigator)
    assert (one[0], many[0]) == (1, 7)
    assert one[1] == many[1]
