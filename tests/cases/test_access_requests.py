"""Asking to see more of a case (issue 14, decision 0025): an agency that sees a case through a share asks the lead
for a higher level, which a supervisor of the lead approves (a new share replacing the old one) or declines with a
reason; a reader who finds a shelter's client withheld for want of a consent asks the shelter to record one, which
reveals nothing of the person to the asker and records nothing by itself."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import AccessRequest, CaseNotice, CaseParticipant, CaseShare, ConsentRequest
from cases.services import (
    access_request_approve,
    access_request_create,
    access_request_decline,
    case_share_grant,
    case_share_revoke,
    consent_request_client_declined,
    consent_request_create,
    person_add_to_case,
)
from portal.models import AuditEvent
from portal.workqueue import work_queue_for
from tests.cases.fixtures import CLIENT_NAME, CLIENT_PHONE
from tests.factories import UserFactory, given_consent

pytestmark = pytest.mark.django_db

Level = CaseShare.Level


def _share(case, agency, level, by) -> CaseShare:
    """``agency``'s share of ``case`` at ``level``, made by a supervisor of the lead (it replaces the current one)."""
    return case_share_grant(case=case, agency=agency, level=level, reason="Working the venue", actor=by)


def _current(case, agency) -> CaseShare:
    return CaseShare.objects.get(case=case, agency=agency, status=CaseShare.Status.ACTIVE)


@pytest.fixture
def shared(le_case, supervisor, coordination_office):
    """``le_case`` as the partner (summary, from the fixture) and the coordination office (summary) see it."""
    _share(le_case, coordination_office, Level.SUMMARY, supervisor)
    return le_case


@pytest.fixture
def asked(shared, partner_investigator) -> AccessRequest:
    """The partner police department asks for personal information."""
    return access_request_create(
        case=shared, level=Level.PERSONAL, reason="We must interview the victim", actor=partner_investigator
    )


# --- Who may ask, approve and decline: one table each.

# who / the partner's level (None: the fixture's summary) / may ask
ASK_TABLE = [
    ("investigator", None, 403),  # the lead agency never asks
    ("supervisor", None, 403),
    ("partner_investigator", Level.SUMMARY, 200),
    ("partner_investigator", Level.PERSONAL, 200),
    ("partner_investigator", Level.LAW_ENFORCEMENT, 200),
    ("partner_investigator", Level.COLLABORATE, 403),  # nothing higher to ask for
    ("coordinator", None, 200),
    ("advocate", None, 404),  # the shelter does not see this case
    ("provider_staff", None, 404),
    ("outsider", None, 404),
]


@pytest.mark.parametrize(("who", "level", "status"), ASK_TABLE)
def test_who_may_ask_the_lead_for_more_access(
    request, client_as, shared, supervisor, partner_agency, who, level, status
):
    if level is not None and level != Level.SUMMARY:
        _share(shared, partner_agency, level, supervisor)
    user = request.getfixturevalue(who)
    client = client_as(user)
    url = reverse("access_request_create", args=[shared.pk])
    page = client.get(reverse("case_detail", args=[shared.pk]))
    if page.status_code == 200:
        assert (url in page.content.decode()) == (status == 200)
    assert client.get(url).status_code == status
    asked_for = Level.PERSONAL if level in (None, Level.SUMMARY) else Level.COLLABORATE
    if who == "coordinator":
        asked_for = Level.PERSONAL
    response = client.post(url, {"level": asked_for, "reason": "We need it"})
    assert response.status_code == (302 if status == 200 else status)
    assert AccessRequest.objects.filter(case=shared).count() == (1 if status == 200 else 0)


# who / approve / decline (an open request of the partner)
DECIDE_TABLE = [
    ("supervisor", 302, 302),
    ("investigator", 403, 403),  # a caseworker of the lead does not decide
    ("colleague", 403, 403),
    ("partner_investigator", 403, 403),  # the asker sees the case, does not decide
    ("coordinator", 403, 403),
    ("advocate", 404, 404),
    ("outsider", 404, 404),
]


