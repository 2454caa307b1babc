"""The quarterly report pages (decision 0037): who reaches what (a table), the draft with its missing-field list and
sign-off form, the signed report with its exports and what changed since, the CSV in the grant order, the PDF (read
with pdftotext, its first page drawn with pdftoppm), the audit events, and the page's constant cost."""

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, VictimIdentification
from portal.models import AuditEvent
from reports import services
from reports.fiscal import parse_quarter
from reports.models import QuarterlyReport
from reports.quarterly.measures import TABLES, compute, report_kind_of
from tests.reports.quarterly_world import (  # noqa: F401  (the fixtures)
    NOW,
    Q1_2027,
    Q2_2027,
    at,
    bpd_supervisor_fixture,
    ffo_auditor_fixture,
    frozen_after_q2_fixture,
    ngo_auditor_fixture,
    open_case,
    prosecutor_office_fixture,
    victim,
    world_fixture,
)
from tests.tips.conftest import intake  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

LIST = "/reports/quarterly/"
SIGNED, DRAFT = "/reports/quarterly/FY2027-Q1/", "/reports/quarterly/FY2027-Q2/"
SIGNED_CSV, DRAFT_CSV = SIGNED + "report.csv", DRAFT + "report.csv"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
# The draft: the session, the person and their authenticator (3), the signed report looked up, the five measures,
# the person's permission ids, the victims missing a field, their consents, their cases' permissions, the arrests,
# the audit events (one INSERT), the header's notices (16). The signed report: the same page without the missing
# list, the measures computed again for what changed since (12).
DRAFT_QUERIES, SIGNED_QUERIES = 16, 12


def sign(user, quarter=Q1_2027) -> QuarterlyReport:
    return services.quarterly_report_sign(
        actor=user, quarter_code=quarter.code, digest=compute(user.agency, quarter).digest
    )


@pytest.fixture
def signed(world, supervisor) -> QuarterlyReport:
    """The field office's FY2027-Q1, signed by its supervisor; its FY2027-Q2 left a draft."""
    return sign(supervisor)


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        # The field office's supervisor: drafts, signed reports, exports of signed ones.
        ("supervisor", LIST, 200),
        ("supervisor", SIGNED, 200),
        ("supervisor", DRAFT, 200),
        ("supervisor", SIGNED_CSV, 200),
        ("supervisor", DRAFT_CSV, 404),  # a draft has no export: what leaves is what was signed
        # Its caseworker: the same, without signing.
        ("investigator", LIST, 200),
        ("investigator", SIGNED, 200),
        ("investigator", DRAFT, 200),
        ("investigator", SIGNED_CSV, 200),
        # Its auditor: a law-enforcement report is law-enforcement-sensitive (arrests, charges; its PDF so marked),
        # and the auditor's role holds no law-enforcement-sensitive access: nothing, not even the list. (A provider's
        # auditor reads its signed reports: test_a_providers_auditor_reads_its_signed_reports_only.)
        ("ffo_auditor", LIST, 404),
        ("ffo_auditor", SIGNED, 404),
        ("ffo_auditor", DRAFT, 404),
        ("ffo_auditor", SIGNED_CSV, 404),
        ("ffo_auditor", SIGNED + "report.pdf", 404),
        ("ffo_auditor", DRAFT_CSV, 404),
        # Everyone else of the agency: nothing.
        ("agency_admin", LIST, 404),
        ("agency_admin", SIGNED, 404),
        ("agency_admin", SIGNED_CSV, 404),
        ("intake", LIST, 404),
        ("intake", SIGNED, 404),
        # Of agencies that make no report: the coordination office.
        ("coordinator", LIST, 404),
        ("coordinator", SIGNED, 404),
        ("auditor", LIST, 404),
        ("auditor", SIGNED, 404),
        ("superuser", LIST, 404),
        ("superuser", SIGNED, 404),
        # The shelter's people see the shelter's own reports (its FY2027-Q1 is not signed): never the FFO's.
        ("provider_staff", LIST, 404),
        ("provider_staff", SIGNED, 404),
        ("advocate", SIGNED, 200),
        ("advocate", SIGNED_CSV, 404),
        ("ngo_auditor", LIST, 200),
        ("ngo_auditor", SIGNED, 404),
        ("ngo_auditor", SIGNED_CSV, 404),
        # Quarters that are not one yet, or not a quarter.
        ("supervisor", "/reports/quarterly/FY2027-Q4/", 404),
        ("supervisor", "/reports/quarterly/FY2027/", 404),
        ("supervisor", "/reports/quarterly/FY2027-Q5/", 404),
    ],
)
def test_who_reaches_the_quarterly_reports(request, client_as, signed, who, url, status):
    assert client_as(request.getfixturevalue(who)).get(url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 302), ("investigator", 403), ("ffo_auditor", 404), ("agency_admin", 404), ("coordinator", 404)],
)
def test_who_may_sign(request, client_as, world, who, status):
    user = request.getfixturevalue(who)
    digest = compute(user.agency, Q1_2027).digest if report_kind_of(user.agency) else "0" * 64
    response = client_as(user).post(SIGNED + "sign/", {"digest": digest, "confirm": "on"})
    assert response.status_code == status
    assert QuarterlyReport.objects.exists() is (status == 302)


