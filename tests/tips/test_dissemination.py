"""28 CFR Part 23 (docs/decisions/0028-tips-intelligence-rules.md): every path by which a tip's content leaves its
receiving agency writes exactly one row of the dissemination log, in the step's transaction; a step inside the
agency writes none. The log is its receiving agency's auditors' and supervisors' to read, filter and export (the
export audited). A caller who refused permission is identified on no page, print, export or case; a victim an NGO
reported enters a case as that NGO's client."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from cases.models import Case, CaseParticipant
from cases.selectors.cases import VIEW_LE, VIEW_PII
from cases.selectors.people import pii_categories_for
from cases.services import case_create
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.tips.conftest import (
    NARRATIVE,
    REPORTER_NAME,
    REPORTER_PHONE,
    SUBJECT_NAME,
    assessed,
    assigned,
    receive,
)
from tips import services
from tips.models import Tip, TipDissemination

Path = TipDissemination.Path


@pytest.fixture
def agency_auditor(task_force, lead_agency):
    return UserFactory(email="auditor@ffo.example", full_name="Al Auditor", agency=lead_agency, role=Role.AUDITOR)


def rows_of(tip):
    return list(TipDissemination.objects.filter(tip_number=tip.pk).order_by("id"))


# Each path ------------------------------------------------------------------------------------------------------


def test_assessing_and_assigning_inside_the_agency_send_nothing_out(tip, supervisor, investigator):
    tip = assessed(tip, supervisor)
    assert rows_of(tip) == []
    assigned(tip, supervisor, investigator)  # the receiving agency's own investigator
    assert rows_of(tip) == []


def test_assigning_to_another_agency_writes_one_row(tip, supervisor, partner_investigator, partner_agency):
    assigned(tip, supervisor, partner_investigator)
    [row] = rows_of(tip)
    assert (row.path, row.recipient_agency, row.recipient) == (Path.ASSIGNMENT, partner_agency, partner_investigator)
    assert (row.sent_by, row.sent_by_agency_id, row.receiving_agency_id) == (
        supervisor,
        supervisor.agency.pk,
        tip.receiving_agency_id,
    )


def test_a_refused_step_writes_no_row(tip, supervisor, partner_investigator):
    assessed(tip, supervisor)
    with pytest.raises(ValidationError):
        services.tip_assign(
            tip=tip, actor=supervisor, agency=partner_investigator.agency, owner=partner_investigator, due_on=None
        )
    assert rows_of(tip) == []


def test_linking_to_a_case_writes_one_row(tip, supervisor, partner_investigator, partner_agency):
    tip = assigned(tip, supervisor, partner_investigator)
    case = case_create(actor=partner_investigator, title="Route 9 motel", intake_channel=Case.Channel.HOTLINE)
    before = len(rows_of(tip))
    services.tip_link_case(tip=tip, actor=partner_investigator, case_number=case.number)
    rows = rows_of(tip)
    assert len(rows) == before + 1
    assert (rows[-1].path, rows[-1].recipient_agency) == (Path.LINK, partner_agency)
    assert case.number in rows[-1].reason


def test_opening_a_case_writes_one_row(tip, supervisor, partner_investigator, partner_agency):
    tip = assigned(tip, supervisor, partner_investigator)
    before = len(rows_of(tip))
    opened = services.tip_open_case(tip=tip, actor=partner_investigator)
    rows = rows_of(tip)
    assert len(rows) == before + 1
    assert (rows[-1].path, rows[-1].recipient_agency) == (Path.CASE_OPENED, partner_agency)
    assert opened.case.number in rows[-1].reason


def test_closing_and_reopening_write_no_row(tip, intake, supervisor):
    services.tip_close(tip=tip, actor=intake, close_reason=Tip.CloseReason.DUPLICATE, reason="Same as #1")
    services.tip_reopen(tip=tip, actor=supervisor, reason="Not the same")
    assert rows_of(tip) == []


PRINTS = [("tip_print", Path.PRINT, "tips.tip.printed"), ("tip_export", Path.EXPORT, "tips.tip.exported")]


@pytest.mark.parametrize(("view", "path", "action"), PRINTS)
def test_printing_and_exporting_write_one_row_and_an_audit_event(client_as, tip, supervisor, view, path, action):
    response = client_as(supervisor).get(reverse(view, args=[tip.pk]))
    assert response.status_code == 200
    assert NARRATIVE in response.content.decode()
    [row] = rows_of(tip)
    assert (row.path, row.sent_by, row.recipient, row.recipient_agency) == (
        path,
        supervisor,
        supervisor,
        supervisor.agency,
    )
    event = AuditEvent.objects.get(action=action)
    assert event.object_id == str(tip.pk)
    assert event.details["dissemination_id"] == row.pk


@pytest.mark.parametrize("view", ["tip_print", "tip_export"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("intake", 200),
        ("supervisor", 200),
        ("partner_investigator", 200),  # the owner
        ("coordinator", 404),  # deadlines, not content
        ("partner_colleague", 404),
        ("outsider", 404),
        ("agency_auditor", 404),
    ],
)
def test_who_may_print_or_export_a_tip(request, client_as, tip, supervisor, partner_investigator, view, who, status):
    tip = assigned(tip, supervisor, partner_investigator)
    before = TipDissemination.objects.count()
    response = client_as(request.getfixturevalue(who)).get(reverse(view, args=[tip.pk]))
    assert response.status_code == status
    assert TipDissemination.objects.count() == before + (1 if status == 200 else 0)


# The caller's permission ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["tip_print", "tip_export"])
@pytest.mark.parametrize(
    ("permission", "who", "shown"),
    [
        (Tip.ReporterPermission.NO, "intake", True),  # took the report
        (Tip.ReporterPermission.NO, "supervisor", False),
        (Tip.ReporterPermission.NO, "partner_investigator", False),
        (Tip.ReporterPermission.NOT_ASKED, "partner_investigator", False),
        (Tip.ReporterPermission.YES, "partner_investigator", True),
    ],
)
def test_a_caller_without_permission_is_on_no_print_or_export(
    request, client_as, intake, supervisor, partner_investigator, view, permission, who, shown
):
    tip = assigned(receive(intake, permission=permission), supervisor, partner_investigator)
    body = client_as(request.getfixturevalue(who)).get(reverse(view, args=[tip.pk])).content.decode()
    assert SUBJECT_NAME in body
    assert (REPORTER_NAME in body) == shown
    assert (REPORTER_PHONE in body) == shown


def test_the_log_never_holds_a_tips_content(client_as, intake, supervisor, partner_investigator):
    tip = assigned(receive(intake, permission=Tip.ReporterPermission.YES), supervisor, partner_investigator)
    services.tip_open_case(tip=tip, actor=partner_investigator)
    client_as(partner_investigator).get(reverse("tip_print", args=[tip.pk]))
    client = client_as(supervisor)
    page = client.get(reverse("tip_dissemination_log")).content.decode()
    export = client.get(reverse("tip_dissemination_log_export")).content.decode()
    for text in (page, export):
        for sentinel in (NARRATIVE, SUBJECT_NAME, REPORTER_NAME, REPORTER_PHONE):
            assert sentinel not in text
    assert len(TipDissemination.objects.filter(tip=tip)) == 3  # assignment, case, print


# A victim an NGO reported ---------------------------------------------------------------------------------------


def test_a_victim_an_ngo_reported_is_the_ngos_client_in_the_case(
    ngo_intake, ngo_supervisor, partner_investigator, ngo, partner_agency
):
    tip = assigned(receive(ngo_intake, channel=Tip.Channel.NGO), ngo_supervisor, partner_investigator)
    [row] = rows_of(tip)  # an NGO's tip to the police: logged like any other
    assert row.recipient_agency == partner_agency
    case = services.tip_open_case(tip=tip, actor=partner_investigator).case
    participants = {p.role: p.person for p in case.participants.select_related("person__entered_by_agency")}
    victim, suspect = participants[CaseParticipant.Role.VICTIM], participants[CaseParticipant.Role.SUSPECT]
    assert victim.entered_by_agency == ngo
    assert suspect.entered_by_agency == partner_agency
    everything = frozenset({VIEW_PII, VIEW_LE})
    # Without the victim's consent the police read none of their details; the NGO reads them all.
    assert pii_categories_for(partner_investigator, victim, case_permissions=everything, role="victim") == frozenset()
    assert pii_categories_for(ngo_supervisor, victim, case_permissions=everything, role="victim")
    assert SUBJECT_NAME not in case.le_narrative


def test_a_victim_a_police_hotline_reported_is_entered_by_the_case_agency(
    intake, supervisor, partner_investigator, partner_agency
):
    tip = assigned(receive(intake), supervisor, partner_investigator)
    case = services.tip_open_case(tip=tip, actor=partner_investigator).case
    assert {p.person.entered_by_agency for p in case.participants.select_related("person")} == {partner_agency}


# Reading the log ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "sees"),
    [
        ("supervisor", 200, True),  # the receiving agency's supervisor
        ("agency_auditor", 200, True),  # the receiving agency's auditor
        ("partner_supervisor", 200, False),  # reads its own agency's log: not the receiving agency's
        ("auditor", 200, False),  # the coordination office's auditor: its own agency's log
        ("intake", 404, False),
        ("investigator", 404, False),
        ("partner_investigator", 404, False),
        ("coordinator", 404, False),
        ("outsider", 404, False),
    ],
)
def test_who_reads_the_log(request, client_as, tip, supervisor, partner_investigator, who, status, sees):
    assigned(tip, supervisor, partner_investigator)
    client = client_as(request.getfixturevalue(who))
    response = client.get(reverse("tip_dissemination_log"))
    assert response.status_code == status
    export = client.get(reverse("tip_dissemination_log_export"))
    assert export.status_code == status
    if status == 200:
        assert ("Pat Partner" in response.content.decode()) == sees
        assert ("Pat Partner" in export.content.decode()) == sees


def test_the_log_filters_by_tip_and_date(client_as, intake, supervisor, partner_investigator):
    first = assigned(receive(intake), supervisor, partner_investigator)
    second = assigned(receive(intake), supervisor, partner_investigator)
    TipDissemination.objects.filter(tip=first).update(occurred_at=timezone.now() - timedelta(days=10))
    client = client_as(supervisor)

    def listed(query):
        body = client.get(reverse("tip_dissemination_log"), query).content.decode()
        return {tip.pk for tip in (first, second) if reverse("tip_detail", args=[tip.pk]) in body}

    assert listed({}) == {first.pk, second.pk}
    assert listed({"tip": first.pk}) == {first.pk}
    assert listed({"since": (timezone.localdate() - timedelta(days=1)).isoformat()}) == {second.pk}
    assert listed({"until": (timezone.localdate() - timedelta(days=5)).isoformat()}) == {first.pk}
    assert listed({"since": "not a date"}) == set()  # the form re-renders with its error, nothing listed


def test_exporting_the_log_is_audited(client_as, tip, supervisor, partner_investigator):
    assigned(tip, supervisor, partner_investigator)
    response = client_as(supervisor).get(reverse("tip_dissemination_log_export"), {"tip": tip.pk})
    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 2
    assert "assignment" in lines[1]
    event = AuditEvent.objects.get(action="tips.dissemination.exported")
    assert event.actor == supervisor
    assert event.details == {"rows": 1, "tip": str(tip.pk)}


def test_the_tip_page_and_queue_link_to_the_log_for_its_readers(client_as, tip, supervisor, intake):
    log = reverse("tip_dissemination_log")
    assert log in client_as(supervisor).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert log in client_as(supervisor).get(reverse("tip_queue")).content.decode()
    assert log not in client_as(intake).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert log not in client_as(intake).get(reverse("tip_queue")).content.decode()