@pytest.mark.parametrize(("who", "approve", "decline"), DECIDE_TABLE)
def test_who_may_decline(request, client_as, shared, asked, who, approve, decline):
    client = client_as(request.getfixturevalue(who))
    decline_url = reverse("access_request_decline", args=[shared.pk, asked.pk])
    assert client.get(decline_url).status_code == (200 if decline == 302 else decline)
    response = client.post(decline_url, {"reason": "Not needed for your part"})
    assert response.status_code == decline
    asked.refresh_from_db()
    assert (asked.status == AccessRequest.Status.DECLINED) == (decline == 302)


@pytest.mark.parametrize(("who", "approve", "decline"), DECIDE_TABLE)
def test_who_may_approve(request, client_as, shared, asked, partner_agency, who, approve, decline):
    client = client_as(request.getfixturevalue(who))
    response = client.post(reverse("access_request_approve", args=[shared.pk, asked.pk]))
    assert response.status_code == approve
    asked.refresh_from_db()
    assert (asked.status == AccessRequest.Status.APPROVED) == (approve == 302)
    assert _current(shared, partner_agency).level == (Level.PERSONAL if approve == 302 else Level.SUMMARY)


def test_a_decided_request_is_no_longer_offered(client_as, shared, asked, supervisor):
    access_request_decline(access_request=asked, actor=supervisor, reason="No")
    client = client_as(supervisor)
    assert client.post(reverse("access_request_approve", args=[shared.pk, asked.pk])).status_code == 404
    assert client.get(reverse("access_request_decline", args=[shared.pk, asked.pk])).status_code == 404


# --- The service: approval through the share services, decline, one open request, stale decisions.


def test_approval_gives_the_level_asked_for_and_replaces_the_old_share(
    shared, asked, supervisor, partner_agency, partner_investigator
):
    old = _current(shared, partner_agency)
    assert not selectors.case_access_for_user(partner_investigator, shared.pk).may_see_pii
    share = access_request_approve(access_request=asked, actor=supervisor)
    old.refresh_from_db()
    asked.refresh_from_db()
    assert (share.level, share.status, share.replaces_id) == (Level.PERSONAL, CaseShare.Status.ACTIVE, old.pk)
    assert share.approved_by == supervisor
    assert share.reason == "We must interview the victim"
    assert old.status == CaseShare.Status.REVOKED
    assert (asked.status, asked.share, asked.decided_by) == (AccessRequest.Status.APPROVED, share, supervisor)
    assert selectors.case_access_for_user(partner_investigator, shared.pk).may_see_pii
    events = dict(
        AuditEvent.objects.filter(action__startswith="cases.", details__access_request_id=asked.pk).values_list(
            "action", "details__share_id"
        )
    )
    assert events == {
        "cases.access.requested": None,
        "cases.share.granted": share.pk,
        "cases.access.approved": share.pk,
    }
    assert AuditEvent.objects.filter(action="cases.share.revoked", details__share_id=old.pk).exists()
    notice = CaseNotice.objects.get(user=partner_investigator)
    assert (notice.verb, notice.access_request_id, notice.actor) == (
        CaseNotice.Verb.ACCESS_APPROVED,
        asked.pk,
        supervisor,
    )


def test_approval_keeps_the_end_date_of_the_share_it_replaces(shared, supervisor, partner_agency, partner_investigator):
    ends = timezone.localdate() + timedelta(days=20)
    case_share_grant(
        case=shared, agency=partner_agency, level=Level.SUMMARY, reason="For a month", actor=supervisor, expires_on=ends
    )
    asked = access_request_create(
        case=shared, level=Level.LAW_ENFORCEMENT, reason="Joint op", actor=partner_investigator
    )
    share = access_request_approve(access_request=asked, actor=supervisor)
    assert (share.level, share.expires_on) == (Level.LAW_ENFORCEMENT, ends)


