"""Referral services beyond the lifecycle table: shares, providers outside the portal, double submits, races,
expiry, and what the recipient sees of the person."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from cases.models import CaseShare, Consent
from cases.services import consent_revoke
from portal.models import AuditEvent
from referrals import selectors, services
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services import ReferralConflict, referral_send
from tests.cases.fixtures import VICTIM_NAME, VICTIM_PHONE
from tests.factories import given_consent, sent_join_request, sent_referral

pytestmark = pytest.mark.django_db


def test_accepting_an_interagency_referral_shares_the_case_as_asked(interagency_referral, advocate, le_case, ngo):
    services.referral_accept(referral=interagency_referral, actor=advocate)

    share = CaseShare.objects.get(case=le_case, agency=ngo)
    assert (share.level, share.status) == (CaseShare.Level.PERSONAL, CaseShare.Status.ACTIVE)  # a supervisor asked


def test_a_caseworkers_interagency_referral_makes_a_share_that_waits_for_a_supervisor(
    le_case, ngo, investigator, advocate
):
    referral = sent_join_request(le_case, ngo, by=investigator)
    services.referral_accept(referral=referral, actor=advocate)
    assert CaseShare.objects.get(case=le_case, agency=ngo).status == CaseShare.Status.REQUESTED


def test_only_the_lead_agency_asks_another_agency_to_join(le_case, partner_investigator, ngo):
    with pytest.raises((Http404, PermissionDenied)):
        sent_join_request(le_case, ngo, by=partner_investigator)
    assert not Referral.objects.exists()


def test_a_provider_outside_the_portal_gets_a_deidentified_notice_and_the_sender_records_its_answers(
    le_case, le_victim, shelter_need, offline_clinic, investigator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(
            le_case,
            le_victim,
            offline_clinic,
            by=investigator,
            needs=[shelter_need],
            urgency=Referral.Urgency.URGENT,
            delivery=Referral.Delivery.EMAIL,
        )
    notice = next(message for message in mail.outbox if message.to == ["frontdesk@opendoor.example"])
    assert "Emergency shelter" in notice.body
    assert investigator.email in notice.body
    for secret in [*VICTIM_NAME.split(), VICTIM_PHONE]:
        assert secret not in notice.body
        assert secret not in notice.subject

    services.referral_accept(referral=referral, actor=investigator)
    services.referral_complete(referral=referral, actor=investigator, outcome=Referral.Outcome.SERVICE_DELIVERED)

    assert ReferralEvent.objects.filter(referral=referral, on_behalf_of_recipient=True).count() == 2
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Referral.Status.COMPLETED, Referral.Outcome.SERVICE_DELIVERED)


def test_a_provider_outside_the_portal_needs_an_email_notice_or_a_recorded_call(
    le_case, le_victim, offline_clinic, investigator
):
    with pytest.raises(ValidationError) as raised:
        sent_referral(le_case, le_victim, offline_clinic, by=investigator, urgency=Referral.Urgency.URGENT)
    assert "not in the portal" in str(raised.value)
    phoned = sent_referral(
        le_case,
        le_victim,
        offline_clinic,
        by=investigator,
        urgency=Referral.Urgency.URGENT,
        delivery=Referral.Delivery.PHONE,
    )
    assert phoned.delivery == Referral.Delivery.PHONE
    assert mail.outbox == []


def test_a_double_submitted_form_makes_one_referral(le_case, le_victim, shelter_service, investigator):
    import uuid

    key = uuid.uuid4()
    arguments = {
        "kind": Referral.Kind.SERVICE,
        "case": le_case,
        "actor": investigator,
        "urgency": Referral.Urgency.ROUTINE,
        "recipient_service": shelter_service,
        "person": le_victim,
        "submission_key": key,
    }
    first, second = referral_send(**arguments), referral_send(**arguments)
    assert first.pk == second.pk
    assert Referral.objects.count() == 1


def test_another_person_posting_the_same_key_sends_a_referral_of_their_own(
    le_case, investigator, colleague, shelter_service, le_victim
):
    """The key is bound to who posts it: a copy of someone else's form is a new referral, never theirs (and never a
    clash of the unique key)."""
    import uuid

    key = uuid.uuid4()
    arguments = {
        "kind": Referral.Kind.SERVICE,
        "case": le_case,
        "urgency": Referral.Urgency.ROUTINE,
        "recipient_service": shelter_service,
        "person": le_victim,
        "submission_key": key,
    }
    mine, theirs = referral_send(actor=investigator, **arguments), referral_send(actor=colleague, **arguments)
    assert mine.pk != theirs.pk
    assert (mine.sender, theirs.sender) == (investigator, colleague)


def test_a_step_in_the_wrong_state_says_who_moved_it_and_when(service_referral, provider_staff, advocate):
    services.referral_accept(referral=service_referral, actor=provider_staff)
    with pytest.raises(ReferralConflict) as raised:
        services.referral_accept(referral=service_referral, actor=advocate)
    assert "already accepted by Paul Provider (Safe Harbor Shelter) at" in str(raised.value)


def test_reasons_and_outcomes_are_required_where_the_lifecycle_says(service_referral, provider_staff):
    with pytest.raises(ValidationError):
        services.referral_reject(referral=service_referral, actor=provider_staff, reason=" ")
    services.referral_accept(referral=service_referral, actor=provider_staff)
    with pytest.raises(ValidationError):
        services.referral_complete(referral=service_referral, actor=provider_staff, outcome="great")
    service_referral.refresh_from_db()
    assert service_referral.status == Referral.Status.ACCEPTED


def test_the_first_opening_by_the_recipient_marks_it_received_once(service_referral, provider_staff, advocate):
    services.referral_receive(referral=service_referral, actor=provider_staff)
    services.referral_receive(referral=service_referral, actor=advocate)
    assert ReferralEvent.objects.filter(referral=service_referral, verb="receive").count() == 1


# Expiry --------------------------------------------------------------------------------------------------------


def test_unanswered_referrals_expire_and_the_sender_and_coordinators_are_told(
    service_referral, investigator, coordinator, django_capture_on_commit_callbacks
):
    assert services.referrals_expire() == []
    with (
        time_machine.travel(service_referral.respond_by + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        expired = services.referrals_expire()
    assert expired == [service_referral.pk]
    service_referral.refresh_from_db()
    assert (service_referral.status, service_referral.cancel_reason) == ("cancelled", "expired")
    told = set(Notification.objects.filter(verb="expire").values_list("user__email", flat=True))
    assert {investigator.email, coordinator.email} <= told
    assert {m.to[0] for m in mail.outbox} >= {investigator.email, coordinator.email}
    assert AuditEvent.objects.filter(action="referrals.referral.expired", actor=None).count() == 1


def test_an_expired_referral_is_rerouted_by_the_coordinator(service_referral, coordinator, offline_clinic):
    with time_machine.travel(service_referral.respond_by + timedelta(minutes=1), tick=False):
        services.referrals_expire()
    new = services.referral_reroute(
        referral=service_referral,
        actor=coordinator,
        reason="The shelter did not answer.",
        recipient_service=offline_clinic,
        delivery=Referral.Delivery.PHONE,
    )
    assert new.rerouted_from_id == service_referral.pk
    assert new.status == Referral.Status.REQUESTED
    assert new.respond_by > timezone.now()
    with pytest.raises(ValidationError):
        services.referral_reroute(
            referral=service_referral, actor=coordinator, reason="Again", recipient_service=offline_clinic
        )


# What the recipient sees of the person --------------------------------------------------------------------------


def _client_referral(ngo_case, ngo_client, advocate, ngo, other_provider):
    """The shelter refers its own client to another provider's service in the portal."""
    from tests.services_directory.factories import listed_service

    service = listed_service(name="Legal clinic", categories=("legal_immigration",), agency=other_provider)
    return sent_referral(ngo_case, ngo_client, service, by=advocate)