def test_a_reader_of_another_agency_sees_their_own_agencys_report(client_as, signed, partner_investigator):
    page = client_as(partner_investigator).get(SIGNED).content.decode()
    assert "Bayport Police Department" in page
    assert "Federal Field Office" not in page
    assert "Signed and frozen" not in page  # the Bayport Police's FY2027-Q1 is a draft


def test_the_list_shows_each_quarter_signed_or_draft(client_as, signed, supervisor, shelter_supervisor, ngo_auditor):
    page = client_as(supervisor).get(LIST).content.decode()
    rows = re.findall(r'href="/reports/quarterly/(FY\d{4}-Q\d)/"', page)
    assert rows[:3] == ["FY2027-Q3", "FY2027-Q2", "FY2027-Q1"]
    assert len(rows) == 8
    assert "by Sue Supervisor on" in page
    assert "ended, waiting for a supervisor" in page
    assert "in progress" in page
    sign(shelter_supervisor)
    page = client_as(ngo_auditor).get(LIST).content.decode()
    assert re.findall(r'href="/reports/quarterly/(FY\d{4}-Q\d)/"', page) == ["FY2027-Q1"]


def test_a_providers_auditor_reads_its_signed_reports_only(client_as, world, shelter_supervisor, ngo_auditor):
    """A victim-service report is not law-enforcement-sensitive: the provider's auditor reads it once signed, and
    its exports; never the draft, nor the records of now."""
    sign(shelter_supervisor)
    client = client_as(ngo_auditor)
    page = client.get(SIGNED).content.decode()
    assert "Signed and frozen" in page
    assert "What changed since" not in page
    assert client.get(SIGNED_CSV).status_code == 200
    assert client.get(DRAFT).status_code == 404


def test_the_draft_page_lists_the_records_missing_a_field_with_links(client_as, world, supervisor):
    response = client_as(supervisor).get(SIGNED)  # FY2027-Q1, not signed here
    page = response.content.decode()
    assert response.status_code == 200
    found = re.findall(r'href="/cases/(\d+)/#([\w-]+)">([^<]+)</a>:\s*([^<]+)</li>', page)
    cases = world.ffo_cases
    assert [(int(case), anchor, label.split(" · ")[1], words.strip()) for case, anchor, label, words in found] == [
        (cases["C"].pk, "people-heading", "c1 Sentinel", "no date of birth, so no age"),
        (cases["D"].pk, "victims-heading", "d1 Sentinel", "no identification recorded"),
        (cases["D"].pk, "victims-heading", "d2 Sentinel", "type of trafficking not known yet"),
        (cases["A"].pk, "prosecution", "Arrest on 2026-10-20", "1 charge without a charging decision"),
    ]
    # Whose names were shown is audited as the case page audits it; the page read too, with no count.
    reads = AuditEvent.objects.filter(action="cases.pii.viewed", details__via="quarterly_report")
    assert sorted(event.details["person_id"] for event in reads) == sorted(
        world.people[name].person_id for name in ("c1", "d1", "d2")
    )
    viewed = AuditEvent.objects.get(action="reports.quarterly.viewed")
    assert viewed.details == {
        "quarter": "FY2027-Q1",
        "kind": "law_enforcement",
        "signed": False,
        "agency_id": viewed.agency_id,
    }
    # Every table with its caption, and the sign-off form carrying the draft's digest.
    for spec in TABLES["law_enforcement"]:
        assert f'id="measures-{spec.code.lower()}"' in page
        assert f"{spec.code}. {spec.title}" in page
    digest = compute(supervisor.agency, Q1_2027).digest
    assert f'name="digest" value="{digest}"' in page


def test_the_missing_list_shows_only_records_the_reader_may_open(client_as, world, bpd_supervisor):
    """The Bayport Police's arrest on the field office's case awaits a decision, but the police do not see that case:
    it is not listed, nor counted (an arrest counts on a case its agency holds law-enforcement access to)."""
    page = client_as(bpd_supervisor).get(SIGNED).content.decode()
    assert 'id="missing-none"' in page
    assert "Arrest on" not in page
    assert re.search(r'data-code="LE-6.1">\s*0\s*</td>', page)


