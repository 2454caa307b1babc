"""The access matrix (issue 3): every case URL, for each member of the cast, GET and POST, the exact status and
which sentinel fields appear. A row per (who, URL, method); nobody sees more than the rules allow."""

import uuid
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
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
        "victim": victim,
        "le": le_case,
        "ngo": ngo_case,
        "document": document,
        "consent": consent,
        "share": share,
        "need": need,
        "requested": requested,
    }


# Rows that open a URL another way than its name says: the shelter's case, the stop-sharing page (a GET of the
# share_revoke URL) and the withdrawal of a request, the POST of a form that has a GET row.
ALIASES = {
    "ngo_case_detail": "case_detail",
    "share_end_page": "share_revoke",
    "share_withdraw": "share_revoke",
    "participant_find_post": "participant_find",
    "person_edit_post": "person_edit",
}


def _url(name: str, world) -> str:
    le, ngo = world["le"], world["ngo"]
    victim = world["victim"]
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
        "case_create": [],
        "person_edit": [le.pk, victim.pk],
        "person_edit_post": [le.pk, victim.pk],
        "victim_identification_edit": [le.pk, victim.pk],
        "service_event_add": [le.pk],
        "relief_new": [le.pk, victim.pk],
        "participant_find": [le.pk],
        "participant_find_post": [le.pk],
        "participant_link": [le.pk],
        "share_end_page": [le.pk, world["share"].pk],
        "share_withdraw": [le.pk, world["requested"].pk],
    }[name]
    return reverse(ALIASES.get(name, name), args=args)


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
    # Issue 14's pages. Opening a case is a role's right (no case involved); a coordinator's role does not open cases.
    "case_create": ("GET", {LEAD: 200, SUMMARY: 200, FULL: 200, SHELTER: 200, COORD: 403, OUT: 200}),
    # Correcting a person: who changes the case and sees all of the person (decision 0022); the form is a PII read.
    "person_edit": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "victim_identification_edit": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    # Recording a service given (decision 0035): the identification's rule (changes the case, sees the person).
    "service_event_add": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    # Recording a victim's immigration relief (decision 0033): only its audience knows there is any (404 else); the
    # law-enforcement partner sees it but does not change the case (403).
    "relief_new": ("GET", {LEAD: 200, SUMMARY: 404, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "person_edit_post": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    # Finding someone recorded elsewhere to add them here: who changes the case; the name in a POST body only.
    "participant_find": ("GET", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "participant_find_post": ("POST", {LEAD: 200, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "participant_link": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    # Stop sharing asks to confirm and why (decision 0024): an approved share's page is a supervisor's; a request
    # still waiting is withdrawn by anyone who manages the case.
    "share_end_page": ("GET", {LEAD: 403, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
    "share_withdraw": ("POST", {LEAD: 302, SUMMARY: 403, FULL: 403, SHELTER: 404, COORD: 404, OUT: 404}),
}
# The coordinator's role allows viewing cases and PII, but no case was shared with the coordination office; the
# colleague is the lead agency too and must match the investigator on every row.
SUPERVISOR_DIFFERS = {
    "case_assign": 302,
    "share_approve": 302,
    "share_decline": 302,
    "share_revoke": 302,
    "share_end_page": 200,
}
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
    response = client.get(url) if method == "GET" else client.post(url, _post_data(url_name, world))
    assert response.status_code == expected, f"{who} {method} {url_name}: {response.status_code}"
    if url_name in CHANGED:  # a refused write changes nothing; an allowed one does what it says
        assert CHANGED[url_name](world) == (expected == 302), f"{who} {method} {url_name}"


# What an allowed POST of a row changes, read back: refused, it must not have happened.
CHANGED = {
    "person_edit_post": lambda world: type(world["victim"]).objects.get(pk=world["victim"].pk).phone == "555-0100-000",
    "participant_link": lambda world: world["le"].participants.filter(person=world["victim"], role="witness").exists(),
    "share_withdraw": lambda world: CaseShare.objects.get(pk=world["requested"].pk).revoked_at is not None,
}


def person_fields(person) -> dict:
    """The correction form's fields as the person's record holds them."""
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": "",
        "sex": person.sex,
        "nationality": person.nationality,
        "languages": person.languages,
        "preferred_language": person.preferred_language,
        "languages_note": person.languages_note,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "version": person.version,
    }


def _post_data(url_name: str, world) -> dict:
    victim = world["victim"]
    data: dict[str, dict] = {
        "case_status": {"transition": "start_investigation"},
        "share_revoke": {"reason": "Matrix"},
        "share_withdraw": {"reason": "Matrix"},
        "participant_find_post": {"q": VICTIM_NAME.split()[0]},
        "participant_link": {"person": victim.pk, "role": "witness", "submission_key": str(uuid.uuid4())},
        "person_edit_post": {**person_fields(victim), "phone": "555-0100-000"},
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


# --- The directory's and the referrals' pages (issue 14: providers keep their hours and locations; "Refer someone"
# from a service's page). Statuses: the provider's staff (who keep the listing), the provider's advocate, the lead
# investigator (and their supervisor, who must match them), the partner with a summary share, the coordinator, the
# lead agency's administrator, the coordination office's auditor, and an outsider.
PROV, ADMIN, AUDITOR = "provider_staff", "agency_admin", "auditor"
DIRECTORY_CAST = [PROV, SHELTER, LEAD, "supervisor", SUMMARY, COORD, ADMIN, AUDITOR, OUT]


@pytest.fixture
def listings(world, ngo, task_force, agency_admin, lead_agency):
    """The shelter's listing (its provider staff keep it) at one location, and an API token of the lead agency."""
    from services_directory.services import api_token_issue
    from tests.services_directory.factories import listed_service

    listing = listed_service(name="Harbor House", agency=ngo, categories=("food", "emergency_shelter"))
    token, _key = api_token_issue(agency=lead_agency, name="Partner directory", actor=agency_admin)
    return {**world, "listing": listing, "location": listing.service_at_locations.get().location, "token": token}


def _directory_url(name: str, listings) -> str:
    listing, le = listings["listing"], listings["le"]
    args = {
        "service_search": [],
        "my_services": [],
        "service_detail": [listing.pk],
        "service_edit": [listing.pk],
        "service_hours": [listing.pk],
        "service_hours_post": [listing.pk],
        "service_locations": [listing.pk],
        "service_location_add": [listing.pk],
        "service_location": [listing.pk, listings["location"].pk],
        "service_location_post": [listing.pk, listings["location"].pk],
        "service_location_remove": [listing.pk, listings["location"].pk],
        "service_capacity": [listing.pk],
        "api_tokens": [],
        "api_token_revoke": [listings["token"].pk],
        "refer_choose": [listing.pk],
        "refer_choose_case": [listing.pk],
        "referral_inbox": [],
        "referral_outbox": [],
        "referral_board": [],
        "referral_history": [],
        "notifications": [],
        "need_services": [listings["need"].pk],
        "refer_agency": [le.pk],
        "refer_service": [listings["need"].pk, listing.pk],
    }[name]
    url = reverse(DIRECTORY_ALIASES.get(name, name), args=args)
    return url + (f"?case={le.pk}" if name == "refer_choose_case" else "")


DIRECTORY_ALIASES = {
    "service_hours_post": "service_hours",
    "service_location_post": "service_location",
    "refer_choose_case": "refer_choose",
}


def _directory_post_data(name: str, listings) -> dict:
    version = listings["listing"].version
    location = {
        "name": "Harbor House annex",
        "address_1": "1 Main Street",
        "city": "Houston",
        "state_province": "TX",
        "postal_code": "77002",
    }
    return {
        "service_hours_post": {"version": version, "MO_opens": "09:00", "MO_closes": "17:00"},
        "service_location_post": {**location, "version": version},
        "service_location_remove": {"version": version},
        "service_capacity": {"capacity": "available", "count": "2"},
    }.get(name, {})


def _d(prov, shelter, lead, summary, coord, admin, auditor, out):
    return dict(
        zip(
            [PROV, SHELTER, LEAD, SUMMARY, COORD, ADMIN, AUDITOR, OUT],
            [prov, shelter, lead, summary, coord, admin, auditor, out],
            strict=True,
        )
    )


# url name (or alias): (method, statuses in the order of ``_d``'s arguments). The supervisor matches the lead.
DIRECTORY_MATRIX = {
    # Every role reads the directory; only the listing's own provider staff change it (outsiders to it get 404).
    "service_search": ("GET", _d(200, 200, 200, 200, 200, 200, 200, 200)),
    "service_detail": ("GET", _d(200, 200, 200, 200, 200, 200, 200, 200)),
    "my_services": ("GET", _d(200, 404, 404, 404, 404, 404, 404, 404)),
    "service_edit": ("GET", _d(200, 404, 404, 404, 404, 404, 404, 404)),
    "service_hours": ("GET", _d(200, 404, 404, 404, 404, 404, 404, 404)),
    "service_hours_post": ("POST", _d(302, 404, 404, 404, 404, 404, 404, 404)),
    "service_locations": ("GET", _d(200, 404, 404, 404, 404, 404, 404, 404)),
    "service_location_add": ("GET", _d(200, 404, 404, 404, 404, 404, 404, 404)),
    "service_location": ("GET", _d(200, 404, 404, 404, 404, 404, 404, 404)),
    "service_location_post": ("POST", _d(302, 404, 404, 404, 404, 404, 404, 404)),
    "service_location_remove": ("POST", _d(302, 404, 404, 404, 404, 404, 404, 404)),
    "service_capacity": ("POST", _d(302, 404, 404, 404, 404, 404, 404, 404)),
    # API tokens: the agency administrator's, of their own agency only.
    "api_tokens": ("GET", _d(404, 404, 404, 404, 404, 200, 404, 404)),
    "api_token_revoke": ("POST", _d(404, 404, 404, 404, 404, 302, 404, 404)),
    # "Refer someone": those who send referrals; the case chosen must be one they work (the partner reads the
    # case at summary level and works none: 404, as for a case outside their reach).
    "refer_choose": ("GET", _d(404, 200, 200, 200, 404, 404, 404, 200)),
    "refer_choose_case": ("GET", _d(404, 404, 200, 404, 404, 404, 404, 404)),
    "referral_inbox": ("GET", _d(200, 200, 200, 200, 404, 404, 404, 200)),
    "referral_outbox": ("GET", _d(404, 200, 200, 200, 404, 404, 404, 200)),
    "referral_board": ("GET", _d(404, 404, 404, 404, 200, 404, 404, 404)),
    "referral_history": ("GET", _d(404, 404, 404, 404, 200, 404, 404, 404)),
    "notifications": ("GET", _d(200, 200, 200, 200, 200, 200, 200, 200)),
    # A need's ranked services: whoever sees the need on the case page (a summary share shows needs, not whose:
    # the leak scan holds the name back); the shelter, coordinator and outsiders do not see the case.
    "need_services": ("GET", _d(404, 404, 200, 200, 404, 404, 404, 404)),
    # Asking an agency to join the case: who manages it and sends referrals.
    "refer_agency": ("GET", _d(404, 404, 200, 404, 404, 404, 404, 404)),
    # Referring the need to a service: who works the case (the summary partner sees the need, may not refer it).
    "refer_service": ("GET", _d(404, 404, 200, 404, 404, 404, 404, 404)),
}
DIRECTORY_ROWS = [
    (who, name, method, statuses[LEAD if who == "supervisor" else who])
    for name, (method, statuses) in DIRECTORY_MATRIX.items()
    for who in DIRECTORY_CAST
]


@pytest.mark.parametrize(
    ("who", "url_name", "method", "expected"),
    DIRECTORY_ROWS,
    ids=[f"{w}-{n}-{m}" for w, n, m, _ in DIRECTORY_ROWS],
)
def test_the_directory_and_referrals_matrix(request, client_as, listings, who, url_name, method, expected):
    client = client_as(request.getfixturevalue(who))
    url = _directory_url(url_name, listings)
    response = client.get(url) if method == "GET" else client.post(url, _directory_post_data(url_name, listings))
    assert response.status_code == expected, f"{who} {method} {url_name}: {response.status_code}"
    listing = listings["listing"]
    listing.refresh_from_db()
    if method == "POST" and url_name.startswith("service_"):  # a refused edit leaves the listing as it was
        changed = listing.capacity == "available" if url_name == "service_capacity" else listing.version > 1
        assert changed == (expected == 302), f"{who} {method} {url_name}"
    if url_name == "api_token_revoke":
        listings["token"].refresh_from_db()
        assert (listings["token"].revoked_at is not None) == (expected == 302)


# URL names of the cases, referrals and directory apps that have no row above, each with where its who-may table
# is. A new URL needs a row in a matrix or a line here (test_every_url_has_a_row_or_a_reason).
EXEMPT_URL_NAMES = {
    # Immigration relief (decision 0033): its pages need a relief action and a victim service provider's client; its
    # own tables hold who opens, records, steps and downloads what.
    "relief_queue": "tests/protection/test_queue.py",
    "relief_notices": "tests/protection/test_reminders.py",
    "relief_action": "tests/protection/test_permissions.py",
    "relief_document": "tests/protection/test_section.py",
    "relief_step": "tests/protection/test_rules.py",
    # Prosecution (decision 0034): per-arrest and per-charge pages, and the coordinator's statutes.
    "arrest_create": "tests/prosecution/test_access.py",
    "arrest_edit": "tests/prosecution/test_access.py",
    "charge_add": "tests/prosecution/test_access.py",
    "charge_decide": "tests/prosecution/test_access.py",
    "charge_dispose": "tests/prosecution/test_access.py",
    "trafficking_statutes": "tests/prosecution/test_statutes.py",
    "trafficking_statute_remove": "tests/prosecution/test_statutes.py",
    # The dashboard and outreach (decision 0036): no case in them; who reaches which is tests/reports/test_pages.py.
    "reports_dashboard": "tests/reports/test_pages.py",
    "outreach_list": "tests/reports/test_pages.py",
    "outreach_new": "tests/reports/test_pages.py",
    # The quarterly report (decision 0037): an agency's own report, its permission table by role.
    "quarterly_list": "tests/reports/test_quarterly_pages.py",
    "quarterly_report": "tests/reports/test_quarterly_pages.py",
    "quarterly_sign": "tests/reports/test_quarterly_pages.py",
    "quarterly_csv": "tests/reports/test_quarterly_pages.py",
    "quarterly_pdf": "tests/reports/test_quarterly_pages.py",
    # PDFs whose rendering is slow for a row per person: tests/cases/test_packets.py (who prints which case) and
    # tests/cases/test_meeting_packets.py (who prepares, follows and downloads a meeting packet: the preparer only).
    "case_packet": "tests/cases/test_packets.py",
    "meeting_packets": "tests/cases/test_meeting_packets.py",
    "meeting_packet_detail": "tests/cases/test_meeting_packets.py",
    "meeting_packet_download": "tests/cases/test_meeting_packets.py",
    # A service marked entered in error needs services of each kind (direct, a referral's; seen or not): TABLE there.
    "service_event_withdraw": "tests/cases/test_service_corrections.py",
    # A referral's own pages need a referral in each state: PAGE_TABLE and ACTION_TABLE there, and the outsiders'
    # 404 for every step.
    "referral_detail": "tests/referrals/test_pages.py",
    "referral_step": "tests/referrals/test_pages.py",
    "referral_message": "tests/referrals/test_pages.py",
    "referral_reroute": "tests/referrals/test_separation_of_duties.py",
    "referral_letter": "tests/referrals/test_letter.py",
    # The HSDS API authenticates by itself (session or API token): tests/services_directory/test_api.py, and the
    # anonymous refusal in tests/security/test_urls.py.
    "hsds_api_meta": "tests/services_directory/test_api.py",
    "hsds_api_openapi": "tests/services_directory/test_api.py",
    "hsds_api_services": "tests/services_directory/test_api.py",
    "hsds_api_service": "tests/services_directory/test_api.py",
    # The admin's HSDS import: staff only, like the whole admin (tests/security/test_urls.py).
    "admin:services_directory_hsds_import": "tests/services_directory/test_admin.py",
    # Asking for more access and for a consent need a share at each level and an NGO's client without consent: the
    # who-may tables there (lead, its supervisor, partners at each level, the coordinator, the NGO, an outsider).
    "access_request_create": "tests/cases/test_access_requests.py",
    "access_request_approve": "tests/cases/test_access_requests.py",
    "access_request_decline": "tests/cases/test_access_requests.py",
    "consent_request_create": "tests/cases/test_access_requests.py",
    "consent_requests": "tests/cases/test_access_requests.py",
    "consent_request_declined": "tests/cases/test_access_requests.py",
    # A tip's pages need a tip in each state of triage: the who-sees-which-tip table (15 people, 6 states, the
    # provider a tip was referred to among them) and the lifecycle tables of who may take which step (the referral's
    # in tests/tips/test_refer.py, through the same tip_step URL); the leak scan walks them too (test_leaks.py).
    "tip_queue": "tests/tips/test_visibility.py",
    "tip_new": "tests/tips/test_pages.py",
    "tip_detail": "tests/tips/test_visibility.py",
    "tip_step": "tests/tips/test_lifecycle.py",
    "tip_subject_edit": "tests/tips/test_subject_correction.py",
    # 28 CFR Part 23: who prints, exports, reads the dissemination log, validates and purges, by tables there.
    "tip_print": "tests/tips/test_dissemination.py",
    "tip_export": "tests/tips/test_dissemination.py",
    "tip_dissemination_log": "tests/tips/test_dissemination.py",
    "tip_dissemination_log_export": "tests/tips/test_dissemination.py",
    "tip_review_queue": "tests/tips/test_review.py",
    "tip_validate": "tests/tips/test_review.py",
    "tip_purge": "tests/tips/test_review.py",
    # A tip's files: who uploads and downloads in which state of the tip (the visibility table's people), there.
    "tip_attachment_upload": "tests/tips/test_attachments.py",
    "tip_attachment_download": "tests/tips/test_attachments.py",
    # The tips API authenticates by itself (an agency's token of the tips scope, never a session): its scope table.
    "tips_api_receive": "tests/tips/test_api.py",
    "tips_api_openapi": "tests/tips/test_api.py",
}
MATRIX_APPS = ("cases", "referrals", "services_directory", "tips", "protection", "prosecution", "reports")


def _app_url_names() -> set[str]:
    from tests.security.test_urls import ALL_PATTERNS

    return {
        name
        for _route, name, pattern in ALL_PATTERNS
        if name and getattr(pattern.callback, "__module__", "").split(".")[0] in MATRIX_APPS
    }


def test_every_url_has_a_row_or_a_reason():
    """Every URL name of the cases, referrals and directory apps is in a matrix (under its own name or an alias's)
    or exempt with the test that holds its table; an exemption or row for a URL that is gone fails too."""
    covered = {ALIASES.get(name, name) for name in MATRIX} | {DIRECTORY_ALIASES.get(n, n) for n in DIRECTORY_MATRIX}
    names = _app_url_names()
    assert len(names) > 40  # the walk found the apps' URLs
    assert names - covered - set(EXEMPT_URL_NAMES) == set(), "URLs without a row in the access matrix"
    assert covered & set(EXEMPT_URL_NAMES) == set(), "an exempt URL has rows: drop its exemption"
    assert (covered | set(EXEMPT_URL_NAMES)) - names == set(), "rows or exemptions of URLs that no longer exist"
    for test_file in set(EXEMPT_URL_NAMES.values()):
        assert (settings.BASE_DIR / test_file).exists(), test_file
