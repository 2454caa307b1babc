"""The sections that apps above ``cases`` add to the case page and packet (cases/sections.py, setting
``CASE_SECTIONS``): shown where their provider answers, absent where it answers ``None``, their reads audited on the
page and in a packet, and the packet's handling mark raised by what they declare."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from cases import selectors
from cases.packets import Handling, render_case_packet
from cases.sections import CaseSection
from portal.models import AuditEvent
from tests.cases.test_packets import pages_of, squash

pytestmark = pytest.mark.django_db

WORD = "Sectionword"
TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "templates"]}]


def sensitive_section(user, access, dossier) -> CaseSection | None:
    """Shown only to those who may read law-enforcement-sensitive data, and declared so."""
    if selectors.VIEW_LE not in access.permissions:
        return None
    return CaseSection(
        key="test-section",
        title="Test section",
        page_template="tests/section.html",
        print_template="tests/section.html",
        context={"word": WORD},
        reads=[{"action": "tests.section.read", "target": access.case, "details": {"shown": 1}}],
        shows_le_sensitive=True,
    )


with_section = override_settings(CASE_SECTIONS=[f"{__name__}.sensitive_section"], TEMPLATES=TEMPLATES)


@with_section
@pytest.mark.parametrize(("who", "shown"), [("investigator", True), ("partner_investigator", False)])
def test_the_case_page_shows_a_section_to_whom_its_provider_answers(request, client_as, le_case, who, shown):
    reader = request.getfixturevalue(who)
    page = client_as(reader).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert (WORD in page) is shown
    assert ('id="test-section-heading">Test section</h2>' in page) is shown
    reads = AuditEvent.objects.filter(action="tests.section.read", actor=reader)
    assert reads.count() == (1 if shown else 0)


@with_section
def test_a_packet_shows_the_section_lists_it_audits_its_read_and_takes_its_mark(le_case, investigator, supervisor):
    case = le_case
    case.le_narrative = ""
    case.save(update_fields=["le_narrative"])
    pdf = render_case_packet(case, investigator)
    text = squash(" ".join(pages_of(pdf)))
    assert WORD in text
    assert squash(Handling.LAW_ENFORCEMENT.label) in text or squash(Handling.LAW_ENFORCEMENT_PII.label) in text
    read = AuditEvent.objects.get(action="tests.section.read", actor=investigator)
    assert read.details == {"shown": 1, "via": "packet", "packet": "case"}


def test_without_a_section_the_packet_mark_is_the_cases_own(le_case, investigator):
    le_case.le_narrative = ""
    le_case.save(update_fields=["le_narrative"])
    access = selectors.case_access_for_user(investigator, le_case.pk)
    with override_settings(CASE_SECTIONS=[]):  # the apps' own sections (settings) left out
        plain = selectors.case_dossier_for(investigator, access)
    with with_section:
        with_it = selectors.case_dossier_for(investigator, access)
    assert plain.sections == []
    assert [section.key for section in with_it.sections] == ["test-section"]
    assert not plain.shows_le_sensitive
    assert with_it.shows_le_sensitive
    assert Handling.of(with_it) in (Handling.LAW_ENFORCEMENT, Handling.LAW_ENFORCEMENT_PII)
