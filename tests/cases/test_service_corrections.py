"""A service recorded in error (decision 0035): whoever may record a service for a victim marks a direct record of it
entered in error, with a reason; the row stays, nothing shows or counts it again; a service a referral recorded
follows its referral instead. Who may, the audit event, the page, the packet and the count, and a form sent twice."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseShare, ServiceEvent
from cases.services import (
    case_share_grant,
    service_event_mark_entered_in_error,
    service_events_from_referral,
    service_events_withdraw_for_referral,
)
from portal.audit import ACTION_LABELS
from portal.models import AuditEvent
from tests.cases import test_service_events as service_events
from tests.cases.test_service_events import (
    FOOD_PROVIDER,
    MEDICAL_PROGRAM,
    _pdf_text,
    _squeezed,
    victim_participation,
)

REASON = "Recorded for the wrong person"
ENTERED_IN_ERROR = "cases.service_event.entered_in_error"


# The cases served with a food and a medical service each, as the services' own tests have them.
le_served = service_events.le_served
ngo_served = service_events.ngo_served


def service(case: Case, which: str) -> ServiceEvent:
    """The case's food or medical service (``record_both``)."""
    category = ServiceEvent.Category.FOOD if which == "food" else ServiceEvent.Category.MEDICAL
    return ServiceEvent.objects.get(participant__case=case, category=category)


def url(case: Case, event: ServiceEvent) -> str:
    return reverse("service_event_withdraw", args=[case.pk, event.pk])


def page(client, case: Case) -> str:
    return client.get(reverse("case_detail", args=[case.pk])).content.decode()


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# (who, case, a share of le_case to the partner police at that level, which service, the answer: 302 it is marked).
TABLE = [
    ("investigator", "le_served", None, "food", 302),  # the lead agency
    ("supervisor", "le_served", None, "medical", 302),
    ("partner_investigator", "le_served", None, "food", 403),  # a summary share: sees it, may not correct it
    ("partner_investigator", "le_served", None, "medical", 404),  # ... and does not see this one at all
    ("partner_investigator", "le_served", CaseShare.Level.PERSONAL, "food", 403),  # reads, does not change
    ("partner_investigator", "le_served", CaseShare.Level.COLLABORATE, "medical", 302),  # changes the case
    ("advocate", "ngo_served", None, "medical", 302),  # the shelter, for its own client
    ("shelter_supervisor", "ngo_served", None, "food", 302),
    ("investigator", "ngo_served", None, "food", 403),  # a provider's client is the provider's to correct
    ("investigator", "ngo_served", None, "medical", 404),  # without a consent releasing medical: not seen
    ("advocate", "le_served", None, "food", 404),  # outside the case
    ("coordinator", "le_served", None, "food", 404),
    ("auditor", "le_served", None, "food", 404),
    ("outsider", "le_served", None, "food", 404),
]


@pytest.mark.parametrize(("who", "case_name", "level", "which", "status"), TABLE)
def test_who_may_mark_a_service_entered_in_error(request, client_as, supervisor, who, case_name, level, which, status):
    case = request.getfixturevalue(case_name)
    if level is not None:
        partner = request.getfixturevalue("partner_agency")
        case_share_grant(case=case, agency=partner, level=level, reason="Joint work", actor=supervisor)
    event = service(case, which)
    client = client_as(request.getfixturevalue(who))
    assert (url(case, event) in page(client, case)) == (status == 302)  # the form is offered to those who may
    response = client.post(url(case, event), {"reason": REASON})
    assert response.status_code == status
    event.refresh_from_db()
    assert event.is_withdrawn == (status == 302)
    assert AuditEvent.objects.filter(action=ENTERED_IN_ERROR).count() == (1 if status == 302 else 0)


def test_only_a_post_marks_it(le_served, investigator, client_as):
    event = service(le_served, "food")
    assert client_as(investigator).get(url(le_served, event)).status_code == 405
    event.refresh_from_db()
    assert not event.is_withdrawn


def test_a_service_of_another_case_or_none_at_all_is_a_404(le_served, ngo_served, investigator, client_as):
    client = client_as(investigator)
    elsewhere = service(ngo_served, "food")  # the investigator's agency sees it there, but it is not this case's
    assert client.post(url(le_served, elsewhere), {"reason": REASON}).status_code == 404
    missing = reverse("service_event_withdraw", args=[le_served.pk, 999_999])
    assert client.post(missing, {"reason": REASON}).status_code == 404
    assert not ServiceEvent.objects.filter(withdrawn_at__isnull=False).exists()


def test_the_service_refuses_outsiders_and_those_who_may_not(le_served, partner_investigator, advocate):
    event = service(le_served, "food")
    with pytest.raises(PermissionDenied):
        service_event_mark_entered_in_error(
            actor=partner_investigator, case_pk=le_served.pk, event_pk=event.pk, reason=REASON
        )
    with pytest.raises(Http404):
        service_event_mark_entered_in_error(actor=advocate, case_pk=le_served.pk, event_pk=event.pk, reason=REASON)
    event.refresh_from_db()
    assert not event.is_withdrawn


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say what was entered in error."), ("   ", "Say what was entered in error."), ("x" * 2001, "2,000")],
)
def test_a_reason_is_required_and_nothing_changes_without_one(le_served, investigator, client_as, reason, message):
    event = service(le_served, "food")
    with pytest.raises(ValidationError) as error:
        service_event_mark_entered_in_error(actor=investigator, case_pk=le_served.pk, event_pk=event.pk, reason=reason)
    assert "reason" in error.value.error_dict
    response = client_as(investigator).post(url(le_served, event), {"reason": reason})
    assert response.status_code == 302
    assert any(message in text for text in told(response))
    event.refresh_from_db()
    assert not event.is_withdrawn
    assert not AuditEvent.objects.filter(action=ENTERED_IN_ERROR).exists()


