"""The tips API (issue 15, "Intake by API"; docs/decisions/0027-tips-api.md): which token opens which API, a tip
from a partner lands in the holding bin through the tip form's rules and the receive service, the same reference
twice is one tip, errors name their field, and the OpenAPI document says what the endpoint takes."""

import copy
import json
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from portal.models import AuditEvent
from services_directory.models import ApiToken
from services_directory.services import api_token_issue, api_token_revoke
from tips import api, selectors
from tips.models import Tip, TipEvent, TipSubject

pytestmark = pytest.mark.django_db

URL = "/api/tips/"
REPORTER_NAME = "Rosalind Reporter-Sentinel"
REPORTER_PHONE = "555-0199-777"
REPORTER_EMAIL = "rosalind.sentinel@example.com"
NARRATIVE = "API-NARRATIVE-SENTINEL: two men sleeping in the storeroom of the restaurant"


def openapi() -> dict:
    return json.loads(api.OPENAPI_PATH.read_text())


def example(name: str) -> dict:
    examples = openapi()["paths"]["/api/tips/"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    return copy.deepcopy(examples[name]["value"])


@pytest.fixture
def tips_token(agency_admin):
    token, key = api_token_issue(agency=agency_admin.agency, name="Hotline CMS", scope="tips", actor=agency_admin)
    return token, key


@pytest.fixture
def tips_key(tips_token):
    return tips_token[1]


@pytest.fixture
def directory_key(agency_admin):
    return api_token_issue(agency=agency_admin.agency, name="Regional 211", actor=agency_admin)[1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, body, key: str | None, content_type: str = "application/json", **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data, content_type=content_type, headers={**(bearer(key) if key else {}), **headers})


def tip_body(**changes) -> dict:
    body = {
        "channel": "hotline",
        "external_reference": "NHTH-2026-555001",
        "narrative": NARRATIVE,
        "indicators": ["restricted_movement", "wage_theft"],
        "reporter": {"name": REPORTER_NAME, "phone": REPORTER_PHONE, "email": REPORTER_EMAIL, "permission": "no"},
        "where": {"text": "Restaurant on Main Street", "zip": "77002"},
        "subjects": [
            {"role": "victim", "name": "Tomas", "approximate_age": 30, "sex": "male"},
            {"role": "suspect", "business": "Golden Wok", "phone": "713-555-0101"},
        ],
    }
    body.update(changes)
    return body


# The scope of a token: each API refuses the other's keys ------------------------------------------------------------

DIRECTORY_URL = "/api/hsds/services"


@pytest.mark.parametrize(
    ("key", "api_url", "expected"),
    [
        ("tips", URL, 201),
        ("directory", URL, 403),  # a directory reader's key sends no tips
        ("tips", DIRECTORY_URL, 403),  # a tips key reads no directory
        ("directory", DIRECTORY_URL, 200),
        ("revoked_tips", URL, 401),
        ("revoked_directory", DIRECTORY_URL, 401),
        ("wrong", URL, 401),
        ("none", URL, 401),
        ("none", DIRECTORY_URL, 401),
    ],
)
def test_which_token_opens_which_api(client, agency_admin, tips_key, directory_key, key, api_url, expected):
    keys = {"tips": tips_key, "directory": directory_key, "wrong": "tips_not-a-real-key", "none": None}
    if key.startswith("revoked_"):
        scope = key.removeprefix("revoked_")
        token = ApiToken.objects.get(scope=scope)
        api_token_revoke(token=token, actor=agency_admin)
        keys[key] = keys[scope]
    if api_url == URL:
        response = post(client, tip_body(), keys[key])
    else:
        response = client.get(api_url, headers=bearer(keys[key]) if keys[key] else {})
    assert response.status_code == expected, response.content
    assert response["Content-Type"] == "application/json"
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    if api_url == URL and expected != 201:
        assert not Tip.objects.exists()


def test_a_refused_key_is_an_audit_event_for_the_agency_when_known(client, tips_key, directory_key, lead_agency):
    post(client, tip_body(), "tips_not-a-real-key")
    post(client, tip_body(), directory_key)
    post(client, tip_body(), None)  # no key at all: counted, not audited
    wrong, scope = AuditEvent.objects.filter(action="tips.api.refused").order_by("id")
    assert (wrong.outcome, wrong.agency_id, wrong.details) == ("denied", None, {"reason": "unknown_or_revoked_key"})
    assert (scope.outcome, scope.agency_id, scope.details) == (
        "denied",
        lead_agency.pk,
        {"reason": "scope", "scope": "directory"},
    )
    assert scope.actor_email.startswith("API token Regional 211 (hsds_")
    assert tips_key[5:] not in json.dumps([wrong.details, scope.details, wrong.actor_email, scope.actor_email])


def test_a_session_opens_nothing_only_the_token(client_as, intake):
    """The API is CSRF-exempt because a cookie never opens it: a signed-in intake officer without a token is 401."""
    response = post(client_as(intake), tip_body(), None)
    assert response.status_code == 401
    assert not Tip.objects.exists()


def test_the_token_page_issues_a_key_that_sends_tips(client_as, agency_admin, client):
    page = client_as(agency_admin).post(reverse("api_tokens"), {"name": "Hotline CMS", "scope": "tips"})
    key = page.context["new_key"]
    assert key.startswith("tips_")
    assert ApiToken.objects.get().scope == ApiToken.Scope.TIPS
    assert "tips_" + ApiToken.objects.get().prefix in client_as(agency_admin).get(reverse("api_tokens")).text
    assert post(client, tip_body(), key).status_code == 201


def test_the_token_page_asks_what_the_key_may_do(client_as, agency_admin):
    page = client_as(agency_admin).post(reverse("api_tokens"), {"name": "Hotline CMS"})
    assert page.context["new_key"] is None
    assert "scope" in page.context["form"].errors
    assert not ApiToken.objects.exists()


# A tip from the API -------------------------------------------------------------------------------------------------


def test_a_tip_lands_in_the_holding_bin(client, tips_token, lead_agency, intake, supervisor, investigator):
    token, key = tips_token
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        response = post(client, tip_body(), key)
    assert response.status_code == 201, response.content
    tip = Tip.objects.get()
    assert response.json() == {
        "id": tip.pk,
        "status": "received",
        "assess_by": "2026-12-02T15:00:00+00:00",  # routine: 24 hours
        "url": f"http://testserver/tips/{tip.pk}/",
    }
    assert (tip.receiving_agency, tip.received_by, tip.status) == (lead_agency, None, Tip.Status.RECEIVED)
    assert (tip.channel, tip.external_reference, tip.narrative) == ("hotline", "NHTH-2026-555001", NARRATIVE)
    assert (tip.reporter_name, tip.reporter_permission, tip.where_zip) == (REPORTER_NAME, "no", "77002")
    assert tip.indicators == ["restricted_movement", "wage_theft"]
    assert [(s.role, s.name, s.business) for s in tip.subjects.all()] == [
        ("victim", "Tomas", ""),
        ("suspect", "", "Golden Wok"),
    ]
    # The holding bin: the receiving agency's intake staff and supervisors, nobody else.
    assert selectors.tip_list_visible_to(intake).filter(pk=tip.pk).exists()
    assert selectors.tip_list_visible_to(supervisor).filter(pk=tip.pk).exists()
    assert not selectors.tip_list_visible_to(investigator).filter(pk=tip.pk).exists()
    assert list(selectors.tip_queue_for(intake)) == [tip]
    # Its event and audit row name the token; nobody entered it.
    event = TipEvent.objects.get(tip=tip)
    assert (event.verb, event.actor, event.details["api_token_id"]) == ("receive", None, token.pk)
    audit = AuditEvent.objects.get(action="tips.tip.received")
    assert (audit.actor, audit.agency_id, audit.object_id) == (None, lead_agency.pk, str(tip.pk))
    assert audit.actor_email == f"API token Hotline CMS (tips_{token.prefix}...)"
    assert audit.details["api_token_id"] == token.pk


def test_the_tips_timeline_names_the_partner_system_not_the_portal(client, client_as, tips_token, intake):
    token, key = tips_token
    tip_id = post(client, tip_body(), key).json()["id"]
    page = client_as(intake).get(reverse("tip_detail", args=[tip_id]))
    who = [entry.who for entry in page.context["timeline"]]
    assert who == ["a partner system, through the API (key: Hotline CMS)"]
    # A key revoked or deleted since still says a partner system sent it, not the portal.
    ApiToken.objects.filter(pk=token.pk).delete()
    page = client_as(intake).get(reverse("tip_detail", args=[tip_id]))
    assert [entry.who for entry in page.context["timeline"]] == ["a partner system, through the API"]


def test_the_reporter_without_permission_is_never_identified(client, tips_key, intake, supervisor):
    """Not in the answer, and not to the agency's triage staff: nobody in the portal took the report."""
    response = post(client, tip_body(), tips_key)
    assert response.status_code == 201
    again = post(client, tip_body(), tips_key)
    for answer in (response, again):
        for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, NARRATIVE):
            assert secret not in answer.text
    tip = Tip.objects.get()
    for person in (intake, supervisor):
        access = selectors.tip_access_for_user(person, tip.pk)
        assert access.may_read_content
        assert not access.may_read_reporter


