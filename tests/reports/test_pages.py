"""Who reaches the dashboard and the outreach pages (a table), what the page and its CSV show, and the form."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from reports import sections
from reports.models import OutreachEvent
from tests.factories import TaskForceFactory
from tests.tips.conftest import intake  # noqa: F401  (fixture)

DASHBOARD, OUTREACH, OUTREACH_NEW = "/reports/", "/reports/outreach/", "/reports/outreach/new/"


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("investigator", DASHBOARD, 200),
        ("supervisor", DASHBOARD, 200),
        ("agency_admin", DASHBOARD, 404),
        ("advocate", DASHBOARD, 200),
        ("provider_staff", DASHBOARD, 404),
        ("coordinator", DASHBOARD, 200),
        ("auditor", DASHBOARD, 404),
        ("intake", DASHBOARD, 404),
        ("outsider", DASHBOARD, 200),  # their own agency's work only (test_leaks.py)
        ("superuser", DASHBOARD, 404),  # no agency
        ("investigator", OUTREACH, 200),
        ("supervisor", OUTREACH, 200),
        ("agency_admin", OUTREACH, 404),
        ("advocate", OUTREACH, 200),
        ("provider_staff", OUTREACH, 404),
        ("coordinator", OUTREACH, 200),
        ("auditor", OUTREACH, 200),
        ("intake", OUTREACH, 404),
        ("outsider", OUTREACH, 200),
        ("investigator", OUTREACH_NEW, 200),
        ("supervisor", OUTREACH_NEW, 200),
        ("agency_admin", OUTREACH_NEW, 404),
        ("advocate", OUTREACH_NEW, 200),
        ("provider_staff", OUTREACH_NEW, 404),
        ("coordinator", OUTREACH_NEW, 200),
        ("auditor", OUTREACH_NEW, 404),
        ("intake", OUTREACH_NEW, 404),
        ("outsider", OUTREACH_NEW, 200),
    ],
)
def test_who_reaches_the_reports_pages(request, client_as, who, url, status):
    assert client_as(request.getfixturevalue(who)).get(url).status_code == status


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("investigator", True),
        ("coordinator", True),
        ("agency_admin", False),
        ("auditor", False),
        ("provider_staff", False),
    ],
)
def test_the_navigation_offers_the_dashboard_to_those_it_lets_in(request, client_as, who, shown):
    page = client_as(request.getfixturevalue(who)).get("/").content.decode()
    assert ('href="/reports/"' in page) is shown


def test_the_dashboard_draws_each_chart_with_its_table_and_csv_link(world, client_as, investigator):
    response = client_as(investigator).get(DASHBOARD, {"quarter": "FY2027-Q1"})
    page = response.content.decode()
    assert response.status_code == 200
    for heading in ("Prevention", "Protection", "Pipeline", "Investigations", "Prosecution"):
        assert f">{heading}</h2>" in page
    assert page.count('class="reports-chart"') == page.count("<caption>") == 22
    for key in ("services_by_category", "relief_pending", "relief_expiring"):
        assert f"chart=protection.{key}" in page
    for key in ("arrests_by_month", "charges_by_statute", "charging_decisions", "dispositions"):
        assert f"chart=prosecution.{key}" in page
    assert "?quarter=FY2027-Q1&amp;format=csv&amp;chart=protection.victims_by_status" in page
    assert "fewer than 5" in page
    event = AuditEvent.objects.get(action="reports.dashboard.viewed")
    assert event.details == {"period": "FY2027-Q1", "agency_id": None, "task_force_id": None}


def test_a_chart_downloads_as_csv_with_the_same_suppression(world, client_as, investigator):
    response = client_as(investigator).get(
        DASHBOARD, {"quarter": "FY2027-Q1", "format": "csv", "chart": "protection.victims_by_status"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines() == [
        "Status,Victims",
        "Potential victim,fewer than 5",
        "Confirmed victim,fewer than 5",  # the complement of the potential victims'
    ]
    event = AuditEvent.objects.get(action="reports.chart.downloaded")
    assert event.details["chart"] == "protection.victims_by_status"


def test_an_unknown_chart_is_not_found(client_as, investigator):
    assert client_as(investigator).get(DASHBOARD, {"format": "csv", "chart": "nope"}).status_code == 404


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        ({"start": "2026-12-01", "end": "2026-11-01"}, "The range ends before it starts."),
        ({"start": "2026-12-01"}, "Give both days of the range, or neither."),
        ({"quarter": "FY1999-Q1"}, "Select a valid choice."),
        ({"start": "2020-01-01", "end": "2026-01-31"}, "Choose a range of three years at most."),
        # Whole months only: a day more or less between two questions would tell one victim apart.
        ({"start": "2026-10-02", "end": "2026-10-31"}, "Start the range on the first day of a month."),
        ({"start": "2026-10-01", "end": "2026-10-30"}, "End the range on the last day of a month."),
        ({"start": "2026-10-01", "end": "2026-11-29"}, "End the range on the last day of a month."),
    ],
)
def test_a_bad_filter_is_shown_with_its_error_and_counts_nothing(client_as, investigator, asked, error):
    response = client_as(investigator).get(DASHBOARD, asked)
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    assert 'class="reports-chart"' not in page
    assert not AuditEvent.objects.filter(action="reports.dashboard.viewed").exists()


@pytest.mark.parametrize(("start", "end"), [("2026-10-01", "2026-10-31"), ("2026-11-01", "2027-02-28")])
def test_a_range_of_whole_months_is_counted(world, client_as, investigator, start, end):
    page = client_as(investigator).get(DASHBOARD, {"start": start, "end": end}).content.decode()
    assert page.count('class="reports-chart"') == 22
    assert f"Counts for {start} to {end}." in page


def test_an_agency_outside_the_viewers_view_cannot_be_chosen(client_as, investigator, other_agency):
    page = client_as(investigator).get(DASHBOARD, {"agency": other_agency.pk}).content.decode()
    assert "Select a valid choice." in page


def test_the_query_count_does_not_grow_with_the_data(client_as, investigator, supervisor, task_force, activity):
    from cases.models import Need
    from protection.models import ReliefAction
    from tests.reports.conftest import (
        POTENTIAL,
        SEX,
        TRAFFICKING,
        arrested,
        open_case,
        relief,
        served,
        suspect,
        victim,
        victims_of,
    )

    client = client_as(investigator)
    client.get(DASHBOARD)  # warm the per-process caches (compiled visibility SQL, permissions)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD, {"quarter": "FY2027-Q1"}).status_code == 200
        return len(queries)

    before = count()
    charts = sum(len(section.charts) for section in sections.SECTIONS)
    # One query a chart (two for the referrals' times and for "overdue now"), and the page's own eight: session,
    # person, authenticator, permissions, the audit event, unread notices, the two filters' choices.
    assert charts == 22
    assert before == charts + 2 + 8 == 32
    # From the fixture's few cases (each with its services, relief and arrests) to twenty more, each with a victim,
    # a service, a relief action pending and an arrest on a trafficking charge.
    for n in range(18):
        case = open_case(investigator, f"More {n}", "sex", date(2026, 10, 1 + n), task_force)
        victim(case, investigator, age=20 + n, identified_on=date(2026, 10, 2 + n), status=POTENTIAL, kind=SEX)
        (participant,) = victims_of(case)
        served(investigator, participant, Need.Category.EMERGENCY_SHELTER, date(2026, 10, 3 + n))
        relief(case, participant, ReliefAction.Kind.T_VISA, investigator, date(2026, 10, 3 + n))
        arrested(
            case,
            suspect(case, investigator, f"S{n}"),
            investigator,
            investigator.agency,
            date(2026, 10, 4 + n),
            TRAFFICKING,
        )
    assert count() == before


def test_a_filtered_page_asks_no_more_queries(client_as, investigator, lead_agency, task_force, activity):
    """A filtered chart counts every part at once (decision 0036): still one query a chart, whatever is chosen and
    however many agencies and task forces the parts are. The form looks each chosen filter up once (its choice
    validated), beside the page's 32."""
    from tests.reports.conftest import POTENTIAL, SEX, open_case, victim

    client = client_as(investigator)
    client.get(DASHBOARD, {"agency": lead_agency.pk})  # warm the per-process caches

    def count(**chosen) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD, {"quarter": "FY2027-Q1", **chosen}).status_code == 200
        return len(queries)

    assert count() == 32
    chosen = [{"agency": lead_agency.pk}, {"task_force": task_force.pk}]
    chosen.append({"agency": lead_agency.pk, "task_force": task_force.pk})
    before = [count(**filters) for filters in chosen]
    assert before == [32 + len(filters) for filters in chosen]
    second = TaskForceFactory(name="Second Task Force", member_agencies=[lead_agency])
    for n in range(6):
        case = open_case(investigator, f"More {n}", "sex", date(2026, 10, 1 + n), second if n % 2 else task_force)
        victim(case, investigator, age=20 + n, identified_on=date(2026, 10, 2 + n), status=POTENTIAL, kind=SEX)
    assert [count(**filters) for filters in chosen] == before