def test_the_row_is_kept_with_who_when_and_why_and_the_audit_names_ids_only(ngo_served, advocate):
    event = service(ngo_served, "medical")
    before = timezone.now()
    assert service_event_mark_entered_in_error(
        actor=advocate, case_pk=ngo_served.pk, event_pk=event.pk, reason=f"  {REASON}  "
    )
    event.refresh_from_db()
    assert (event.withdrawn_by, event.withdrawn_reason) == (advocate, REASON)
    assert event.withdrawn_at is not None
    assert event.withdrawn_at >= before
    assert (event.category, event.program) == (ServiceEvent.Category.MEDICAL, MEDICAL_PROGRAM)  # the record stays
    audit = AuditEvent.objects.get(action=ENTERED_IN_ERROR)
    assert (audit.actor, audit.object_type, audit.object_id) == (advocate, "cases.case", str(ngo_served.pk))
    assert audit.details == {"service_event_ids": [event.pk], "person_id": event.participant.person_id}
    for secret in ("medical", MEDICAL_PROGRAM, REASON):
        assert secret not in str(audit.details)
    assert ENTERED_IN_ERROR in ACTION_LABELS


def test_sent_twice_it_is_marked_once_and_the_second_is_told_so(le_served, investigator, client_as):
    client = client_as(investigator)
    event = service(le_served, "food")
    first = client.post(url(le_served, event), {"reason": REASON})
    assert first.status_code == 302
    assert first["Location"].endswith("#services-heading")
    assert any("no longer shown or counted" in text for text in told(first))
    marked_at = ServiceEvent.objects.get(pk=event.pk).withdrawn_at
    again = client.post(url(le_served, event), {"reason": "Another reason"})
    assert again.status_code == 302
    assert any("already marked as entered in error" in text for text in told(again))
    event.refresh_from_db()
    assert (event.withdrawn_at, event.withdrawn_reason) == (marked_at, REASON)  # the first stands
    assert AuditEvent.objects.filter(action=ENTERED_IN_ERROR).count() == 1


def test_it_leaves_the_page_the_packet_and_the_count(le_served, investigator, client_as):
    client = client_as(investigator)
    medical = service(le_served, "medical")
    medical.kind, medical.provider, medical.provider_name = ServiceEvent.Kind.DELIVERED, investigator.agency, ""
    medical.save(update_fields=["kind", "provider", "provider_name"])  # delivered, so the grant report counts it
    day = medical.provided_on

    def counted() -> dict[str, int]:
        rows = ServiceEvent.objects.delivered_between(day - timedelta(days=1), day).values_list("category")
        return dict(rows.annotate(count=Count("id")).order_by())

    assert counted() == {"medical": 1}
    assert _squeezed("Service delivered: Medical") in _pdf_text(le_served, investigator)
    client.post(url(le_served, medical), {"reason": REASON})
    body = page(client, le_served)
    assert FOOD_PROVIDER in body
    assert MEDICAL_PROGRAM not in body
    assert url(le_served, medical) not in body
    text = _pdf_text(le_served, investigator)
    assert _squeezed(FOOD_PROVIDER) in text
    for gone in (MEDICAL_PROGRAM, "Service delivered: Medical"):
        assert _squeezed(gone) not in text
    assert counted() == {}
    assert ServiceEvent.objects.filter(pk=medical.pk).exists()  # kept
    assert not ServiceEvent.objects.standing().filter(pk=medical.pk).exists()


def test_a_service_a_referral_recorded_follows_its_referral(le_case, investigator, client_as):
    [event] = service_events_from_referral(
        referral_id=4242,
        participant=victim_participation(le_case),
        categories=[ServiceEvent.Category.EMERGENCY_SHELTER],
        on=timezone.localdate(),
        provider=None,
        provider_name="Shelter Outside",
        actor=investigator,
        actor_agency=investigator.agency,
    )
    client = client_as(investigator)
    assert url(le_case, event) not in page(client, le_case)  # no form beside it
    with pytest.raises(ValidationError) as error:
        service_event_mark_entered_in_error(actor=investigator, case_pk=le_case.pk, event_pk=event.pk, reason=REASON)
    assert error.value.code == "from_referral"
    response = client.post(url(le_case, event), {"reason": REASON})
    assert any("follows that referral" in text for text in told(response))
    event.refresh_from_db()
    assert not event.is_withdrawn
    # Its referral entered in error withdraws it: the same mark, kept, with the referral's own audit event.
    assert service_events_withdraw_for_referral(referral_id=4242, actor=investigator) == 1
    event.refresh_from_db()
    assert (event.is_withdrawn, event.withdrawn_by) == (True, investigator)
    assert service_events_withdraw_for_referral(referral_id=4242, actor=investigator) == 0  # once
    assert AuditEvent.objects.filter(action="cases.service_event.withdrawn").count() == 1
    assert not AuditEvent.objects.filter(action=ENTERED_IN_ERROR).exists()


def test_the_page_costs_the_same_with_one_form_or_two(le_served, investigator, client_as):
    """The forms beside the services are read from what the page already has: no query per service."""
    client = client_as(investigator)
    page(client, le_served)
    with CaptureQueriesContext(connection) as two:
        body = page(client, le_served)
    assert body.count("/entered-in-error/") == 2
    service_event_mark_entered_in_error(
        actor=investigator, case_pk=le_served.pk, event_pk=service(le_served, "food").pk, reason=REASON
    )
    page(client, le_served)
    with CaptureQueriesContext(connection) as one:
        body = page(client, le_served)
    assert body.count("/entered-in-error/") == 1
    assert len(one) == len(two)