def test_the_recipient_sees_exactly_what_a_consent_releases_and_nothing_after_it_ends(
    ngo_case, ngo_client, advocate, ngo, legal_aid, legal_aid_staff
):
    referral = _client_referral(ngo_case, ngo_client, advocate, ngo, legal_aid)

    packet = selectors.packet_for(legal_aid_staff, referral)
    assert packet.released == frozenset()  # de-identified, and still sent
    assert packet.person.given_name is not ngo_client.given_name

    consent = given_consent(ngo_client, legal_aid, by=advocate)
    packet = selectors.packet_for(legal_aid_staff, referral)
    assert packet.released == {Consent.Category.IDENTITY}
    assert packet.person.given_name == ngo_client.given_name
    assert packet.person.phone is not ngo_client.phone  # contact details were not released

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert selectors.packet_for(legal_aid_staff, referral).released == frozenset()

    consent_revoke(consent=consent, actor=advocate)
    assert selectors.packet_for(legal_aid_staff, referral).released == frozenset()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REQUESTED  # revoking cancels nothing by itself


# Concurrency ---------------------------------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.parametrize("run", range(10))
def test_people_accepting_at_the_same_moment_give_one_acceptance(transactional_db, request, run):
    """Recipients accept one interagency referral from four threads at once: one wins, the others are told who did,
    and there is one acceptance event and one share."""
    from agencies.models import Role
    from tests.factories import UserFactory

    referral = request.getfixturevalue("interagency_referral")
    ngo = request.getfixturevalue("ngo")
    people = [UserFactory(email=f"advocate{n}@safeharbor.example", agency=ngo, role=Role.CASEWORKER) for n in range(4)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def accept(person) -> None:
        try:
            barrier.wait()
            services.referral_accept(referral=referral, actor=person)
            outcomes.append("accepted")
        except ReferralConflict as conflict:
            outcomes.append(str(conflict))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("accepted") == 1, outcomes
    assert all("already accepted by" in outcome for outcome in outcomes if outcome != "accepted")
    assert ReferralEvent.objects.filter(referral=referral, verb="accept").count() == 1
    assert CaseShare.objects.filter(case=referral.case, agency=ngo).count() == 1
    assert AuditEvent.objects.filter(action="referrals.referral.accepted").count() == 1


def test_notifications_are_emailed_in_each_readers_language_without_personal_details(
    le_case, le_victim, shelter_need, shelter_service, investigator, provider_staff, django_capture_on_commit_callbacks
):
    provider_staff.preferred_language = "es"
    provider_staff.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(
            le_case, le_victim, shelter_service, by=investigator, needs=[shelter_need], urgency=Referral.Urgency.URGENT
        )
    spanish = next(message for message in mail.outbox if message.to == [provider_staff.email])
    assert spanish.subject == f"Remisión n.º {referral.pk}: enviada"
    assert "Hola, Paul Provider:" in spanish.body
    assert "Estado actual: Enviada" in spanish.body
    assert f"/referrals/{referral.pk}/" in spanish.body
    for secret in [*VICTIM_NAME.split(), VICTIM_PHONE]:
        assert secret not in spanish.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=referral, actor=provider_staff)
    english = next(message for message in mail.outbox if message.to == [investigator.email])
    assert english.subject == f"Referral #{referral.pk}: accepted"
    assert "By: Safe Harbor Shelter" in english.body
    assert Notification.objects.get(user=investigator, verb="accept").emailed_at is not None


