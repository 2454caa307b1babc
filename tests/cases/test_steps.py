"""Steps offered on a case page are the steps the person may take now (issue 14): the status changes, who ends
which share, and the case's activity in words."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.activity import activity_lines
from cases.models import Case
from cases.services import case_status_changes_for, case_transition
from portal.audit import audit_record


def _offered(user, case) -> list[str]:
    return [name for name, _label in case_status_changes_for(selectors.case_access_for_user(user, case.pk))]


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [
        ("investigator", Case.Status.OPEN, ["start_investigation"]),
        ("investigator", Case.Status.INVESTIGATION, ["start_prosecution"]),
        ("investigator", Case.Status.CLOSED, []),
        ("supervisor", Case.Status.OPEN, ["start_investigation", "close"]),
        ("supervisor", Case.Status.INVESTIGATION, ["start_prosecution", "close"]),
        ("supervisor", Case.Status.PROSECUTION, ["close"]),
        ("supervisor", Case.Status.CLOSED, ["reopen"]),
        ("partner_investigator", Case.Status.OPEN, []),
    ],
)
def test_the_status_changes_offered(request, le_case, supervisor, who, status, expected):
    if status in {Case.Status.INVESTIGATION, Case.Status.PROSECUTION}:
        case_transition(case=le_case, transition="start_investigation", actor=supervisor)
    if status == Case.Status.PROSECUTION:
        case_transition(case=le_case, transition="start_prosecution", actor=supervisor)
    if status == Case.Status.CLOSED:
        case_transition(case=le_case, transition="close", reason="other", actor=supervisor)
    assert _offered(request.getfixturevalue(who), le_case) == expected


def test_a_caseworker_is_not_offered_closing_and_a_posted_close_changes_nothing(client_as, investigator, le_case):
    client = client_as(investigator)
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "Start the investigation" in page
    assert "Close the case" not in page
    assert 'name="reason"' not in page  # no "closed because" without closing
    response = client.post(reverse("case_status", args=[le_case.pk]), {"transition": "close", "reason": "other"})
    assert response.status_code == 302
    le_case.refresh_from_db()
    assert le_case.status == Case.Status.OPEN
    with pytest.raises(PermissionDenied):
        case_transition(case=le_case, transition="close", reason="other", actor=investigator)


def test_a_supervisor_closes_the_case(client_as, supervisor, le_case):
    client = client_as(supervisor)
    assert "Close the case" in client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    client.post(reverse("case_status", args=[le_case.pk]), {"transition": "close", "reason": "other"})
    le_case.refresh_from_db()
    assert le_case.status == Case.Status.CLOSED


def test_a_partner_sees_no_status_form(client_as, partner_investigator, le_case):
    page = client_as(partner_investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "Change the status" not in page


# --- The case's activity in words


def _viewed(case, actor, when) -> None:
    with time_machine.travel(when, tick=False):
        audit_record(action="cases.case.viewed", actor=actor, target=case)


def test_repeated_views_fold_into_one_line_with_their_span(le_case, investigator, supervisor):
    start = timezone.now().replace(hour=14, minute=2, second=0, microsecond=0) + timedelta(days=1)
    for minutes in [0, 30, 60, 120, 158]:
        _viewed(le_case, investigator, start + timedelta(minutes=minutes))
    _viewed(le_case, supervisor, start + timedelta(minutes=200))
    lines = activity_lines(selectors.case_activity(le_case, selectors.CASE_PERMISSIONS, limit=300))
    newest, folded = lines[0], lines[1]
    assert (newest.who, newest.what, newest.count) == ("Sue Supervisor", "viewed the case", 1)
    assert folded.who == investigator.full_name
    assert folded.what == "viewed the case 5 times"
    assert (folded.first, folded.last) == (start, start + timedelta(minutes=158))


def test_reads_by_others_in_between_split_the_run(le_case, investigator, supervisor):
    start = timezone.now() + timedelta(days=1)
    for minutes, who in [(0, investigator), (1, supervisor), (2, investigator)]:
        _viewed(le_case, who, start + timedelta(minutes=minutes))
    lines = activity_lines(selectors.case_activity(le_case, selectors.CASE_PERMISSIONS, limit=300))
    assert [line.count for line in lines[:3]] == [1, 1, 1]


def test_the_case_page_shows_activity_in_words_not_codes(client_as, investigator, supervisor, le_case):
    case_transition(case=le_case, transition="start_investigation", actor=supervisor)
    client = client_as(investigator)
    for _ in range(3):
        client.get(reverse("case_detail", args=[le_case.pk]))
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    activity = page[page.index('id="activity-heading"') :]
    assert "cases.case.viewed" not in activity
    assert "cases.share.granted" not in activity
    assert "viewed the case and personal information 4 times" in activity
    assert "shared the case" in activity
    assert "moved the case to “Under investigation”" in activity


def test_the_activity_reads_a_bounded_number_of_queries(
    client_as, investigator, le_case, django_assert_max_num_queries
):
    client = client_as(investigator)
    client.get(reverse("case_detail", args=[le_case.pk]))
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("case_detail", args=[le_case.pk]))
    for _ in range(20):
        audit_record(action="cases.note.added", actor=investigator, target=le_case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("case_detail", args=[le_case.pk]))