def test_decline_keeps_the_old_share_and_tells_the_asker_why(
    client_as, shared, asked, supervisor, partner_agency, partner_investigator
):
    old = _current(shared, partner_agency)
    with pytest.raises(ValidationError):
        access_request_decline(access_request=asked, actor=supervisor, reason="  ")
    access_request_decline(access_request=asked, actor=supervisor, reason="Interviews go through our office")
    asked.refresh_from_db()
    assert asked.status == AccessRequest.Status.DECLINED
    assert asked.decline_reason == "Interviews go through our office"
    assert _current(shared, partner_agency) == old
    assert old.level == Level.SUMMARY
    assert AuditEvent.objects.filter(action="cases.access.declined", details__access_request_id=asked.pk).exists()
    assert CaseNotice.objects.get(user=partner_investigator).verb == CaseNotice.Verb.ACCESS_DECLINED
    page = client_as(partner_investigator).get(reverse("case_detail", args=[shared.pk])).content.decode()
    assert "Interviews go through our office" in page
    assert reverse("access_request_create", args=[shared.pk]) in page  # and may ask again


def test_one_open_request_per_case_and_agency(shared, asked, supervisor, partner_agency, partner_investigator):
    colleague = UserFactory(email="second@bpd.example", agency=partner_agency)
    with pytest.raises(ValidationError):
        access_request_create(case=shared, level=Level.LAW_ENFORCEMENT, reason="Also", actor=colleague)
    assert AccessRequest.objects.filter(case=shared, status=AccessRequest.Status.OPEN).count() == 1
    access_request_decline(access_request=asked, actor=supervisor, reason="No")
    access_request_create(case=shared, level=Level.LAW_ENFORCEMENT, reason="Again", actor=colleague)


def test_a_second_decision_is_refused(shared, asked, supervisor):
    access_request_approve(access_request=asked, actor=supervisor)
    with pytest.raises(ValidationError):
        access_request_approve(access_request=asked, actor=supervisor)
    with pytest.raises(ValidationError):
        access_request_decline(access_request=asked, actor=supervisor, reason="Changed my mind")
    assert AccessRequest.objects.get(pk=asked.pk).status == AccessRequest.Status.APPROVED


def test_a_request_whose_share_changed_since_is_not_approved(shared, asked, supervisor, partner_agency):
    share = _share(shared, partner_agency, Level.LAW_ENFORCEMENT, supervisor)  # the lead raised it meanwhile
    with pytest.raises(ValidationError):
        access_request_approve(access_request=asked, actor=supervisor)
    assert _current(shared, partner_agency) == share
    case_share_revoke(share=share, actor=supervisor, reason="Done")
    with pytest.raises(ValidationError):
        access_request_approve(access_request=asked, actor=supervisor)
    assert not CaseShare.objects.filter(case=shared, agency=partner_agency, status=CaseShare.Status.ACTIVE).exists()
    access_request_decline(access_request=asked, actor=supervisor, reason="Your share ended")


def test_only_levels_above_the_agencys_that_it_may_receive(shared, coordinator, partner_investigator):
    with pytest.raises(ValidationError):  # the coordination office is not law enforcement
        access_request_create(case=shared, level=Level.LAW_ENFORCEMENT, reason="All of it", actor=coordinator)
    with pytest.raises(ValidationError):  # not above summary
        access_request_create(case=shared, level=Level.SUMMARY, reason="Same", actor=partner_investigator)
    with pytest.raises(ValidationError):
        access_request_create(case=shared, level=Level.PERSONAL, reason=" ", actor=partner_investigator)
    assert not AccessRequest.objects.exists()


def test_the_service_refuses_the_lead_and_those_outside(shared, investigator, outsider):
    with pytest.raises(PermissionDenied):
        access_request_create(case=shared, level=Level.PERSONAL, reason="Why", actor=investigator)
    with pytest.raises(Http404):
        access_request_create(case=shared, level=Level.PERSONAL, reason="Why", actor=outsider)


