"""Victim identification (issue 17, decision 0032): who sees and records it, the age derived from the date of birth,
the checks of the service, a stale edit, the packet, and the case page's cost whatever the number of victims."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Case, CaseParticipant, CaseShare, Person, VictimIdentification, age_on
from cases.packets import render_case_packet
from cases.services import (
    StaleIdentificationEdit,
    case_share_grant,
    person_add_to_case,
    person_update,
    victim_identification_save,
)
from portal.models import AuditEvent
from tests.factories import given_consent

ID = VictimIdentification
GENDER_SENTINEL = "Sentinelgender"
TODAY = timezone.localdate


def victim_of(case: Case) -> Person:
    return case.participants.get(role=CaseParticipant.Role.VICTIM).person


def identify(case: Case, person: Person, actor, *, version: int = 0, **changes) -> VictimIdentification:
    fields = {
        "status": ID.Status.POTENTIAL,
        "identified_on": TODAY() - timedelta(days=3),
        "confirmed_on": None,
        "trafficking_type": ID.TraffickingType.SEX,
        "citizenship": ID.Citizenship.FOREIGN_NATIONAL,
        "gender": ID.Gender.SELF_DESCRIBED,
        "gender_description": GENDER_SENTINEL,
        "race_ethnicity": [ID.RaceEthnicity.HISPANIC],
        "disability": ID.Disability.NOT_REPORTED,
        "referral_source": ID.ReferralSource.HOTLINE,
    }
    fields.update(changes)
    return victim_identification_save(case=case, person=person, version=version, actor=actor, **fields)


def form_data(**changes) -> dict:
    data = {
        "status": "potential",
        "identified_on": (TODAY() - timedelta(days=2)).isoformat(),
        "confirmed_on": "",
        "trafficking_type": "labor",
        "citizenship": "foreign_national",
        "gender": "female",
        "gender_description": "",
        "race_ethnicity": ["asian", "white"],
        "disability": "no",
        "referral_source": "ngo",
        "version": 0,
    }
    data.update(changes)
    return data


@pytest.fixture
def le_identified(le_case, investigator):
    identify(le_case, victim_of(le_case), investigator)
    return le_case


@pytest.fixture
def ngo_identified(ngo_case, advocate):
    identify(ngo_case, victim_of(ngo_case), advocate)
    return ngo_case


def _share(case, agency, level, supervisor):
    case_share_grant(case=case, agency=agency, level=level, reason="Joint work", actor=supervisor)


@pytest.mark.parametrize(
    ("who", "case_name", "setup", "edit_status", "sees"),
    [
        ("investigator", "le_identified", None, 200, True),  # the lead agency
        ("colleague", "le_identified", None, 200, True),
        ("partner_investigator", "le_identified", None, 403, False),  # a summary share: no personal information
        ("partner_investigator", "le_identified", "personal", 403, True),  # reads, does not change the case
        ("partner_investigator", "le_identified", "collaborate", 200, True),  # changes the case, sees the person
        ("advocate", "le_identified", None, 404, None),  # outside the case
        ("outsider", "le_identified", None, 404, None),
        ("advocate", "ngo_identified", None, 200, True),  # the shelter's own client
        ("investigator", "ngo_identified", None, 403, False),  # no consent
        ("investigator", "ngo_identified", "identity", 403, True),  # a consent releases it to read, not rewrite
        ("investigator", "ngo_identified", "contact", 403, False),  # a consent of other categories
        ("investigator", "ngo_identified", "revoked", 403, False),
    ],
)
def test_who_sees_and_who_records_an_identification(
    request, client_as, supervisor, partner_agency, lead_agency, advocate, who, case_name, setup, edit_status, sees
):
    case = request.getfixturevalue(case_name)
    person = victim_of(case)
    if setup in {"personal", "collaborate"}:
        _share(case, partner_agency, setup, supervisor)
    elif setup in {"identity", "contact", "revoked"}:
        category = "contact" if setup == "contact" else "identity"
        consent = given_consent(person, lead_agency, [category], by=advocate)
        if setup == "revoked":
            from cases.services import consent_revoke

            consent_revoke(consent=consent, actor=advocate)
    client = client_as(request.getfixturevalue(who))
    edit = client.get(reverse("victim_identification_edit", args=[case.pk, person.pk]))
    assert edit.status_code == edit_status
    opened = AuditEvent.objects.filter(action="cases.pii.viewed", details__via="identification")
    assert opened.exists() == (edit_status == 200)
    page = client.get(reverse("case_detail", args=[case.pk]))
    if sees is None:
        assert page.status_code == 404
        return
    body = page.content.decode()
    assert (GENDER_SENTINEL in body) == sees
    link = reverse("victim_identification_edit", args=[case.pk, person.pk])
    assert (link in body) == (edit_status == 200)


def test_someone_who_is_not_a_victim_has_no_identification(le_case, investigator, client_as):
    witness = person_add_to_case(
        case=le_case, role=CaseParticipant.Role.WITNESS, actor=investigator, given_name="Wit"
    ).person
    with pytest.raises(ValidationError):
        identify(le_case, witness, investigator)
    assert not VictimIdentification.objects.exists()
    response = client_as(investigator).get(reverse("victim_identification_edit", args=[le_case.pk, witness.pk]))
    assert response.status_code == 404


def test_the_service_refuses_readers_who_may_not_record_it(le_case, ngo_case, partner_investigator, investigator):
    with pytest.raises(PermissionDenied):
        identify(le_case, victim_of(le_case), partner_investigator)  # summary share
    with pytest.raises(PermissionDenied):
        identify(ngo_case, victim_of(ngo_case), investigator)  # the shelter's client
    with pytest.raises(Http404):
        identify(le_case, victim_of(ngo_case), investigator)  # not in that case
    assert not VictimIdentification.objects.exists()


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2009, 6, 15), date(2027, 6, 14), 17),  # the day before the 18th birthday
        (date(2009, 6, 15), date(2027, 6, 15), 18),  # the birthday itself
        (date(2009, 6, 15), date(2027, 6, 16), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # born on 29 February: a year older on 1 March
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (None, date(2026, 3, 1), None),  # no date of birth: not known
    ],
)
def test_the_age_at_identification_counts_whole_years(born, on, age):
    assert age_on(born, on) == age


def test_the_age_is_derived_and_follows_a_corrected_date_of_birth(le_case, investigator):
    person = victim_of(le_case)
    identified_on = TODAY() - timedelta(days=10)
    identification = identify(le_case, person, investigator, identified_on=identified_on)
    assert identification.age_at_identification is None  # no date of birth
    born = identified_on.replace(year=identified_on.year - 17)
    person_update(case=le_case, person=person, version=person.version, actor=investigator, date_of_birth=born)
    identification.refresh_from_db()
    assert identification.age_at_identification == 17
    assert identification.is_foreign_national_minor
    assert list(VictimIdentification.objects.foreign_national_minors()) == [identification]
    person.refresh_from_db()
    person_update(
        case=le_case,
        person=person,
        version=person.version,
        actor=investigator,
        date_of_birth=identified_on.replace(year=identified_on.year - 20),
    )
    identification.refresh_from_db()
    assert identification.age_at_identification == 20
    assert not VictimIdentification.objects.foreign_national_minors().exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"identified_on": TODAY() + timedelta(days=1)}, "identified_on"),
        ({"status": "confirmed", "confirmed_on": None}, "confirmed_on"),
        ({"status": "confirmed", "confirmed_on": TODAY() - timedelta(days=4)}, "confirmed_on"),  # before identified
        ({"status": "confirmed", "confirmed_on": TODAY() + timedelta(days=1)}, "confirmed_on"),
        ({"race_ethnicity": ["white", "not_reported"]}, "race_ethnicity"),
        ({"race_ethnicity": ["martian"]}, "race_ethnicity"),
        ({"citizenship": "dual"}, "citizenship"),
    ],
)
def test_the_service_refuses_bad_values_and_saves_nothing(le_case, investigator, changes, field):
    with pytest.raises(ValidationError) as refused:
        identify(le_case, victim_of(le_case), investigator, **changes)
    assert field in refused.value.message_dict
    assert not VictimIdentification.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="cases.victim_identification.").exists()


def test_confirming_records_who_confirmed_and_going_back_clears_it(le_case, investigator, colleague):
    person = victim_of(le_case)
    first = identify(le_case, person, investigator, race_ethnicity=[])
    assert (first.identified_by, first.identified_by_agency, first.race_ethnicity) == (
        investigator,
        investigator.agency,
        ["not_reported"],
    )
    confirmed = identify(
        le_case, person, colleague, version=1, status="confirmed", confirmed_on=TODAY(), race_ethnicity=[]
    )
    assert (confirmed.confirmed_by, confirmed.identified_by, confirmed.version) == (colleague, investigator, 2)
    event = AuditEvent.objects.filter(action="cases.victim_identification.updated").get()
    assert set(event.details["fields"]) == {"status", "confirmed_on", "confirmed_by"}
    assert GENDER_SENTINEL not in str(event.details)  # names of fields, never values
    back = identify(le_case, person, investigator, version=2, race_ethnicity=[])
    assert (back.status, back.confirmed_on, back.confirmed_by) == ("potential", None, None)


def test_a_stale_edit_is_refused_and_overwrites_nothing(le_case, investigator, colleague, client_as):
    person = victim_of(le_case)
    identify(le_case, person, investigator)
    identify(le_case, person, colleague, version=1, disability="yes")
    with pytest.raises(StaleIdentificationEdit):
        identify(le_case, person, investigator, version=1, disability="no")
    with pytest.raises(StaleIdentificationEdit):  # the form opened when none was recorded
        identify(le_case, person, investigator, version=0, disability="no")
    assert VictimIdentification.objects.get().disability == "yes"
    response = client_as(investigator).post(
        reverse("victim_identification_edit", args=[le_case.pk, person.pk]), form_data(version=1)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("victim_identification_edit", args=[le_case.pk, person.pk])
    assert VictimIdentification.objects.get().disability == "yes"


def test_the_form_records_it_and_re_renders_errors_without_saving(le_case, investigator, client_as):
    person = victim_of(le_case)
    url = reverse("victim_identification_edit", args=[le_case.pk, person.pk])
    client = client_as(investigator)
    bad = client.post(url, form_data(status="confirmed", confirmed_on=""))
    assert bad.status_code == 200
    assert "Say when the victim was confirmed." in bad.content.decode()
    assert not VictimIdentification.objects.exists()
    early = form_data(status="confirmed", confirmed_on=(TODAY() - timedelta(days=5)).isoformat())
    assert "A victim is confirmed on or after the day they were identified." in client.post(url, early).content.decode()
    assert not VictimIdentification.objects.exists()
    good = client.post(url, form_data())
    assert good.status_code == 302
    saved = VictimIdentification.objects.get()
    assert (saved.trafficking_type, saved.race_ethnicity, saved.identified_by) == (
        "labor",
        ["asian", "white"],
        investigator,
    )
    assert AuditEvent.objects.filter(action="cases.victim_identification.recorded").count() == 1
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "Labor trafficking" in page
    assert "Asian, White" in page


def test_the_page_flags_a_foreign_national_minor_identified_as_a_potential_victim(le_case, investigator, client_as):
    person = victim_of(le_case)
    identified_on = TODAY() - timedelta(days=1)
    person_update(
        case=le_case,
        person=person,
        version=person.version,
        actor=investigator,
        date_of_birth=identified_on.replace(year=identified_on.year - 16),
    )
    identify(le_case, person, investigator, identified_on=identified_on)
    page = client_as(investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "the HHS is notified within 24 hours" in page


def _pdf_text(case, viewer) -> str:
    pdf = render_case_packet(case, viewer)
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_packet_shows_the_identification_only_to_who_may_see_it(le_identified, investigator, partner_investigator):
    text = _pdf_text(le_identified, investigator)
    assert "Victimidentification" in text
    assert GENDER_SENTINEL in text
    assert "HispanicorLatino" in text
    hidden = _pdf_text(le_identified, partner_investigator)  # a summary share
    assert GENDER_SENTINEL not in hidden
    assert "Hispanic" not in hidden  # the case's type says "sex trafficking" to every reader: not a leak
    assert "Withheld:releasedwiththeperson'sidentity." in hidden


def test_the_case_page_costs_the_same_queries_for_1_and_5_victims(le_case, investigator, client_as):
    client = client_as(investigator)
    identify(le_case, victim_of(le_case), investigator)
    url = reverse("case_detail", args=[le_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(4):
        person = person_add_to_case(
            case=le_case, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name=f"V{number}"
        ).person
        identify(le_case, person, investigator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count(GENDER_SENTINEL) == 5
    assert len(many) == len(few)


def test_an_identification_needs_a_confirmation_date_in_the_database_too(le_case, investigator):
    from django.db import IntegrityError, transaction

    identification = identify(le_case, victim_of(le_case), investigator)
    identification.status = ID.Status.CONFIRMED
    with pytest.raises(IntegrityError), transaction.atomic():
        identification.save()


def test_a_share_at_personal_level_reads_the_identification_in_the_packet(
    le_identified, partner_investigator, partner_agency, supervisor
):
    _share(le_identified, partner_agency, CaseShare.Level.PERSONAL, supervisor)
    assert GENDER_SENTINEL in _pdf_text(le_identified, partner_investigator)


def test_the_record_stamps_when_it_became_a_foreign_national_minor_s(le_case, investigator):
    """The HHS 24 hours count from when the portal learned of a foreign-national minor: a correction days after the
    record was made (here, the citizenship) stamps then, not the record's creation; it is kept while the record
    stays one, and cleared when it no longer is."""
    import time_machine

    person = victim_of(le_case)
    start = timezone.now()
    identified_on = TODAY() - timedelta(days=3)
    person_update(
        case=le_case,
        person=person,
        version=person.version,
        actor=investigator,
        date_of_birth=identified_on.replace(year=identified_on.year - 15),
    )
    identification = identify(le_case, person, investigator, identified_on=identified_on, citizenship="us_citizen")
    assert identification.foreign_national_minor_since is None
    with time_machine.travel(start + timedelta(days=4), tick=False):
        identification = identify(
            le_case,
            person,
            investigator,
            version=identification.version,
            identified_on=identified_on,
            citizenship="foreign_national",
        )
        assert identification.foreign_national_minor_since == start + timedelta(days=4)
    assert identification.created_at < start + timedelta(days=1)
    with time_machine.travel(start + timedelta(days=5), tick=False):  # another correction leaves the stamp alone
        identification = identify(
            le_case,
            person,
            investigator,
            version=identification.version,
            identified_on=identified_on,
            trafficking_type=ID.TraffickingType.LABOR,
        )
    identification.refresh_from_db()
    assert identification.foreign_national_minor_since == start + timedelta(days=4)
    person.refresh_from_db()
    person_update(
        case=le_case,
        person=person,
        version=person.version,
        actor=investigator,
        date_of_birth=identified_on.replace(year=identified_on.year - 30),
    )
    identification.refresh_from_db()
    assert identification.foreign_national_minor_since is None
