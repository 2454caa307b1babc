"""The demo referrals (referrals/demo.py): every status (the draft is a coordinator's proposal), both kinds,
providers in and outside the portal, deadlines passed, an expired referral re-routed, a case shared by an accepted
referral, packets with and without the person's identity, and a second seed that adds nothing."""

import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.utils import timezone

from agencies import demo as agencies_demo
from agencies.models import User
from cases import demo as cases_demo
from cases import selectors as case_selectors
from cases.models import CaseShare, Consent, ServiceEvent
from portal.management.commands.seed_demo import DEMO_SEED
from referrals import demo
from referrals.models import Referral, ReferralEvent, ReferralMessage
from referrals.selectors import COORDINATE, RECIPIENT, packet_for, sides_of
from referrals.steps import STEPS
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests

pytestmark = pytest.mark.django_db

ANSWERS = [step.verb for step in STEPS.values() if step.answer]  # recorded "on behalf" off the portal

OFF_PORTAL = (Referral.Delivery.EMAIL, Referral.Delivery.PHONE)


def _seed() -> str:
    """The seeds ``seed_demo`` runs before the referrals' and then it, in its order and with its generator."""
    out, rng = StringIO(), random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, demo):
        module.seed(rng=rng, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo up to its referrals, seeded once for the module's tests (each test's changes are undone after it);
    the seeds' output."""
    yield from kept_for_the_tests(django_db_blocker, _seed)


def _someone_answering(referral: Referral) -> User:
    people = User.objects.filter(_membership__agency=referral.recipient_agency).order_by("pk")
    return next(user for user in people if RECIPIENT in sides_of(user, referral))


def test_the_demo_has_about_twenty_referrals_of_both_kinds_in_every_status(seeded):
    output = seeded
    count = Referral.objects.count()
    assert 18 <= count <= 25
    assert f"Demo: {count} referrals" in output
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(Referral.Status.values)
    proposal = Referral.objects.get(status=Referral.Status.DRAFT)
    assert proposal.is_proposal
    assert proposal.kind == Referral.Kind.INTERAGENCY
    assert set(Referral.objects.values_list("kind", flat=True)) == set(Referral.Kind.values)
    cancelled = set(Referral.objects.filter(status=Referral.Status.CANCELLED).values_list("cancel_reason", flat=True))
    assert {
        Referral.CancelReason.WITHDRAWN,
        Referral.CancelReason.CONSENT_REVOKED,
        Referral.CancelReason.EXPIRED,
    } <= cancelled
    for status in (Referral.Status.REJECTED, Referral.Status.ON_HOLD, Referral.Status.FAILED):
        assert not Referral.objects.filter(status=status, status_reason="").exists(), status
    finished = Referral.objects.filter(status__in=[Referral.Status.COMPLETED, Referral.Status.FAILED])
    assert not finished.filter(outcome="").exists()


def test_service_referrals_come_from_law_enforcements_and_the_ngos_cases_and_senders_may_work_the_case(seeded):
    lead_kinds = set(
        Referral.objects.filter(kind=Referral.Kind.SERVICE).values_list("case__lead_agency__short_name", flat=True)
    )
    assert {"Safe Harbor", "Bridges"} <= lead_kinds
    assert lead_kinds & {"FBI Bayport", "HSI Bayport", "BPD", "MCSO", "GSP"}
    for referral in Referral.objects.select_related("case", "sender"):
        permissions = case_selectors.case_permissions(referral.sender, referral.case)
        needed = case_selectors.MANAGE if referral.kind == Referral.Kind.INTERAGENCY else case_selectors.CHANGE
        assert needed in permissions, referral
    interagency = Referral.objects.filter(kind=Referral.Kind.INTERAGENCY).select_related("sender")
    assert all(referral.sender.has_perm("cases.decide_case") for referral in interagency)  # supervisors ask


def test_some_wait_past_their_deadline_some_expired_and_an_expired_one_was_rerouted_by_the_coordinator(seeded):
    now = timezone.now()
    assert Referral.objects.filter(status__in=Referral.AWAITING_ANSWER, respond_by__lt=now).exists()
    assert Referral.objects.filter(status__in=Referral.AWAITING_ANSWER, respond_by__gt=now).exists()
    expired = Referral.objects.filter(status=Referral.Status.CANCELLED, cancel_reason=Referral.CancelReason.EXPIRED)
    assert expired.filter(reroutes__isnull=True).exists()  # still on the coordinators' board, to re-route
    rerouted = Referral.objects.get(rerouted_from__in=expired, kind=Referral.Kind.SERVICE)
    assert rerouted.rerouted_from.events.filter(verb="expire", actor__isnull=True).exists()
    reroute = rerouted.rerouted_from.events.get(verb="reroute")
    assert reroute.actor.has_perm(COORDINATE)
    assert rerouted.sender == rerouted.rerouted_from.sender
    assert rerouted.recipient_service != rerouted.rerouted_from.recipient_service