def test_the_lead_supervisors_are_told_and_find_it_on_their_home_and_case_page(
    client_as, shared, asked, supervisor, investigator, partner_investigator
):
    told = set(CaseNotice.objects.values_list("user__email", "verb"))
    assert told == {(supervisor.email, CaseNotice.Verb.ACCESS_REQUESTED)}
    [section] = [section for section in work_queue_for(supervisor).waiting if section.key == "access"]
    assert [str(item.label) for item in section.items] == [
        f"{shared.number}: Bayport Police Department asks for more access"
    ]
    assert not [section for section in work_queue_for(investigator).waiting if section.key == "access"]
    page = client_as(supervisor).get(reverse("case_detail", args=[shared.pk])).content.decode()
    assert reverse("access_request_approve", args=[shared.pk, asked.pk]) in page
    assert "We must interview the victim" in page
    notices = client_as(supervisor).get(reverse("notifications")).content.decode()
    assert "More access asked for (Bayport Police Department)" in notices
    assert "#access-requests-heading" in notices
    caseworker_page = client_as(investigator).get(reverse("case_detail", args=[shared.pk])).content.decode()
    assert "We must interview the victim" in caseworker_page
    assert reverse("access_request_approve", args=[shared.pk, asked.pk]) not in caseworker_page
    asker_page = client_as(partner_investigator).get(reverse("case_detail", args=[shared.pk])).content.decode()
    assert "has not decided yet" in asker_page
    assert reverse("access_request_create", args=[shared.pk]) not in asker_page


def test_the_asker_finds_the_answer_on_their_home_and_notices(
    client_as, shared, asked, supervisor, partner_investigator
):
    access_request_approve(access_request=asked, actor=supervisor)
    [section] = [s for s in work_queue_for(partner_investigator).waiting if s.key == "access-answers"]
    assert [str(item.label) for item in section.items] == [f"{shared.number}: More access approved"]
    notices = client_as(partner_investigator).get(reverse("notifications")).content.decode()
    assert "More access approved (Federal Field Office)" in notices


# --- Asking a shelter to record a consent.


@pytest.fixture
def withheld_client(ngo_case, ngo_client):
    """The shelter's client as the field office sees them in ``ngo_case`` (shared with it at personal level): no
    consent, so withheld."""
    return ngo_client


# who / may ask the shelter (GET and POST)
CONSENT_ASK_TABLE = [
    ("investigator", 200),  # the field office sees the case with personal information; the client is withheld
    ("supervisor", 200),
    ("advocate", 403),  # the shelter sees its own client: nothing is withheld
    ("shelter_supervisor", 403),
    ("partner_investigator", 404),  # does not see the case
    ("coordinator", 404),
    ("provider_staff", 404),
    ("outsider", 404),
]


@pytest.mark.parametrize(("who", "status"), CONSENT_ASK_TABLE)
def test_who_may_ask_the_shelter_to_record_a_consent(request, client_as, ngo_case, withheld_client, who, status):
    client = client_as(request.getfixturevalue(who))
    url = reverse("consent_request_create", args=[ngo_case.pk, withheld_client.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"reason": "To offer protection"}).status_code == (302 if status == 200 else status)
    assert ConsentRequest.objects.count() == (1 if status == 200 else 0)