def test_an_event_is_recorded_for_the_agency_with_an_audit_event(client_as, investigator, lead_agency, frozen):
    client = client_as(investigator)
    response = client.post(
        OUTREACH_NEW,
        {
            "held_on": "2026-12-01",
            "title": "Hotel staff training",
            "kind": "professional_training",
            "audience": "hospitality",
            "people_reached": "35",
        },
    )
    assert response.status_code == 302
    event = OutreachEvent.objects.get()
    assert (event.agency, event.recorded_by, event.people_reached) == (lead_agency, investigator, 35)
    assert AuditEvent.objects.filter(action="reports.outreach_event.recorded", object_id=str(event.pk)).exists()
    assert "Hotel staff training" in client.get(OUTREACH).content.decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"held_on": "2027-01-05"}, "Record an event once it has taken place."),
        ({"people_reached": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"kind": "party"}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_bad_event_is_refused_and_nothing_is_recorded(client_as, investigator, frozen, change, error):
    data = {
        "held_on": "2026-12-01",
        "title": "Fair",
        "kind": "community_outreach",
        "audience": "community",
        "people_reached": "10",
    } | change
    response = client_as(investigator).post(OUTREACH_NEW, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not OutreachEvent.objects.exists()


def test_the_list_shows_only_the_agencys_own_events(world, client_as, partner_investigator, auditor):
    page = client_as(partner_investigator).get(OUTREACH).content.decode()
    assert "Roll call" in page
    assert "Fair" not in page
    assert "Billboards" not in page
    assert "Record an event" not in client_as(auditor).get(OUTREACH).content.decode()
