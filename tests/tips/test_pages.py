"""The tip form, the triage queue and the tip's page: what they show, what they change, and what they cost."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent
from tests.tips.conftest import NARRATIVE, assigned, receive
from tips.models import Tip, TipSubject

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _form(**overrides):
    data = {
        "channel": Tip.Channel.AIRLINE,
        "narrative": "A man holds the passports of two young women in 23B and 23C.",
        "involves_minor": "on",
        "reporter_role": "purser",
        "reporter_permission": Tip.ReporterPermission.NOT_ASKED,
        "indicators": ["confiscated_documents"],
        "flight_carrier": "Gulf Air Lines",
        "flight_number": "GA 207",
        "flight_date": "2026-12-03",
        "flight_departure_airport": "MIA",
        "flight_arrival_airport": "IAH",
        "flight_scheduled_arrival": "2026-12-03T17:00",
        "flight_seats": "23A-23C",
        "flight_party_size": "3",
        "reporter_crew_role": Tip.CrewRole.FLIGHT_ATTENDANT,
        "subjects-TOTAL_FORMS": "3",
        "subjects-INITIAL_FORMS": "0",
        "subjects-0-role": TipSubject.Role.SUSPECT,
        "subjects-0-name": "Unknown man",
        "subjects-0-approximate_age": "45",
        "subjects-0-sex": "male",
        "subjects-1-sex": "unknown",
        "subjects-2-sex": "unknown",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_airline_report_from_the_form_lands_in_the_holding_bin(client_as, intake):
    with time_machine.travel(NOW, tick=False):
        response = client_as(intake).post(reverse("tip_new"), _form())
    tip = Tip.objects.get()
    assert response["Location"] == reverse("tip_detail", args=[tip.pk])
    assert (tip.status, tip.receiving_agency, tip.received_by) == (Tip.Status.RECEIVED, intake.agency, intake)
    assert (tip.flight_number, tip.flight_party_size) == ("GA 207", 3)
    assert [subject.name for subject in tip.subjects.all()] == ["Unknown man"]
    assert tip.assess_by == NOW + timedelta(hours=1)  # a minor: an hour, sooner than 17:00 - 45 min
    assert AuditEvent.objects.filter(action="tips.tip.received", object_id=str(tip.pk)).exists()


def test_the_same_form_posted_twice_enters_one_tip(client_as, intake):
    client = client_as(intake)
    data = _form(submission_key="6f1d2b1e-1111-4222-8333-444455556666")
    client.post(reverse("tip_new"), data)
    client.post(reverse("tip_new"), data)
    assert Tip.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"narrative": ""}, "narrative"),
        ({"channel": ""}, "channel"),
        ({"flight_number": ""}, "flight_number"),  # an airline report needs its flight
        ({"received_at": "2099-01-01T00:00"}, "received_at"),  # not later than now
        ({"subjects-1-name": "Someone", "subjects-1-role": ""}, None),  # a person described needs a role
    ],
)
def test_a_form_with_errors_comes_back_and_changes_nothing(client_as, intake, overrides, field):
    response = client_as(intake).post(reverse("tip_new"), _form(**overrides))
    assert response.status_code == 200
    if field:
        assert response.context["form"].errors[field]
    else:
        assert response.context["subjects"].errors[1]["role"]
    assert not Tip.objects.exists()


def test_the_form_is_only_for_those_who_receive_tips(client_as, investigator, coordinator, intake):
    assert client_as(intake).get(reverse("tip_new")).status_code == 200
    for person in (investigator, coordinator):
        assert client_as(person).get(reverse("tip_new")).status_code == 404
        assert client_as(person).post(reverse("tip_new"), _form()).status_code == 404
    assert not Tip.objects.exists()


def test_the_flight_block_is_always_on_the_form_as_a_fieldset(client_as, intake):
    body = client_as(intake).get(reverse("tip_new")).content.decode()
    assert 'id="flight"' in body
    assert "flight_number" in body


def test_the_queue_counts_down_and_puts_overdue_tips_first(client_as, intake):
    with time_machine.travel(NOW, tick=False):
        routine = receive(intake)
        urgent = receive(intake, involves_minor=True)
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        late = receive(intake, imminent_danger=True)
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        page = client_as(intake).get(reverse("tip_queue"))
    rows = page.context["rows"]
    assert [row.tip for row in rows] == [late, urgent, routine]
    assert [row.countdown for row in rows] == ["Overdue by 2 h 20 min", "40 min left", "23 h 40 min left"]
    assert "Overdue by 2 h 20 min" in page.content.decode()


@pytest.mark.parametrize("who", ["intake", "supervisor", "coordinator", "partner_investigator"])
def test_the_queue_costs_the_same_for_5_and_50_tips(request, client_as, intake, supervisor, partner_investigator, who):
    reader = request.getfixturevalue(who)
    client = client_as(reader)

    def add(count):
        for number in range(count):
            tip = receive(intake, involves_minor=bool(number % 2), subjects=[])
            if who == "partner_investigator":
                assigned(tip, supervisor, partner_investigator)

    add(5)
    client.get(reverse("tip_queue"))  # the session's first page
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(reverse("tip_queue")).context["rows"]) == 5
    add(45)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(reverse("tip_queue")).context["rows"]) == 50
    # A full page is counted; a short page is its own count (portal/pagination.py).
    assert len(fifty) == len(five) + 1, "\n".join(query["sql"] for query in fifty)


@pytest.mark.parametrize("who", ["intake", "coordinator"])
def test_the_queue_costs_the_same_for_5_and_500_tips(request, client_as, intake, who):
    """At the size of a busy hotline's backlog: the queue reads one page of 50, in the same queries as for 5."""
    client = client_as(request.getfixturevalue(who))
    for number in range(5):
        receive(intake, involves_minor=bool(number % 2), subjects=[])
    client.get(reverse("tip_queue"))  # the session's first page
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(reverse("tip_queue")).context["rows"]) == 5
    model = Tip.objects.first()
    assert model is not None
    copies = []
    for _number in range(495):
        copy = Tip.objects.get(pk=model.pk)
        copy.pk = copy.submission_key = None
        copies.append(copy)
    Tip.objects.bulk_create(copies)
    with CaptureQueriesContext(connection) as five_hundred:
        page = client.get(reverse("tip_queue"))
    assert (len(page.context["rows"]), page.context["page"].paginator.count) == (50, 500)
    # A full page is counted; a short page is its own count (portal/pagination.py).
    assert len(five_hundred) == len(five) + 1, "\n".join(query["sql"] for query in five_hundred)


