"""The read-only HSDS API: who may call it, what it returns, and what it never returns."""

import json

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from services_directory.hsds.exporting import write_package
from services_directory.hsds.schemas import validator
from services_directory.services import api_token_issue, api_token_revoke
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(ngo):
    return listed_service(
        name="Harbor House",
        agency=ngo,
        confidential=True,
        address="17 Secret Lane",
        latitude=29.7011,
        longitude=-95.2202,
    )


@pytest.fixture
def clinic():
    return listed_service(name="Open Door Clinic", address="400 Main Street", categories=("medical",))


@pytest.fixture
def token_key(agency_admin):
    _token, key = api_token_issue(agency=agency_admin.agency, name="Regional 211", actor=agency_admin)
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_token_reads_the_api(client, token_key, clinic):
    meta = client.get("/api/hsds/", headers=bearer(token_key))
    assert meta.status_code == 200
    assert meta.json()["version"] == "3.0"
    assert meta.json()["openapi_url"].endswith("/api/hsds/openapi.json")

    page = client.get("/api/hsds/services", headers=bearer(token_key)).json()
    assert page["total_items"] == 1
    assert page["contents"][0]["name"] == "Open Door Clinic"
    assert page["contents"][0]["organization"]["name"] == clinic.organization.name

    full = client.get(f"/api/hsds/services/{clinic.pk}", headers=bearer(token_key))
    assert full.status_code == 200
    assert list(validator("service").iter_errors(full.json())) == []
    assert full.json()["service_at_locations"][0]["location"]["addresses"][0]["address_1"] == "400 Main Street"


@pytest.mark.parametrize("key", ["", "hsds_not-a-real-key", "Token abc"])
def test_a_wrong_or_missing_token_is_refused(client, key, clinic):
    response = client.get("/api/hsds/services", headers=bearer(key) if key else {})
    assert response.status_code == 401


def test_a_revoked_token_is_refused(client, agency_admin, token_key, clinic):
    from services_directory.models import ApiToken

    api_token_revoke(token=ApiToken.objects.get(), actor=agency_admin)
    assert client.get("/api/hsds/services", headers=bearer(token_key)).status_code == 401
    assert AuditEvent.objects.filter(action="services_directory.api_token.revoked").count() == 1


def test_a_signed_in_member_reads_the_api_with_their_session(client_as, advocate, clinic):
    assert client_as(advocate).get("/api/hsds/services").status_code == 200


def test_the_confidential_location_never_leaves_by_api_or_export(
    client, client_as, provider_staff, token_key, shelter, tmp_path
):
    """Not even to the provider's own staff: what leaves by machine is what the export gives."""
    detail = client.get(f"/api/hsds/services/{shelter.pk}", headers=bearer(token_key)).text
    full_page = client.get("/api/hsds/services?full=true", headers=bearer(token_key)).text
    own_staff = client_as(provider_staff).get(f"/api/hsds/services/{shelter.pk}").text
    write_package(tmp_path)
    exported = "".join(path.read_text() for path in [tmp_path / "services.json", *sorted((tmp_path / "csv").glob("*"))])

    for text in (detail, full_page, own_staff, exported):
        assert "Harbor House" in text
        assert "17 Secret Lane" not in text
        assert "29.7011" not in text
        assert "-95.2202" not in text
    location = json.loads(detail)["service_at_locations"][0]["location"]
    assert set(location) == {"id", "location_type", "name"}


def test_the_list_pages_and_filters(client, token_key, clinic):
    for index in range(3):
        listed_service(name=f"Pantry {index}", categories=("food",))
    url = "/api/hsds/services"

    page = client.get(url, {"per_page": 2, "page": 2}, headers=bearer(token_key)).json()
    assert (page["total_items"], page["total_pages"], page["page_number"], page["size"]) == (4, 2, 2, 2)
    assert page["last_page"] is True
    assert [s["name"] for s in page["contents"]] == ["Pantry 1", "Pantry 2"]
    assert client.get(url, {"search": "clinic"}, headers=bearer(token_key)).json()["total_items"] == 1
    minimal = client.get(url, {"minimal": "true"}, headers=bearer(token_key)).json()["contents"][0]
    assert set(minimal) == {"id", "last_modified"}
    assert client.get(url, {"taxonomy_id": "nope"}, headers=bearer(token_key)).status_code == 400


def test_the_token_page_shows_a_new_key_once(client_as, agency_admin):
    client = client_as(agency_admin)
    response = client.post(reverse("api_tokens"), {"name": "Regional 211", "scope": "directory"})
    key = response.context["new_key"]
    assert key.startswith("hsds_")
    assert key in response.content.decode()
    again = client.get(reverse("api_tokens")).content.decode()
    assert key not in again
    assert "Regional 211" in again
    assert AuditEvent.objects.filter(action="services_directory.api_token.issued").count() == 1


@pytest.mark.parametrize(("who", "status"), [("agency_admin", 200), ("investigator", 404), ("provider_staff", 404)])
def test_only_agency_admins_issue_tokens(client_as, request, who, status):
    assert client_as(request.getfixturevalue(who)).get(reverse("api_tokens")).status_code == status


def test_nothing_attached_to_a_confidential_location_leaves_by_api(client, token_key, shelter):
    from services_directory.models import Contact, Phone

    location = shelter.service_at_locations.get().location
    location.url = "https://maps.example/?q=29.7011,-95.2202"
    location.alternate_name = "The blue house on Elm"
    location.save()
    Phone.objects.create(location=location, number="713-555-0199", description="front desk")
    Contact.objects.create(location_id=location.pk, name="House manager", email="manager@hidden.example")
    Phone.objects.create(service=shelter, number="713-555-0100", description="intake line")

    body = client.get(f"/api/hsds/services/{shelter.pk}", headers=bearer(token_key)).text

    for secret in ("713-555-0199", "manager@hidden.example", "maps.example", "blue house"):
        assert secret not in body
    assert "713-555-0100" in body  # the service's own line is the provider's to publish


def test_api_answers_are_never_cached(client, token_key, clinic):
    assert client.get("/api/hsds/services", headers=bearer(token_key))["Cache-Control"] == "no-store"
