"""The leak scan (issue 3): sentinel names and phone numbers in cases a person may not see, and in a shelter's
client held without consent, never appear in any response to them: pages, lists, counts, searches, files (a PDF's
text included). The quarterly report (decision 0037) is walked for the quarter that holds the sentinels' records,
as a draft with its missing-field list and then signed: the frozen snapshot, what changed since, its CSV and PDF."""

import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.services import need_add
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE, LE_SECRET, VICTIM_NAME, VICTIM_PHONE
from tests.services_directory.factories import listed_service

# A victim's identification (issue 17) is the person's information: its free-text gender is the sentinel.
VICTIM_GENDER = "Sentinelgender-Victim"
CLIENT_GENDER = "Sentinelgender-Client"
# Issue 17's records of the victim and a suspect: immigration relief (decision 0033), a service's program (0035), an
# arrest's charge (0034). Each in words no page writes by itself.
RELIEF_NOTE = "Sentinelrelief-Note"
RELIEF_REFERENCE = "SENTINELRECEIPT0001"
SERVICE_PROGRAM = "Sentinelprogram-Housing"
CHARGE_WORDS = "Sentinelcharge-Harboring"
SUSPECT_NAME = "Sentinelsuspect Quarrington"
ISSUE_17 = [RELIEF_NOTE, RELIEF_REFERENCE, SERVICE_PROGRAM, CHARGE_WORDS, *SUSPECT_NAME.split()]
LE_SENTINELS = [*VICTIM_NAME.split(), VICTIM_PHONE, LE_SECRET, "Massage parlor network", VICTIM_GENDER, *ISSUE_17]
CLIENT_SENTINELS = [*CLIENT_NAME.split(), CLIENT_PHONE, CLIENT_GENDER]


def _identified(case, actor, gender: str) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from cases.services import victim_identification_save

    victim_identification_save(
        case=case,
        person=case.participants.get(role="victim").person,
        version=0,
        actor=actor,
        status="potential",
        identified_on=timezone.localdate() - timedelta(days=1),
        trafficking_type="sex",
        citizenship="foreign_national",
        gender="self_described",
        gender_description=gender,
        race_ethnicity=["asian"],
        disability="no",
        referral_source="hotline",
    )


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _quarters() -> list[str]:
    """The quarterly report's quarters the scan reads: the current fiscal quarter, which holds the sentinels'
    records (made today), and the one before it (a day or three earlier: an identification, a relief request)."""
    from reports.fiscal import quarter_of

    current = quarter_of(timezone.localdate())
    return [current.code, current.previous().code]


def _every_get_url(ids: dict[str, int], uuids: dict[str, str] | None = None) -> list[str]:
    """Every route of the portal (not the admin) filled with the ids of the sentinel objects (``uuids``: the
    directory's, whose keys are UUIDs); a quarterly report's route once for each of ``_quarters``."""
    urls = []
    for route in _patterns(get_resolver().url_patterns):
        if route.startswith(("admin/", "static/", "i18n/")) or "^" in route or "(?P" in route:
            continue
        paths = (
            ["/" + route.replace("<str:quarter>", code) for code in _quarters()]
            if "<str:quarter>" in route
            else ["/" + route]
        )
        for path in paths:
            for name, value in ids.items():
                path = path.replace(f"<int:{name}>", str(value))
            for name, key in (uuids or {}).items():
                path = path.replace(f"<uuid:{name}>", key)
            path = re.sub(r"<(?:str|slug|path|uuid):\w+>", "x", path)
            if "<" not in path:
                urls.append(path)
    return urls


SEARCH_WORDS = [*VICTIM_NAME.split(), *CLIENT_NAME.split(), VICTIM_PHONE]
# Searches whose text can be a name take it from a POST body only (issue 11): the scan posts the words there too,
# to the case list, the person search and the search that finds someone to add to a case (issue 14).
NAME_SEARCHES = re.compile(r"^/cases/(?:|people/|\d+/people/find/)$")