def test_the_page_offers_only_the_steps_allowed_to_its_reader(client_as, tip, intake, supervisor, coordinator):
    def offered(person, pk):
        return {offer.step.verb for offer in client_as(person).get(reverse("tip_detail", args=[pk])).context["offers"]}

    assert offered(intake, tip.pk) == {"assess", "close_no_predicate", "close"}
    assert offered(supervisor, tip.pk) == {"assess", "close_no_predicate", "close"}
    assert offered(coordinator, tip.pk) == set()
    client_as(intake).post(reverse("tip_step", args=[tip.pk, "assess"]), {"assess-reason": "Named venue, two signs."})
    assert offered(intake, tip.pk) == {"close"}
    assert offered(supervisor, tip.pk) == {"assign", "close"}


def test_assigning_from_the_page(client_as, tip, intake, supervisor, partner_investigator, partner_agency):
    client_as(intake).post(reverse("tip_step", args=[tip.pk, "assess"]), {"assess-reason": "Named venue."})
    response = client_as(supervisor).post(
        reverse("tip_step", args=[tip.pk, "assign"]),
        {"assign-owner": partner_investigator.pk, "assign-due_on": "2099-01-01"},
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.status, tip.assigned_agency, tip.owner) == (Tip.Status.ASSIGNED, partner_agency, partner_investigator)


def test_a_refused_step_from_the_page_says_why_and_changes_nothing(client_as, tip, intake):
    response = client_as(intake).post(reverse("tip_step", args=[tip.pk, "assess"]), {"assess-reason": " "}, follow=True)
    assert "Say why." in response.content.decode()
    tip.refresh_from_db()
    assert tip.status == Tip.Status.RECEIVED


def test_reading_a_tip_is_an_audit_event_a_coordinators_glance_is_not(client_as, tip, intake, coordinator):
    client_as(intake).get(reverse("tip_detail", args=[tip.pk]))
    client_as(coordinator).get(reverse("tip_detail", args=[tip.pk]))
    readers = AuditEvent.objects.filter(action="tips.tip.viewed", object_id=str(tip.pk)).values_list("actor", flat=True)
    assert list(readers) == [intake.pk]


def test_the_timeline_shows_each_step(client_as, tip, intake, supervisor, partner_investigator):
    tip = assigned(tip, supervisor, partner_investigator)
    body = client_as(partner_investigator).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    timeline = body.split('id="timeline"')[1]
    assert timeline.index("Received") < timeline.index("Assessed") < timeline.index("Assigned")
    assert "Ines Intake" in timeline
    assert "Sue Supervisor" in timeline


def test_the_navigation_offers_tips_to_those_who_triage_or_oversee(
    client_as, intake, supervisor, coordinator, investigator, advocate
):
    url = reverse("tip_queue")
    for person, offered in [(intake, True), (supervisor, True), (coordinator, True), (investigator, False)]:
        assert (f'href="{url}"' in client_as(person).get(reverse("home")).content.decode()) == offered


def test_the_pages_read_in_spanish(client_as, tip, intake):
    intake.preferred_language = "es"
    intake.save(update_fields=["preferred_language"])
    client = client_as(intake)
    with translation.override("es"):
        queue = client.get(reverse("tip_queue")).content.decode()
        page = client.get(reverse("tip_detail", args=[tip.pk])).content.decode()
        form = client.get(reverse("tip_new")).content.decode()
    assert "Pistas" in queue
    assert "Cronología" in page
    assert NARRATIVE in page
    assert "El vuelo" in form
