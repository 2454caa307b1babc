"""A service referral completed with "service delivered" records the services in the victim's case (decision
0035): one per category of its needs, by its recipient, once however often it is retried."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseParticipant, Need, ServiceEvent
from cases.services import need_add, service_events_from_referral
from portal.models import AuditEvent
from referrals import services
from referrals.models import Referral
from referrals.services import ReferralConflict
from tests.factories import sent_referral
from tests.services_directory.factories import listed_service


def _complete(referral, actor, outcome=Referral.Outcome.SERVICE_DELIVERED):
    services.referral_accept(referral=referral, actor=actor)
    return services.referral_complete(referral=referral, actor=actor, outcome=outcome)


@pytest.fixture
def food_need(le_case, le_victim, investigator):
    return need_add(case=le_case, person=le_victim, category=Need.Category.FOOD, actor=investigator)


def test_completing_a_service_referral_records_one_service_per_need_category(
    le_case, le_victim, shelter_need, food_need, shelter_service, investigator, provider_staff, ngo
):
    second_shelter_need = need_add(
        case=le_case, person=le_victim, category=Need.Category.EMERGENCY_SHELTER, actor=investigator
    )
    referral = sent_referral(
        le_case, le_victim, shelter_service, by=investigator, needs=[shelter_need, second_shelter_need, food_need]
    )
    _complete(referral, provider_staff)
    events = list(ServiceEvent.objects.order_by("category"))
    assert [event.category for event in events] == ["emergency_shelter", "food"]
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM)
    for event in events:
        assert (event.participant, event.kind, event.provider, event.referral_id) == (
            victim,
            ServiceEvent.Kind.DELIVERED,
            ngo,
            referral.pk,
        )
        assert (event.provided_on, event.recorded_by, event.recorded_by_agency) == (
            timezone.localdate(),
            provider_staff,
            ngo,
        )
    audit = AuditEvent.objects.get(action="cases.service_event.recorded")
    assert audit.details["referral_id"] == referral.pk
    assert sorted(audit.details["service_event_ids"]) == sorted(event.pk for event in events)


def test_a_completion_retried_records_each_service_once(service_referral, provider_staff, le_victim):
    _complete(service_referral, provider_staff)
    assert ServiceEvent.objects.count() == 1
    with pytest.raises(ReferralConflict):
        services.referral_complete(
            referral=service_referral, actor=provider_staff, outcome=Referral.Outcome.SERVICE_DELIVERED
        )
    event = ServiceEvent.objects.get()
    # The same records asked again (a retried job, a second path): nothing new, and no second audit event.
    again = service_events_from_referral(
        referral_id=service_referral.pk,
        participant=event.participant,
        categories=[event.category],
        on=event.provided_on,
        provider=event.provider,
        provider_name="",
        actor=provider_staff,
        actor_agency=provider_staff.agency,
    )
    assert again == []
    assert ServiceEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="cases.service_event.recorded").count() == 1
    # And the database refuses a copy made some other way.
    event.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


@pytest.mark.parametrize(
    "outcome",
    [Referral.Outcome.PARTIALLY_DELIVERED, Referral.Outcome.CLIENT_DECLINED, Referral.Outcome.OTHER],
)
def test_other_outcomes_record_no_service(service_referral, provider_staff, outcome):
    _complete(service_referral, provider_staff, outcome)
    assert not ServiceEvent.objects.exists()


def test_a_failed_referral_records_no_service(service_referral, provider_staff):
    services.referral_accept(referral=service_referral, actor=provider_staff)
    services.referral_fail(
        referral=service_referral,
        actor=provider_staff,
        reason="Full",
        outcome=Referral.Outcome.NO_CAPACITY,
    )
    assert not ServiceEvent.objects.exists()


def test_a_provider_outside_the_portal_is_named_by_the_directory(
    le_case, le_victim, shelter_need, offline_clinic, investigator
):
    referral = sent_referral(
        le_case, le_victim, offline_clinic, by=investigator, needs=[shelter_need], delivery=Referral.Delivery.PHONE
    )
    _complete(referral, investigator)  # the sender records the answers of a provider outside the portal
    event = ServiceEvent.objects.get()
    assert (event.provider, event.provider_name) == (None, offline_clinic.organization.name)
    assert (event.recorded_by, event.recorded_by_agency) == (investigator, investigator.agency)


def test_without_needs_the_service_of_one_category_names_it(le_case, le_victim, offline_clinic, investigator):
    referral = sent_referral(le_case, le_victim, offline_clinic, by=investigator, delivery=Referral.Delivery.PHONE)
    _complete(referral, investigator)
    assert list(ServiceEvent.objects.values_list("category", flat=True)) == ["medical"]


def test_without_needs_a_service_of_several_categories_records_nothing(le_case, le_victim, investigator):
    center = listed_service(name="Hope Center", categories=("food", "clothing"), email="hope@example.org")
    referral = sent_referral(le_case, le_victim, center, by=investigator, delivery=Referral.Delivery.PHONE)
    _complete(referral, investigator)
    assert not ServiceEvent.objects.exists()


def test_the_case_page_shows_the_referrals_service_to_the_lead(
    service_referral, provider_staff, investigator, client_as, le_case, shelter_service
):
    _complete(service_referral, provider_staff)
    body = client_as(investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert f"through referral #{service_referral.pk}" in body
