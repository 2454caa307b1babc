"""The steps people take on a referral (issue 14): the page leads with the recipient's next step, the steps that
take a referral back sit apart with labelled reasons, outcomes fit the step, an expired referral says so, a
re-route links both ways, the inbox names the service and need, and "Refer someone" from the directory."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from portal.models import AuditEvent
from referrals import services
from referrals.models import Referral
from tests.factories import sent_referral
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _section(html: str, element_id: str) -> str:
    """The markup of the section whose ``id`` (or ``aria-labelledby``) is ``element_id``, up to its end."""
    start = html.index(element_id)
    return html[start : html.index("</section>", start)]


def _labels(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)]


def test_the_recipient_page_leads_with_accept_and_decline(client_as, provider_staff, service_referral):
    html = _html(client_as(provider_staff).get(reverse("referral_detail", args=[service_referral.pk])))

    next_step = _section(html, 'id="next-step"')
    assert html.index('id="next-step"') < html.index('id="packet-heading"')
    assert "Your next step" in next_step
    assert "Accept or decline it by" in next_step
    assert [re.sub(r"\s+", " ", b).strip() for b in re.findall(r"<button[^>]*>(.*?)</button>", next_step, re.S)] == [
        "Accept",
        "Decline",
    ]
    assert "Why you decline (the sender reads this)" in _labels(next_step)
    assert "Cancel the referral" not in html  # the sender's, not the recipient's


def test_the_sender_sees_withdrawals_apart_each_reason_labelled(client_as, investigator, service_referral):
    html = _html(client_as(investigator).get(reverse("referral_detail", args=[service_referral.pk])))

    assert 'id="next-heading"' not in html  # nothing of the work is the sender's while the provider answers
    assert "Nothing to do now: the recipient answers by" in html
    apart = _section(html, 'aria-labelledby="withdraw-heading"')
    assert "Cancel the referral" in apart
    assert "Mark as entered in error" in apart
    labels = _labels(apart)
    assert "Why you cancel it" in labels
    assert "What was entered in error" in labels
    assert "Cancelled because" in labels
    assert len(labels) == len(set(labels))  # no two boxes called "Reason"


def _accepted(referral, by):
    return services.referral_accept(referral=referral, actor=by)


def test_the_complete_form_offers_only_outcomes_of_completion(client_as, provider_staff, service_referral):
    _accepted(service_referral, provider_staff)
    html = _html(client_as(provider_staff).get(reverse("referral_detail", args=[service_referral.pk])))

    complete = html[html.index('id="id_complete_outcome"') :]
    complete = complete[: complete.index("</select>")]
    assert "Service delivered" in complete
    assert "No capacity" not in complete
    assert "The agency joined the case" not in complete  # a service referral
    fail = html[html.index('id="id_fail_outcome"') :]
    assert "No capacity" in fail[: fail.index("</select>")]


@pytest.mark.parametrize(
    ("verb", "outcome", "allowed"),
    [
        ("complete", Referral.Outcome.SERVICE_DELIVERED, True),
        ("complete", Referral.Outcome.NO_CAPACITY, False),
        ("complete", Referral.Outcome.JOINED_CASE, False),
        ("fail", Referral.Outcome.NO_CAPACITY, True),
        ("fail", Referral.Outcome.SERVICE_DELIVERED, False),
    ],
)
def test_the_service_refuses_an_outcome_that_does_not_fit_the_step(
    provider_staff, service_referral, verb, outcome, allowed
):
    _accepted(service_referral, provider_staff)
    extra = {"reason": "Could not."} if verb == "fail" else {}
    step = services.referral_complete if verb == "complete" else services.referral_fail
    if allowed:
        assert step(referral=service_referral, actor=provider_staff, outcome=outcome, **extra).outcome == outcome
    else:
        with pytest.raises(ValidationError):
            step(referral=service_referral, actor=provider_staff, outcome=outcome, **extra)
        service_referral.refresh_from_db()
        assert service_referral.status == Referral.Status.ACCEPTED


def test_an_expired_referral_shows_as_expired_not_cancelled(client_as, investigator, provider_staff, service_referral):
    Referral.objects.filter(pk=service_referral.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    services.referrals_expire()

    detail = _html(client_as(investigator).get(reverse("referral_detail", args=[service_referral.pk])))
    history = _html(client_as(provider_staff).get(reverse("referral_inbox") + "?show=history"))

    for html in (detail, history):
        assert re.search(r'<span class="usa-tag[^"]*">Expired</span>', html)
        assert ">Cancelled</span>" not in html


def test_a_re_route_and_its_successor_link_to_each_other_with_the_reason(
    client_as, investigator, provider_staff, legal_aid_staff, service_referral, legal_aid
):
    other = listed_service(name="Legal Harbor", agency=legal_aid)
    new = services.referral_reroute(
        referral=service_referral, actor=investigator, reason="No answer from the shelter.", recipient_service=other
    )
    client = client_as(investigator)

    old_page = _html(client.get(reverse("referral_detail", args=[service_referral.pk])))
    new_page = _html(client.get(reverse("referral_detail", args=[new.pk])))

    assert f'href="{reverse("referral_detail", args=[new.pk])}"' in old_page
    assert "No answer from the shelter." in old_page
    assert f'href="{reverse("referral_detail", args=[service_referral.pk])}"' in new_page
    assert "Re-routed from" in new_page
    assert "No answer from the shelter." in new_page
    # Each recipient sees its own referral only: neither learns of the other provider.
    assert 'id="rerouted-to"' not in _html(
        client_as(provider_staff).get(reverse("referral_detail", args=[service_referral.pk]))
    )
    assert 'id="rerouted-from"' not in _html(client_as(legal_aid_staff).get(reverse("referral_detail", args=[new.pk])))


def test_the_inbox_names_the_service_and_the_need(client_as, provider_staff, service_referral, shelter_service):
    html = _html(client_as(provider_staff).get(reverse("referral_inbox")))

    assert "Service and need" in html
    assert shelter_service.name in html
    assert "Emergency shelter" in html


def test_the_inbox_costs_the_same_queries_with_needs_on_every_row(
    client_as, provider_staff, le_case, le_victim, shelter_need, shelter_service, investigator
):
    client = client_as(provider_staff)

    def count() -> int:
        client.get(reverse("referral_inbox"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("referral_inbox"))
        return len(captured)

    sent_referral(le_case, le_victim, shelter_service, by=investigator, needs=[shelter_need])
    few = count()
    for _ in range(6):
        sent_referral(le_case, le_victim, shelter_service, by=investigator, needs=[shelter_need])
    assert count() == few


def test_the_outbox_offers_no_draft_filter_without_a_proposal(client_as, investigator, service_referral):
    choices = client_as(investigator).get(reverse("referral_outbox")).context["filter"].form.fields["status"].choices
    values = {value for value, _label in choices}
    assert Referral.Status.DRAFT not in values
    assert Referral.Status.REQUESTED in values


# "Refer someone" from the directory: who may, and which cases they are offered.

REFER_TABLE = [
    ("investigator", 200),  # works the case and sends referrals
    ("colleague", 200),
    ("supervisor", 200),
    ("advocate", 200),
    ("provider_staff", 404),  # answers referrals, does not send them
    ("coordinator", 404),
    ("auditor", 404),
    ("outsider", 200),  # may refer from their own cases (none here)
]


@pytest.mark.parametrize(("who", "status"), REFER_TABLE)
def test_who_may_refer_someone_from_the_directory(client_as, request, shelter_service, le_case, who, status):
    response = client_as(request.getfixturevalue(who)).get(reverse("refer_choose", args=[shelter_service.pk]))
    assert response.status_code == status


def test_refer_someone_offers_only_cases_one_may_refer_from(
    client_as, investigator, outsider, partner_investigator, shelter_service, le_case
):
    def offered(user) -> list[int]:
        return [
            case.pk for case in client_as(user).get(reverse("refer_choose", args=[shelter_service.pk])).context["cases"]
        ]

    assert offered(investigator) == [le_case.pk]
    assert offered(outsider) == []
    assert offered(partner_investigator) == []  # sees the case at summary level: does not work it
    response = client_as(outsider).get(reverse("refer_choose", args=[shelter_service.pk]), {"case": le_case.pk})
    assert response.status_code == 404


def test_refer_someone_leads_from_the_case_to_the_person_and_the_refer_form(
    client_as, investigator, shelter_service, le_case, le_victim, shelter_need
):
    client = client_as(investigator)
    response = client.get(reverse("refer_choose", args=[shelter_service.pk]), {"case": le_case.pk})

    people = response.context["people"]
    assert [person.view.pk for person in people] == [le_victim.pk]
    assert people[0].needs == [shelter_need]
    refer_url = reverse("refer_service", args=[shelter_need.pk, shelter_service.pk])
    assert refer_url in _html(response)
    assert client.get(refer_url).status_code == 200
    assert AuditEvent.objects.filter(action="cases.pii.viewed", details__via="refer_choice").exists()


def test_the_directory_and_a_service_page_offer_refer_someone_to_those_who_refer(
    client_as, investigator, provider_staff, shelter_service
):
    url = reverse("refer_choose", args=[shelter_service.pk])
    for page in (reverse("service_detail", args=[shelter_service.pk]), reverse("service_search") + "?q=Harbor"):
        assert url in _html(client_as(investigator).get(page))
        assert url not in _html(client_as(provider_staff).get(page))


def test_a_closed_case_is_not_offered(client_as, investigator, shelter_service, le_case):
    Case.objects.filter(pk=le_case.pk).update(status=Case.Status.CLOSED)
    response = client_as(investigator).get(reverse("refer_choose", args=[shelter_service.pk]))
    assert list(response.context["cases"]) == []


def test_the_outbox_offers_proposals_once_a_coordinator_made_one(
    client_as, supervisor, coordinator, interagency_referral, legal_aid
):
    services.referral_reroute(
        referral=interagency_referral, actor=coordinator, reason="No answer.", recipient_agency=legal_aid
    )

    choices = dict(
        client_as(supervisor).get(reverse("referral_outbox")).context["filter"].form.fields["status"].choices
    )

    assert choices[Referral.Status.DRAFT] == "Proposed by a coordinator"


def test_the_directory_links_nowhere_when_no_app_offers_refer_someone(
    client_as, settings, investigator, shelter_service
):
    """The directory asks the function ``DIRECTORY_REFER_SOMEONE`` names (it does not import the referrals)."""
    service = shelter_service
    settings.DIRECTORY_REFER_SOMEONE = ""
    page = client_as(investigator).get(reverse("service_detail", args=[service.pk])).content.decode()
    assert reverse("refer_choose", args=[service.pk]) not in page
    settings.DIRECTORY_REFER_SOMEONE = "referrals.links.refer_someone_url"
    page = client_as(investigator).get(reverse("service_detail", args=[service.pk])).content.decode()
    assert reverse("refer_choose", args=[service.pk]) in page
