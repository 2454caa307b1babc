"""Referral pages: who reaches which (a table), what the steps' forms do, the thread, and refusals that change
nothing."""

import pytest
from django.urls import reverse

from referrals.models import Notification, Referral, ReferralMessage
from tests.cases.fixtures import VICTIM_NAME, VICTIM_PHONE
from tests.factories import given_consent, sent_referral

pytestmark = pytest.mark.django_db

# who: sender (investigator), sender's colleague, recipient agency staff (provider_staff, advocate), another
# provider's staff (legal_aid_staff), another agency of the task force (partner_investigator), the coordinator,
# the coordination office's auditor, an outsider.
PAGE_TABLE = [
    ("investigator", "detail", 200),
    ("colleague", "detail", 200),
    ("provider_staff", "detail", 200),
    ("advocate", "detail", 200),
    ("partner_investigator", "detail", 404),
    ("legal_aid_staff", "detail", 404),  # another provider's staff
    ("coordinator", "detail", 200),
    ("outsider", "detail", 404),
    ("auditor", "detail", 404),
    ("investigator", "inbox", 200),
    ("legal_aid_staff", "inbox", 200),
    ("provider_staff", "inbox", 200),
    ("coordinator", "inbox", 404),
    ("auditor", "inbox", 404),
    ("investigator", "outbox", 200),
    ("provider_staff", "outbox", 404),
    ("coordinator", "board", 200),
    ("investigator", "board", 404),
    ("provider_staff", "board", 404),
    ("outsider", "board", 404),
]


def _url(page: str, referral: Referral) -> str:
    return {
        "detail": reverse("referral_detail", args=[referral.pk]),
        "inbox": reverse("referral_inbox"),
        "outbox": reverse("referral_outbox"),
        "board": reverse("referral_board"),
    }[page]


@pytest.mark.parametrize(("who", "page", "status"), PAGE_TABLE)
def test_who_reaches_which_referral_page(client_as, request, service_referral, who, page, status):
    response = client_as(request.getfixturevalue(who)).get(_url(page, service_referral))
    assert response.status_code == status


ACTION_TABLE = [
    ("provider_staff", "accept", {}, "accepted"),
    ("advocate", "accept", {}, "accepted"),
    ("investigator", "accept", {}, "requested"),  # the sender does not answer for a provider in the portal
    ("colleague", "accept", {}, "requested"),
    ("coordinator", "accept", {}, "requested"),
    ("provider_staff", "reject", {"reason": "No bed tonight."}, "rejected"),
    ("provider_staff", "reject", {"reason": ""}, "received"),  # a reason is required; opening it marked it received
    ("investigator", "cancel", {"reason": "Found family.", "cancel_reason": "withdrawn"}, "cancelled"),
    ("colleague", "cancel", {"reason": "Found family.", "cancel_reason": "withdrawn"}, "cancelled"),
    ("coordinator", "cancel", {"reason": "Duplicate.", "cancel_reason": "withdrawn"}, "cancelled"),
    ("provider_staff", "cancel", {"reason": "No.", "cancel_reason": "withdrawn"}, "received"),
    ("investigator", "entered-in-error", {"reason": "Wrong person."}, "entered-in-error"),
]


@pytest.mark.parametrize(("who", "verb", "data", "expected"), ACTION_TABLE)
def test_steps_are_forms_that_change_only_what_they_may(
    client_as, request, service_referral, who, verb, data, expected
):
    client = client_as(request.getfixturevalue(who))
    client.get(reverse("referral_detail", args=[service_referral.pk]))  # opened first, as a person would
    response = client.post(reverse("referral_step", args=[service_referral.pk, verb]), data)
    assert response.status_code == 302
    service_referral.refresh_from_db()
    assert service_referral.status == expected


@pytest.mark.parametrize("who", ["outsider", "partner_investigator", "auditor", "legal_aid_staff"])
def test_outsiders_get_404_for_every_step(client_as, request, service_referral, who):
    client = client_as(request.getfixturevalue(who))
    for verb in ["accept", "reject", "cancel", "entered-in-error", "complete"]:
        assert client.post(reverse("referral_step", args=[service_referral.pk, verb])).status_code == 404
    assert client.post(reverse("referral_message", args=[service_referral.pk]), {"body": "hi"}).status_code == 404
    service_referral.refresh_from_db()
    assert service_referral.status == "requested"


def test_the_recipient_opening_it_marks_it_received_and_reads_its_notices(client_as, provider_staff, service_referral):
    assert Notification.objects.filter(user=provider_staff, read_at__isnull=True).count() == 1
    client_as(provider_staff).get(reverse("referral_detail", args=[service_referral.pk]))
    service_referral.refresh_from_db()
    assert service_referral.status == "received"
    assert Notification.objects.filter(user=provider_staff, read_at__isnull=True).count() == 0


def test_the_recipient_sees_the_packet_without_pii_the_sender_sees_the_case(
    client_as, provider_staff, investigator, service_referral
):
    page = client_as(provider_staff).get(reverse("referral_detail", args=[service_referral.pk])).content.decode()
    assert "Do not call the victim&#x27;s old phone" in page  # the safety notes the sender wrote
    assert "Emergency shelter" in page
    assert "this referral is de-identified" in page
    for secret in [*VICTIM_NAME.split(), VICTIM_PHONE]:
        assert secret not in page
    sender_page = client_as(investigator).get(reverse("referral_detail", args=[service_referral.pk])).content.decode()
    assert reverse("case_detail", args=[service_referral.case_id]) in sender_page