@pytest.mark.parametrize(
    ("flags", "hours"),
    [({}, 24), ({"imminent_danger": True}, 1), ({"involves_minor": True}, 1)],
)
def test_the_deadline_rule_applies(client, tips_key, flags, hours):
    received = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with time_machine.travel(received + timedelta(minutes=10), tick=False):
        response = post(client, tip_body(received_at="2026-12-01T04:30:00-05:00", **flags), tips_key)
    assert response.status_code == 201, response.content
    assert Tip.objects.get().assess_by == received + timedelta(hours=hours)
    assert response.json()["assess_by"] == (received + timedelta(hours=hours)).isoformat()


def test_an_airline_report_is_due_before_the_flight_lands(client, tips_key):
    body = example("airline")
    body.update(involves_minor=False, received_at="2026-11-30T19:05:00Z")
    body["flight"]["scheduled_arrival"] = "2026-11-30T20:20:00Z"  # lands in 75 minutes
    with time_machine.travel(datetime(2026, 11, 30, 19, 10, tzinfo=UTC), tick=False):
        response = post(client, body, tips_key)
    assert response.status_code == 201, response.content
    assert response.json()["assess_by"] == "2026-11-30T19:35:00+00:00"  # 45 minutes before it lands
    tip = Tip.objects.get()
    assert (tip.flight_number, tip.reporter_crew_role, tip.flight_party_size) == ("GA 1187", "flight_attendant", 2)


