"""The access matrix (issue 3): every case URL, for each member of the cast, GET and POST, the exact status and
which sentinel fields appear. A row per (who, URL, method); nobody sees more than the rules allow."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from cases.models import CaseShare, Consent
from cases.services import case_share_grant, consent_revoke, document_upload, need_add, note_add
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE, LE_SECRET, VICTIM_NAME, VICTIM_PHONE
from tests.factories import AgencyFactory, UserFactory, given_consent

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def full_partner(le_case, supervisor, task_force):
    """An investigator at a second federal agency that sees everything in the case but may not change it."""
    agency = AgencyFactory(name="Homeland Investigations", short_name="HI", kind=Agency.Kind.FEDERAL_LE)
    task_force.members.create(agency=agency)
    case_share_grant(
        case=le_case, agency=agency, level=CaseShare.Level.LAW_ENFORCEMENT, reason="Port of entry", actor=supervisor
    )
    return UserFactory(email="agent@hi.example", agency=agency)


@pytest.fixture
def world(le_case, ngo_case, ngo_client, investigator, advocate, lead_agency, coordination_office):
    """Both cases, a document on the LE case, and a consent (changed per row) on the shelter's client."""
    document = document_upload(case=le_case, uploaded_file=SimpleUploadedFile("statement.pdf", PDF), actor=investigator)
    consent = given_consent(ngo_client, lead_agency, ["identity", "contact"], by=advocate, signed_days_ago=60)
    share = CaseShare.objects.get(case=le_case, revoked_at__isnull=True, agency__short_name="BPD")
    requested = case_share_grant(  # a caseworker's request, waiting for a supervisor
        case=le_case, agency=coordination_office, level=CaseShare.Level.SUMMARY, reason="Meeting", actor=investigator
    )
    victim = le_case.participants.get(role="victim").person
    need = need_add(case=le_case, person=victim, category="food", actor=investigator)
    return {
        "le": le_case,
        "ngo": ngo_case,
        "document": document,
        "consent": consent,
        "share": share,
        "need": need,
        "requested": requested,
    }


def _url(name: str, world) -> str:
    le, ngo = world["le"], world["ngo"]
    args = {
        "case_list": [],
        "person_search": [],
        "case_detail": [le.pk],
        "case_edit": [le.pk],
        "case_status": [le.pk],
        "case_assign": [le.pk],
        "participant_add": [le.pk],
        "case_share": [le.pk],
        "share_revoke": [le.pk, world["share"].pk],
        "share_approve": [le.pk, world["requested"].pk],
        "share_decline": [le.pk, world["requested"].pk],
        "note_add": [le.pk],
        "need_add": [le.pk],
        "need_met": [le.pk, world["need"].pk],
        "document_upload": [le.pk],
        "document_download": [le.pk, world["document"].pk],
        "consent_create": [ngo.pk],
        "consent_revoke": [ngo.pk, world["consent"].pk],
        "ngo_case_detail": [ngo.pk],
    }[name]
    return reverse("case_detail" if name == "ngo_case_detail" else name, args=args)


