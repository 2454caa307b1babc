"""People: correcting a record (who may, the version check), adding someone already recorded to another case,
why a field is withheld, and choice labels that tell two people of the same name apart."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import Case, CaseParticipant, Person
from cases.presenters import person_choice_label
from cases.services import case_create, consent_revoke, need_add, person_add_to_case
from portal.models import AuditEvent
from tests.cases.fixtures import CLIENT_NAME, VICTIM_NAME
from tests.factories import given_consent


def victim_of(case: Case) -> Person:
    return case.participants.get(role=CaseParticipant.Role.VICTIM).person


def edit_data(person: Person, **changes) -> dict:
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": "",
        "sex": person.sex,
        "nationality": person.nationality,
        "languages": person.languages,
        "preferred_language": person.preferred_language,
        "languages_note": person.languages_note,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "version": person.version,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("who", "case_name", "status"),
    [
        ("investigator", "le_case", 200),  # lead agency, may change the case
        ("colleague", "le_case", 200),
        ("partner_investigator", "le_case", 403),  # sees the case at summary level
        ("advocate", "le_case", 404),  # outside the case
        ("outsider", "le_case", 404),
        ("advocate", "ngo_case", 200),  # the shelter corrects its own client
        ("investigator", "ngo_case", 403),  # reads the client under a share, never rewrites
    ],
)
def test_who_may_correct_a_persons_record(request, client_as, who, case_name, status):
    case = request.getfixturevalue(case_name)
    person = victim_of(case)
    response = client_as(request.getfixturevalue(who)).get(reverse("person_edit", args=[case.pk, person.pk]))
    assert response.status_code == status
    read = AuditEvent.objects.filter(action="cases.pii.viewed", details__via="edit", details__person_id=person.pk)
    assert read.exists() == (status == 200)


def test_a_correction_is_saved_with_languages_from_the_list_and_audited(client_as, investigator, le_case):
    person = victim_of(le_case)
    response = client_as(investigator).post(
        reverse("person_edit", args=[le_case.pk, person.pk]),
        edit_data(person, family_name="Corrected", languages=["es", "mam"], preferred_language="mam"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.family_name, person.languages, person.preferred_language, person.version) == (
        "Corrected",
        ["es", "mam"],
        "mam",
        2,
    )
    event = AuditEvent.objects.get(action="cases.person.updated")
    assert set(event.details["fields"]) == {"family_name", "languages", "preferred_language"}
    assert "Corrected" not in str(event.details)


def test_a_language_outside_the_list_is_refused_and_nothing_changes(client_as, investigator, le_case):
    person = victim_of(le_case)
    response = client_as(investigator).post(
        reverse("person_edit", args=[le_case.pk, person.pk]),
        edit_data(person, family_name="Changed", languages=["Spanish, English"]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["languages"]
    person.refresh_from_db()
    assert person.family_name != "Changed"
    assert person.version == 1


def test_a_stale_correction_is_refused(client_as, investigator, colleague, le_case):
    person = victim_of(le_case)
    url = reverse("person_edit", args=[le_case.pk, person.pk])
    opened = edit_data(person)
    assert client_as(colleague).post(url, {**opened, "phone": "555-0100"}).status_code == 302
    response = client_as(investigator).post(url, {**opened, "phone": "555-0999"}, follow=True)
    person.refresh_from_db()
    assert person.phone == "555-0100"
    assert "changed this person&#x27;s record (phone) while you were editing it" in response.content.decode()


@pytest.fixture
def second_case(investigator):
    return case_create(actor=investigator, title="Second venue", intake_channel=Case.Channel.HOTLINE)


def test_a_person_found_is_added_to_a_second_case_without_a_copy(client_as, investigator, le_case, second_case):
    person = victim_of(le_case)
    client = client_as(investigator)
    found = client.post(reverse("participant_find", args=[second_case.pk]), {"q": VICTIM_NAME.split()[0]})
    assert VICTIM_NAME.split()[1] in found.content.decode()
    assert AuditEvent.objects.filter(action="cases.pii.viewed", details__via="add_to_case").count() == 1
    people_before = Person.objects.count()
    response = client.post(reverse("participant_link", args=[second_case.pk]), {"person": person.pk, "role": "victim"})
    assert response.status_code == 302
    assert Person.objects.count() == people_before
    assert second_case.participants.filter(person=person, role="victim").exists()
    again = client.post(
        reverse("participant_link", args=[second_case.pk]), {"person": person.pk, "role": "victim"}, follow=True
    )
    assert "already in the case in this role" in again.content.decode()
    assert second_case.participants.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("who", "person_of", "status"),
    [
        ("investigator", "le_case", 302),
        ("investigator", "ngo_case", 404),  # a shelter's client is found only by the shelter
        ("partner_investigator", "le_case", 404),  # the partner does not change the target case
    ],
)
def test_who_may_add_a_found_person_to_a_case(request, client_as, second_case, who, person_of, status):
    person = victim_of(request.getfixturevalue(person_of))
    response = client_as(request.getfixturevalue(who)).post(
        reverse("participant_link", args=[second_case.pk]), {"person": person.pk, "role": "witness"}
    )
    assert response.status_code == status
    assert second_case.participants.filter(person=person).exists() == (status == 302)


def reason_for(user, case: Case) -> selectors.WithheldBecause | None:
    access = selectors.case_access_for_user(user, case.pk)
    people = selectors.people_of_case_for(user, case, access.permissions)
    return next(view.withheld_because for participant, view in people if participant.role == "victim")


def test_the_share_level_is_why_the_partner_sees_no_name(partner_investigator, le_case):
    because = reason_for(partner_investigator, le_case)
    assert because is not None
    assert because.reason == because.SHARE_LEVEL
    assert because.agency == le_case.lead_agency


def test_each_consent_state_is_a_reason_of_its_own(investigator, advocate, ngo_case, ngo_client, lead_agency):
    assert reason_for(investigator, ngo_case).reason == selectors.WithheldBecause.NO_CONSENT
    consent = given_consent(ngo_client, lead_agency, by=advocate, days=90)
    because = reason_for(investigator, ngo_case)
    assert because.reason == because.NOT_RELEASED
    assert because.released == {"identity"}
    consent_revoke(consent=consent, actor=advocate)
    assert reason_for(investigator, ngo_case).reason == selectors.WithheldBecause.CONSENT_REVOKED
    given_consent(ngo_client, lead_agency, ["identity", "contact"], by=advocate, days=-5, signed_days_ago=20)
    because = reason_for(investigator, ngo_case)
    assert because.reason == because.CONSENT_EXPIRED
    assert because.on == timezone.localdate() - timedelta(days=5)


def test_the_case_page_says_why_and_how_to_see_more(client_as, partner_investigator, le_case):
    page = client_as(partner_investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "shares this case with your agency at the level: Summary only" in page
    assert "does not include personal information" in page
    assert f"Ask {le_case.lead_agency.name}, which leads the case" in page
    assert VICTIM_NAME not in page


def test_the_people_table_and_the_needs_list_name_a_withheld_person_alike(investigator, ngo_case, ngo_client):
    access = selectors.case_access_for_user(investigator, ngo_case.pk)
    need_add(case=ngo_case, person=ngo_client, category="food", actor=ngo_client.entered_by)
    dossier = selectors.case_dossier_for(investigator, access)
    view = next(view for _participant, view in dossier.people if view.pk == ngo_client.pk)
    assert view.label == dossier.needs[0].person_label == f"Victim or survivor #{ngo_client.pk} (identity withheld)"
    assert CLIENT_NAME.split()[0] not in view.label


def test_two_people_of_the_same_name_are_told_apart(investigator, le_case):
    first = victim_of(le_case)
    given, family = VICTIM_NAME.split()
    person_add_to_case(
        case=le_case, role="victim", actor=investigator, given_name=given, family_name=family, date_of_birth=None
    )
    Person.objects.filter(pk=first.pk).update(date_of_birth=timezone.localdate().replace(year=1990))
    access = selectors.case_access_for_user(investigator, le_case.pk)
    labels = [
        person_choice_label(participant, view)
        for participant, view in selectors.people_of_case_for(investigator, le_case, access.permissions)
    ]
    assert len(labels) == len(set(labels)) == 2
    assert any("born 1990" in label for label in labels)
    assert all(label.startswith(VICTIM_NAME) for label in labels)


def test_the_need_form_lists_victims_by_their_distinct_labels(client_as, investigator, le_case):
    response = client_as(investigator).get(reverse("case_detail", args=[le_case.pk]))
    choices = dict(response.context["need_form"].fields["person"].choices)
    assert choices[str(victim_of(le_case).pk)].startswith(f"{VICTIM_NAME} (Victim or survivor, #")


def test_the_case_page_costs_the_same_queries_whatever_the_number_of_people(
    client_as, partner_investigator, le_case, investigator
):
    client = client_as(partner_investigator)
    url = reverse("case_detail", args=[le_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index in range(3):
        person_add_to_case(case=le_case, role="victim", actor=investigator, given_name=f"Extra{index}")
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count("(identity withheld)") >= 4
    assert len(four) == len(one)


def test_only_the_agency_that_entered_a_record_corrects_it(client_as, partner_investigator, le_case):
    """One record is shared by the cases a person is in: a partner that added the lead's victim to a case of its own
    (where it sees everything) reads them there, and still may not rewrite the lead's record."""
    person = victim_of(le_case)
    own_case = case_create(actor=partner_investigator, title="Partner's venue", intake_channel=Case.Channel.HOTLINE)
    CaseParticipant.objects.create(
        case=own_case, person=person, role=CaseParticipant.Role.VICTIM, added_by=partner_investigator
    )
    client = client_as(partner_investigator)
    assert client.get(reverse("person_edit", args=[own_case.pk, person.pk])).status_code == 403
    response = client.post(reverse("person_edit", args=[own_case.pk, person.pk]), edit_data(person, family_name="X"))
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.family_name != "X"


def test_a_suspect_is_added_to_another_case_only_as_a_suspect(client_as, investigator, le_case, second_case):
    suspect = le_case.participants.filter(role=CaseParticipant.Role.SUSPECT).first()
    if suspect is None:
        suspect = person_add_to_case(
            case=le_case, actor=investigator, role=CaseParticipant.Role.SUSPECT, given_name="Sal", family_name="Vex"
        )
    person = suspect.person
    client = client_as(investigator)
    refused = client.post(
        reverse("participant_link", args=[second_case.pk]), {"person": person.pk, "role": "witness"}, follow=True
    )
    assert "suspect in another case" in refused.content.decode()
    assert not second_case.participants.filter(person=person).exists()
    added = client.post(reverse("participant_link", args=[second_case.pk]), {"person": person.pk, "role": "suspect"})
    assert added.status_code == 302
    assert second_case.participants.filter(person=person, role=CaseParticipant.Role.SUSPECT).exists()
