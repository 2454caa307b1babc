"""Directory pages as people use them: who reaches what, what they see, what a click changes."""

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from portal.models import AuditEvent
from services_directory.models import Service
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(ngo):
    """A confidential shelter of the task force's NGO, whose provider staff keep the listing."""
    return listed_service(
        name="Harbor House",
        agency=ngo,
        confidential=True,
        address="17 Secret Lane",
        categories=("emergency_shelter",),
        languages=("es", "en"),
        minimum_age=18,
    )


@pytest.fixture
def clinic():
    return listed_service(name="Open Door Clinic", address="400 Main Street", categories=("medical",))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("investigator", 200),
        ("advocate", 200),
        ("provider_staff", 200),
        ("coordinator", 200),
        ("auditor", 200),
        ("outsider", 200),
    ],
)
def test_every_member_may_search_the_directory(client_as, request, who, status, shelter, clinic):
    response = client_as(request.getfixturevalue(who)).get(reverse("service_search"), {"category": "medical"})
    assert response.status_code == status
    assert "Open Door Clinic" in response.content.decode()
    assert "Harbor House" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "sees_address"),
    [
        ("provider_staff", True),  # the provider's own agency
        ("advocate", True),
        ("investigator", True),  # the provider's task force
        ("coordinator", True),
        ("outsider", False),  # another task force
    ],
)
def test_a_confidential_address_is_shown_to_the_providers_agency_and_task_force_only(
    client_as, request, who, sees_address, shelter
):
    client = client_as(request.getfixturevalue(who))
    pages = [
        client.get(reverse("service_detail", args=[shelter.pk])).content.decode(),
        client.get(reverse("service_search"), {"near": "77002"}).content.decode(),
    ]
    for page in pages:
        assert "Harbor House" in page
        assert ("17 Secret Lane" in page) is sees_address
        assert ("Confidential location" in page) is not sees_address
    search = pages[1]
    assert ("0.0 mi from 77002" in search) is sees_address
    assert ("within 5 mi from 77002" in search) is not sees_address


@pytest.mark.parametrize(
    ("who", "status"),
    [("provider_staff", 200), ("advocate", 404), ("investigator", 404), ("agency_admin", 404), ("outsider", 404)],
)
def test_only_the_providers_staff_edit_its_listing(client_as, request, who, status, shelter):
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse("service_edit", args=[shelter.pk])).status_code == status
    response = client.post(reverse("service_capacity", args=[shelter.pk]), {"capacity": "full"})
    assert response.status_code == (302 if status == 200 else 404)
    shelter.refresh_from_db()
    assert shelter.capacity == (Service.Capacity.FULL if status == 200 else Service.Capacity.UNKNOWN)