# The same reference twice is one tip --------------------------------------------------------------------------------


def test_the_same_reference_twice_is_one_tip(client, tips_key):
    first = post(client, tip_body(), tips_key)
    second = post(client, tip_body(narrative="A different narrative: a retry never edits the tip."), tips_key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Tip.objects.count() == 1
    assert Tip.objects.get().narrative == NARRATIVE
    assert TipEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="tips.tip.received").count() == 1


def test_the_reference_is_the_agencys_own(client, tips_key, agency_admin, partner_agency):
    """Another agency's partner may use the same reference: it is another tip, in that agency's bin."""
    from tests.factories import UserFactory

    partner_admin = UserFactory(agency=partner_agency, role="agency_admin")
    _token, partner_key = api_token_issue(agency=partner_agency, name="911", scope="tips", actor=partner_admin)
    assert post(client, tip_body(), tips_key).status_code == 201
    assert post(client, tip_body(), partner_key).status_code == 201
    assert sorted(Tip.objects.values_list("receiving_agency", flat=True)) == sorted(
        [agency_admin.agency.pk, partner_agency.pk]
    )


def test_a_tip_typed_in_with_the_reference_is_found_not_doubled(client, tips_key, intake):
    from tips import services

    typed = services.tip_receive(
        actor=intake, channel="hotline", narrative="Typed in from the call.", external_reference="NHTH-2026-555001"
    )
    response = post(client, tip_body(), tips_key)
    assert (response.status_code, response.json()["id"]) == (200, typed.pk)
    assert Tip.objects.count() == 1