# Found by review ------------------------------------------------------------------------------------------------


def test_provider_staff_do_not_commit_their_agency_to_join_a_case(interagency_referral, provider_staff):
    with pytest.raises(Http404):
        services.referral_accept(referral=interagency_referral, actor=provider_staff)


def test_a_coordinator_of_another_task_force_neither_sees_nor_hears_of_it(service_referral, lead_agency):
    from agencies.models import Agency, Role
    from tests.factories import AgencyFactory, TaskForceFactory, UserFactory

    office = AgencyFactory(name="Other Coordination", short_name="OC", kind=Agency.Kind.COORDINATION)
    TaskForceFactory(name="Another Task Force", member_agencies=[lead_agency, office])
    stranger = UserFactory(email="coord@other.example", agency=office, role=Role.COORDINATOR)

    assert selectors.sides_of(stranger, service_referral) == frozenset()
    assert not selectors.referral_list_visible_to(stranger).exists()
    with time_machine.travel(service_referral.respond_by + timedelta(minutes=1), tick=False):
        services.referrals_expire()
    assert not Notification.objects.filter(user=stranger).exists()


def test_the_sender_loses_the_referral_with_the_case(
    le_case, le_victim, partner_agency, partner_investigator, supervisor, shelter_service
):
    """A partner collaborating on the case refers the victim; once the lead ends the share, the partner's side of
    the referral ends with it (the case's rules decide, not the referral)."""
    from cases.services import case_share_grant, case_share_revoke

    share = case_share_grant(
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint work", actor=supervisor
    )
    referral = sent_referral(le_case, le_victim, shelter_service, by=partner_investigator)
    assert selectors.SENDER in selectors.sides_of(partner_investigator, referral)

    case_share_revoke(share=share, actor=supervisor, reason="No longer involved")

    assert selectors.sides_of(partner_investigator, referral) == frozenset()
    with pytest.raises(Http404):
        services.referral_cancel(referral=referral, actor=partner_investigator, reason="Mine")


def test_asking_a_shelter_to_join_at_a_law_enforcement_level_is_refused_at_sending(le_case, ngo, supervisor):
    with pytest.raises(ValidationError) as raised:
        sent_join_request(le_case, ngo, CaseShare.Level.COLLABORATE, by=supervisor)
    assert "only with law enforcement" in str(raised.value)


def test_an_acceptance_the_sender_can_no_longer_share_is_refused_with_a_message(
    le_case, ngo, investigator, supervisor, advocate
):
    referral = sent_join_request(le_case, ngo, by=investigator)
    investigator.is_active = False
    investigator.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as raised:
        services.referral_accept(referral=referral, actor=advocate)
    assert "can no longer share this case" in str(raised.value)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REQUESTED


def test_a_coordinators_reroute_is_recorded_as_the_coordinators(service_referral, coordinator, offline_clinic):
    new = services.referral_reroute(
        referral=service_referral,
        actor=coordinator,
        reason="No answer.",
        recipient_service=offline_clinic,
        delivery=Referral.Delivery.PHONE,
    )
    sent = new.events.get(verb="send")
    assert (sent.actor, new.sender) == (coordinator, service_referral.sender)
    assert AuditEvent.objects.filter(
        action="referrals.referral.sent", object_id=str(new.pk), actor=coordinator
    ).exists()