def test_providers_outside_the_portal_have_their_answers_recorded_by_the_sender(seeded):
    outside = Referral.objects.filter(kind=Referral.Kind.SERVICE, delivery__in=OFF_PORTAL)
    assert outside.count() >= 2
    assert not outside.filter(recipient_agency__isnull=False).exists()
    answers = ReferralEvent.objects.filter(referral__in=outside, verb__in=ANSWERS).select_related("referral")
    assert answers.exists()
    for event in answers:
        assert event.on_behalf_of_recipient
        assert event.actor_id == event.referral.sender_id
    in_portal = Referral.objects.filter(delivery=Referral.Delivery.PORTAL)
    assert in_portal.filter(kind=Referral.Kind.SERVICE, recipient_agency__isnull=False).exists()
    assert not ReferralEvent.objects.filter(referral__in=in_portal, on_behalf_of_recipient=True).exists()


def test_an_accepted_interagency_referral_shared_the_case_and_another_is_still_waiting(seeded):
    interagency = Referral.objects.filter(kind=Referral.Kind.INTERAGENCY)
    accepted = interagency.filter(status=Referral.Status.ACCEPTED)
    assert accepted.exists()
    for referral in accepted:
        share = CaseShare.objects.get(
            case=referral.case, agency=referral.recipient_agency, status=CaseShare.Status.ACTIVE
        )
        assert share.level == referral.share_level
        assert share.granted_by == referral.sender
    assert interagency.filter(status__in=Referral.AWAITING_ANSWER).exists()


def test_the_recipient_sees_the_persons_identity_only_where_an_active_consent_releases_it(seeded):
    shown = []
    referrals = Referral.objects.filter(kind=Referral.Kind.SERVICE, delivery=Referral.Delivery.PORTAL)
    for referral in referrals.select_related("person", "recipient_agency"):
        packet = packet_for(_someone_answering(referral), referral)
        consents = Consent.objects.filter(person=referral.person, recipient_agency=referral.recipient_agency)
        active = any(consent.is_active_on(timezone.localdate()) for consent in consents)
        assert (Consent.Category.IDENTITY in packet.released) is active
        if active:
            assert packet.person.given_name == referral.person.given_name
        else:
            assert packet.released == frozenset()
            assert packet.person.given_name is case_selectors.WITHHELD
        shown.append(active)
    assert True in shown
    assert False in shown
    revoked = Referral.objects.get(cancel_reason=Referral.CancelReason.CONSENT_REVOKED)
    assert Consent.objects.filter(
        person=revoked.person, recipient_agency=revoked.recipient_agency, revoked_at__isnull=False
    ).exists()


def test_every_referral_has_a_timeline_that_begins_with_its_sending_and_some_have_messages(seeded):
    for referral in Referral.objects.all():
        events = list(referral.events.all())
        assert events[0].verb == ("propose" if referral.is_proposal else "send"), referral
        if referral.is_proposal:  # a coordinator's re-route of an interagency referral, for the lead to send
            assert events[0].actor == referral.proposed_by == referral.rerouted_from.events.get(verb="reroute").actor
        elif referral.rerouted_from is None:
            assert events[0].actor_id == referral.sender_id
        else:  # sent again, on the sender's behalf, by whoever re-routed it
            assert events[0].actor == referral.rerouted_from.events.get(verb="reroute").actor
        assert [event.to_status for event in events if event.to_status][-1] == referral.status
    messages = ReferralMessage.objects.all()
    assert messages.count() >= 4
    authors = set(messages.values_list("author_agency_id", flat=True))
    senders = set(Referral.objects.filter(messages__isnull=False).values_list("sender_agency_id", flat=True))
    assert authors - senders  # the recipients write too


def test_seeding_the_referrals_again_adds_nothing(seeded):
    models = (Referral, ReferralEvent, ReferralMessage, Consent, CaseShare, ServiceEvent)
    counts = [model.objects.count() for model in models]
    output = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=output)
    assert output.getvalue() == "Demo referrals are already there: nothing added."
    assert [model.objects.count() for model in models] == counts


def test_completed_service_referrals_recorded_the_services_they_delivered(seeded):
    delivered = Referral.objects.filter(
        kind=Referral.Kind.SERVICE, status=Referral.Status.COMPLETED, outcome=Referral.Outcome.SERVICE_DELIVERED
    ).prefetch_related("needs")
    assert delivered.exists()
    for referral in delivered:
        recorded = set(ServiceEvent.objects.filter(referral_id=referral.pk).values_list("category", flat=True))
        assert recorded >= {need.category for need in referral.needs.all()}
    others = Referral.objects.exclude(outcome=Referral.Outcome.SERVICE_DELIVERED).values("pk")
    assert not ServiceEvent.objects.filter(referral_id__in=others).exists()
