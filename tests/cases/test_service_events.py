"""Services delivered (issue 17, decision 0035): who sees a victim's services and who records one, the checks of the
service, the form, the case page's cost whatever the number of services, and the packet per reader."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import Agency, Role
from cases.models import Case, CaseParticipant, CaseShare, Consent, ServiceEvent
from cases.packets import render_case_packet
from cases.services import (
    case_share_grant,
    consent_revoke,
    person_add_to_case,
    service_event_record,
    service_events_from_referral,
)
from portal.audit import ACTION_LABELS
from portal.models import AuditEvent
from tests.factories import AgencyFactory, UserFactory, given_consent

TODAY = timezone.localdate
# A food service the person was referred to (not identifying: shown wherever the person is), and a medical one
# (shown only where their medical information is); each program is their account (shown only with ``narrative``).
FOOD_PROVIDER = "Pantrysentinel Provider"
MEDICAL_PROVIDER = "Clinicsentinel Provider"
FOOD_PROGRAM = "Breadsentinel program"
MEDICAL_PROGRAM = "Traumasentinel program"


def victim_participation(case: Case) -> CaseParticipant:
    return case.participants.select_related("case", "person").get(role=CaseParticipant.Role.VICTIM)


def record(case: Case, actor, **changes) -> ServiceEvent:
    fields = {
        "category": ServiceEvent.Category.FOOD,
        "on": TODAY() - timedelta(days=1),
        "kind": ServiceEvent.Kind.DELIVERED,
        "provider_name": "",
        "program": "",
    }
    fields.update(changes)
    return service_event_record(actor=actor, participant=victim_participation(case), **fields)


def record_both(case: Case, actor) -> None:
    record(
        case,
        actor,
        category=ServiceEvent.Category.FOOD,
        kind=ServiceEvent.Kind.REFERRED,
        provider_name=FOOD_PROVIDER,
        program=FOOD_PROGRAM,
    )
    record(
        case,
        actor,
        category=ServiceEvent.Category.MEDICAL,
        kind=ServiceEvent.Kind.REFERRED,
        provider_name=MEDICAL_PROVIDER,
        program=MEDICAL_PROGRAM,
    )


@pytest.fixture
def le_served(le_case, investigator):
    record_both(le_case, investigator)
    return le_case


@pytest.fixture
def ngo_served(ngo_case, advocate):
    record_both(ngo_case, advocate)
    return ngo_case


@pytest.fixture
def legal_aid_caseworker(task_force):
    """A caseworker of another victim service provider of the task force."""
    agency = AgencyFactory(name="Gulf Legal Aid", short_name="GLA", kind=Agency.Kind.VICTIM_SERVICES)
    task_force.agencies.add(agency, through_defaults={})
    return UserFactory(email="advocate@gla.example", full_name="Lee Legal", agency=agency, role=Role.CASEWORKER)


def _arrange(request, case: Case, setup: str | None) -> None:
    """``setup``: a share of ``le_case`` to the partner police (``personal``, ``collaborate``), or of ``ngo_case``
    to the legal aid (``gla``), and a consent of the shelter's client to the field office or the legal aid
    (``consent:<agency>:<categories>[:revoked]``)."""
    if setup is None:
        return
    supervisor = request.getfixturevalue("supervisor")
    if setup in {"personal", "collaborate"}:
        agency = request.getfixturevalue("partner_agency")
        case_share_grant(case=case, agency=agency, level=setup, reason="Joint work", actor=supervisor)
        return
    shelter_supervisor = request.getfixturevalue("shelter_supervisor")
    legal_aid = request.getfixturevalue("legal_aid_caseworker").agency
    case_share_grant(
        case=case, agency=legal_aid, level=CaseShare.Level.PERSONAL, reason="Legal aid", actor=shelter_supervisor
    )
    if not setup.startswith("consent:"):
        return
    _consent, to, categories, *revoked = setup.split(":")
    recipient = legal_aid if to == "gla" else request.getfixturevalue("lead_agency")
    advocate = request.getfixturevalue("advocate")
    consent = given_consent(victim_participation(case).person, recipient, categories.split(","), by=advocate)
    if revoked:
        consent_revoke(consent=consent, actor=advocate)


# (who, case, setup, sees: the food service, the medical one, the programs (None: the case is a 404), the form's
# answer (200: may record one)).
TABLE = [
    ("investigator", "le_served", None, (True, True, True), 200),  # the lead agency
    ("colleague", "le_served", None, (True, True, True), 200),
    ("supervisor", "le_served", None, (True, True, True), 200),
    ("partner_investigator", "le_served", None, (True, False, False), 403),  # a summary share
    ("partner_investigator", "le_served", "personal", (True, True, True), 403),  # personal: reads, does not change
    ("partner_investigator", "le_served", "collaborate", (True, True, True), 200),  # changes the case
    ("advocate", "le_served", None, None, 404),  # outside the case
    ("coordinator", "le_served", None, None, 404),  # no case content unless shared
    ("auditor", "le_served", None, None, 404),
    ("agency_admin", "le_served", None, None, 404),
    ("outsider", "le_served", None, None, 404),
    ("advocate", "ngo_served", None, (True, True, True), 200),  # the shelter's own client
    ("shelter_supervisor", "ngo_served", None, (True, True, True), 200),
    ("investigator", "ngo_served", None, (True, False, False), 403),  # a personal share, no consent
    ("investigator", "ngo_served", "consent:lead:identity", (True, False, False), 403),
    ("investigator", "ngo_served", "consent:lead:medical", (True, True, False), 403),
    ("investigator", "ngo_served", "consent:lead:medical,narrative", (True, True, True), 403),
    ("investigator", "ngo_served", "consent:lead:medical:revoked", (True, False, False), 403),
    ("legal_aid_caseworker", "ngo_served", "gla", (True, False, False), 403),  # another provider, no consent
    ("legal_aid_caseworker", "ngo_served", "consent:gla:medical", (True, True, False), 403),
    ("legal_aid_caseworker", "ngo_served", "consent:lead:medical", (True, False, False), 403),  # not to it
]


@pytest.mark.parametrize(("who", "case_name", "setup", "sees", "form_status"), TABLE)
def test_who_sees_a_victims_services_and_who_records_one(request, client_as, who, case_name, setup, sees, form_status):
    case = request.getfixturevalue(case_name)
    _arrange(request, case, setup)
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse("service_event_add", args=[case.pk])).status_code == form_status
    page = client.get(reverse("case_detail", args=[case.pk]))
    if sees is None:
        assert page.status_code == 404
        return
    body = page.content.decode()
    food, medical, programs = sees
    assert (FOOD_PROVIDER in body) == food
    assert (MEDICAL_PROVIDER in body) == medical
    assert (FOOD_PROGRAM in body) == programs
    assert (MEDICAL_PROGRAM in body) == (programs and medical)
    assert ("program released with the person" in body) == (food and not programs)
    assert (reverse("service_event_add", args=[case.pk]) in body) == (form_status == 200)


def test_the_service_refuses_who_may_not_record(le_case, ngo_case, partner_investigator, investigator, advocate):
    with pytest.raises(PermissionDenied):
        record(le_case, partner_investigator)  # a summary share
    with pytest.raises(PermissionDenied):
        record(ngo_case, investigator)  # a provider's client is the provider's to record
    with pytest.raises(Http404):
        record(le_case, advocate)  # outside the case
    assert not ServiceEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.service_event.recorded").exists()


def test_only_a_victim_has_services(le_case, investigator):
    witness = person_add_to_case(case=le_case, role=CaseParticipant.Role.WITNESS, actor=investigator, given_name="W")
    with pytest.raises(ValidationError):
        service_event_record(
            actor=investigator, participant=witness, category="food", on=TODAY(), kind=ServiceEvent.Kind.DELIVERED
        )
    with pytest.raises(ValidationError):
        service_events_from_referral(
            referral_id=1,
            participant=witness,
            categories=["food"],
            on=TODAY(),
            provider=investigator.agency,
            provider_name="",
            actor=investigator,
            actor_agency=investigator.agency,
        )
    assert not ServiceEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"on": TODAY() + timedelta(days=1)}, "on"),
        ({"on": None}, "on"),
        ({"category": "spa_day"}, "category"),
        ({"kind": "promised"}, "kind"),
        ({"kind": ServiceEvent.Kind.REFERRED, "provider_name": "  "}, "provider_name"),
    ],
)
def test_the_service_refuses_bad_values_and_records_nothing(le_case, investigator, changes, field):
    with pytest.raises(ValidationError) as error:
        record(le_case, investigator, **changes)
    assert field in error.value.error_dict
    assert not ServiceEvent.objects.exists()


def test_a_direct_service_is_the_recorders_agencys_and_its_audit_names_ids_only(ngo_case, advocate, ngo):
    event = record(ngo_case, advocate, category=ServiceEvent.Category.MEDICAL, program=MEDICAL_PROGRAM)
    assert (event.provider, event.provider_name, event.kind) == (ngo, "", ServiceEvent.Kind.DELIVERED)
    assert (event.recorded_by, event.recorded_by_agency, event.referral_id) == (advocate, ngo, None)
    audit = AuditEvent.objects.get(action="cases.service_event.recorded")
    assert audit.details == {
        "service_event_ids": [event.pk],
        "person_id": event.participant.person_id,
        "kind": "delivered",
    }
    assert "medical" not in str(audit.details)
    assert MEDICAL_PROGRAM not in str(audit.details)
    assert "cases.service_event.recorded" in ACTION_LABELS


def test_a_service_names_its_provider_in_the_database_too(le_case, investigator):
    event = record(le_case, investigator)
    event.provider = None
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def form_data(person_pk: int, **changes) -> dict:
    data = {
        "person": str(person_pk),
        "category": "employment",
        "kind": "delivered",
        "on": (TODAY() - timedelta(days=2)).isoformat(),
        "provider_name": "",
        "program": "Job readiness",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"on": (TODAY() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"on": "not a day"}, "Enter a valid date"),
        ({"category": "spa_day"}, "Select a valid choice"),
        ({"kind": "referred", "provider_name": ""}, "Say to whom the person was referred"),
        ({"person": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_form_input_re_renders_with_errors_and_records_nothing(le_case, investigator, client_as, changes, message):
    client = client_as(investigator)
    person = victim_participation(le_case).person
    response = client.post(reverse("service_event_add", args=[le_case.pk]), form_data(person.pk, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.service_event.recorded").exists()


def test_the_form_records_once_even_sent_twice(le_case, investigator, client_as, lead_agency):
    client = client_as(investigator)
    person = victim_participation(le_case).person
    data = form_data(person.pk, submission_key="6f1c1c1e-1111-4a4a-9b9b-123456789abc")
    url = reverse("service_event_add", args=[le_case.pk])
    first = client.post(url, data)
    assert first.status_code == 302
    assert client.post(url, data).status_code == 302
    event = ServiceEvent.objects.get()
    assert (event.category, event.provider, event.program) == ("employment", lead_agency, "Job readiness")
    assert AuditEvent.objects.filter(action="cases.service_event.recorded").count() == 1
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "Job readiness" in page


def test_the_form_lists_only_the_victims_one_may_record_for(ngo_case, advocate, client_as):
    """Victims only (not a witness), and reading their names to choose is an audited read of their identity."""
    person_add_to_case(case=ngo_case, role=CaseParticipant.Role.WITNESS, actor=advocate, given_name="W")
    client = client_as(advocate)
    response = client.get(reverse("service_event_add", args=[ngo_case.pk]))
    choices = response.context["form"].fields["person"].choices
    assert [value for value, _label in choices] == [str(victim_participation(ngo_case).person.pk)]
    assert AuditEvent.objects.filter(action="cases.pii.viewed", details__via="service").count() == 1


def test_the_case_page_costs_the_same_queries_for_1_and_6_services(le_case, investigator, client_as):
    client = client_as(investigator)
    record(le_case, investigator, program="Meal 0")
    url = reverse("case_detail", args=[le_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(1, 6):
        record(
            le_case,
            investigator,
            category=ServiceEvent.Category.MEDICAL if number % 2 else ServiceEvent.Category.FOOD,
            kind=ServiceEvent.Kind.REFERRED,
            provider_name=f"Provider {number}",
            program=f"Meal {number}",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    body = response.content.decode()
    assert all(f"Meal {number}" in body for number in range(6))
    assert len(many) == len(few)


def _pdf_text(case, viewer) -> str:
    pdf = render_case_packet(case, viewer)
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_packet_shows_the_services_each_reader_may_see(ngo_served, advocate, investigator):
    own = _pdf_text(ngo_served, advocate)
    for text in (FOOD_PROVIDER, MEDICAL_PROVIDER, FOOD_PROGRAM, MEDICAL_PROGRAM):
        assert _squeezed(text) in own
    assert "Servicedelivered" not in own  # both were referrals elsewhere
    assert _squeezed("Referred for a service: Medical") in own  # the timeline
    other = _pdf_text(ngo_served, investigator)  # a personal share, no consent
    assert _squeezed(FOOD_PROVIDER) in other
    assert _squeezed("Referred for a service: Food") in other
    for text in (MEDICAL_PROVIDER, FOOD_PROGRAM, MEDICAL_PROGRAM, "Referred for a service: Medical"):
        assert _squeezed(text) not in other
    assert _squeezed("program released with the person's account of events") in other


def test_the_report_counts_services_delivered_per_category_in_a_quarter(le_case, ngo_case, investigator, advocate):
    day = TODAY()
    record(le_case, investigator, category=ServiceEvent.Category.FOOD, on=day)
    record(ngo_case, advocate, category=ServiceEvent.Category.FOOD, on=day)
    record(ngo_case, advocate, category=ServiceEvent.Category.MEDICAL, on=day)
    record(ngo_case, advocate, category=ServiceEvent.Category.MEDICAL, on=day - timedelta(days=400))
    record(ngo_case, advocate, kind=ServiceEvent.Kind.REFERRED, provider_name="Elsewhere", on=day)
    from django.db.models import Count

    counts = dict(
        ServiceEvent.objects.delivered_between(day - timedelta(days=90), day)
        .values_list("category")
        .annotate(count=Count("id"))
        .order_by()
    )
    assert counts == {"food": 2, "medical": 1}


def test_consent_releasing_medical_only_does_not_show_the_program(ngo_served, investigator, advocate, lead_agency):
    given_consent(victim_participation(ngo_served).person, lead_agency, [Consent.Category.MEDICAL], by=advocate)
    text = _pdf_text(ngo_served, investigator)
    assert _squeezed(MEDICAL_PROVIDER) in text
    assert _squeezed(MEDICAL_PROGRAM) not in text
