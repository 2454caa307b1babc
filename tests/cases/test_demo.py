"""``manage.py seed_demo`` loads the demo cases (cases/demo.py): every status, shares at every level, and NGO clients
whose consent to law enforcement is active, expired or revoked, as the access rule then shows them."""

from collections import Counter
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from agencies.models import Agency, Role, User
from cases.models import (
    AccessRequest,
    Case,
    CaseParticipant,
    CaseShare,
    Consent,
    ConsentRequest,
    Document,
    Need,
    Note,
    Person,
    ServiceEvent,
    Visibility,
)
from cases.selectors import WITHHELD, case_permissions, people_of_case_for
from tests.helpers import kept_for_the_tests

LAW_ENFORCEMENT = (Agency.Kind.FEDERAL_LE, Agency.Kind.STATE_LE, Agency.Kind.LOCAL_LE, Agency.Kind.PROSECUTOR)


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo, seeded once for the module's tests (each test's changes are undone after it)."""
    yield from kept_for_the_tests(django_db_blocker, override_settings(DEBUG=True)(_seed))


def _state(consent: Consent) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    return "active" if consent.is_active_on(timezone.localdate()) else "expired"


@override_settings(DEBUG=True)
def test_the_demo_has_about_thirty_cases_in_every_status_with_shares_at_every_level(db, demo):
    assert 25 <= Case.objects.count() <= 35
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
    assert not Case.objects.filter(status=Case.Status.CLOSED, closed_reason="").exists()
    lead_kinds = Counter(Case.objects.values_list("lead_agency__kind", flat=True))
    assert lead_kinds[Agency.Kind.VICTIM_SERVICES] >= 5
    assert sum(lead_kinds[kind] for kind in LAW_ENFORCEMENT) >= 15
    opened = sorted(Case.objects.values_list("opened_on", flat=True))
    assert opened[-1] <= timezone.localdate()
    assert (opened[-1] - opened[0]).days > 365

    assert set(CaseShare.objects.values_list("level", flat=True)) == set(CaseShare.Level.values)
    law_enforcement_levels = [CaseShare.Level.LAW_ENFORCEMENT, CaseShare.Level.COLLABORATE]
    assert all(share.agency.is_law_enforcement for share in CaseShare.objects.filter(level__in=law_enforcement_levels))

    roles = Counter(CaseParticipant.objects.values_list("role", flat=True))
    assert roles[CaseParticipant.Role.VICTIM] >= 30
    assert roles[CaseParticipant.Role.SUSPECT] >= 10
    assert roles[CaseParticipant.Role.WITNESS] >= 5
    people = list(Person.objects.all())
    assert any(person.is_minor for person in people)
    assert len({person.nationality for person in people}) >= 8
    assert all("555-01" in person.phone for person in people if person.phone)
    assert any(person.identity_documents for person in people)

    assert Need.objects.values("category").distinct().count() >= 6
    assert Need.objects.filter(status=Need.Status.MET).exists()
    assert Need.objects.filter(status=Need.Status.UNMET).exists()
    le_notes = Note.objects.filter(visibility=Visibility.LAW_ENFORCEMENT)
    assert le_notes.exists()
    assert set(le_notes.values_list("case__lead_agency__kind", flat=True)) <= set(LAW_ENFORCEMENT)
    assert Note.objects.filter(visibility=Visibility.CASE_TEAM).exists()

    documents = list(Document.objects.all())
    assert {document.content_type for document in documents} == {"application/pdf", "text/plain"}
    pdf = next(document for document in documents if document.content_type == "application/pdf")
    with pdf.file.open("rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-1.4")
    assert content.endswith(b"%%EOF\n")
    assert len(content) == pdf.size


@override_settings(DEBUG=True)
def test_a_law_enforcement_partner_sees_an_ngo_client_only_with_their_active_consent(db, demo):
    assert set(map(_state, Consent.objects.all())) == {"active", "expired", "revoked"}
    assert set(Consent.objects.values_list("holder_agency__kind", flat=True)) == {Agency.Kind.VICTIM_SERVICES}

    seen: list[tuple[bool, set[str]]] = []  # (identity shown, the states of the client's consents to the viewer)
    shares = CaseShare.objects.filter(
        level=CaseShare.Level.PERSONAL,
        case__lead_agency__kind=Agency.Kind.VICTIM_SERVICES,
        agency__kind__in=LAW_ENFORCEMENT,
    ).select_related("case", "agency")
    for share in shares:
        viewer = User.objects.get(_membership__agency=share.agency, _membership__role=Role.CASEWORKER)
        for participant, view in people_of_case_for(viewer, share.case, case_permissions(viewer, share.case)):
            if participant.person.entered_by_agency_id != share.case.lead_agency_id:
                continue
            consents = participant.person.consents.filter(recipient_agency=share.agency)
            seen.append((view.given_name is not WITHHELD, set(map(_state, consents))))
            assert view.given_name in (WITHHELD, participant.person.given_name)

    assert (True, {"active"}) in seen
    assert (False, {"expired"}) in seen
    assert (False, {"revoked"}) in seen
    assert (False, set()) in seen  # a client never asked
    assert all(shown == ("active" in states) for shown, states in seen)


@override_settings(DEBUG=True)
def test_the_demo_asks_for_more_access_and_for_a_consent_where_the_case_pages_offer_it(db, demo):
    """One open request of each kind (decision 0025), asked by someone who could have asked on the case page."""
    [access_request] = AccessRequest.objects.select_related("case", "from_share", "asked_by")
    assert access_request.status == AccessRequest.Status.OPEN
    assert (access_request.from_share.level, access_request.level) == (
        CaseShare.Level.SUMMARY,
        CaseShare.Level.PERSONAL,
    )
    assert access_request.agency != access_request.case.lead_agency
    assert access_request.asked_by.email == "nia.brooks@bpd.example"

    [consent_request] = ConsentRequest.objects.select_related("case", "person", "asked_by")
    assert consent_request.status == ConsentRequest.Status.OPEN
    asker, case = consent_request.asked_by, consent_request.case
    assert (
        consent_request.holder_agency.short_name == "Safe Harbor" == consent_request.person.entered_by_agency.short_name
    )
    assert consent_request.agency == asker.agency
    assert asker.agency.is_law_enforcement
    [view] = [
        view
        for _p, view in people_of_case_for(asker, case, case_permissions(asker, case))
        if view.pk == consent_request.person_id
    ]
    assert view.given_name is WITHHELD
    assert not consent_request.person.consents.filter(recipient_agency=asker.agency).exists()


@override_settings(DEBUG=True)
def test_seed_demo_run_twice_changes_no_case_data(db, demo):
    models = (
        Case,
        Person,
        CaseParticipant,
        CaseShare,
        Consent,
        Need,
        Note,
        Document,
        AccessRequest,
        ConsentRequest,
        ServiceEvent,
    )
    counts = [model.objects.count() for model in models]
    assert "already there" in _seed()
    assert [model.objects.count() for model in models] == counts


@override_settings(DEBUG=True)
def test_every_demo_victim_is_identified_with_varied_values_and_a_foreign_national_minor_yesterday(db, demo):
    from datetime import timedelta

    from cases.demo import CASES
    from cases.models import VictimIdentification as ID

    # The victims of the cases demo (later apps' demos add their own stories' people).
    titles = [entry[5] for entry in CASES]
    victims = CaseParticipant.objects.filter(role=CaseParticipant.Role.VICTIM, case__title__in=titles)
    assert victims.exists()
    assert set(ID.objects.filter(participant__in=victims).values_list("participant", flat=True)) == set(
        victims.values_list("pk", flat=True)
    )
    assert set(ID.objects.values_list("status", flat=True)) == set(ID.Status.values)
    assert {"sex", "labor"} <= set(ID.objects.values_list("trafficking_type", flat=True))
    assert {"us_citizen", "foreign_national"} <= set(ID.objects.values_list("citizenship", flat=True))
    races = [code for codes in ID.objects.values_list("race_ethnicity", flat=True) for code in codes]
    assert {"not_reported", "hispanic_latino", "asian"} <= set(races)
    assert ID.objects.filter(gender=ID.Gender.NOT_REPORTED).exists()
    yesterday = timezone.localdate() - timedelta(days=1)
    newly = ID.objects.foreign_national_minors().filter(status=ID.Status.POTENTIAL, identified_on=yesterday)
    assert newly.exists()
    for identification in ID.objects.select_related("participant__person"):
        person = identification.participant.person
        assert identification.age_at_identification == (
            None
            if person.date_of_birth is None
            else identification.identified_on.year
            - person.date_of_birth.year
            - (
                (identification.identified_on.month, identification.identified_on.day)
                < (person.date_of_birth.month, person.date_of_birth.day)
            )
        )


@override_settings(DEBUG=True)
def test_the_shelters_record_the_services_they_give_their_clients(db, demo):
    direct = ServiceEvent.objects.filter(
        referral_id__isnull=True, recorded_by_agency__kind=Agency.Kind.VICTIM_SERVICES
    ).select_related("participant__person__entered_by_agency")
    assert direct.count() >= 5
    assert {event.kind for event in direct} == set(ServiceEvent.Kind.values)
    for event in direct:
        assert event.participant.role == CaseParticipant.Role.VICTIM
        assert event.recorded_by_agency == event.participant.person.entered_by_agency  # a provider, its own client
        assert event.recorded_by_agency.kind == Agency.Kind.VICTIM_SERVICES
        assert event.provided_on <= timezone.localdate()
