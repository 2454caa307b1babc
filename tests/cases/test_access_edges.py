"""Edges of the access rules that issue 14's pages opened: an intake reader's list of consents (by number, never by
name), a location another organization's listings share (not the provider's to correct), and the header's
language switcher (only where there is a request to switch for)."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from agencies.models import Role
from cases.models import Consent
from portal.models import AuditEvent
from portal.outage import server_error
from services_directory.models import Location, ServiceAtLocation
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE
from tests.factories import AgencyFactory, UserFactory, given_consent
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


# --- Consents by number for a reader who may not see the person --------------------------------------------------


@pytest.fixture
def shelter_intake(ngo, task_force):
    """The shelter's intake desk: it opens and reads its agency's cases, without their people's personal details."""
    return UserFactory(email="desk@safeharbor.example", full_name="Ida Intake", agency=ngo, role=Role.INTAKE)


@pytest.fixture
def consent(ngo_client, lead_agency, advocate) -> Consent:
    return given_consent(ngo_client, lead_agency, ["identity", "contact"], by=advocate, days=90)


@pytest.mark.parametrize(("who", "sees_name"), [("advocate", True), ("shelter_intake", False)])
def test_the_consents_are_listed_by_the_persons_number_for_a_reader_who_may_not_see_them(
    request, client_as, ngo_case, ngo_client, consent, who, sees_name
):
    page = client_as(request.getfixturevalue(who)).get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
    section = page[page.index('id="consents-heading"') :]
    assert "Federal Field Office" in section  # the consent is listed either way
    assert (f"Person #{ngo_client.pk} to Federal Field Office" in section) == (not sees_name)
    assert (f"{CLIENT_NAME} to Federal Field Office" in section) == sees_name
    if not sees_name:  # nowhere on the page, and nothing of the person read
        assert [word for word in [*CLIENT_NAME.split(), CLIENT_PHONE] if word in page] == []
        assert not AuditEvent.objects.filter(action="cases.pii.viewed", actor__email="desk@safeharbor.example").exists()


def test_an_intake_reader_is_not_offered_a_revocation_it_may_not_make(client_as, ngo_case, consent, shelter_intake):
    client = client_as(shelter_intake)
    revoke_url = reverse("consent_revoke", args=[ngo_case.pk, consent.pk])
    assert revoke_url not in client.get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
    assert client.post(revoke_url).status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None


# --- A location another organization's listings share --------------------------------------------------------------

LOCATION = {"name": "Harbor House", "address_1": "2 Main Street", "city": "Houston", "state_province": "TX"}


@pytest.fixture
def shelter(ngo):
    return listed_service(name="Harbor House", agency=ngo)


def _place_of(service) -> Location:
    location = service.service_at_locations.get().location
    Location.objects.filter(pk=location.pk).update(organization_id=service.organization_id)
    location.refresh_from_db()
    return location


