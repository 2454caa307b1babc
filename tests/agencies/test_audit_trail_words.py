"""The audit trail as an auditor reads it (issue 14): actions in words, objects by their number, a refusal as
Denied, times in the task force's time zone (named on the page; the CSV in UTC with its offset), and a date range
that ends before it starts as an error rather than an empty list."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from cases.services import case_create
from portal.audit import ACTION_LABELS, action_label, audit_record
from portal.models import AuditEvent
from referrals.steps import STEPS

# An action code as the code writes it: ``action="..."``, ``"action": "..."`` or a signal's ``(signal, "...")``.
ACTION_IN_CODE = re.compile(
    r'(?:action=|"action": |, )"((?:auth|agencies|cases|referrals|services_directory|portal)\.[a-z_]+\.[a-z_.]+)"'
)
# 18:30 UTC on 2 December is 12:30 in Chicago (CST, UTC-6), the settings' TIME_ZONE in the tests.
WHEN_UTC = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)


def _open_case(investigator, title: str) -> Case:
    return case_create(actor=investigator, title=title, intake_channel=Case.Channel.HOTLINE)


def _rows(response) -> list:
    return response.context["rows"]


def test_actions_in_words_and_cases_by_their_number(client_as, auditor, investigator):
    case = _open_case(investigator, "Nail salon")
    audit_record(action="cases.case.viewed", actor=investigator, target=case)
    response = client_as(auditor).get(reverse("audit_trail"))
    page = response.content.decode()
    assert "Viewed the case" in page
    assert "Opened the case" in page
    assert case.number in page
    assert "cases.case #" not in page
    [(_event, action, label)] = [row for row in _rows(response) if row[0].action == "cases.case.viewed"]
    assert (str(action), label) == ("viewed the case", case.number)


def test_objects_without_a_number_are_named_by_kind_and_id_never_by_a_persons_name(
    client_as, auditor, investigator, le_case
):
    person = le_case.participants.first().person
    audit_record(action="cases.pii.viewed", actor=investigator, target=person)
    response = client_as(auditor).get(reverse("audit_trail"), {"action": "cases.pii"})
    [(_event, _action, label)] = _rows(response)
    assert label == f"Person {person.pk}"
    assert person.given_name not in response.content.decode()


def _recorded_actions() -> set[str]:
    """Every action code written in the apps' code, and the referral steps' (named after ``past``)."""
    codes: set[str] = set()
    for app in ["agencies", "cases", "portal", "referrals", "services_directory"]:
        for path in (settings.BASE_DIR / app).rglob("*.py"):
            found = ACTION_IN_CODE.findall(path.read_text(encoding="utf-8"))
            codes.update(code for code in found if ".tasks." not in code)  # dotted paths to tasks, not actions
    codes.update(f"referrals.referral.{step.past}" for step in STEPS.values() if step.past)
    return codes


def test_every_action_the_portal_records_has_words():
    recorded = _recorded_actions()
    assert {"cases.case.viewed", "auth.mfa.enrolled", "referrals.referral.accepted"} <= recorded
    assert recorded - set(ACTION_LABELS) == set()
    for code, label in ACTION_LABELS.items():
        assert str(label), code
        assert "." not in str(label), code
    assert str(action_label("admin.cases.case.changed")) == "admin: cases case changed"


def test_a_refused_action_shows_as_denied(client_as, auditor, investigator, le_case):
    client_as(investigator).post(reverse("case_assign", args=[le_case.pk]), {})
    page = client_as(auditor).get(reverse("audit_trail"), {"outcome": "denied"}).content.decode()
    assert "Was refused a page or an action" in page
    assert ">Denied</span>" in page


def test_times_are_in_the_task_forces_time_zone_and_say_so(client_as, auditor, investigator, settings):
    assert settings.TIME_ZONE == "America/Chicago"
    with time_machine.travel(WHEN_UTC, tick=False):
        audit_record(action="portal.test.done", actor=investigator)
    page = client_as(auditor).get(reverse("audit_trail")).content.decode()
    assert "When (America/Chicago)" in page
    assert "2026-12-02 12:30:00 CST" in page
    assert "18:30:00" not in page


def test_the_export_is_in_utc_with_its_offset(client_as, auditor, investigator):
    with time_machine.travel(WHEN_UTC, tick=False):
        audit_record(action="portal.test.done", actor=investigator)
    response = client_as(auditor).get(reverse("audit_trail_export"), {"action": "portal.test"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0] == "2026-12-02T18:30:00+00:00"


def test_the_date_filter_reads_days_in_the_task_forces_time_zone(client_as, auditor, investigator):
    # 03:00 UTC on 3 December is still 2 December in Chicago.
    with time_machine.travel(datetime(2026, 12, 3, 3, 0, tzinfo=UTC), tick=False):
        audit_record(action="portal.test.done", actor=investigator)
    client = client_as(auditor)
    on_the_2nd = client.get(reverse("audit_trail"), {"since": "2026-12-02", "until": "2026-12-02"})
    assert [row[0].action for row in _rows(on_the_2nd)] == ["portal.test.done"]


@pytest.mark.parametrize(
    ("since", "until", "is_error"),
    [
        ("2026-12-05", "2026-12-01", True),
        ("2026-12-01", "2026-12-05", False),
        ("2026-12-02", "2026-12-02", False),
        ("2026-12-05", "", False),
    ],
)
def test_an_inverted_date_range_is_a_form_error(client_as, auditor, investigator, since, until, is_error):
    with time_machine.travel(WHEN_UTC, tick=False):
        audit_record(action="portal.test.done", actor=investigator)
    response = client_as(auditor).get(reverse("audit_trail"), {"since": since, "until": until})
    page = response.content.decode()
    assert response.status_code == 200
    assert ("The end date comes before the start date" in page) == is_error
    assert (response.context["page"] is None) == is_error
    if is_error:
        assert "No event matches these filters." not in page


def test_an_inverted_range_exports_nothing_and_goes_back_to_the_form(client_as, auditor):
    response = client_as(auditor).get(reverse("audit_trail_export"), {"since": "2026-12-05", "until": "2026-12-01"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="portal.audit.exported").exists()


def test_object_labels_cost_the_same_queries_for_3_or_30_cases(client_as, auditor, investigator):
    client = client_as(auditor)
    for number in range(3):
        _open_case(investigator, f"Case {number}")
    client.get(reverse("audit_trail"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit_trail"))
    for number in range(27):
        _open_case(investigator, f"More {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("audit_trail"))
    assert len(many) == len(few)
    labels = {label for _event, _action, label in _rows(response)}
    assert len([label for label in labels if label.startswith("HT-")]) == 30


def test_an_object_that_no_longer_matches_is_named_by_kind_and_id(client_as, auditor, investigator):
    for object_id in ["not-a-number", "999999"]:
        AuditEvent.objects.create(
            action="cases.case.viewed",
            actor=investigator,
            agency_id=investigator.agency.pk,
            agency_name=str(investigator.agency),
            object_type="cases.case",
            object_id=object_id,
        )
    response = client_as(auditor).get(reverse("audit_trail"))
    labels = {label for event, _action, label in _rows(response) if event.object_type == "cases.case"}
    assert labels == {"Case not-a-number", "Case 999999"}
