"""Case pages: who gets what, and which fields appear (sentinel values from tests/cases/conftest.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseShare, Consent, Document, Note
from cases.services import case_assign, case_create, case_update, consent_revoke, document_upload, note_add
from portal.models import AuditEvent
from tests.cases.fixtures import CLIENT_NAME, LE_SECRET, VICTIM_NAME, VICTIM_PHONE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("who", "status", "sees_pii", "sees_le"),
    [
        ("investigator", 200, True, True),
        ("colleague", 200, True, True),
        ("partner_investigator", 200, False, False),  # summary share
        ("advocate", 404, False, False),
        ("provider_staff", 404, False, False),
        ("coordinator", 404, False, False),
        ("agency_admin", 404, False, False),
        ("auditor", 404, False, False),
        ("outsider", 404, False, False),
    ],
)
def test_the_case_page_shows_each_person_exactly_what_they_may_see(
    request, client_as, le_case, who, status, sees_pii, sees_le
):
    response = client_as(request.getfixturevalue(who)).get(reverse("case_detail", args=[le_case.pk]))
    assert response.status_code == status
    page = response.content.decode()
    assert (VICTIM_NAME.split()[0] in page) == sees_pii
    assert (VICTIM_PHONE in page) == sees_pii
    assert (LE_SECRET in page) == sees_le
    if status == 404:
        assert le_case.title not in page


@pytest.mark.parametrize(
    ("who", "listed"),
    [("investigator", True), ("partner_investigator", True), ("advocate", False), ("outsider", False)],
)
def test_the_case_list_and_its_count_show_only_visible_cases(request, client_as, le_case, who, listed):
    response = client_as(request.getfixturevalue(who)).get(reverse("case_list"))
    page = response.content.decode()
    assert (le_case.number in page) == listed
    assert ("1 case matches." in page) == listed


@pytest.mark.parametrize(
    ("who", "query", "found"),
    [
        ("investigator", VICTIM_NAME.split()[0], True),
        ("partner_investigator", VICTIM_NAME.split()[0], False),  # may see the case, not the names in it
        ("investigator", CLIENT_NAME.split()[0], False),  # a shelter's client is not searchable by others
        ("advocate", CLIENT_NAME.split()[0], True),
    ],
)
def test_name_search_matches_only_names_the_person_may_see(request, client_as, le_case, ngo_case, who, query, found):
    response = client_as(request.getfixturevalue(who)).post(reverse("case_list"), {"q": query})
    numbers = {case.number for case in response.context["page"].object_list}
    assert bool(numbers) == found


def test_viewing_a_case_and_its_pii_is_audited_without_pii(client_as, investigator, le_case):
    client_as(investigator).get(reverse("case_detail", args=[le_case.pk]))
    assert AuditEvent.objects.filter(action="cases.case.viewed", object_id=str(le_case.pk)).count() == 1
    pii = AuditEvent.objects.get(action="cases.pii.viewed")
    assert set(pii.details) == {"person_id", "categories"}
    assert VICTIM_NAME.split()[0] not in str(pii.details)


def test_a_shelters_client_shows_through_an_active_consent_only(client_as, investigator, ngo_case, client_consent):
    client = client_as(investigator)
    assert CLIENT_NAME.split()[0] in client.get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
    consent_revoke(consent=client_consent, actor=client_consent.recorded_by)
    assert CLIENT_NAME.split()[0] not in client.get(reverse("case_detail", args=[ngo_case.pk])).content.decode()


def test_an_investigator_opens_a_case_and_a_supervisor_approves_sharing_it(
    client_as, investigator, supervisor, partner_agency, partner_investigator
):
    client = client_as(investigator)
    response = client.post(
        reverse("case_create"),
        {"title": "Farm labor camp", "case_type": "labor", "intake_channel": "hotline", "summary": "Tip."},
    )
    case = Case.objects.get(title="Farm labor camp")
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    response = client.post(
        reverse("case_share", args=[case.pk]),
        {"agency": partner_agency.pk, "level": "summary", "reason": "County jurisdiction"},
    )
    assert response.status_code == 302
    share = CaseShare.objects.get(case=case)
    assert share.status == CaseShare.Status.REQUESTED
    assert client_as(partner_investigator).get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("share_approve", args=[case.pk, share.pk])).status_code == 403  # not a supervisor
    client_as(supervisor).post(reverse("share_approve", args=[case.pk, share.pk]))
    assert client_as(partner_investigator).get(reverse("case_detail", args=[case.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="cases.share.requested").count() == 1
    assert AuditEvent.objects.get(action="cases.share.granted").actor == supervisor
    client_as(supervisor).post(reverse("share_revoke", args=[case.pk, share.pk]), {"reason": "Case closed locally"})
    assert client_as(partner_investigator).get(reverse("case_detail", args=[case.pk])).status_code == 404


def test_a_partner_cannot_share_edit_or_upload(client_as, partner_investigator, le_case, coordination_office):
    client = client_as(partner_investigator)
    for url in ["case_share", "case_edit", "participant_add"]:
        assert client.get(reverse(url, args=[le_case.pk])).status_code == 403, url
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    assert client.post(reverse("document_upload", args=[le_case.pk]), {"file": upload}).status_code == 403
    assert not Document.objects.exists()


def test_a_stale_edit_is_refused_and_names_what_changed(client_as, investigator, colleague, le_case):
    form_version = le_case.version
    case_update(case=le_case, version=form_version, actor=colleague, title="Renamed by a colleague")
    response = client_as(investigator).post(
        reverse("case_edit", args=[le_case.pk]),
        {"title": "My title", "case_type": "sex", "intake_channel": "hotline", "version": form_version},
        follow=True,
    )
    page = response.content.decode()
    assert "colleague@ffo.example changed this case" in page
    assert "title" in page
    assert Case.objects.get(pk=le_case.pk).title == "Renamed by a colleague"


def test_law_enforcement_notes_and_files_stay_with_law_enforcement(
    client_as, investigator, partner_investigator, le_case, partner_agency
):
    note_add(case=le_case, text="Surveillance at 3 am", visibility="law_enforcement", actor=investigator)
    note_add(case=le_case, text="Victim needs a Spanish interpreter", actor=investigator)
    secret_file = document_upload(
        case=le_case,
        uploaded_file=SimpleUploadedFile("surveillance-log.pdf", PDF),
        visibility="law_enforcement",
        actor=investigator,
    )
    page = client_as(partner_investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "Spanish interpreter" in page
    assert "Surveillance at 3 am" not in page
    assert "surveillance-log.pdf" not in page
    download = reverse("document_download", args=[le_case.pk, secret_file.pk])
    assert client_as(partner_investigator).get(download).status_code == 403
    assert Note.objects.count() == 2


def test_a_document_is_downloaded_only_through_the_checked_view_and_audited(client_as, investigator, outsider, le_case):
    document = document_upload(case=le_case, uploaded_file=SimpleUploadedFile("statement.pdf", PDF), actor=investigator)
    url = reverse("document_download", args=[le_case.pk, document.pk])
    assert client_as(outsider).get(url).status_code == 404
    response = client_as(investigator).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="statement.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="cases.document.downloaded").count() == 1


def test_a_file_is_judged_by_its_content_not_its_name(client_as, investigator, le_case):
    fake = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", content_type="application/pdf"
    )
    response = client_as(investigator).post(reverse("document_upload", args=[le_case.pk]), {"file": fake}, follow=True)
    assert "Upload a PDF" in response.content.decode()
    assert not Document.objects.exists()


def test_the_shelter_records_and_revokes_a_consent_from_the_case_page(
    client_as, advocate, ngo_case, ngo_client, lead_agency
):
    client = client_as(advocate)
    assert client.get(reverse("consent_create", args=[ngo_case.pk])).status_code == 200
    response = client.post(
        reverse("consent_create", args=[ngo_case.pk]),
        {
            "person": ngo_client.pk,
            "recipient_agency": lead_agency.pk,
            "categories": ["identity"],
            "purpose": "Certification",
            "signed_on": "2026-11-01",
            "expires_on": "2027-02-01",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=ngo_client)
    client.post(reverse("consent_revoke", args=[ngo_case.pk, consent.pk]))
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_a_consent_without_an_expiry_is_refused(client_as, advocate, ngo_case, ngo_client, lead_agency):
    response = client_as(advocate).post(
        reverse("consent_create", args=[ngo_case.pk]),
        {
            "person": ngo_client.pk,
            "recipient_agency": lead_agency.pk,
            "categories": ["identity"],
            "purpose": "x",
            "signed_on": "2026-11-01",
        },
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Consent.objects.exists()


def test_an_investigator_adds_a_note_without_choosing_who_sees_it(client_as, investigator, le_case):
    client_as(investigator).post(reverse("note_add", args=[le_case.pk]), {"text": "Called the hotline back."})
    assert Note.objects.get().visibility == "case_team"


@pytest.mark.parametrize(
    ("who", "query", "found"),
    [
        ("investigator", "Zyxwa", True),
        ("investigator", "Sentinel-Victim", True),
        ("partner_investigator", "Zyxwa", False),  # a summary share shows no names
        ("investigator", "Qorvan", False),  # the shelter's client: only the shelter searches for it
        ("advocate", "Qorvan", True),
        ("outsider", "Zyxwa", False),
    ],
)
def test_person_search_finds_only_people_whose_names_the_searcher_may_see(
    request, client_as, le_case, ngo_case, who, query, found
):
    response = client_as(request.getfixturevalue(who)).post(reverse("person_search"), {"q": query})
    assert response.status_code in {200, 404}
    results = response.context["results"] if response.status_code == 200 else []
    assert bool(results) == found
    if found:
        assert AuditEvent.objects.filter(action="cases.pii.viewed", details__via="search").exists()


@pytest.mark.postgres_only
def test_person_search_forgives_a_misspelled_name_on_postgresql(client_as, investigator, le_case):
    response = client_as(investigator).post(reverse("person_search"), {"q": "Zyxva Sentinel-Victm"})
    [(_person, cases)] = response.context["results"]
    assert [case.number for case in cases] == [le_case.number]


def test_the_case_list_page_costs_the_same_queries_for_3_and_30_cases(client_as, investigator, partner_agency):
    client = client_as(investigator)
    for number in range(3):
        case_create(actor=investigator, title=f"Case {number}", intake_channel=Case.Channel.HOTLINE)
    client.get(reverse("case_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("case_list"))
    for number in range(27):
        case_create(actor=investigator, title=f"More {number}", intake_channel=Case.Channel.HOTLINE)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("case_list"))
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few) + 1  # the full page is counted; a short page is its own count (portal/pagination.py)
    # No query per row asks about permissions: the permission tables appear only in the list's own query.
    # (The navigation's count of unread notices reads only referrals still in view: one query, not per row.)
    permission_queries = [
        q["sql"]
        for q in many.captured_queries
        if "objectpermission" in q["sql"].lower() and "referrals_notification" not in q["sql"].lower()
    ]
    assert len(permission_queries) <= 2  # the capped count and the page


def test_assigning_the_case_feeds_the_assigned_to_me_filter(client_as, investigator, supervisor, colleague, le_case):
    client = client_as(investigator)
    assert client.post(reverse("case_assign", args=[le_case.pk]), {"assigned_to": [colleague.pk]}).status_code == 403
    client_as(supervisor).post(reverse("case_assign", args=[le_case.pk]), {"assigned_to": [colleague.pk]})
    assert list(le_case.assigned_to.all()) == [colleague]
    mine = client_as(colleague).get(reverse("case_list"), {"assigned_to_me": "on"}).context["page"].object_list
    assert [case.pk for case in mine] == [le_case.pk]
    assert list(client.get(reverse("case_list"), {"assigned_to_me": "on"}).context["page"].object_list) == []


def test_only_the_lead_agencys_people_can_be_assigned(supervisor, partner_investigator, le_case):
    with pytest.raises(ValidationError):
        case_assign(case=le_case, users=[partner_investigator], actor=supervisor)


def test_the_lead_sees_the_cases_activity_and_a_partner_does_not(
    client_as, investigator, partner_investigator, le_case
):
    client_as(partner_investigator).get(reverse("case_detail", args=[le_case.pk]))
    lead_page = client_as(investigator).get(reverse("case_detail", args=[le_case.pk]))
    actions = [event.action for event in lead_page.context["activity"]]
    assert "cases.share.granted" in actions
    assert "cases.case.viewed" in actions
    assert client_as(partner_investigator).get(reverse("case_detail", args=[le_case.pk])).context["activity"] == []


def test_the_case_page_costs_the_same_queries_for_3_and_30_people(client_as, investigator, le_case):
    from cases.services import need_add, person_add_to_case

    client = client_as(investigator)

    def add(count):
        for number in range(count):
            participant = person_add_to_case(
                case=le_case, role="victim", actor=investigator, given_name=f"P{number}", phone="555-0100"
            )
            need_add(case=le_case, person=participant.person, category="food", actor=investigator)
            note_add(case=le_case, text=f"Note {number}", actor=investigator)

    add(2)
    client.get(reverse("case_detail", args=[le_case.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("case_detail", args=[le_case.pk]))
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("case_detail", args=[le_case.pk]))
    assert len(response.context["people"]) == 30
    assert len(many) == len(few)


def test_reading_a_client_whose_consent_expired_is_an_audit_event(client_as, investigator, ngo_case, client_consent):
    from datetime import datetime, time

    import time_machine
    from django.utils import timezone

    day = datetime.combine(client_consent.expires_on, time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(day):
        client_as(investigator).get(reverse("case_detail", args=[ngo_case.pk]))
    event = AuditEvent.objects.get(action="cases.consent.expired_when_read")
    assert event.details == {"person_id": client_consent.person_id, "consent_id": client_consent.pk}


def test_the_filter_form_gets_only_the_results_through_htmx(client_as, investigator, le_case):
    client = client_as(investigator)
    partial = client.get(reverse("case_list"), {"status": "open"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="case-results">')
    assert le_case.number in partial
    assert "<html" not in partial
    full = client.get(reverse("case_list"), {"status": "open"}).content.decode()
    assert "<html" in full
    assert 'hx-target="#case-results"' in full