@pytest.mark.parametrize(
    ("shared_with", "may_correct"),
    [
        (None, True),  # only this listing names the place
        ("same_organization", True),  # another listing of the provider's own organization: theirs to correct
        ("other_organization", False),  # another organization's listing names it too: its import corrects it
    ],
)
def test_a_place_another_organizations_listings_share_is_not_the_providers_to_correct(
    client_as, provider_staff, shelter, ngo, shared_with, may_correct
):
    location = _place_of(shelter)
    if shared_with == "same_organization":
        sibling = listed_service(name="Harbor House drop-in", agency=ngo, latitude=None)
        sibling.organization = shelter.organization
        sibling.save()
        ServiceAtLocation.objects.create(service=sibling, location=location)
    elif shared_with == "other_organization":
        other = listed_service(name="Gulf Legal Aid clinic", agency=AgencyFactory(name="Gulf Legal Aid"), latitude=None)
        ServiceAtLocation.objects.create(service=other, location=location)
    client = client_as(provider_staff)
    url = reverse("service_location", args=[shelter.pk, location.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {**LOCATION, "postal_code": "77002", "version": shelter.version})

    location.refresh_from_db()
    shelter.refresh_from_db()
    address = location.addresses.get()
    if may_correct:
        assert response.status_code == 302
        assert address.address_1 == "2 Main Street"
        assert shelter.version == 2
    else:
        assert response.status_code == 200
        assert "Another organization&#x27;s listings share this location" in response.content.decode()
        assert address.address_1 != "2 Main Street"
        assert shelter.version == 1
        assert not AuditEvent.objects.filter(action="services_directory.service.updated").exists()


def test_a_place_another_organization_owns_is_not_the_providers_to_correct(client_as, provider_staff, shelter):
    """Linked by an import to a place recorded under another organization, the listing still may not rewrite it."""
    location = shelter.service_at_locations.get().location
    other = listed_service(name="Gulf Legal Aid clinic", agency=AgencyFactory(name="Gulf Legal Aid"), latitude=None)
    Location.objects.filter(pk=location.pk).update(organization_id=other.organization_id)
    response = client_as(provider_staff).post(
        reverse("service_location", args=[shelter.pk, location.pk]),
        {**LOCATION, "postal_code": "77002", "version": shelter.version},
    )
    assert response.status_code == 200
    assert location.addresses.get().address_1 != "2 Main Street"


def test_a_place_of_no_organization_only_this_listing_names_is_the_providers_to_correct(
    client_as, provider_staff, shelter
):
    """HSDS leaves a location's organization optional (the test factories leave it empty too): while only the
    provider's listings name the place, it is theirs to correct."""
    location = shelter.service_at_locations.get().location
    assert location.organization_id is None
    response = client_as(provider_staff).post(
        reverse("service_location", args=[shelter.pk, location.pk]),
        {**LOCATION, "postal_code": "77002", "version": shelter.version},
    )
    assert response.status_code == 302
    assert location.addresses.get().address_1 == "2 Main Street"


def test_the_provider_still_takes_a_shared_place_off_its_own_listing(client_as, provider_staff, shelter):
    """Removing is the listing's own link only: the other organization's listing keeps the place."""
    location = _place_of(shelter)
    other = listed_service(name="Gulf Legal Aid clinic", agency=AgencyFactory(name="Gulf Legal Aid"), latitude=None)
    ServiceAtLocation.objects.create(service=other, location=location)
    response = client_as(provider_staff).post(
        reverse("service_location_remove", args=[shelter.pk, location.pk]), {"version": shelter.version}
    )
    assert response.status_code == 302
    assert not shelter.service_at_locations.exists()
    assert other.service_at_locations.filter(location=location).exists()


# --- The language switcher -------------------------------------------------------------------------------------------

SWITCHER = 'class="usa-language'


@pytest.mark.parametrize("template", ["403.html", "404.html", "500.html", "503.html"])
def test_an_error_page_rendered_without_a_request_has_no_language_switcher(template):
    """Without a request there is no page to come back to and no CSRF token to post with: no switcher."""
    page = render_to_string(template, {"portal_name": "HT Portal"})
    assert "usa-header" in page  # the portal's frame all the same
    assert SWITCHER not in page
    assert reverse("switch_language") not in page


def test_the_500_page_has_no_language_switcher(investigator):
    """``handler500`` renders without the request's context (whatever failed may be what it needs)."""
    request = RequestFactory().get("/cases/")
    request.user = investigator
    page = server_error(request).content.decode()
    assert "usa-header" in page
    assert SWITCHER not in page


@pytest.mark.parametrize("url_name", ["home", "case_list", "notifications"])
def test_a_signed_in_person_has_the_switcher_on_every_page(client_as, investigator, url_name):
    page = client_as(investigator).get(reverse(url_name)).content.decode()
    assert SWITCHER in page
    assert f'action="{reverse("switch_language")}"' in page
    assert 'value="es"' in page
    assert "Español" in page