def test_capacity_in_one_click_is_recorded_in_history_and_the_audit_trail(client_as, provider_staff, shelter):
    client = client_as(provider_staff)

    response = client.post(
        reverse("service_capacity", args=[shelter.pk]),
        {"capacity": "available", "count": "3"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Available (3 open), updated within the hour" in response.content.decode()
    shelter.refresh_from_db()
    assert (shelter.capacity, shelter.capacity_count, shelter.capacity_updated_by) == ("available", 3, provider_staff)
    assert AuditEvent.objects.filter(action="services_directory.capacity.updated", object_id=str(shelter.pk)).exists()
    entry = LogEntry.objects.get_for_object(shelter).latest("timestamp")
    assert entry.changes_dict["capacity"] == ["unknown", "available"]


def test_a_bad_capacity_changes_nothing(client_as, provider_staff, shelter):
    response = client_as(provider_staff).post(
        reverse("service_capacity", args=[shelter.pk]), {"capacity": "overflowing"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    shelter.refresh_from_db()
    assert shelter.capacity == Service.Capacity.UNKNOWN


def _edit_data(service, **changes):
    data = {
        "name": service.name,
        "description": service.description,
        "status": service.status,
        "categories": ["emergency_shelter", "transitional_housing"],
        "languages": ["es", "vi"],
        "genders_served": ["F"],
        "accepts_minors": "no",
        "accepts_without_status": "yes",
        "minimum_age": "18",
        "maximum_age": "",
        "documents": "Photo ID if you have one\nNothing else",
        "version": service.version,
    }
    data.update(changes)
    return data


def test_a_provider_edits_its_listing(client_as, provider_staff, shelter):
    response = client_as(provider_staff).post(reverse("service_edit", args=[shelter.pk]), _edit_data(shelter))

    assert response.status_code == 302
    shelter.refresh_from_db()
    assert (shelter.genders_served, shelter.accepts_minors, shelter.accepts_without_status) == ("F", False, True)
    assert sorted(shelter.languages.values_list("code", flat=True)) == ["es", "vi"]
    page = client_as(provider_staff).get(reverse("service_detail", args=[shelter.pk])).content.decode()
    assert "Transitional housing" in page
    assert "Photo ID if you have one" in page
    assert shelter.version == 2
    assert shelter.last_modified is not None
    event = AuditEvent.objects.get(action="services_directory.service.updated")
    assert {"categories", "languages", "required_documents", "genders_served"} <= set(event.details["fields"])
    history = LogEntry.objects.filter(content_type__app_label="services_directory")
    assert {"attribute", "language", "hsdsrecord", "service"} <= set(
        history.values_list("content_type__model", flat=True)
    )


def test_a_stale_edit_is_refused_and_changes_nothing(client_as, provider_staff, shelter):
    client = client_as(provider_staff)
    client.post(reverse("service_edit", args=[shelter.pk]), _edit_data(shelter, name="First edit"))

    response = client.post(reverse("service_edit", args=[shelter.pk]), _edit_data(shelter, name="Second edit"))

    assert response.status_code == 200
    assert "changed at" in response.content.decode()
    shelter.refresh_from_db()
    assert shelter.name == "First edit"


def test_an_invalid_edit_rerenders_with_errors(client_as, provider_staff, shelter):
    response = client_as(provider_staff).post(
        reverse("service_edit", args=[shelter.pk]), _edit_data(shelter, minimum_age="30", maximum_age="20", name="")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The maximum age is below the minimum age." in page
    assert "This field is required." in page
    shelter.refresh_from_db()
    assert shelter.name == "Harbor House"


def test_an_invalid_edit_keeps_the_yes_and_no_answers_chosen(client_as, provider_staff, shelter):
    data = _edit_data(shelter, name="", accepts_minors="no", accepts_without_status="yes")
    page = client_as(provider_staff).post(reverse("service_edit", args=[shelter.pk]), data).content.decode()

    assert re.search(r'<option value="no" selected>', page.split('name="accepts_minors"')[1].split("</select>")[0])
    assert re.search(
        r'<option value="yes" selected>', page.split('name="accepts_without_status"')[1].split("</select>")[0]
    )


def test_my_listings_show_the_agencys_services_only(client_as, provider_staff, shelter, clinic):
    page = client_as(provider_staff).get(reverse("my_services")).content.decode()
    assert "Harbor House" in page
    assert "Open Door Clinic" not in page


def test_an_unknown_place_is_a_form_error(client_as, advocate, clinic):
    response = client_as(advocate).get(reverse("service_search"), {"near": "Atlantis, ZZ"})
    assert response.status_code == 200
    assert "is not a place we know" in response.content.decode()
    assert "Open Door Clinic" not in response.content.decode()


def test_the_search_page_costs_the_same_queries_for_few_and_many_services(
    client_as, advocate, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(advocate)
    url = reverse("service_search")
    query = {"near": "77002", "language": "es", "age": "30", "category": "emergency_shelter"}
    for index in range(2):
        listed_service(name=f"Few {index}", languages=("es",))
    client.get(url, query)
    with CaptureQueriesContext(connection) as few:
        client.get(url, query)
    for index in range(25):
        listed_service(name=f"Many {index}", languages=("es", "en"), latitude=29.7 + index / 200)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, query)
    assert response.context["page"].paginator.count == 27
    assert len(many) == len(few) + 1  # the full page is counted; a short page is its own count (portal/pagination.py)


def test_text_that_a_spreadsheet_would_run_is_refused(client_as, provider_staff, shelter):
    response = client_as(provider_staff).post(
        reverse("service_edit", args=[shelter.pk]), _edit_data(shelter, name='=HYPERLINK("https://evil.example")')
    )
    assert response.status_code == 200
    assert "a spreadsheet reads = or @ as a formula" in response.content.decode()
    shelter.refresh_from_db()
    assert shelter.name == "Harbor House"


def test_an_import_while_a_provider_edits_makes_the_providers_form_stale(client_as, provider_staff, shelter, tmp_path):
    import json

    from services_directory.hsds.exporting import service_documents
    from services_directory.hsds.importing import hsds_import

    opened = _edit_data(shelter, description="Old text")  # the provider opens the form on version 1
    documents = service_documents([shelter.pk])
    documents[0]["description"] = "Moved to the annex: call first"
    (tmp_path / "feed.json").write_text(json.dumps(documents))
    hsds_import(path=tmp_path / "feed.json")

    response = client_as(provider_staff).post(reverse("service_edit", args=[shelter.pk]), opened)

    assert "changed at" in response.content.decode()
    shelter.refresh_from_db()
    assert shelter.description == "Moved to the annex: call first"


def test_saving_an_unchanged_listing_records_nothing(client_as, provider_staff, shelter):
    client = client_as(provider_staff)
    client.post(reverse("service_edit", args=[shelter.pk]), _edit_data(shelter))
    shelter.refresh_from_db()
    events = AuditEvent.objects.filter(action="services_directory.service.updated").count()

    client.post(reverse("service_edit", args=[shelter.pk]), _edit_data(shelter))

    assert AuditEvent.objects.filter(action="services_directory.service.updated").count() == events
    version = shelter.version
    shelter.refresh_from_db()
    assert shelter.version == version