def test_asking_for_a_consent_reveals_nothing_of_the_person_and_records_no_consent(
    client_as, ngo_case, withheld_client, investigator, advocate, shelter_supervisor, provider_staff
):
    client = client_as(investigator)
    case_page = client.get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
    url = reverse("consent_request_create", args=[ngo_case.pk, withheld_client.pk])
    assert url in case_page
    form = client.get(url).content.decode()
    response = client.post(url, {"reason": "To offer protection"}, follow=True)
    pages = [
        form,
        response.content.decode(),
        client.get(reverse("notifications")).content.decode(),
        client.get(reverse("home")).content.decode(),
    ]
    for page in pages:
        for secret in [*CLIENT_NAME.split(), CLIENT_PHONE]:
            assert secret not in page
    assert "no answer yet" in pages[1]
    consent_request = ConsentRequest.objects.get()
    assert (consent_request.holder_agency, consent_request.agency) == (
        withheld_client.entered_by_agency,
        investigator.agency,
    )
    assert not withheld_client.consents.exists()
    told = set(CaseNotice.objects.values_list("user__email", "verb"))
    assert told == {
        (advocate.email, CaseNotice.Verb.CONSENT_REQUESTED),
        (shelter_supervisor.email, CaseNotice.Verb.CONSENT_REQUESTED),
    }
    event = AuditEvent.objects.get(action="cases.consent.requested")
    assert event.details["person_id"] == withheld_client.pk
    assert not {CLIENT_NAME, CLIENT_PHONE} & {str(value) for value in event.details.values()}


def test_the_shelter_sees_the_request_with_its_client_and_the_way_to_the_consent_form(
    client_as, ngo_case, withheld_client, investigator, advocate
):
    consent_request = consent_request_create(
        case=ngo_case, person=withheld_client, reason="To offer protection", actor=investigator
    )
    client = client_as(advocate)
    page = client.get(reverse("consent_requests")).content.decode()
    assert CLIENT_NAME in page
    assert "Federal Field Office" in page
    assert "To offer protection" in page
    form_url = reverse("consent_create", args=[ngo_case.pk])
    assert f"{form_url}?person={withheld_client.pk}&amp;recipient_agency={investigator.agency.pk}" in page
    assert AuditEvent.objects.filter(action="cases.pii.viewed", details__via="consent_requests").count() == 1
    form = client.get(form_url, {"person": withheld_client.pk, "recipient_agency": investigator.agency.pk})
    assert form.context["form"].initial["recipient_agency"] == investigator.agency.pk
    [section] = [s for s in work_queue_for(advocate).waiting if s.key == "consent-requests"]
    assert [item.url for item in section.items] == [
        reverse("consent_requests") + f"#consent-request-{consent_request.pk}"
    ]
    assert CLIENT_NAME.split()[0] not in str(section.items[0].label) + str(section.items[0].detail)
    notices = client.get(reverse("notifications")).content.decode()
    assert "Consent asked for (Federal Field Office)" in notices


def test_recording_the_consent_answers_the_request(ngo_case, withheld_client, investigator, advocate):
    consent_request = consent_request_create(
        case=ngo_case, person=withheld_client, reason="Protection", actor=investigator
    )
    consent = given_consent(withheld_client, investigator.agency, by=advocate)
    consent_request.refresh_from_db()
    assert (consent_request.status, consent_request.consent) == (ConsentRequest.Status.RECORDED, consent)
    assert AuditEvent.objects.filter(action="cases.consent_request.fulfilled").count() == 1
    assert CaseNotice.objects.get(user=investigator).verb == CaseNotice.Verb.CONSENT_RECORDED


def test_a_consent_for_another_agency_answers_nothing(
    ngo_case, withheld_client, investigator, advocate, partner_agency
):
    consent_request = consent_request_create(
        case=ngo_case, person=withheld_client, reason="Protection", actor=investigator
    )
    given_consent(withheld_client, partner_agency, by=advocate)
    consent_request.refresh_from_db()
    assert consent_request.status == ConsentRequest.Status.OPEN


