"""What a person is told and shown of a referral follows what they may see now (issue 11, points 6 and 10): a
partner whose share is revoked loses its outbox rows, notices and e-mails; a coordinator sees what routing needs
and nothing of the conversation or the person."""

import pytest
from django.core import mail

from cases.models import CaseShare, Need
from cases.services import case_share_grant, case_share_revoke, need_add
from referrals import selectors, services
from referrals.models import Notification, Referral, ReferralMessage
from referrals.tasks import email_notifications
from tests.factories import sent_referral

pytestmark = pytest.mark.django_db

SAFETY = "SAFETY-SENTINEL do not call the old phone"
REQUEST = "REQUEST-SENTINEL she asked for a female advocate"
MESSAGE = "THREAD-SENTINEL she moved to her cousin"
DETAILS = "DETAILS-SENTINEL needs a ground-floor room"
REASON = "REASON-SENTINEL waiting for a bed"


@pytest.fixture
def partner_referral(le_case, le_victim, shelter_service, supervisor, partner_investigator, partner_agency):
    """The partner police department collaborates on the case and refers the victim to the shelter."""
    case_share_grant(
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint", actor=supervisor
    )
    need = need_add(
        case=le_case,
        person=le_victim,
        category=Need.Category.EMERGENCY_SHELTER,
        urgency=Need.Urgency.URGENT,
        actor=partner_investigator,
    )
    return sent_referral(
        le_case, le_victim, shelter_service, by=partner_investigator, needs=[need], urgency=Referral.Urgency.URGENT
    )


def _revoke_partner(le_case, partner_agency, supervisor):
    share = CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=supervisor, reason="No longer involved")


# Point 6 ----------------------------------------------------------------------------------------------------------


def test_a_partner_whose_share_is_revoked_no_longer_lists_its_referral(
    partner_referral, le_case, partner_agency, supervisor, partner_investigator, client_as
):
    assert selectors.referral_list_visible_to(partner_investigator).filter(pk=partner_referral.pk).exists()

    _revoke_partner(le_case, partner_agency, supervisor)

    assert not selectors.referral_list_visible_to(partner_investigator).filter(pk=partner_referral.pk).exists()
    outbox = client_as(partner_investigator).get("/referrals/sent/")
    assert f"#{partner_referral.pk}<" not in outbox.content.decode()
    assert client_as(partner_investigator).get(f"/referrals/{partner_referral.pk}/").status_code == 404


def test_a_partner_whose_share_is_revoked_is_told_nothing_more(
    partner_referral,
    le_case,
    partner_agency,
    supervisor,
    partner_investigator,
    provider_staff,
    django_capture_on_commit_callbacks,
):
    _revoke_partner(le_case, partner_agency, supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=partner_referral, actor=provider_staff)
        services.referral_start(referral=partner_referral, actor=provider_staff)

    assert not Notification.objects.filter(user=partner_investigator).exclude(verb="send").exists()
    assert partner_investigator.email not in {message.to[0] for message in mail.outbox}


def test_notices_written_before_a_revocation_are_neither_listed_nor_emailed(
    partner_referral, le_case, partner_agency, supervisor, partner_investigator, provider_staff
):
    services.referral_accept(referral=partner_referral, actor=provider_staff)  # e-mail queued, not yet sent
    notice = Notification.objects.get(user=partner_investigator, verb="accept")
    assert selectors.unread_count(partner_investigator) == 1

    _revoke_partner(le_case, partner_agency, supervisor)
    mail.outbox.clear()
    email_notifications.call([notice.pk])

    assert mail.outbox == []
    assert selectors.unread_count(partner_investigator) == 0
    assert list(selectors.notifications_of(partner_investigator)) == []


def test_the_sender_who_still_sees_the_case_is_still_told(
    partner_referral, partner_investigator, provider_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=partner_referral, actor=provider_staff)
    assert Notification.objects.filter(user=partner_investigator, verb="accept").exists()
    assert partner_investigator.email in {message.to[0] for message in mail.outbox}


# Point 10 ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def detailed_referral(le_case, le_victim, shelter_service, investigator, provider_staff):
    need = need_add(
        case=le_case,
        person=le_victim,
        category=Need.Category.EMERGENCY_SHELTER,
        urgency=Need.Urgency.URGENT,
        details=DETAILS,
        actor=investigator,
    )
    referral = sent_referral(
        le_case,
        le_victim,
        shelter_service,
        by=investigator,
        needs=[need],
        urgency=Referral.Urgency.URGENT,
        request_note=REQUEST,
        safety_notes=SAFETY,
    )
    services.referral_message_add(referral=referral, actor=investigator, body=MESSAGE)
    services.referral_accept(referral=referral, actor=provider_staff)
    services.referral_start(referral=referral, actor=provider_staff)
    return services.referral_hold(referral=referral, actor=provider_staff, reason=REASON)


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("investigator", {SAFETY, REQUEST, MESSAGE, DETAILS, REASON}),
        ("provider_staff", {SAFETY, REQUEST, MESSAGE, REASON}),  # need details only through a narrative consent
        ("coordinator", set()),
    ],
)
def test_what_each_side_reads_on_a_referral(client_as, detailed_referral, who, shown, request):
    page = client_as(request.getfixturevalue(who)).get(f"/referrals/{detailed_referral.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert {s for s in (SAFETY, REQUEST, MESSAGE, DETAILS, REASON) if s in text} == shown
    # Routing needs these, and every side has them.
    assert "Emergency shelter" in text
    assert "Urgent" in text
    assert "es" in text


def test_a_coordinator_is_offered_no_message_form_and_cannot_post_one(client_as, detailed_referral, coordinator):
    client = client_as(coordinator)
    assert 'name="body"' not in client.get(f"/referrals/{detailed_referral.pk}/").content.decode()

    client.post(f"/referrals/{detailed_referral.pk}/messages/", {"body": "Any news?"})

    assert not ReferralMessage.objects.filter(author=coordinator).exists()


def test_the_coordinators_packet_holds_no_detail_of_the_person_or_the_needs(detailed_referral, coordinator):
    packet = selectors.packet_for(coordinator, detailed_referral)
    assert packet.released == frozenset()
    assert all(details == "" for _need, details in packet.needs)
    assert not packet.person.shows_pii
    assert packet.person.languages == ["es"]


def test_the_navigation_counts_unread_notices_up_to_99_then_says_99_plus(
    partner_referral, partner_investigator, monkeypatch
):
    from referrals import navigation

    monkeypatch.setattr(selectors, "UNREAD_COUNTED", 2)  # the bound, small enough to reach here
    for verb in ("send", "accept", "start"):
        Notification.objects.create(user=partner_investigator, referral=partner_referral, verb=verb)
    assert selectors.unread_count(partner_investigator) == 3  # one past the bound: "more than"
    [entry, *_] = navigation.items(partner_investigator)
    assert str(entry.label) == "Referrals (2+ new)"
    Notification.objects.filter(user=partner_investigator, verb="start").delete()
    [entry, *_] = navigation.items(partner_investigator)
    assert str(entry.label) == "Referrals (2 new)"
