"""'Find services' from a victim's need: the directory's matches, ranked with what the viewer may know of the
person, and nothing more."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import Need, Person
from cases.services import need_add
from portal.models import AuditEvent
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def services():
    listed_service(name="Adult Shelter", minimum_age=18, accepts_minors=False, languages=("en",))
    listed_service(name="Youth Shelter", minimum_age=12, maximum_age=20, accepts_minors=True, languages=("es",))
    listed_service(name="Legal Clinic", categories=("legal_immigration",))


@pytest.fixture
def shelter_need(ngo_case, ngo_client, advocate):
    Person.objects.filter(pk=ngo_client.pk).update(date_of_birth=date(2010, 3, 1), sex="female", languages=["es"])
    return need_add(case=ngo_case, person=ngo_client, category=Need.Category.EMERGENCY_SHELTER, actor=advocate)


def names(response) -> list[str]:
    return [r.service.name for r in response.context["results"]]


def test_the_providers_advocate_gets_services_ranked_for_the_persons_age_and_language(
    client_as, advocate, services, shelter_need
):
    response = client_as(advocate).get(reverse("need_services", args=[shelter_need.pk]))

    assert response.status_code == 200
    assert names(response) == ["Youth Shelter", "Adult Shelter"]  # a 16-year-old who speaks Spanish
    assert response.context["criteria"].age == 16
    assert "Legal Clinic" not in response.content.decode()
    event = AuditEvent.objects.get(action="cases.pii.viewed", details__via="service_match")
    assert event.details["fields"] == ["date_of_birth", "languages"]


def test_a_partner_without_the_identity_consent_ranks_without_the_date_of_birth(
    client_as, investigator, services, shelter_need
):
    response = client_as(investigator).get(reverse("need_services", args=[shelter_need.pk]))

    assert response.status_code == 200
    criteria = response.context["criteria"]
    assert criteria.age is None
    assert criteria.is_minor is True  # whether the person is a minor is not identifying
    assert "Age 16" not in response.content.decode()
    assert names(response) == ["Youth Shelter", "Adult Shelter"]


def test_with_the_identity_consent_the_partner_ranks_with_the_age(
    client_as, investigator, services, shelter_need, client_consent
):
    response = client_as(investigator).get(reverse("need_services", args=[shelter_need.pk]))
    assert response.context["criteria"].age == 16


def test_a_medical_need_without_the_medical_consent_is_not_found(
    client_as, investigator, advocate, ngo_case, ngo_client
):
    need = need_add(case=ngo_case, person=ngo_client, category=Need.Category.MEDICAL, actor=advocate)
    assert client_as(investigator).get(reverse("need_services", args=[need.pk])).status_code == 404
    assert client_as(advocate).get(reverse("need_services", args=[need.pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "provider_staff", "partner_investigator"])
def test_people_outside_the_case_get_404(client_as, request, who, shelter_need):
    response = client_as(request.getfixturevalue(who)).get(reverse("need_services", args=[shelter_need.pk]))
    assert response.status_code == 404


def test_a_place_ranks_by_distance_and_a_bad_place_says_so(client_as, advocate, services, shelter_need):
    client = client_as(advocate)
    near = client.get(reverse("need_services", args=[shelter_need.pk]), {"near": "77002"})
    assert near.context["criteria"].near.label == "77002"
    bad = client.get(reverse("need_services", args=[shelter_need.pk]), {"near": "Nowhere, ZZ"})
    assert "is not a place we know" in bad.content.decode()


def test_the_case_page_links_each_unmet_need_to_its_services(client_as, advocate, shelter_need):
    page = client_as(advocate).get(reverse("case_detail", args=[shelter_need.case_id])).content.decode()
    assert reverse("need_services", args=[shelter_need.pk]) in page