def test_a_blank_citizenship_is_missing_and_not_reported_is_not(client_as, world, supervisor):
    a2 = world.people["a2"]
    VictimIdentification.objects.filter(pk=a2.identification.pk).update(citizenship="")  # as an import might
    page = client_as(supervisor).get(SIGNED).content.decode()
    assert re.search(r"a2 Sentinel</a>:\s*citizenship left blank", page)
    assert not re.search(r"a1 Sentinel</a>", page)  # foreign national, 15, sex: nothing missing
    assert compute(supervisor.agency, Q1_2027).values["LE-5.5a"] == 2  # d1 and a2 now "not recorded"


def test_the_provider_sees_its_clients_missing_fields(client_as, world, shelter_supervisor):
    page = client_as(shelter_supervisor).get(SIGNED).content.decode()
    found = re.findall(r'href="/cases/(\d+)/#([\w-]+)">[^·]+· ([^<]+)</a>:\s*([^<]+)</li>', page)
    assert [(label, words.strip()) for _case, _anchor, label, words in found] == [
        ("n3 Sentinel", "no identification recorded")
    ]


def test_a_supervisor_signs_from_the_page(client_as, world, supervisor):
    client = client_as(supervisor)
    page = client.get(SIGNED).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    response = client.post(SIGNED + "sign/", {"digest": digest, "confirm": "on"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(SIGNED, 302)]
    assert "The report is signed. It is frozen as you read it." in page
    assert "Signed and frozen" in page
    assert "Signed by Sue Supervisor on 2027-04-15 15:00 UTC" in page
    assert f"{SIGNED}report.csv" in page
    assert f"{SIGNED}report.pdf" in page
    assert 'id="no-changes"' in page
    assert 'name="digest"' not in page  # no second sign-off form
    assert QuarterlyReport.objects.get().signed_by == supervisor


def test_a_sign_off_without_confirming_changes_nothing(client_as, world, supervisor):
    digest = compute(supervisor.agency, Q1_2027).digest
    response = client_as(supervisor).post(SIGNED + "sign/", {"digest": digest})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_a_stale_sign_off_from_the_page_is_refused_and_says_why(client_as, world, supervisor):
    client = client_as(supervisor)
    page = client.get(SIGNED).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    d2 = world.people["d2"]
    VictimIdentification.objects.filter(pk=d2.identification.pk).update(trafficking_type="labor")
    response = client.post(SIGNED + "sign/", {"digest": digest, "confirm": "on"}, follow=True)
    assert "The records changed since you opened this report" in response.content.decode()
    assert not QuarterlyReport.objects.exists()
    assert f'name="digest" value="{compute(supervisor.agency, Q1_2027).digest}"' in response.content.decode()


def test_a_second_sign_off_from_the_page_is_told_who_signed(client_as, world, supervisor, lead_agency):
    from tests.factories import UserFactory

    other = UserFactory(email="deputy@ffo.example", full_name="Dee Deputy", agency=lead_agency, role="supervisor")
    digest = compute(lead_agency, Q1_2027).digest
    client_as(supervisor).post(SIGNED + "sign/", {"digest": digest, "confirm": "on"})
    response = client_as(other).post(SIGNED + "sign/", {"digest": digest, "confirm": "on"}, follow=True)
    assert "This report was signed already, by Sue Supervisor" in response.content.decode()
    assert QuarterlyReport.objects.get().signed_by == supervisor


def test_the_signed_page_shows_what_changed_since(client_as, signed, world, supervisor):
    d2 = world.people["d2"]
    VictimIdentification.objects.filter(pk=d2.identification.pk).update(trafficking_type="labor")
    page = client_as(supervisor).get(SIGNED).content.decode()
    rows = re.findall(
        r"<th scope=\"row\" data-label=\"Code\">([\w.-]+)</th>.*?>\s*(\d+)\s*</td>.*?>\s*(\d+)\s*</td>", page, re.S
    )
    assert rows == [("LE-3.2a", "1", "2"), ("LE-3.4a", "1", "0")]
    # The tables still show the values signed.
    assert re.search(r'data-code="LE-3.2a">\s*1\s*</td>', page)


def test_the_csv_is_the_grant_order_and_its_download_is_audited(client_as, signed, investigator):
    response = client_as(investigator).get(SIGNED_CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="quarterly-report-FY2027-Q1-agency-{signed.agency_id}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "question", "value"]
    expected_codes = [code for spec in TABLES["law_enforcement"] for code, *_rest in spec.cells()]
    assert [row[0] for row in rows[1:]] == expected_codes
    assert expected_codes[:3] == ["LE-1.1a", "LE-1.1b", "LE-1.1c"]
    assert rows[1] == ["LE-1.1a", "Investigations: New (opened in the quarter) (All)", "1"]
    assert ["LE-2.1", "Potential victims, new and continuing: New this fiscal year", "5"] in rows
    assert rows[-1] == ["LE-10.2", "Trainings: People trained", "25"]
    event = AuditEvent.objects.get(action="reports.quarterly.exported")
    assert event.details["format"] == "csv"
    assert event.details["digest"] == signed.digest
    assert (event.actor, event.object_id) == (investigator, str(signed.pk))


def test_the_csv_says_what_was_signed_even_after_the_records_change(client_as, signed, world, investigator):
    d2 = world.people["d2"]
    VictimIdentification.objects.filter(pk=d2.identification.pk).update(trafficking_type="labor")
    rows = list(csv.reader(io.StringIO(client_as(investigator).get(SIGNED_CSV).content.decode())))
    assert [
        "LE-3.2a",
        "Potential victims by type of trafficking: Labor trafficking (New this fiscal year)",
        "1",
    ] in rows


def test_a_report_altered_after_signing_is_not_exported(client_as, world, supervisor, lead_agency):
    """A stored row whose snapshot no longer matches its digest (the database refuses to change a signed row, so
    here one inserted so, as a restore from an altered copy would): the page says so and offers no download, and
    the CSV and the PDF are refused (409) with that message; nothing is exported or audited as exported."""
    report = sign(supervisor, Q2_2027)
    snapshot = {**report.snapshot, "measures": [{**report.snapshot["measures"][0], "value": 999}]}
    QuarterlyReport.objects.create(
        agency=lead_agency,
        fiscal_year=Q1_2027.fiscal_year,
        quarter=Q1_2027.quarter,
        kind=report.kind,
        snapshot=snapshot,
        digest=report.digest,
        signed_by=supervisor,
        signed_at=report.signed_at,
    )
    client = client_as(supervisor)
    page = client.get(SIGNED).content.decode()
    assert "does not match its digest" in page
    assert f"{SIGNED}report.csv" not in page
    for url in (SIGNED_CSV, SIGNED + "report.pdf"):
        response = client.get(url)
        assert response.status_code == 409
        assert "no longer matches the digest" in response.content.decode()
        assert "Content-Disposition" not in response
    assert not AuditEvent.objects.filter(action="reports.quarterly.exported").exists()


def test_the_list_is_audited(client_as, signed, supervisor, lead_agency):
    client_as(supervisor).get(LIST)
    event = AuditEvent.objects.get(action="reports.quarterly.listed")
    assert event.actor == supervisor
    assert event.details == {"kind": "law_enforcement", "agency_id": lead_agency.pk, "signed": 1}


def _digest_of_the_page(client, url: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]{64})"', client.get(url).content.decode()).group(1)


def _refuse_unconfirmed(client, world, supervisor) -> int:
    return client.post(SIGNED + "sign/", {"digest": compute(supervisor.agency, Q1_2027).digest}).status_code


def _refuse_stale(client, world, supervisor) -> int:
    digest = _digest_of_the_page(client, SIGNED)
    VictimIdentification.objects.filter(pk=world.people["d2"].identification.pk).update(trafficking_type="labor")
    return client.post(SIGNED + "sign/", {"digest": digest, "confirm": "on"}).status_code


def _refuse_already_signed(client, world, supervisor) -> int:
    digest = _digest_of_the_page(client, SIGNED)
    sign(supervisor)
    return client.post(SIGNED + "sign/", {"digest": digest, "confirm": "on"}).status_code


def _refuse_not_ended(client, world, supervisor) -> int:
    digest = compute(supervisor.agency, parse_quarter("FY2027-Q3")).digest  # the page offers no form before its end
    return client.post("/reports/quarterly/FY2027-Q3/sign/", {"digest": digest, "confirm": "on"}).status_code


@pytest.mark.parametrize(
    ("who", "attempt", "reason", "quarter", "status"),
    [
        ("supervisor", _refuse_unconfirmed, "unconfirmed", "FY2027-Q1", 400),
        ("supervisor", _refuse_stale, "stale", "FY2027-Q1", 302),
        ("supervisor", _refuse_already_signed, "already_signed", "FY2027-Q1", 302),
        ("supervisor", _refuse_not_ended, "not_ended", "FY2027-Q3", 400),
        ("investigator", _refuse_unconfirmed, "not_signer", "FY2027-Q1", 403),
    ],
)
def test_a_refused_sign_off_is_audited_with_its_reason_and_no_count(
    request, client_as, world, supervisor, who, attempt, reason, quarter, status
):
    user = request.getfixturevalue(who)
    assert attempt(client_as(user), world, supervisor) == status
    event = AuditEvent.objects.get(action="reports.quarterly.sign_refused")
    assert event.actor == user
    assert event.details == {
        "quarter": quarter,
        "kind": "law_enforcement",
        "agency_id": user.agency.pk,
        "reason": reason,
    }


def _pdftotext(pdf: bytes, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (Debian's poppler-utils) is needed"
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], check=True, timeout=60, capture_output=True, text=True
    ).stdout


def test_the_pdf_carries_the_packet_conventions_and_the_signed_measures(client_as, signed, supervisor):
    response = client_as(supervisor).get(SIGNED + "report.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = _pdftotext(response.content, "quarterly-le")
    pages = text.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert page.count("LAW ENFORCEMENT SENSITIVE") == 2  # header and footer
        assert "Prepared for Sue Supervisor, Federal Field Office, 2027-04-15 15:00 UTC" in page
        assert f"Page {number} of {len(pages)}" in page
    first = pages[0]
    assert "Quarterly report FY2027-Q1" in first
    assert "Federal Field Office · Law-enforcement measures" in first
    assert "FY2027-Q1 (2026-10-01 \u2013 2026-12-31)" in first
    assert signed.digest in re.sub(r"\s+", "", text)
    assert "LE-1. Investigations" in first
    assert re.search(r"1\. New \(opened in the quarter\)\s+1\s+0\s+0\s+0\s+1", first)
    assert "LE-10. Trainings" in text
    assert "Sentinel" not in text  # no one is named in a report
    event = AuditEvent.objects.get(action="reports.quarterly.exported")
    assert event.details["format"] == "pdf"


def test_a_providers_pdf_is_marked_restricted(client_as, world, shelter_supervisor):
    sign(shelter_supervisor)
    text = _pdftotext(client_as(shelter_supervisor).get(SIGNED + "report.pdf").content, "quarterly-vs")
    assert "RESTRICTED - TASK FORCE USE ONLY - NO PII" in text
    assert "Safe Harbor Shelter · Victim-service measures" in text
    assert "LE-" not in text


def test_the_first_page_is_drawn_for_people_to_look_at(client_as, signed, supervisor):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "quarterly-report.pdf"
    pdf.write_bytes(client_as(supervisor).get(SIGNED + "report.pdf").content)
    for old in ARTIFACTS.glob("quarterly-report-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian's poppler-utils) is needed"
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "quarterly-report")],
        check=True,
        timeout=60,
    )
    [png] = ARTIFACTS.glob("quarterly-report-*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_dashboard_and_the_navigation_lead_to_the_reports(
    client_as, world, supervisor, coordinator, ffo_auditor, ngo_auditor
):
    assert 'href="/reports/quarterly/"' in client_as(supervisor).get("/reports/").content.decode()
    assert 'href="/reports/quarterly/"' not in client_as(coordinator).get("/reports/").content.decode()
    assert 'href="/reports/quarterly/"' in client_as(ngo_auditor).get("/").content.decode()
    assert 'href="/reports/quarterly/"' not in client_as(ffo_auditor).get("/").content.decode()


def _more(n: int, investigator, task_force) -> None:
    """``n`` more cases of the field office in FY2027-Q1, each with a victim missing a field (no date of birth)."""
    for i in range(n):
        with time_machine.travel(at(date(2026, 10, 2)), tick=False):
            case = open_case(investigator, f"More {i}", Case.Type.LABOR, date(2026, 10, 2), task_force)
        victim(case, investigator, f"m{i}", identified_on=date(2026, 10, 3))


@pytest.mark.parametrize("n", [2, 20])
def test_the_report_page_costs_the_same_whatever_the_records(n, client_as, investigator, supervisor, task_force):
    with time_machine.travel(NOW, tick=False):
        _more(n, investigator, task_force)
        client = client_as(supervisor)
        client.get(LIST)  # the session and the person's permissions, read once
        with CaptureQueriesContext(connection) as draft:
            page = client.get(SIGNED).content.decode()
        assert page.count("no date of birth, so no age") == n
        sign(supervisor)
        with CaptureQueriesContext(connection) as signed_page:
            client.get(SIGNED)
    assert (len(draft.captured_queries), len(signed_page.captured_queries)) == (DRAFT_QUERIES, SIGNED_QUERIES)
