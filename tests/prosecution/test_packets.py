"""The prosecution in the case packet, per reader (the same rule as the page: only with law-enforcement access),
its read audited, and the section's cost: the same queries for one arrest or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors as case_selectors
from cases.models import CaseParticipant
from cases.packets import render_case_packet
from cases.services import person_add_to_case
from portal.models import AuditEvent
from prosecution import services
from prosecution.sections import prosecution_section
from tests.cases.test_packets import pages_of, squash
from tests.prosecution.conftest import LEVELS, SUSPECT_GIVEN, share

pytestmark = pytest.mark.django_db


# who, their agency's share (None: the fixtures'), whether the packet carries the prosecution
PACKETS = [
    ("investigator", None, True),
    ("prosecutor", LEVELS.LAW_ENFORCEMENT, True),
    ("partner_investigator", None, False),  # summary share
]


@pytest.mark.parametrize(("who", "level", "shown"), PACKETS)
def test_the_packet_carries_the_prosecution_only_for_law_enforcement_readers(
    request, le_case, supervisor, charge, suspect, who, level, shown
):
    reader = request.getfixturevalue(who)
    if level is not None:
        share(le_case, reader.agency, level, supervisor)
    text = squash(" ".join(pages_of(render_case_packet(le_case, reader))))
    assert (squash("Arrests and prosecution") in text) is shown
    assert ("1591(a)(1)" in text) is shown
    assert (SUSPECT_GIVEN in text) is shown
    reads = AuditEvent.objects.filter(action="prosecution.record.viewed", actor=reader)
    expected = (
        [{"case_id": le_case.pk, "person_id": suspect.person_id, "arrests": 1, "via": "packet", "packet": "case"}]
        if shown
        else []
    )
    assert [event.details for event in reads] == expected


@pytest.fixture
def two_suspects(le_case, investigator, suspect):
    other = person_add_to_case(
        case=le_case, role=CaseParticipant.Role.SUSPECT, actor=investigator, given_name="Second", family_name="Man"
    )
    return [suspect, other]


def _arrest(le_case, participant, agency, investigator, statutes):
    return services.arrest_record(
        case=le_case,
        participant=participant,
        arrested_on=le_case.opened_on,
        arresting_agency=agency,
        charges=[{"statute": statute} for statute in statutes],
        actor=investigator,
    )


def _page_queries(client, le_case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("case_detail", args=[le_case.pk])).status_code == 200
    return len(queries)


def _section_queries(investigator, le_case) -> int:
    access = case_selectors.case_access_for_user(investigator, le_case.pk)
    dossier = case_selectors.case_dossier_for(investigator, access)
    with CaptureQueriesContext(connection) as queries:
        section = prosecution_section(investigator, access, dossier)
    assert section is not None
    return len(queries)


def test_the_section_costs_the_same_queries_for_one_arrest_or_many(
    client_as, le_case, investigator, lead_agency, prosecutor_office, two_suspects
):
    client = client_as(investigator)
    first, second = two_suspects
    _arrest(le_case, first, lead_agency, investigator, ["18 USC 1591"])
    client.get(reverse("case_detail", args=[le_case.pk]))  # warm: sessions, permission caches
    one_page, one_section = _page_queries(client, le_case), _section_queries(investigator, le_case)
    _arrest(le_case, first, lead_agency, investigator, ["18 USC 1594", "18 USC 2421"])
    _arrest(le_case, second, lead_agency, investigator, ["18 USC 1589", "18 USC 1590", "18 USC 1592"])
    many_page, many_section = _page_queries(client, le_case), _section_queries(investigator, le_case)
    assert one_section == many_section == 2  # the arrests with their agencies, the charges with their prosecutors
    assert one_page == many_page
