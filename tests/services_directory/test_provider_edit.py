"""Providers keep their listing's hours and locations (issue 14): only their own agency's provider staff, each
edit on the version it was made on, audited; and a capacity report says what it saved."""

from datetime import time

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from services_directory import services
from services_directory.models import Schedule
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(ngo):
    return listed_service(name="Harbor House", agency=ngo, address="17 Secret Lane", confidential=True)


@pytest.fixture
def legal_aid_listing(task_force):
    from agencies.models import Agency
    from tests.factories import AgencyFactory

    agency = AgencyFactory(name="Gulf Legal Aid", short_name="GLA", kind=Agency.Kind.VICTIM_SERVICES)
    return listed_service(name="Legal Harbor", agency=agency)


PAGES = ["service_hours", "service_locations", "service_location_add"]

# who / whose listing / expected: only provider staff of the listing's own agency edit it.
EDIT_TABLE = [
    ("provider_staff", "own", 200),
    ("provider_staff", "other", 404),  # another provider's listing
    ("advocate", "own", 404),  # the same agency, not its provider staff
    ("investigator", "own", 404),
    ("coordinator", "own", 404),
    ("agency_admin", "own", 404),
    ("auditor", "own", 404),
    ("outsider", "own", 404),
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("who", "whose", "status"), EDIT_TABLE)
def test_who_edits_hours_and_locations(client_as, request, shelter, legal_aid_listing, page, who, whose, status):
    service = shelter if whose == "own" else legal_aid_listing
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse(page, args=[service.pk])).status_code == status
    posted = client.post(reverse(page, args=[service.pk]), {"version": service.version, "MO_opens": "09:00"})
    assert posted.status_code in ({200, 302} if status == 200 else {404})
    if status != 200:
        service.refresh_from_db()
        assert service.version == 1


def _hours_data(version: int, **days: tuple[str, str]) -> dict[str, object]:
    data: dict[str, object] = {"version": version}
    for day, (opens, closes) in days.items():
        data[f"{day}_opens"], data[f"{day}_closes"] = opens, closes
    return data


def test_the_provider_saves_hours_grouped_by_day_audited(client_as, provider_staff, shelter):
    client = client_as(provider_staff)
    response = client.post(
        reverse("service_hours", args=[shelter.pk]),
        _hours_data(1, MO=("09:00", "17:00"), TU=("09:00", "17:00"), SA=("10:00", "14:00")),
    )

    assert response.status_code == 302
    rows = {(row.byday, row.opens_at, row.closes_at) for row in Schedule.objects.filter(service=shelter)}
    assert rows == {("MO,TU", time(9), time(17)), ("SA", time(10), time(14))}
    shelter.refresh_from_db()
    assert shelter.version == 2
    event = AuditEvent.objects.get(action="services_directory.service.updated")
    assert event.details["fields"] == ["hours"]
    page = client.get(reverse("service_detail", args=[shelter.pk])).content.decode()
    assert "Mon, Tue, 09:00-17:00" in page
    form = client.get(reverse("service_hours", args=[shelter.pk])).context["form"]
    assert form["SA_opens"].value() == time(10)


def test_hours_with_one_time_missing_are_refused_and_change_nothing(client_as, provider_staff, shelter):
    response = client_as(provider_staff).post(
        reverse("service_hours", args=[shelter.pk]), _hours_data(1, MO=("09:00", ""))
    )

    assert response.status_code == 200
    assert "Give both times" in response.content.decode()
    assert not Schedule.objects.filter(service=shelter).exists()


def test_a_stale_hours_edit_is_refused(client_as, provider_staff, shelter):
    services.service_hours_set(service=shelter, actor=provider_staff, version=1, hours={"MO": (time(8), time(12))})

    response = client_as(provider_staff).post(
        reverse("service_hours", args=[shelter.pk]), _hours_data(1, FR=("09:00", "17:00"))
    )

    assert response.status_code == 200
    assert "changed at" in response.content.decode()
    assert {row.byday for row in Schedule.objects.filter(service=shelter)} == {"MO"}


LOCATION = {
    "name": "Downtown office",
    "address_1": "1 Main Street",
    "city": "Houston",
    "state_province": "tx",
    "postal_code": "77002",
}


def test_the_provider_adds_corrects_and_removes_a_location(client_as, provider_staff, shelter):
    client = client_as(provider_staff)

    added = client.post(reverse("service_location_add", args=[shelter.pk]), {**LOCATION, "version": 1})

    assert added.status_code == 302
    link = shelter.service_at_locations.get(location__name="Downtown office")
    location = link.location
    assert round(location.latitude, 1) == 29.8  # placed by its ZIP code, for distance search
    assert location.addresses.get().state_province == "TX"
    corrected = client.post(
        reverse("service_location", args=[shelter.pk, location.pk]),
        {**LOCATION, "address_1": "2 Main Street", "version": 2},
    )
    assert corrected.status_code == 302
    assert location.addresses.get().address_1 == "2 Main Street"
    removed = client.post(reverse("service_location_remove", args=[shelter.pk, location.pk]), {"version": 3})
    assert removed.status_code == 302
    assert not shelter.service_at_locations.filter(location=location).exists()
    assert AuditEvent.objects.filter(action="services_directory.service.updated").count() == 3


def test_a_location_with_an_unknown_zip_is_refused(client_as, provider_staff, shelter):
    response = client_as(provider_staff).post(
        reverse("service_location_add", args=[shelter.pk]), {**LOCATION, "postal_code": "99999", "version": 1}
    )

    assert response.status_code == 200
    assert "is not a known U.S. ZIP code" in response.content.decode()
    assert shelter.service_at_locations.count() == 1


def test_a_stale_location_edit_is_refused(client_as, provider_staff, shelter):
    services.service_hours_set(service=shelter, actor=provider_staff, version=1, hours={"MO": (time(8), time(12))})

    response = client_as(provider_staff).post(
        reverse("service_location_add", args=[shelter.pk]), {**LOCATION, "version": 1}
    )

    assert response.status_code == 200
    assert "changed at" in response.content.decode()
    assert shelter.service_at_locations.count() == 1


def test_another_services_location_is_not_editable_here(client_as, provider_staff, shelter, ngo):
    elsewhere = listed_service(name="Other listing", agency=ngo).service_at_locations.get().location

    client = client_as(provider_staff)
    assert client.get(reverse("service_location", args=[shelter.pk, elsewhere.pk])).status_code == 404
    assert client.post(reverse("service_location_remove", args=[shelter.pk, elsewhere.pk])).status_code == 404


def test_a_capacity_report_says_what_it_saved(client_as, provider_staff, shelter):
    client = client_as(provider_staff)

    swapped = client.post(
        reverse("service_capacity", args=[shelter.pk]), {"capacity": "available", "count": "3"}, HTTP_HX_REQUEST="true"
    )
    reloaded = client.post(
        reverse("service_capacity", args=[shelter.pk]), {"capacity": "full", "count": ""}, follow=True
    )

    assert "Saved at" in swapped.content.decode()
    assert "Harbor House is Available (3 open), updated within the hour." in swapped.content.decode()
    assert "Harbor House is Full" in reloaded.content.decode()
