"""What a referral withheld from a reader leaves behind is withheld too (decision 0035): a referral carrying a need
hidden from them (its recipient would tell it) shows none of the services its completion recorded, whatever their
own category, nor their events in the case's activity; and a referral entered in error takes its services away."""

import pytest

from cases import selectors
from cases.models import Need, ServiceEvent
from cases.services import need_add
from portal.models import AuditEvent
from referrals import services
from referrals.models import Referral
from tests.factories import sent_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(ngo_case, ngo_client, client_consent, advocate, provider_staff, shelter_service):
    """The shelter's referral of its client to its own house, for a medical need and a food need, completed."""
    medical = need_add(case=ngo_case, person=ngo_client, category=Need.Category.MEDICAL, actor=advocate)
    food = need_add(case=ngo_case, person=ngo_client, category=Need.Category.FOOD, actor=advocate)
    referral = sent_referral(ngo_case, ngo_client, shelter_service, by=advocate, needs=[medical, food])
    services.referral_accept(referral=referral, actor=provider_staff)
    services.referral_complete(referral=referral, actor=provider_staff, outcome=Referral.Outcome.SERVICE_DELIVERED)
    assert ServiceEvent.objects.filter(referral_id=referral.pk).count() == 2
    return referral


def _dossier(user, case):
    return selectors.case_dossier_for(user, selectors.case_access_for_user(user, case.pk))


def test_a_reader_from_whom_the_referral_is_withheld_sees_none_of_its_services(
    completed, ngo_case, investigator, advocate
):
    seen = _dossier(investigator, ngo_case)  # the client's identity is released, not her medical information
    assert [item.need.category for item in seen.needs] == [Need.Category.FOOD]
    assert completed.pk in seen.withheld_referrals
    assert seen.services == []  # not even the food service: "through referral #N" at a clinic would tell
    own = _dossier(advocate, ngo_case)
    assert sorted(item.event.category for item in own.services) == [Need.Category.FOOD, Need.Category.MEDICAL]
    assert own.withheld_referrals == frozenset()


def test_the_case_activity_leaves_out_what_a_withheld_referral_recorded(completed, ngo_case):
    everything = frozenset(selectors.CASE_PERMISSIONS)
    recorded = [e.action for e in selectors.case_activity(ngo_case, everything, limit=300)]
    assert "cases.service_event.recorded" in recorded
    withheld = selectors.case_activity(ngo_case, everything, limit=300, withheld_referrals=frozenset({completed.pk}))
    assert "cases.service_event.recorded" not in [event.action for event in withheld]


def test_a_referral_entered_in_error_takes_its_services_away(completed, advocate):
    services.referral_mark_entered_in_error(referral=completed, actor=advocate, reason="Wrong client.")
    assert not ServiceEvent.objects.standing().filter(referral_id=completed.pk).exists()
    assert {e.withdrawn_by for e in ServiceEvent.objects.filter(referral_id=completed.pk)} == {advocate}  # kept, marked
    withdrawn = AuditEvent.objects.get(action="cases.service_event.withdrawn")
    assert withdrawn.details["referral_id"] == completed.pk
    assert len(withdrawn.details["service_event_ids"]) == 2