# Statuses: the lead (investigator, colleague), a partner with a summary share, a partner with a law-enforcement
# share, the shelter's advocate (lead of the shelter's case only), the coordinator and an outsider.
LEAD, SUMMARY, FULL, SHELTER, COORD, OUT = (
    "investigator",
    "partner_investigator",
    "full_partner",
    "advocate",
    "coordinator",
    "outsider",
)
MATRIX = {
    # url name: (method, {who: status})
    "case_list": ("GET", {LEAD: 200, SUMMARY: 200, FULL: 200, SHELTER: 200, COORD: 200, OUT: 200}),
    "person_search": ("GET", {LEAD: 200, SUMMARY: 200, FULL: 200, SHELTER: 200, COORD: 200, OUT: 200}),
    "case_detail": ("GET", {LEAD: 200, SUMMARY: 200, FULL: 200, SHELTER: 404, COORD: 404, OUT: 404}),
    "case_edit": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "case_status": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    # Assigning is a supervisor's decision: the lead's caseworkers get 403 too (the supervisor's row is below).
    "case_assign": ("POST", {LEAD: 403, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "participant_add": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "case_share": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    # A share a supervisor approved is a supervisor's to end (the supervisor's row is below).
    "share_revoke": ("POST", {LEAD: 403, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "share_approve": ("POST", {LEAD: 403, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "share_decline": ("POST", {LEAD: 403, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "note_add": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "need_add": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "need_met": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "document_upload": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "document_download": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 200, SHELTER: 404, COORD: 404, OUT: 404}),
    "ngo_case_detail": ("GET", {LEAD: 200, SUMMARY: 404, FULL: 404, SHELTER: 200, COORD: 404, OUT: 404}),
    "consent_create": ("GET", {LEAD: 403, SUMMARY: 404, FULL: 404, SHELTER: 200, COORD: 404, OUT: 404}),
    "consent_revoke": ("POST", {LEAD: 404, SUMMARY: 404, FULL: 404, SHELTER: 302, COORD: 404, OUT: 404}),
}
# The coordinator's role allows viewing cases and PII, but no case was shared with the coordination office; the
# colleague is the lead agency too and must match the investigator on every row.
SUPERVISOR_DIFFERS = {"case_assign": 302, "share_approve": 302, "share_decline": 302, "share_revoke": 302}
ROWS = [
    (who, name, method, status)
    for name, (method, statuses) in MATRIX.items()
    for who, status in [
        *statuses.items(),
        ("colleague", statuses[LEAD]),
        ("supervisor", SUPERVISOR_DIFFERS.get(name, statuses[LEAD])),
    ]
]


@pytest.mark.parametrize(("who", "url_name", "method", "expected"), ROWS, ids=[f"{w}-{n}-{m}" for w, n, m, _ in ROWS])
def test_the_matrix(request, client_as, world, full_partner, who, url_name, method, expected):
    user = full_partner if who == FULL else request.getfixturevalue(who)
    client = client_as(user)
    url = _url(url_name, world)
    response = client.get(url) if method == "GET" else client.post(url, _post_data(url_name))
    assert response.status_code == expected, f"{who} {method} {url_name}: {response.status_code}"


def _post_data(url_name: str) -> dict:
    data: dict[str, dict] = {
        "case_status": {"transition": "start_investigation"},
        "share_revoke": {"reason": "Matrix"},
        "note_add": {"text": "Matrix note"},
        "need_add": {"person": "0", "category": "food"},
        "document_upload": {"file": SimpleUploadedFile("m.pdf", PDF)},
    }
    return data.get(url_name, {})


@pytest.mark.parametrize(
    ("who", "sees_victim", "sees_le"),
    [(LEAD, True, True), ("colleague", True, True), (SUMMARY, False, False), (FULL, True, True)],
)
def test_which_fields_appear_on_the_case_page(request, client_as, world, full_partner, who, sees_victim, sees_le):
    user = full_partner if who == FULL else request.getfixturevalue(who)
    page = client_as(user).get(_url("case_detail", world)).content.decode()
    assert (VICTIM_NAME.split()[0] in page) == sees_victim
    assert (VICTIM_PHONE in page) == sees_victim
    assert (LE_SECRET in page) == sees_le


@pytest.mark.parametrize(
    ("consent_state", "sees_client"),
    [("active", True), ("expired", False), ("revoked", False)],
)
def test_the_shelters_client_on_the_lead_investigators_screen(
    client_as, world, investigator, advocate, consent_state, sees_client
):
    consent: Consent = world["consent"]
    if consent_state == "revoked":
        consent_revoke(consent=consent, actor=advocate)
    day = consent.expires_on + timedelta(days=1) if consent_state == "expired" else timezone.localdate()
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    with time_machine.travel(noon):
        page = client_as(investigator).get(_url("ngo_case_detail", world)).content.decode()
    assert (CLIENT_NAME.split()[0] in page) == sees_client
    assert (CLIENT_PHONE in page) == sees_client


@pytest.mark.parametrize("consent_state", ["none", "active", "expired", "revoked"])
@pytest.mark.parametrize("categories", [["identity", "contact"], ["identity", "contact", "narrative"]])
def test_the_shelters_records_across_consent_states_on_every_page(
    client_as, ngo_case, ngo_client, advocate, investigator, lead_agency, consent_state, categories
):
    """The lead investigator (whose agency a consent names) on every page that could show the shelter's client:
    the case page, the case list's search, person search, and the shelter's own note and file."""
    note = note_add(case=ngo_case, text="SHELTER-NOTE-SENTINEL", actor=advocate, about=[ngo_client])
    document = document_upload(
        case=ngo_case, uploaded_file=SimpleUploadedFile("shelter-intake.txt", b"SHELTER-FILE"), actor=advocate
    )
    today = timezone.localdate()
    if consent_state != "none":
        consent = given_consent(ngo_client, lead_agency, categories, by=advocate, signed_days_ago=60)
        if consent_state == "revoked":
            consent_revoke(consent=consent, actor=advocate)
    day = today + timedelta(days=31) if consent_state == "expired" else today
    active = consent_state == "active"
    narrative = active and "narrative" in categories
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(12)))):
        client = client_as(investigator)
        page = client.get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
        assert (CLIENT_NAME.split()[0] in page) == active
        assert (CLIENT_PHONE in page) == active
        assert ("SHELTER-NOTE-SENTINEL" in page) == narrative
        assert ("shelter-intake.txt" in page) == narrative
        download = client.get(reverse("document_download", args=[ngo_case.pk, document.pk]))
        assert download.status_code == (200 if narrative else 404)
        # A shelter's clients are never found by another agency's search, consent or not (decision 0008).
        for url in [reverse("case_list"), reverse("person_search")]:
            found = client.post(url, {"q": CLIENT_NAME.split()[0]}).content.decode()
            assert CLIENT_PHONE not in found
        assert not client.post(reverse("person_search"), {"q": CLIENT_NAME.split()[0]}).context["results"]
    assert note.author_agency == ngo_client.entered_by_agency