@pytest.fixture
def ids(le_case, ngo_case, investigator, advocate, partner_agency, other_agency, ngo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services import document_upload

    document = document_upload(
        case=le_case,
        # A file name can carry a name too.
        uploaded_file=SimpleUploadedFile(f"{VICTIM_NAME}.txt", f"Statement of {VICTIM_NAME}, {VICTIM_PHONE}".encode()),
        actor=investigator,
    )
    share = le_case.shares.first()
    victim = le_case.participants.get(role="victim").person
    need = need_add(case=le_case, person=victim, category="food", actor=investigator)
    _identified(le_case, investigator, VICTIM_GENDER)
    action, arrest = _issue_17_records(le_case, victim, investigator)
    _in_other_agencies_reports(le_case, investigator, advocate, partner_agency, other_agency, ngo)
    return {
        "action_pk": action.pk,  # the relief action's pages
        "arrest_pk": arrest.pk,
        "pk": le_case.pk,
        "case_pk": le_case.pk,  # the referrals' "ask an agency to join"
        "document_pk": document.pk,
        "share_pk": share.pk,
        "consent_pk": 0,
        "person_pk": victim.pk,  # the correction form
        "need_pk": need.pk,  # "Find services" and referring the need
    }


def _issue_17_records(case, victim, investigator):
    """A relief action with its note and receipt number, a service with its program, a suspect arrested on a
    charge: everything issue 17 records, in words the scan looks for."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import CaseParticipant
    from cases.services import person_add_to_case, service_event_record
    from prosecution.services import arrest_record
    from protection.services import relief_action_record

    today = timezone.localdate()
    action = relief_action_record(
        case=case,
        person=victim,
        kind="continued_presence",
        actor=investigator,
        requested_on=today - timedelta(days=3),
        requesting_agency=investigator.agency,
        notes=RELIEF_NOTE,
        external_reference=RELIEF_REFERENCE,
    )
    service_event_record(
        actor=investigator,
        participant=case.participants.get(role=CaseParticipant.Role.VICTIM),
        category="transitional_housing",
        on=today,
        kind="delivered",
        program=SERVICE_PROGRAM,
    )
    given, family = SUSPECT_NAME.split()
    participant = person_add_to_case(
        case=case, role=CaseParticipant.Role.SUSPECT, actor=investigator, given_name=given, family_name=family
    )
    arrest = arrest_record(
        case=case,
        participant=participant,
        arrested_on=today,
        arresting_agency=investigator.agency,
        charges=[{"statute": "18 U.S.C. 1591", "description": CHARGE_WORDS}],
        actor=investigator,
    )
    return action, arrest


def _in_other_agencies_reports(case, investigator, advocate, partner_agency, other_agency, ngo) -> None:
    """Records of the sentinels' case that fall in other agencies' quarterly reports, each missing a field the
    report needs, which their missing-field lists must not show: those agencies' people do not open the case (or
    not its law-enforcement-sensitive part). An arrest by the partner police, who hold a summary share; an arrest
    by the Faraway Sheriff, a member of the case's task force when it made it and gone since; both on a charge
    awaiting its decision. And the shelter's client put on the case (as a tip the shelter reported puts them,
    decision 0026) with no identification, served by the shelter today: counted in the shelter's report."""
    from agencies.models import TaskForceMember
    from cases.models import CaseParticipant, Person, ServiceEvent
    from prosecution.services import arrest_record

    suspect = case.participants.get(role=CaseParticipant.Role.SUSPECT)
    today = timezone.localdate()
    arrest_record(
        case=case,
        participant=suspect,
        arrested_on=today,
        arresting_agency=partner_agency,
        charges=[{"statute": "18 U.S.C. 1591", "description": CHARGE_WORDS}],
        actor=investigator,
    )
    member = TaskForceMember.objects.create(task_force=case.task_force, agency=other_agency)
    arrest_record(
        case=case,
        participant=suspect,
        arrested_on=today,
        arresting_agency=other_agency,
        charges=[{"statute": "18 U.S.C. 1591", "description": CHARGE_WORDS}],
        actor=investigator,
    )
    member.delete()
    shelters_client = Person.objects.create(
        given_name="Ysolde", family_name="Harborclient", entered_by_agency=ngo, entered_by=advocate
    )
    participant = CaseParticipant.objects.create(
        case=case, person=shelters_client, role=CaseParticipant.Role.VICTIM, added_by=advocate
    )
    ServiceEvent.objects.create(
        participant=participant,
        category="food",
        provided_on=today,
        provider=ngo,
        recorded_by=advocate,
        recorded_by_agency=ngo,
    )


@pytest.fixture
def uuids(ngo):
    """A listing offering food (the need above) at one place: its pages, hours and locations, and "Refer someone"."""
    listing = listed_service(name="Harbor House", agency=ngo, categories=("food",))
    location = listing.service_at_locations.get().location
    return {"pk": str(listing.pk), "service_pk": str(listing.pk), "location_pk": str(location.pk)}


