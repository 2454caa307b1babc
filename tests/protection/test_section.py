"""The relief section of the case page and packet (``protection.sections``, through ``CASE_SECTIONS``): shown only
to who may see it, its reads audited with the people's ids and never a value, its cost constant in the number of
relief actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors as case_selectors
from cases.packets import render_case_packet
from portal.models import AuditEvent
from protection import services
from protection.models import ReliefAction
from protection.sections import relief_section
from tests.cases.test_packets import pages_of, squash
from tests.protection.conftest import CP_REFERENCE, victim_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "shown"), [("investigator", True), ("coordinator", False)])
def test_a_packet_shows_relief_only_to_who_may_see_it(request, relief_case, continued_presence, who, shown):
    """The coordinator prints the case with its people (a personal share) but not their relief."""
    reader = request.getfixturevalue(who)
    text = squash(" ".join(pages_of(render_case_packet(relief_case, reader))))
    assert (CP_REFERENCE in text) is shown
    assert (squash("Immigration relief") in text) is shown
    reads = AuditEvent.objects.filter(action="protection.relief.viewed", actor=reader)
    if shown:
        person = victim_of(relief_case).person
        assert [event.details for event in reads] == [
            {"case_id": relief_case.pk, "person_id": person.pk, "relief_actions": 1, "via": "packet", "packet": "case"}
        ]
    else:
        assert not reads.exists()


def test_the_case_page_audits_each_read_with_ids_never_values(client_as, relief_case, continued_presence, investigator):
    client_as(investigator).get(reverse("case_detail", args=[relief_case.pk]))
    event = AuditEvent.objects.get(action="protection.relief.viewed", actor=investigator)
    person = victim_of(relief_case).person
    assert event.details == {"case_id": relief_case.pk, "person_id": person.pk, "relief_actions": 1}
    # On the participation, not the case: the case's activity (read by its managers) does not tell of relief.
    assert (event.object_type, event.object_id) == ("cases.caseparticipant", str(victim_of(relief_case).pk))
    assert CP_REFERENCE not in str(event.details)


def test_opening_an_action_and_its_document_are_audited(client_as, relief_case, continued_presence, investigator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client_as(investigator)
    page.get(reverse("relief_action", args=[relief_case.pk, continued_presence.pk]))
    assert AuditEvent.objects.filter(action="protection.relief.viewed", details__via="action").count() == 1
    services.relief_action_update(
        action=continued_presence,
        version=continued_presence.version,
        actor=investigator,
        uploaded_file=SimpleUploadedFile("cp-letter.txt", b"Continued Presence letter"),
    )
    response = page.get(reverse("relief_document", args=[relief_case.pk, continued_presence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Continued Presence letter"
    assert AuditEvent.objects.filter(action="protection.relief.document_downloaded").count() == 1


def test_the_case_activity_does_not_tell_of_relief(client_as, client_case, t_visa, investigator, shelter_supervisor):
    """The shelter's supervisor manages its case: its activity lists the reads and steps of cases, not those of the
    client's relief (which the field office, sharing at personal level, may not see either)."""
    client_as(investigator).get(reverse("case_detail", args=[client_case.pk]))
    page = client_as(shelter_supervisor).get(reverse("case_detail", args=[client_case.pk])).content.decode()
    activity = page[page.index('id="activity-heading"') :]
    assert "immigration relief" not in activity


def test_no_victim_whose_relief_is_seen_means_no_section(relief_case, partner_investigator):
    access = case_selectors.case_access_for_user(partner_investigator, relief_case.pk)
    dossier = case_selectors.case_dossier_for(partner_investigator, access)
    assert relief_section(partner_investigator, access, dossier) is None
    assert [section.key for section in dossier.sections] == []


def _section_queries(user, case) -> int:
    access = case_selectors.case_access_for_user(user, case.pk)
    dossier = case_selectors.case_dossier_for(user, access)
    with CaptureQueriesContext(connection) as queries:
        section = relief_section(user, access, dossier)
    assert section is not None
    return len(queries)


def test_the_section_costs_the_same_for_one_action_or_eight(relief_case, continued_presence, investigator):
    one = _section_queries(investigator, relief_case)
    person = victim_of(relief_case).person
    for kind in list(ReliefAction.Kind)[2:9]:
        services.relief_action_record(
            case=relief_case,
            person=person,
            kind=kind,
            actor=investigator,
            requested_on=timezone.localdate() - timedelta(days=1),
            requesting_agency=investigator.agency,
        )
    assert ReliefAction.objects.count() == 8
    assert _section_queries(investigator, relief_case) == one == 1