def test_the_thread_carries_messages_between_the_sides(client_as, provider_staff, investigator, service_referral):
    client_as(provider_staff).post(
        reverse("referral_message", args=[service_referral.pk]), {"body": "Can she arrive after 8 pm?"}
    )
    page = client_as(investigator).get(reverse("referral_detail", args=[service_referral.pk])).content.decode()
    assert "Can she arrive after 8 pm?" in page
    assert ReferralMessage.objects.get().author == provider_staff
    assert Notification.objects.filter(user=investigator, verb="message").exists()


def test_a_conflicting_step_says_who_acted_first(client_as, provider_staff, advocate, service_referral):
    client_as(provider_staff).post(reverse("referral_step", args=[service_referral.pk, "accept"]))
    response = client_as(advocate).post(reverse("referral_step", args=[service_referral.pk, "accept"]), follow=True)
    assert "already accepted by Paul Provider (Safe Harbor Shelter)" in response.content.decode()


def test_referring_from_the_ranked_matches(client_as, investigator, shelter_need, shelter_service):
    client = client_as(investigator)
    matches = client.get(reverse("need_services", args=[shelter_need.pk])).content.decode()
    url = reverse("refer_service", args=[shelter_need.pk, shelter_service.pk])
    assert url in matches
    form = client.get(url)
    key = form.context["form"]["submission_key"].value()
    data = {
        "needs": [shelter_need.pk],
        "urgency": "urgent",
        "safety_notes": "",
        "request_note": "",
        "submission_key": key,
    }

    first = client.post(url, data)
    second = client.post(url, data)  # the same form, submitted twice

    referral = Referral.objects.get()
    assert first["Location"] == second["Location"] == reverse("referral_detail", args=[referral.pk])
    assert (referral.recipient_service, referral.status) == (shelter_service, "requested")


def test_the_lead_asks_an_agency_to_join(client_as, supervisor, le_case, ngo):
    client = client_as(supervisor)
    url = reverse("refer_agency", args=[le_case.pk])
    key = client.get(url).context["form"]["submission_key"].value()
    response = client.post(
        url,
        {
            "recipient_agency": ngo.pk,
            "share_level": "personal",
            "urgency": "routine",
            "request_note": "Advocacy",
            "submission_key": key,
        },
    )
    assert response.status_code == 302
    assert Referral.objects.get().recipient_agency == ngo


@pytest.mark.parametrize("who", ["partner_investigator", "advocate", "outsider"])
def test_only_the_lead_asks_an_agency_to_join(client_as, request, le_case, who):
    response = client_as(request.getfixturevalue(who)).get(reverse("refer_agency", args=[le_case.pk]))
    assert response.status_code in {403, 404}


def test_the_inbox_and_board_cost_the_same_queries_for_few_and_many(
    client_as, provider_staff, coordinator, investigator, le_case, le_victim, shelter_service
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def send(count: int) -> None:
        for _ in range(count):
            sent_referral(le_case, le_victim, shelter_service, by=investigator)

    def queries(client, url) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    inbox, board = client_as(provider_staff), client_as(coordinator)
    send(2)
    few = (queries(inbox, reverse("referral_inbox")), queries(board, reverse("referral_board")))
    send(20)
    many = (queries(inbox, reverse("referral_inbox")), queries(board, reverse("referral_board")))
    assert many == few


def test_the_case_page_lists_its_referrals_for_those_who_work_it(
    client_as, investigator, partner_investigator, service_referral
):
    page = client_as(investigator).get(reverse("case_detail", args=[service_referral.case_id])).content.decode()
    assert reverse("referral_detail", args=[service_referral.pk]) in page
    assert "Harbor House" in page
    summary_only = client_as(partner_investigator).get(reverse("case_detail", args=[service_referral.case_id]))
    assert "Harbor House" not in summary_only.content.decode()  # a summary share does not tell where she is sent


def test_reading_released_pii_in_a_packet_is_an_audit_event(client_as, advocate, ngo_case, ngo_client, investigator):
    """The shelter refers its client to the field office's victim specialist... here: to a service of an agency
    the client released her identity to."""

    from portal.models import AuditEvent
    from tests.services_directory.factories import listed_service

    service = listed_service(name="Victim specialist", agency=investigator.agency)
    given_consent(ngo_client, investigator.agency, by=advocate)
    referral = sent_referral(ngo_case, ngo_client, service, by=advocate)

    page = client_as(investigator).get(reverse("referral_detail", args=[referral.pk])).content.decode()

    assert ngo_client.given_name in page
    event = AuditEvent.objects.get(action="cases.pii.viewed", details__via="referral")
    assert (event.actor, event.details["categories"], event.details["referral_id"]) == (
        investigator,
        ["identity"],
        referral.pk,
    )


def test_referring_to_a_service_closed_meanwhile_says_so(client_as, investigator, shelter_need, shelter_service):
    client = client_as(investigator)
    url = reverse("refer_service", args=[shelter_need.pk, shelter_service.pk])
    key = client.get(url).context["form"]["submission_key"].value()
    shelter_service.status = "inactive"
    shelter_service.save(update_fields=["status"])

    response = client.post(url, {"needs": [shelter_need.pk], "urgency": "urgent", "submission_key": key})

    assert response.status_code == 200
    assert "Choose an active service of the directory." in response.content.decode()
    assert not Referral.objects.exists()


def test_a_witness_need_is_not_referred(client_as, investigator, le_case, shelter_service):
    from cases.models import CaseParticipant
    from cases.services import need_add, person_add_to_case

    witness = person_add_to_case(
        case=le_case, role=CaseParticipant.Role.WITNESS, actor=investigator, given_name="Wes", family_name="Witness"
    )
    need = need_add(case=le_case, person=witness.person, category="emergency_shelter", actor=investigator)
    assert client_as(investigator).get(reverse("refer_service", args=[need.pk, shelter_service.pk])).status_code == 404