def _with_case_chosen(urls: list[str], case_pk: int) -> list[str]:
    """ "Refer someone" lists the people of a case chosen in its query: the scan chooses the sentinel case too."""
    return urls + [f"{url}?case={case_pk}" for url in urls if url.endswith("/refer/") and "/services/" in url]


def _squashed(text: str) -> str:
    return "".join(text.split())


def _readable(response) -> tuple[str, bool]:
    """The response as a reader reads it, and whether it was a PDF: a PDF's text (its streams are compressed, so
    its bytes hide a name), without whitespace, since the typesetter breaks lines where it likes."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "".join(_squashed(page.extract_text()) for page in PdfReader(io.BytesIO(raw)).pages), True
    return raw.decode(errors="replace"), False


def _scan(client, urls, sentinels) -> list[str]:
    leaks = []
    for url in urls:
        for word in ["", *SEARCH_WORDS]:
            responses = [client.get(url, {"q": word} if word else {})]
            if word and NAME_SEARCHES.match(url):
                responses.append(client.post(url, {"q": word}))
            for response in responses:
                body, pdf = _readable(response)
                # The searcher's own word comes back in the search box and the fields that keep the filters: only
                # the other sentinels would be a leak (a name found in a list or the phone behind it).
                leaks += [
                    f"{response.request['REQUEST_METHOD']} {url} q={word}: {sentinel}"
                    for sentinel in sentinels
                    if sentinel != word and (_squashed(sentinel) if pdf else sentinel) in body
                ]
    return leaks


# --- The quarterly report (decision 0037), beyond the drafts every scan reads. -----------------------------------

# The people of the scans whose role reads their agency's quarterly reports (caseworkers of law enforcement and of
# the shelter): the others get 404 for every quarterly page, signed or not.
READS_QUARTERLY_REPORTS = {"investigator", "partner_investigator", "outsider", "advocate"}
MISSING_LIST = re.compile(r'<ul class="usa-list" id="missing-records">(.*?)</ul>', re.S)


def _missing_list_opens_only_what_its_reader_may(client, user, who: str) -> None:
    """Every record of the missing-field list, on the draft of each quarter scanned, is a link to a case its reader
    may open, and an arrest (``#prosecution``) to one whose law-enforcement-sensitive part they see: the list never
    names or links a record they could not open."""
    from cases.models import Case
    from cases.selectors import VIEW, VIEW_LE, cases_held

    opened = set(Case.objects.filter(cases_held(user, VIEW)).values_list("pk", flat=True))
    le_opened = opened & set(Case.objects.filter(cases_held(user, VIEW_LE)).values_list("pk", flat=True))
    for code in _quarters():
        response = client.get(reverse("quarterly_report", args=[code]))
        if who not in READS_QUARTERLY_REPORTS:
            assert response.status_code == 404, code
            continue
        page = response.content.decode()
        assert 'id="missing-heading"' in page, code  # the draft, with its list
        links = re.findall(r'href="/cases/(\d+)/#([\w-]+)"', "".join(MISSING_LIST.findall(page)))
        wrong = [
            f"{code}: case {pk}#{anchor}"
            for pk, anchor in links
            if int(pk) not in (le_opened if anchor == "prosecution" else opened)
        ]
        assert wrong == []


def _sign_after_its_end(agency, code: str) -> None:
    """``agency``'s report of the quarter ``code`` signed by a supervisor of it, the clock moved past the quarter's
    end for the signature alone; then an event of the agency today, so that the quarter counted now differs from
    the signed one (the page's "what changed since")."""
    from agencies.models import Role
    from reports.fiscal import parse_quarter
    from reports.models import OutreachEvent
    from reports.quarterly.measures import compute
    from reports.services import outreach_event_record, quarterly_report_sign
    from tests.factories import UserFactory

    quarter = parse_quarter(code)
    signer = UserFactory(agency=agency, role=Role.SUPERVISOR, full_name="Quentin Signer")
    with time_machine.travel(datetime.combine(quarter.end + timedelta(days=1), time(18), tzinfo=UTC), tick=False):
        quarterly_report_sign(actor=signer, quarter_code=code, digest=compute(agency, quarter).digest)
    outreach_event_record(
        actor=signer,
        held_on=timezone.localdate(),
        title="Training",
        kind=OutreachEvent.Kind.PROFESSIONAL_TRAINING,
        audience=OutreachEvent.Audience.LAW_ENFORCEMENT,
        people_reached=12,
    )


def _scan_quarterly_reports(request, client, who: str, sentinels: list[str]) -> list[str]:
    """After the scan of every page (the drafts among them): the missing-field list links only to what the reader
    opens; then the quarter that holds the sentinels' records is signed by the field office that owns them and by
    the reader's own agency, and every quarterly page is read again: the frozen snapshot with what changed since,
    its CSV and its PDF (its text)."""
    from reports.fiscal import parse_quarter
    from reports.models import QuarterlyReport
    from reports.quarterly.measures import report_kind_of

    user = request.getfixturevalue(who)
    _missing_list_opens_only_what_its_reader_may(client, user, who)
    code = _quarters()[0]
    quarter = parse_quarter(code)
    for agency in [request.getfixturevalue("lead_agency"), user.agency]:
        signed = QuarterlyReport.objects.filter(agency=agency, fiscal_year=quarter.fiscal_year, quarter=quarter.quarter)
        if report_kind_of(agency) is not None and not signed.exists():
            _sign_after_its_end(agency, code)
    urls = [url for url in _every_get_url({}) if url.startswith("/reports/quarterly/")]
    assert reverse("quarterly_pdf", args=[code]) in urls
    leaks = _scan(client, urls, sentinels)
    responses = [
        client.get(reverse(name, args=[code])) for name in ["quarterly_report", "quarterly_csv", "quarterly_pdf"]
    ]
    if who not in READS_QUARTERLY_REPORTS:
        assert [response.status_code for response in responses] == [404, 404, 404]
        return leaks
    # The scan read the frozen snapshot: the signed page with what changed since, the CSV, and the PDF's tables.
    assert [response.status_code for response in responses] == [200, 200, 200]
    page = responses[0].content.decode()
    assert "Signed and frozen" in page
    assert 'id="changes"' in page
    assert re.search(r"(LE|VS)-1\.", _readable(responses[2])[0])
    return leaks


@pytest.mark.parametrize("who", ["outsider", "advocate", "coordinator", "provider_staff", "auditor", "agency_admin"])
def test_nothing_of_an_unshared_case_reaches_those_outside_it(request, client_as, ids, uuids, who):
    client = client_as(request.getfixturevalue(who))
    urls = _with_case_chosen(_every_get_url(ids, uuids), ids["pk"])
    assert len(urls) > 10  # the scan really walks the portal
    for page in [
        "person_edit",
        "victim_identification_edit",
        "participant_find",
        "refer_choose",
        "service_hours",
        "service_location",
        "notifications",
    ]:
        assert any(url == reverse(page, kwargs=_kwargs(page, ids, uuids)) for url in urls), page
    for code in _quarters():
        assert reverse("quarterly_report", args=[code]) in urls
    assert _scan(client, urls, LE_SENTINELS) == []
    assert _scan_quarterly_reports(request, client, who, LE_SENTINELS) == []


def _kwargs(page: str, ids, uuids) -> dict:
    return {
        "person_edit": {"pk": ids["pk"], "person_pk": ids["person_pk"]},
        "victim_identification_edit": {"pk": ids["pk"], "person_pk": ids["person_pk"]},
        "participant_find": {"pk": ids["pk"]},
        "refer_choose": {"service_pk": uuids["service_pk"]},
        "service_hours": {"pk": uuids["pk"]},
        "service_location": {"pk": uuids["pk"], "location_pk": uuids["location_pk"]},
        "notifications": {},
    }[page]


def test_a_summary_share_shows_no_names_or_phones(request, client_as, ids, uuids, partner_investigator):
    urls = _with_case_chosen(_every_get_url(ids, uuids), ids["pk"])
    client = client_as(partner_investigator)
    sentinels = [*VICTIM_NAME.split(), VICTIM_PHONE, LE_SECRET, VICTIM_GENDER, *ISSUE_17]
    assert _scan(client, urls, sentinels) == []
    assert _scan_quarterly_reports(request, client, "partner_investigator", sentinels) == []


# A notice of a share's step names the case by its number and the agency; never its title, people or narrative.
CASE_CONTENT = [*LE_SENTINELS, "Three venues under common control"]


@pytest.mark.parametrize(
    ("who", "still_sees"),
    [
        ("partner_investigator", True),  # a summary share: the number, nothing of the case's content
        ("partner_investigator", False),  # the share ended since
        ("outsider", False),  # a notice that should never have been theirs (a person moved on, a bad import)
        ("advocate", False),
        ("provider_staff", False),
        ("auditor", False),
    ],
)
def test_a_case_notice_shows_while_its_reader_sees_the_case_and_never_its_content(
    request, client_as, le_case, partner_agency, supervisor, who, still_sees
):
    from cases.models import CaseNotice, CaseShare
    from cases.services import case_share_revoke

    user = request.getfixturevalue(who)
    share = le_case.shares.get(agency=partner_agency, status=CaseShare.Status.ACTIVE)
    CaseNotice.objects.create(
        user=user, case=le_case, share=share, verb=CaseNotice.Verb.SHARE_APPROVED, actor=supervisor
    )
    if who == "partner_investigator" and not still_sees:
        case_share_revoke(share=share, actor=supervisor, reason="The joint operation ended.")
    client = client_as(user)
    pages = {url: client.get(url).content.decode() for url in [reverse("notifications"), reverse("home")]}
    notices = pages[reverse("notifications")]
    assert (le_case.number in notices) == still_sees
    assert (reverse("case_detail", args=[le_case.pk]) in notices) == still_sees
    assert [f"{url}: {word}" for url, page in pages.items() for word in CASE_CONTENT if word in page] == []
    if not still_sees:
        assert le_case.number not in pages[reverse("home")]


def test_a_shelters_client_without_consent_reaches_no_other_agency(
    request, client_as, ngo_case, investigator, partner_investigator, advocate
):
    _identified(ngo_case, advocate, CLIENT_GENDER)
    client_pk = ngo_case.participants.get(role="victim").person_id
    ids = {"pk": ngo_case.pk, "case_pk": ngo_case.pk, "document_pk": 0, "share_pk": 0, "consent_pk": 0}
    ids["person_pk"] = client_pk
    for who in ["investigator", "partner_investigator"]:
        client = client_as(request.getfixturevalue(who))
        urls = _with_case_chosen(_every_get_url(ids), ngo_case.pk)
        assert _scan(client, urls, CLIENT_SENTINELS) == []
        assert _scan_quarterly_reports(request, client, who, CLIENT_SENTINELS) == []


CONFIDENTIAL_ADDRESS = "17 Sentinel Hideaway Lane"
CONFIDENTIAL_POINT = ("29.712345", "-95.412345")


@pytest.mark.parametrize("who", ["outsider", "superuser"])
def test_a_confidential_shelter_address_reaches_nobody_outside_its_task_force(request, client_as, ngo, ids, who):
    """Pages, searches from every distance, and the API: the address and the point never appear. (Superusers
    have no agency: they see it in the admin only.)"""
    from services_directory.models import Service
    from tests.services_directory.factories import listed_service

    shelter = listed_service(
        name="Hidden shelter",
        agency=ngo,
        confidential=True,
        address=CONFIDENTIAL_ADDRESS,
        latitude=float(CONFIDENTIAL_POINT[0]),
        longitude=float(CONFIDENTIAL_POINT[1]),
        capacity=Service.Capacity.AVAILABLE,
    )
    urls = [re.sub(r"/x(/|$)", rf"/{shelter.pk}\1", url) for url in _every_get_url(ids) if "directory" in url]
    urls += [
        f"/directory/?near={near}&within={within}"
        for near in ["77002", "29.7123,-95.4123", "Houston, TX"]
        for within in ["", "5", "100"]
    ]
    urls += ["/api/hsds/services?full=true", f"/api/hsds/services/{shelter.pk}"]
    client = client_as(request.getfixturevalue(who))
    assert any(str(shelter.pk) in url for url in urls)
    leaks = []
    for url in urls:
        body = client.get(url).content.decode()
        leaks += [f"{url}: {s}" for s in [CONFIDENTIAL_ADDRESS, *CONFIDENTIAL_POINT] if s in body]
        if url.startswith("/directory/?near") and not url.endswith("within=5"):
            assert "Hidden shelter" in body, url  # found, ranked, and still hidden
    assert leaks == []


def test_searching_from_many_places_does_not_locate_a_confidential_shelter(client_as, outsider, ngo):
    """An outsider bisects "within 5 miles" along three bearings (72 searches) and takes the centre of the three
    edge points: they find the shelter's grid cell, never its point (the review that asked for this found it to
    within 2 m before)."""
    import math

    from tests.services_directory.factories import listed_service

    secret = (float(CONFIDENTIAL_POINT[0]), float(CONFIDENTIAL_POINT[1]))
    listed_service(name="Hidden shelter", agency=ngo, confidential=True, latitude=secret[0], longitude=secret[1])
    client = client_as(outsider)
    miles_per_degree = 3958.8 * math.pi / 180
    start = (29.72, -95.43)
    east = miles_per_degree * math.cos(math.radians(start[0]))

    def found(x: float, y: float) -> bool:
        near = f"{start[0] + y / miles_per_degree:.6f},{start[1] + x / east:.6f}"
        return "Hidden shelter" in client.get("/directory/", {"near": near, "within": "5"}).content.decode()

    assert found(0, 0)
    edge = []
    for angle in (0, 120, 240):
        dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        low, high = 0.0, 10.0
        for _ in range(24):
            middle = (low + high) / 2
            low, high = (middle, high) if found(middle * dx, middle * dy) else (low, middle)
        edge.append((low * dx, low * dy))
    (ax, ay), (bx, by), (cx, cy) = edge
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    ux = ((ax**2 + ay**2) * (by - cy) + (bx**2 + by**2) * (cy - ay) + (cx**2 + cy**2) * (ay - by)) / d
    uy = ((ax**2 + ay**2) * (cx - bx) + (bx**2 + by**2) * (ax - cx) + (cx**2 + cy**2) * (bx - ax)) / d
    guess = (start[0] + uy / miles_per_degree, start[1] + ux / east)
    miles_off = math.dist(
        (guess[0] * miles_per_degree, guess[1] * east), (secret[0] * miles_per_degree, secret[1] * east)
    )
    assert miles_off > 1, f"{miles_off:.3f} miles from the shelter"


# --- Tips (issue 15): a tip in the holding bin, and its reporter who refused contact with law enforcement. ---------

TIP_CONTENT = ["NARRATIVE-SENTINEL", "Xavra", "Sentinel-Subject", "555-0142-999", "WHERE-SENTINEL"]
TIP_REPORTER = ["Rorik", "Sentinel-Reporter", "555-0111-222"]


@pytest.fixture
def tip_in_the_bin(lead_agency, task_force):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies.models import Role
    from tests.factories import UserFactory
    from tests.tips.conftest import receive
    from tips.services import tip_attach

    intake = UserFactory(email="intake@ffo.example", full_name="Ines Intake", agency=lead_agency, role=Role.INTAKE)
    tip = receive(intake)
    # A file whose name and content carry the tip's content too: its download is walked like every page.
    tip_attach(
        tip=tip,
        actor=intake,
        uploaded_file=SimpleUploadedFile("Xavra Sentinel-Subject.txt", b"NARRATIVE-SENTINEL WHERE-SENTINEL"),
    )
    return tip


def _tip_urls(tip) -> list[str]:
    return _every_get_url(
        {"pk": tip.pk, "attachment_pk": tip.attachments.get().pk, "subject_pk": tip.subjects.first().pk}
    )


@pytest.mark.parametrize(
    "who",
    ["investigator", "partner_investigator", "outsider", "advocate", "coordinator", "provider_staff", "auditor"],
)
def test_nothing_of_a_tip_in_the_holding_bin_reaches_anyone_but_its_triage(request, client_as, tip_in_the_bin, who):
    """Received, a tip is its receiving agency's intake staff's and supervisors' alone: not its caseworkers', not
    a partner's; a coordinator follows its deadline but never its content (decision 0026)."""
    client = client_as(request.getfixturevalue(who))
    urls = _tip_urls(tip_in_the_bin)
    assert reverse("tip_detail", args=[tip_in_the_bin.pk]) in urls
    assert reverse("tip_subject_edit", args=[tip_in_the_bin.pk, tip_in_the_bin.subjects.first().pk]) in urls
    assert reverse("tip_attachment_download", args=[tip_in_the_bin.pk, tip_in_the_bin.attachments.get().pk]) in urls
    assert _scan(client, urls, TIP_CONTENT + TIP_REPORTER) == []


def test_a_reporter_who_refused_is_never_named_to_the_investigator_who_works_the_tip(
    client_as, tip_in_the_bin, supervisor, partner_investigator
):
    from tests.tips.conftest import assigned

    assigned(tip_in_the_bin, supervisor, partner_investigator)
    client = client_as(partner_investigator)
    page = client.get(reverse("tip_detail", args=[tip_in_the_bin.pk])).content.decode()
    assert "NARRATIVE-SENTINEL" in page  # the owner reads the tip itself
    assert _scan(client, _tip_urls(tip_in_the_bin), TIP_REPORTER) == []
