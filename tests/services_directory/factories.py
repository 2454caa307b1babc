"""Directory rows for tests: factories, and ``listed_service`` for a service with a place, categories and
languages in one call."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from services_directory import models as directory
from services_directory.services import portal_taxonomy_ensure
from services_directory.taxonomies import portal_term_id


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory.Organization

    name = factory.Sequence(lambda n: f"Provider {n}")
    description = "A provider of services to survivors."


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory.Service

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Help for survivors."
    status = directory.Service.Status.ACTIVE


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory.Location

    name = factory.Sequence(lambda n: f"Site {n}")
    location_type = directory.Location.Type.PHYSICAL
    latitude = 29.7594
    longitude = -95.3594


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory.Address

    location = factory.SubFactory(LocationFactory)
    address_1 = factory.Sequence(lambda n: f"{100 + n} Harbor Street")
    city = "Houston"
    state_province = "TX"
    postal_code = "77002"
    country = "US"
    address_type = directory.Address.Type.PHYSICAL


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = directory.Schedule

    freq = directory.Schedule.Frequency.WEEKLY
    byday = "MO,TU,WE,TH,FR"
    opens_at = "09:00"
    closes_at = "17:00"


def listed_service(
    *,
    latitude: float | None = 29.7594,
    longitude: float | None = -95.3594,
    categories: tuple[str, ...] = ("emergency_shelter",),
    languages: tuple[str, ...] = ("en",),
    confidential: bool = False,
    address: str = "",
    agency=None,
    capacity: str = directory.Service.Capacity.UNKNOWN,
    capacity_age=None,
    **fields,
) -> directory.Service:
    """A service at one location (or none, when ``latitude`` is None) offering ``categories`` in ``languages``.
    ``capacity_age`` is how long ago the capacity was reported (a timedelta)."""
    organization = OrganizationFactory(agency=agency)
    if capacity != directory.Service.Capacity.UNKNOWN:
        fields["capacity_updated_at"] = timezone.now() - (capacity_age or timedelta(hours=1))
    service = ServiceFactory(organization=organization, capacity=capacity, **fields)
    if latitude is not None:
        location = LocationFactory(latitude=latitude, longitude=longitude, is_confidential=confidential)
        AddressFactory(location=location, address_1=address or f"{service.name} Street")
        directory.ServiceAtLocation.objects.create(service=service, location=location)
    portal_taxonomy_ensure()
    for category in categories:
        directory.Attribute.objects.create(
            link_id=service.pk, link_entity="service", taxonomy_term_id=portal_term_id(category)
        )
    for code in languages:
        directory.Language.objects.create(service=service, code=code, name=code, id=uuid.uuid4())
    return service
