"""Languages are codes chosen from a list: what was typed before is converted by the cases migration, a
Spanish speaker recorded through the form is ranked "Speaks Spanish" and gets the letter in Spanish, and services
for a person whose date of birth is withheld claim no age."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.models import CaseParticipant, Need, Person
from cases.services import need_add
from portal.languages import codes_in_text
from referrals.letters import letter_language
from tests.factories import sent_referral
from tests.services_directory.factories import listed_service

BEFORE = [("cases", "0012_upper_name_trigram_indexes")]
AFTER = [("cases", "0013_person_languages_from_the_list")]


@pytest.mark.parametrize(
    ("typed", "codes", "unknown"),
    [
        ("Spanish, English", ["es", "en"], []),
        ("es/en", ["es", "en"], []),
        ("Español y Mam", ["es", "mam"], []),
        ("SPA; es-MX", ["es"], []),
        ("Spanish, Garifuna", ["es"], ["Garifuna"]),
        ("", [], []),
    ],
)
def test_languages_written_by_hand_are_read_as_codes(typed, codes, unknown):
    assert codes_in_text(typed) == (codes, unknown)


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_free_text_to_codes_and_keeps_what_it_cannot_read(investigator, le_case):
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        OldPerson = old.get_model("cases", "Person")
        entered = {"entered_by_agency_id": investigator.agency.pk, "entered_by_id": investigator.pk}
        typed = OldPerson.objects.create(
            given_name="A", languages=["Spanish, English"], preferred_language="Spanish", **entered
        )
        mixed = OldPerson.objects.create(given_name="B", languages=["es", "Garifuna"], preferred_language="", **entered)
        unread = OldPerson.objects.create(given_name="C", languages=[], preferred_language="Klingon", **entered)
        codes = OldPerson.objects.create(given_name="D", languages=["vi"], preferred_language="vi", **entered)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        def stored(person) -> tuple:
            row = Person.objects.get(pk=person.pk)
            return row.languages, row.preferred_language, row.languages_note

        assert stored(typed) == (["es", "en"], "es", "")
        assert stored(mixed) == (["es"], "", "Garifuna")
        assert stored(unread) == ([], "", "Klingon")
        assert stored(codes) == (["vi"], "vi", "")
    finally:  # back to the latest schema, for the tests that follow on this worker
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def spanish_speaker(client_as, investigator, le_case) -> Person:
    """Recorded through the form, with Spanish and English ticked and Spanish preferred."""
    response = client_as(investigator).post(
        reverse("participant_add", args=[le_case.pk]),
        {
            "role": "victim",
            "given_name": "Rosa",
            "family_name": "Ochoa",
            "sex": "female",
            "languages": ["es", "en"],
            "preferred_language": "es",
        },
    )
    assert response.status_code == 302
    return Person.objects.get(given_name="Rosa")


@pytest.mark.django_db
def test_the_form_refuses_languages_as_free_text(client_as, investigator, le_case):
    response = client_as(investigator).post(
        reverse("participant_add", args=[le_case.pk]),
        {"role": "victim", "given_name": "Rosa", "sex": "female", "languages": "Spanish, English"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["languages"]
    assert not Person.objects.filter(given_name="Rosa").exists()


@pytest.mark.django_db
def test_a_spanish_speaker_is_ranked_by_spanish_speaking_services_and_gets_a_spanish_letter(
    client_as, investigator, le_case, spanish_speaker
):
    spanish = listed_service(name="Casa Segura", languages=("es", "en"))
    listed_service(name="English Only", languages=("en",))
    need = need_add(case=le_case, person=spanish_speaker, category=Need.Category.EMERGENCY_SHELTER, actor=investigator)
    response = client_as(investigator).get(reverse("need_services", args=[need.pk]))
    first = response.context["results"][0]
    assert first.service.name == "Casa Segura"
    assert "Speaks Spanish, English" in [reason.text for reason in first.reasons]
    referral = sent_referral(le_case, spanish_speaker, spanish, by=investigator, delivery="phone")
    assert letter_language(referral) == "es"
    page = client_as(investigator).get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Languages: Spanish, English" in page
    assert "(prefers Spanish)" in page


@pytest.mark.django_db
def test_services_for_a_person_whose_age_is_withheld_claim_no_age(
    client_as, investigator, ngo_case, ngo_client, advocate
):
    Person.objects.filter(pk=ngo_client.pk).update(date_of_birth=date(1990, 3, 1), sex="female")
    listed_service(name="Young Adults", minimum_age=18, maximum_age=24)
    need = need_add(case=ngo_case, person=ngo_client, category=Need.Category.EMERGENCY_SHELTER, actor=advocate)
    assert ngo_case.participants.filter(person=ngo_client, role=CaseParticipant.Role.VICTIM).exists()

    withheld = client_as(investigator).get(reverse("need_services", args=[need.pk]))  # no consent: age withheld
    assert withheld.context["criteria"].age is None
    texts = [reason.text for reason in withheld.context["results"][0].reasons]
    assert not any(text.startswith("Eligible") for text in texts)
    assert "Ask the provider: it serves ages 18-24, and the person's age is not known to you" in texts

    shown = client_as(advocate).get(reverse("need_services", args=[need.pk]))  # the shelter sees the age
    assert any(reason.text.startswith("Not eligible") for reason in shown.context["results"][0].reasons)