def test_the_reference_is_required(client, tips_key):
    for body in (tip_body(external_reference=""), {k: v for k, v in tip_body().items() if k != "external_reference"}):
        response = post(client, body, tips_key)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["external_reference"]
    assert not Tip.objects.exists()


# Errors name their field; nothing is written ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "paths"),
    [
        ({"channel": "fax"}, ["channel"]),
        ({"narrative": "  "}, ["narrative"]),
        ({"indicators": ["not_an_indicator"]}, ["indicators"]),
        ({"indicators": "threats"}, ["indicators"]),
        ({"channel": 5, "narrative": ["a", "list"]}, ["channel", "narrative"]),
        ({"involves_minor": "yes"}, ["involves_minor"]),
        ({"received_at": "2026-12-01T09:30:00"}, ["received_at"]),  # no offset
        ({"received_at": "2999-01-01T00:00:00Z"}, ["received_at"]),  # later than now
        ({"received_at": "yesterday"}, ["received_at"]),
        ({"reporter": {"email": "not-an-address", "permission": "maybe"}}, ["reporter.email", "reporter.permission"]),
        ({"reporter": "Maria"}, ["reporter"]),
        ({"where": {"zip": "7700212345678"}}, ["where.zip"]),
        ({"colour": "blue"}, ["colour"]),
        ({"reporter": {"shoe_size": 9}}, ["reporter.shoe_size"]),
        ({"flight": {"number": "GA 1"}}, ["flight"]),  # a hotline tip has no flight
        ({"reporter": {"crew_role": "pilot"}}, ["reporter.crew_role"]),
        ({"subjects": {"role": "victim"}}, ["subjects"]),
        ({"subjects": [{"role": "victim"}] * 11}, ["subjects"]),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_written(client, tips_key, changes, paths):
    response = post(client, tip_body(**changes), tips_key)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert sorted(errors) == sorted(paths)
    assert all(isinstance(message, str) and message for messages in errors.values() for message in messages)
    assert all(len(messages) == 1 for messages in errors.values())  # one clear message per field here
    assert not Tip.objects.exists()
    assert not TipSubject.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="tips.tip.").exists()


def test_errors_in_subjects_name_the_subject_and_its_field(client, tips_key):
    subjects = [
        {"role": "victim", "name": "Tomas"},
        {"role": "suspect", "phone": "7" * 41, "date_of_birth": "31/12/1980", "approximate_age": "forty"},
        {"name": "No role given"},
        {"role": "witness", "nickname": "Bo"},
        "Jane",
    ]
    response = post(client, tip_body(subjects=subjects), tips_key)
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == [
        "subjects[1].approximate_age",
        "subjects[1].date_of_birth",
        "subjects[1].phone",
        "subjects[2].role",
        "subjects[3].nickname",
        "subjects[4]",
    ]
    assert not Tip.objects.exists()