def test_the_shelter_answers_that_the_client_declined(
    client_as, ngo_case, withheld_client, investigator, advocate, provider_staff
):
    consent_request = consent_request_create(
        case=ngo_case, person=withheld_client, reason="Protection", actor=investigator
    )
    url = reverse("consent_request_declined", args=[consent_request.pk])
    for who, status in [(investigator, 404), (provider_staff, 404), (advocate, 302)]:
        assert client_as(who).post(url).status_code == status
    consent_request.refresh_from_db()
    assert consent_request.status == ConsentRequest.Status.CLIENT_DECLINED
    assert consent_request.answered_by == advocate
    assert CaseNotice.objects.get(user=investigator).verb == CaseNotice.Verb.CONSENT_DECLINED
    with pytest.raises(ValidationError):
        consent_request_client_declined(consent_request=consent_request, actor=advocate)
    assert AuditEvent.objects.filter(action="cases.consent_request.declined").count() == 1
    assert not withheld_client.consents.exists()
    page = client_as(investigator).get(reverse("case_detail", args=[ngo_case.pk])).content.decode()
    assert reverse("consent_request_create", args=[ngo_case.pk, withheld_client.pk]) in page  # may ask again


def test_one_open_consent_request_per_person_and_agency(ngo_case, withheld_client, investigator, supervisor):
    consent_request_create(case=ngo_case, person=withheld_client, reason="Protection", actor=investigator)
    with pytest.raises(ValidationError):
        consent_request_create(case=ngo_case, person=withheld_client, reason="Also", actor=supervisor)
    assert ConsentRequest.objects.count() == 1


def test_a_consent_releasing_less_may_be_asked_to_release_more(ngo_case, withheld_client, client_consent, investigator):
    consent_request_create(case=ngo_case, person=withheld_client, reason="Contact details", actor=investigator)
    assert ConsentRequest.objects.get().status == ConsentRequest.Status.OPEN


def test_no_consent_is_asked_for_a_person_withheld_by_the_share_level(le_case, partner_investigator):
    victim = le_case.participants.get().person  # withheld by the summary share, not for want of a consent
    with pytest.raises(PermissionDenied):
        consent_request_create(case=le_case, person=victim, reason="Why", actor=partner_investigator)


# --- The case page's cost does not grow with the people or the requests.


def _queries(client, case) -> int:
    client.get(reverse("case_detail", args=[case.pk]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    return len(captured)


def test_the_case_page_costs_the_same_with_one_withheld_person_or_many_and_with_requests(
    client_as, ngo_case, withheld_client, investigator, advocate
):
    client = client_as(investigator)
    one = _queries(client, ngo_case)
    for number in range(3):
        person_add_to_case(
            case=ngo_case, role=CaseParticipant.Role.VICTIM, actor=advocate, given_name=f"C{number}", family_name="Doe"
        )
    assert _queries(client, ngo_case) == one
    consent_request_create(case=ngo_case, person=withheld_client, reason="Protection", actor=investigator)
    assert _queries(client, ngo_case) == one


def test_the_case_page_costs_the_same_for_the_asker_before_and_after_asking(
    client_as, shared, partner_investigator, supervisor
):
    client = client_as(partner_investigator)
    before = _queries(client, shared)
    access_request_create(case=shared, level=Level.PERSONAL, reason="Why", actor=partner_investigator)
    assert _queries(client, shared) == before
    lead = client_as(supervisor)
    with_request = _queries(lead, shared)
    AccessRequest.objects.all().delete()  # its notices go with it
    assert _queries(lead, shared) == with_request


@pytest.mark.parametrize("value", ["²", "١٢", "x", "-1", ""])
def test_the_consent_form_ignores_a_person_or_agency_it_cannot_read(client_as, ngo_case, advocate, value):
    """``?person=`` from the consent requests page: a value that is not a plain number fills nothing in (Unicode
    digits such as "²" pass ``str.isdigit`` and failed ``int``: the form answered 500)."""
    url = reverse("consent_create", args=[ngo_case.pk])
    response = client_as(advocate).get(url, {"person": value, "recipient_agency": value})
    assert response.status_code == 200


def test_the_consent_requests_page_says_more_only_when_there_are_more(client_as, advocate, monkeypatch):
    from cases import views

    monkeypatch.setattr(views, "CONSENT_REQUESTS_SHOWN", 0)
    page = client_as(advocate).get(reverse("consent_requests"))
    assert page.context["more"] is False  # none at all: nothing more either
