"""Packets in a real browser: an investigator downloads her case's packet from the case page; the task force's
coordinator prepares a meeting packet from the case list and downloads it; a packet still being prepared shows its
progress bar, and htmx swaps in the download link when the task finishes, without a reload. axe finds nothing on
the meeting-packet pages."""

import io
import re
import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cases.models import CaseShare, MeetingPacket
from cases.services import case_share_grant
from cases.tasks import build_meeting_packet
from tests.browser.conftest import ARTIFACTS, check_axe
from tests.browser.test_sign_in import sign_in
from tests.cases.fixtures import LE_SECRET, VICTIM_NAME


def _download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".pdf")
    return path.read_bytes()


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _first_page_png(pdf: bytes, name: str) -> None:
    folder = ARTIFACTS / "packets"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["/usr/bin/pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", source, folder / name],
        check=True,
    )
    assert (folder / f"{name}.png").stat().st_size > 1000


@pytest.fixture
def shared_case(le_case, supervisor, coordination_office):
    """The case, shared with the task force's coordination office so that its coordinator may put it on a meeting."""
    case_share_grant(
        case=le_case, agency=coordination_office, level=CaseShare.Level.PERSONAL, reason="Meeting", actor=supervisor
    )
    return le_case


def test_case_and_meeting_packets_are_downloaded_from_their_pages(
    browser, live_server, page: Page, investigator, coordinator, shared_case, task_force
):
    le_case = shared_case
    sign_in(page, investigator)
    page.goto(f"/cases/{le_case.pk}/")
    case_pdf = _download(page, "Print packet (PDF)")
    text = _text(case_pdf)
    assert le_case.number in text
    assert LE_SECRET in text
    assert VICTIM_NAME in text
    assert "LAW ENFORCEMENT SENSITIVE - CONTAINS PII" in text
    assert f"Prepared for {investigator.full_name}" in text
    _first_page_png(case_pdf, "browser-case-packet")

    page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(page, coordinator)
    page.goto("/cases/")
    page.get_by_role("link", name="Meeting packets").click()
    expect(page.get_by_role("heading", name="Meeting packets", level=1)).to_be_visible()
    check_axe(page, "meeting-packets")
    page.get_by_label("Meeting date").fill("2026-12-01")
    page.get_by_text(re.compile(re.escape(le_case.number))).click()  # USWDS styles the label; the box is hidden
    page.get_by_role("button", name="Prepare the packet").click()
    # The test settings run tasks at once, so the packet is ready when the page opens.
    expect(page.get_by_role("heading", level=1)).to_contain_text(task_force.name)
    expect(page.get_by_role("link", name="Download the packet (PDF)")).to_be_visible()
    check_axe(page, "meeting-packet-ready")
    meeting_pdf = _download(page, "Download the packet (PDF)")
    text = _text(meeting_pdf)
    assert "Agenda" in text
    assert le_case.number in text
    assert VICTIM_NAME in text  # shared with personal information
    assert LE_SECRET not in text  # but not the law-enforcement narrative
    assert f"Prepared for {coordinator.full_name}" in text
    _first_page_png(meeting_pdf, "browser-meeting-packet")


def test_the_progress_bar_turns_into_a_download_link_without_a_reload(page: Page, coordinator, shared_case, task_force):
    packet = MeetingPacket.objects.create(
        requested_by=coordinator,
        agency=coordinator.agency,
        task_force=task_force,
        meeting_on=date(2026, 12, 1),
        steps_total=2,
    )
    packet.cases.set([shared_case])
    sign_in(page, coordinator)
    page.goto(f"/cases/meetings/{packet.pk}/")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()  # without JavaScript, a reload shows progress
    check_axe(page, "meeting-packet-progress")
    page.evaluate("window.portalMarker = 'same page'")

    build_meeting_packet.call(packet.pk)  # what db_worker does

    download = page.get_by_role("link", name="Download the packet (PDF)")
    expect(download).to_be_visible(timeout=8_000)  # htmx polls every 2 s
    assert page.evaluate("window.portalMarker") == "same page"  # swapped in place, not reloaded
    expect(page.get_by_role("progressbar")).to_have_count(0)