def test_an_airline_report_needs_its_flight(client, tips_key):
    body = example("airline")
    del body["flight"]["scheduled_arrival"]
    response = post(client, body, tips_key)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["flight.scheduled_arrival"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_anything_but_json_is_415(client, tips_key, content_type):
    if content_type == "multipart/form-data":
        response = client.post(URL, {"channel": "hotline"}, headers=bearer(tips_key))
    else:
        response = post(client, json.dumps(tip_body()), tips_key, content_type=content_type)
    assert response.status_code == 415
    assert not Tip.objects.exists()


def test_json_with_its_charset_is_json(client, tips_key):
    assert post(client, tip_body(), tips_key, content_type="application/json; charset=utf-8").status_code == 201


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"a tip"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(client, tips_key, body):
    response = post(client, body, tips_key)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]


def test_an_oversized_body_is_413_and_not_read(client, tips_key):
    body = tip_body(narrative="x" * api.MAX_BODY_BYTES)
    response = post(client, body, tips_key)
    assert response.status_code == 413
    assert not Tip.objects.exists()


def test_a_get_is_405(client, tips_key):
    response = client.get(URL, headers=bearer(tips_key))
    assert (response.status_code, response["Allow"]) == (405, "POST")


# Rate limits --------------------------------------------------------------------------------------------------------


def test_a_token_past_its_limit_waits(client, tips_key, settings, tips_token):
    settings.PORTAL_TIPS_API_RATE = (3, timedelta(minutes=1))
    start = datetime(2026, 12, 1, 15, 0, 20, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        codes = [post(client, tip_body(external_reference=f"R-{i}"), tips_key).status_code for i in range(3)]
        refused = post(client, tip_body(external_reference="R-3"), tips_key)
        post(client, tip_body(external_reference="R-4"), tips_key)
        assert codes == [201, 201, 201]
        assert refused.status_code == 429
        assert refused["Retry-After"] == "40"
        assert Tip.objects.count() == 3
        # Told once per window, to the agency's auditors.
        assert AuditEvent.objects.filter(action="tips.api.throttled", agency_id=tips_token[0].agency_id).count() == 1
        clock.shift(timedelta(seconds=41))
        assert post(client, tip_body(external_reference="R-3"), tips_key).status_code == 201


def test_an_address_that_keeps_failing_is_slowed_down(client, tips_key, settings):
    settings.PORTAL_TIPS_API_REFUSED_RATE = (2, timedelta(minutes=1))
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, 0, tzinfo=UTC), tick=False):
        codes = [post(client, tip_body(), "tips_guess-" + str(i)).status_code for i in range(4)]
        assert codes == [401, 401, 429, 429]
        assert AuditEvent.objects.filter(action="tips.api.refused").count() == 2  # refusals past it are not rows
        # Even a good key waits out the window from that address.
        assert post(client, tip_body(), tips_key).status_code == 429


# The OpenAPI document -----------------------------------------------------------------------------------------------


def test_the_description_is_public_and_valid_openapi(client):
    response = client.get(reverse("tips_api_openapi"))
    assert response.status_code == 200
    document = response.json()
    assert document == openapi()
    assert document["openapi"].startswith("3.1")
    jsonschema.Draft202012Validator.check_schema(document["components"]["schemas"]["Tip"])


