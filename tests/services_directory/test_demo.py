"""The demo directory (services_directory/demo.py): about sixty fictional services at real Houston-Galveston ZIP
codes, in every need category and capacity state, a few kept by the task force's NGOs, and a second seed that
changes nothing."""

import random
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from agencies import demo as agencies_demo
from agencies.models import User
from portal.categories import NeedCategory
from portal.management.commands.seed_demo import DEMO_SEED
from services_directory import demo
from services_directory.geo import resolve
from services_directory.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from services_directory.selectors import (
    SearchCriteria,
    agencies_seeing_confidential_locations_of,
    location_is_revealed,
    service_search,
    services_editable_by,
)
from services_directory.services import service_capacity_update
from tests.helpers import kept_for_the_tests

pytestmark = pytest.mark.django_db

NGOS = {"Safe Harbor", "GC Legal Aid", "BCHC", "Bridges"}
DIRECTORY = (
    Taxonomy,
    TaxonomyTerm,
    Organization,
    Location,
    Address,
    Service,
    ServiceAtLocation,
    Phone,
    Language,
    Schedule,
    Attribute,
)


def _seed() -> str:
    """The agencies, then the directory, with the generator ``seed_demo`` gives them (the cases are not needed)."""
    out, rng = StringIO(), random.Random(DEMO_SEED)
    agencies_demo.seed(rng=rng, stdout=out)
    demo.seed(rng=rng, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The agencies and the directory, seeded once for the module's tests (each test's changes are undone after
    it); the seeds' output."""
    yield from kept_for_the_tests(django_db_blocker, _seed)


def _cities(services) -> set[str]:
    return {
        address.city
        for service in services
        for at in service.service_at_locations.all()
        for address in at.location.addresses.all()
    }


def test_the_demo_has_about_sixty_services_and_an_active_one_in_every_need_category(seeded):
    output = seeded
    assert 55 <= Service.objects.count() <= 65
    assert f"{Service.objects.count()} directory services" in output
    for category in NeedCategory.values:
        assert service_search(SearchCriteria(categories=[category])).count() >= 2, category
    assert 2 <= Service.objects.exclude(status=Service.Status.ACTIVE).count() <= 3
    assert {"inactive", "temporarily closed"} <= set(Service.objects.values_list("status", flat=True))
    assert Language.objects.values("code").distinct().count() >= 10
    assert Schedule.objects.filter(byday="MO,TU,WE,TH,FR,SA,SU", opens_at="00:00:00", closes_at="00:00:00").exists()


def test_a_search_from_a_real_zip_code_finds_the_services_around_it(seeded):
    galveston = list(service_search(SearchCriteria(near=resolve("77550"), within_miles=5)))
    assert len(galveston) >= 4
    assert _cities(galveston) == {"Galveston"}
    downtown = list(service_search(SearchCriteria(near=resolve("77002"), within_miles=1.5)))
    assert downtown
    assert _cities(downtown) == {"Bayport"}


def test_capacity_is_reported_in_every_state_and_some_reports_are_stale(seeded):
    now = timezone.now()
    services = list(Service.objects.all())
    assert {service.capacity for service in services} == set(Service.Capacity.values)
    reported = [service for service in services if service.capacity != Service.Capacity.UNKNOWN]
    reported_at = [service.capacity_updated_at for service in reported if service.capacity_updated_at]
    assert len(reported_at) == len(reported)
    assert all(timedelta(hours=1) < now - moment < timedelta(days=21) for moment in reported_at)
    stale = [service for service in reported if service.capacity_is_stale]
    assert 0 < len(stale) < len(reported) / 2
    unreported = [service for service in services if service.capacity == Service.Capacity.UNKNOWN]
    assert all(service.capacity_updated_at is None and service.capacity_count is None for service in unreported)
    assert any(service.capacity_count for service in services if service.capacity == Service.Capacity.AVAILABLE)
    assert not any(service.capacity_count for service in services if service.capacity == Service.Capacity.FULL)
    assert all(service.capacity == Service.Capacity.UNKNOWN for service in services if service.status != "active")


def test_structured_eligibility_takes_every_answer(seeded):
    assert {"", "F", "M", "FX"} <= set(Service.objects.values_list("genders_served", flat=True))
    assert set(Service.objects.values_list("accepts_minors", flat=True)) == {True, False, None}
    assert set(Service.objects.values_list("accepts_without_status", flat=True)) == {True, False, None}
    assert not Service.objects.filter(minimum_age__gte=18, accepts_minors=True).exists()
    assert not Service.objects.filter(maximum_age__lt=18, accepts_minors=False).exists()


def test_confidential_shelters_show_their_address_to_the_task_force_only(seeded, outsider):
    confidential = Location.objects.filter(is_confidential=True)
    assert 6 <= confidential.count() <= 8
    assert all(name.startswith("Confidential") for name in confidential.values_list("name", flat=True))
    shelter = ServiceAtLocation.objects.select_related("service__organization", "location").get(
        location__is_confidential=True, service__name="Safe Harbor emergency shelter"
    )
    assert shelter.location.latitude is not None
    staff = User.objects.get(email="jo.park@safeharbor.example")
    investigator = User.objects.get(email="dana.reyes@fbi.example")
    for user, revealed in ((staff, True), (investigator, True), (outsider, False)):
        circle = agencies_seeing_confidential_locations_of(user)
        assert location_is_revealed(shelter.location, shelter.service, circle) is revealed


def test_only_the_four_ngos_keep_listings_and_their_staff_edit_their_own(seeded):
    kept = Service.objects.filter(organization__agency__isnull=False)
    assert 8 <= kept.count() <= 12
    assert set(kept.values_list("organization__agency__short_name", flat=True)) == NGOS
    assert set(
        ServiceAtLocation.objects.filter(location__is_confidential=True, service__in=kept).values_list(
            "service__organization__agency__short_name", flat=True
        )
    ) == {"Safe Harbor"}
    staff = User.objects.get(email="jo.park@safeharbor.example")
    assert set(services_editable_by(staff).values_list("name", flat=True)) == {
        "Safe Harbor emergency shelter",
        "Safe Harbor transitional apartments",
        "Safe Harbor drop-in and clothing room",
    }


def test_terms_of_an_unknown_taxonomy_stay_unmapped_and_the_known_ones_are_read(seeded):
    unmapped = TaxonomyTerm.objects.filter(category="")
    assert set(unmapped.values_list("taxonomy", flat=True)) == {"Gulf County Resource Codes"}
    assert Attribute.objects.filter(taxonomy_term__in=unmapped).values("link_id").distinct().count() == 2
    for taxonomy in ("Open Eligibility", "AIRS/211 Taxonomy"):
        terms = TaxonomyTerm.objects.filter(taxonomy=taxonomy)
        assert terms.exists()
        assert not terms.filter(category="").exists()


def test_seeding_twice_changes_nothing(seeded):
    rows = [list(model.objects.order_by("pk").values()) for model in DIRECTORY]
    assert "(0 new)" in _seed()
    assert [list(model.objects.order_by("pk").values()) for model in DIRECTORY] == rows


def test_seeding_again_keeps_a_providers_capacity_report(seeded):
    staff = User.objects.get(email="jo.park@safeharbor.example")
    shelter = Service.objects.get(name="Safe Harbor emergency shelter")
    service_capacity_update(service=shelter, actor=staff, capacity=Service.Capacity.FULL)
    _seed()
    shelter.refresh_from_db()
    assert shelter.capacity == Service.Capacity.FULL
    assert shelter.capacity_updated_by == staff