def _validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one schema of the document (its ``$ref`` resolved in the document), formats checked."""
    document = DRAFT202012.create_resource(openapi())
    registry = Registry().with_resource("urn:tips-api", document)
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:tips-api#/components/schemas/{name}"},
        registry=registry,
        format_checker=jsonschema.FormatChecker(),
    )


@pytest.mark.parametrize("name", ["airline", "hotline"])
def test_each_example_is_valid_and_accepted(client, tips_key, name):
    body = example(name)
    assert list(_validator("Tip").iter_errors(body)) == []
    response = post(client, body, tips_key)
    assert response.status_code == 201, response.content
    assert list(_validator("TipReceipt").iter_errors(response.json())) == []
    tip = Tip.objects.get()
    assert (tip.channel, tip.external_reference, tip.subjects.count()) == (
        body["channel"],
        body["external_reference"],
        len(body["subjects"]),
    )


def test_the_error_answers_match_the_description(client, tips_key):
    response = post(client, tip_body(channel="fax"), tips_key)
    assert list(_validator("ValidationErrors").iter_errors(response.json())) == []
    assert list(_validator("Error").iter_errors(post(client, tip_body(), None).json())) == []


def _schema_paths(document: dict, schema: dict, prefix: str = "") -> set[str]:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    paths = set()
    for name, value in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        inner = value.get("items", value)
        if "$ref" in inner:
            paths |= _schema_paths(document, inner, f"{path}[].")
            if "items" not in value:
                paths = {p.replace(f"{path}[].", f"{path}.") for p in paths}
        else:
            paths.add(path)
    return paths


def test_every_field_the_endpoint_takes_is_described_and_no_other():
    accepted = (
        set(api.FIELDS)
        | {f"{block}.{name}" for block, names in api.BLOCKS.items() for name in names}
        | {f"subjects[].{name}" for name in api.SUBJECT_FIELDS}
    )
    document = openapi()
    assert _schema_paths(document, document["components"]["schemas"]["Tip"]) == accepted
    # The form's fields are all reachable (the submission key aside, a form's own).
    from tips.forms import SubjectForm, TipForm

    assert set(api.PATHS) == set(TipForm.base_fields) - {"submission_key"}
    assert set(api.SUBJECT_FIELDS) == set(SubjectForm.base_fields)


def test_the_described_codes_are_the_portals():
    from cases.models import Case, CaseParticipant, Person

    schemas = openapi()["components"]["schemas"]
    tip, subject, reporter = schemas["Tip"]["properties"], schemas["Subject"]["properties"], schemas["Reporter"]
    assert tip["channel"]["enum"] == Tip.Channel.values
    assert tip["indicators"]["items"]["enum"] == Case.Indicator.values
    assert reporter["properties"]["permission"]["enum"] == Tip.ReporterPermission.values
    assert reporter["properties"]["crew_role"]["enum"] == Tip.CrewRole.values
    assert subject["role"]["enum"] == CaseParticipant.Role.values
    assert subject["sex"]["enum"] == Person.Sex.values
    assert schemas["TipReceipt"]["properties"]["status"]["enum"] == Tip.Status.values


def test_the_tip_page_of_an_api_tip_withholds_the_reporter(client, client_as, tips_key, intake):
    tip_id = post(client, tip_body(), tips_key).json()["id"]
    page = client_as(intake).get(reverse("tip_detail", args=[tip_id]))
    assert page.status_code == 200
    assert NARRATIVE in page.text
    for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL):
        assert secret not in page.text


def test_two_posts_of_one_reference_at_once_make_one_tip(client, tips_key, monkeypatch):
    """The second post missed the first's tip in its lookup: the unique constraint stops it, and it answers with the
    first's tip."""
    first = post(client, tip_body(), tips_key)
    real = api._existing
    missed: list[bool] = []

    def miss_once(token, reference):
        if not missed:
            missed.append(reference)
            return None
        return real(token, reference)

    monkeypatch.setattr(api, "_existing", miss_once)
    second = post(client, tip_body(), tips_key)
    assert missed == ["NHTH-2026-555001"]
    assert (second.status_code, second.json()["id"]) == (200, first.json()["id"])
    assert Tip.objects.count() == 1
    assert AuditEvent.objects.filter(action="tips.tip.received").count() == 1


def test_typing_in_a_reference_the_api_already_sent_is_a_form_error(client, client_as, tips_key, intake):
    post(client, tip_body(), tips_key)
    page = client_as(intake).post(
        reverse("tip_new"),
        {
            "channel": "hotline",
            "external_reference": "NHTH-2026-555001",
            "narrative": "The same call, typed in.",
            "reporter_permission": "not_asked",
            "subjects-TOTAL_FORMS": "0",
            "subjects-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 200
    assert "Your agency already has a tip with this external reference." in page.text
    assert Tip.objects.count() == 1
