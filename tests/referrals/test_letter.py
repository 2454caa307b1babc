"""The referral letter (referrals/letters.py): one page for the person referred, in their preferred language, naming
the service, where and when to go, what to bring, who referred them and the national hotline; never the person's
name or phone, never a confidential address. Only the sender's side prints it, and each print is audited.

WeasyPrint takes about half a second a letter: each test that needs the PDF renders one.
"""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from agencies.services import user_deactivate
from cases.models import CaseParticipant, CaseShare, Person
from cases.services import case_share_grant, case_share_revoke, person_add_to_case
from portal.models import AuditEvent
from referrals.letters import letter_context, letter_language, render_referral_letter
from referrals.models import Referral
from services_directory.models import Phone, ServiceAtLocation
from services_directory.services import service_documents_set
from tests.cases.fixtures import VICTIM_NAME, VICTIM_PHONE
from tests.factories import sent_referral
from tests.helpers import fetched_by_the_typesetter
from tests.services_directory.factories import AddressFactory, LocationFactory, ScheduleFactory, listed_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "packets"

# The person referred: none of it may be on the letter.
PERSON_GIVEN = "Xiomerla"
PERSON_FAMILY = "Quintavor"
PERSON_PHONE = "555-0166-321"
SAFETY_NOTE = "SENTINEL-SAFETY-NOTE"
# The service: a confidential shelter site (its street never printed) and a public office (printed).
HIDDEN_STREET = "Sentinelhideaway"
PUBLIC_STREET = "401 Bayfront Avenue"
SERVICE_PHONE = "713-555-0142"
DOCUMENTS = ["Photo identification", "Proof of income"]


def squash(text: str) -> str:
    return "".join(text.split())


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def letter_service(ngo):
    """A service of the task force's shelter (in the portal) at a confidential site and a public office, with a
    phone, weekday hours and documents to bring."""
    service = listed_service(
        name="Harbor Legal Clinic", agency=ngo, confidential=True, address=f"9 {HIDDEN_STREET} Road"
    )
    office = LocationFactory(name="Bayfront office", is_confidential=False)
    AddressFactory(location=office, address_1=PUBLIC_STREET, city="Houston", state_province="TX", postal_code="77002")
    ServiceAtLocation.objects.create(service=service, location=office)
    Phone.objects.create(service=service, number=SERVICE_PHONE)
    ScheduleFactory(service=service)  # Monday to Friday, 09:00-17:00
    service_documents_set(service=service, documents=DOCUMENTS)
    return service


@pytest.fixture
def refer(le_case, investigator, letter_service):
    """``refer(language)``: the lead investigator refers a victim of ``le_case`` who prefers ``language``."""

    def make(preferred_language: str) -> Referral:
        person = person_add_to_case(
            case=le_case,
            role=CaseParticipant.Role.VICTIM,
            actor=investigator,
            given_name=PERSON_GIVEN,
            family_name=PERSON_FAMILY,
            phone=PERSON_PHONE,
        ).person
        # As stored, list or not (a value from before languages came from a list, say "es-MX"): the letter reads it.
        Person.objects.filter(pk=person.pk).update(
            preferred_language=preferred_language, languages=[preferred_language] if preferred_language else []
        )
        person.refresh_from_db()
        return sent_referral(le_case, person, letter_service, by=investigator, safety_notes=SAFETY_NOTE)

    return make


def assert_nothing_personal(text: str, le_case) -> None:
    squashed = squash(text)
    for value in [PERSON_GIVEN, PERSON_FAMILY, PERSON_PHONE, SAFETY_NOTE, HIDDEN_STREET, le_case.number]:
        assert value not in squashed, value
    assert squash(le_case.title) not in squashed


def test_a_spanish_speaker_gets_a_one_page_letter_in_spanish(client_as, investigator, le_case, refer):
    referral = refer("es")
    response = client_as(investigator).get(reverse("referral_letter", args=[referral.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="referral-{referral.pk}-letter.pdf"'
    pages = pages_of(response.content)
    assert len(pages) == 1
    text = pages[0]
    for spanish in [
        "Su remisión a Harbor Legal Clinic",
        "Adónde ir",
        "Este es un lugar confidencial.",
        "Qué llevar",
        "Línea Nacional contra la Trata de Personas",
        "1-888-373-7888",
        "233733",
        "Página 1 de 1",
        "Confidencial: guarde esta carta en un lugar seguro",
    ]:
        assert squash(spanish) in squash(text), spanish
    for english in ["Your referral to", "Where to go", "What to bring", "National Human Trafficking Hotline", "Page 1"]:
        assert squash(english) not in squash(text), english
    with translation.override("es"):  # the day in words of the letter's language ("3 de diciembre de 2026")
        day = formats.date_format(timezone.localtime(referral.created_at), "DATE_FORMAT")
    assert squash(f"Le remitieron a este servicio el {day}") in squash(text)
    assert squash(PUBLIC_STREET) in squash(text)
    assert SERVICE_PHONE in text
    for document in DOCUMENTS:
        assert squash(document) in squash(text), document
    assert squash(f"comuníquese con {investigator.full_name}") in squash(text)  # whom to call: who printed it
    # No referring agency on a letter the wrong person may find (a federal office tells them who the person talks to).
    assert squash(investigator.agency.name) not in squash(text)
    assert_nothing_personal(text, le_case)

    event = AuditEvent.objects.get(action="referrals.referral.letter_printed")
    assert event.actor == investigator
    assert (event.object_type, event.object_id) == ("referrals.referral", str(referral.pk))
    assert event.details == {"language": "es"}

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "referral-letter-es.pdf"
    pdf.write_bytes(response.content)
    for old in ARTIFACTS.glob("referral-letter-es-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian's poppler-utils) is needed"
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "referral-letter-es")],
        check=True,
        timeout=60,
    )
    [png] = ARTIFACTS.glob("referral-letter-es-*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_english_speaker_gets_a_one_page_letter_in_english(investigator, le_case, refer):
    referral = refer("en")
    pages = pages_of(render_referral_letter(referral, investigator))
    assert len(pages) == 1
    text = squash(pages[0])
    for english in [
        "Your referral to Harbor Legal Clinic",
        "Where to go",
        "This is a confidential place.",
        "What to bring",
        *DOCUMENTS,
        PUBLIC_STREET,
        "National Human Trafficking Hotline",
        "1-888-373-7888",
        "233733",
        "Page 1 of 1",
        "Mon, Tue, Wed, Thu, Fri, 09:00-17:00",
        f"contact {investigator.full_name}",
    ]:
        assert squash(english) in text, english
    assert squash(investigator.agency.name) not in text
    assert "Su remisión" not in pages[0]
    assert_nothing_personal(pages[0], le_case)
    assert AuditEvent.objects.get(action="referrals.referral.letter_printed").details == {"language": "en"}


def test_a_service_with_three_sites_and_five_documents_still_gets_a_one_page_letter(
    investigator, ngo, le_case, le_victim
):
    service = listed_service(name="Gulf Legal Aid", agency=ngo)
    for number in range(2):
        office = LocationFactory(name=f"Office {number}")
        AddressFactory(location=office, address_1=f"{number + 1}0 Main Street", address_2="Suite 200")
        ServiceAtLocation.objects.create(service=service, location=office)
    Phone.objects.create(service=service, number=SERVICE_PHONE, extension=12)
    ScheduleFactory(service=service)
    service_documents_set(service=service, documents=[*DOCUMENTS, "Proof of address", "Social Security card", "Lease"])
    referral = sent_referral(le_case, le_victim, service, by=investigator)
    pages = pages_of(render_referral_letter(referral, investigator))
    # The victim speaks Spanish and has no preferred language recorded: the letter takes the first language spoken.
    assert squash("Línea Nacional contra la Trata de Personas") in squash(pages[0])
    assert len(pages) == 1
    assert "1-888-373-7888" in pages[0]


def test_the_hours_on_a_spanish_letter_are_in_spanish(refer):
    """Day names come from the directory's ``hours_text``; the Spanish catalogue must have them."""
    referral = refer("es")
    with translation.override("es"):
        hours = letter_context(referral)["hours"]
    assert len(hours) == 1
    for english in ["Mon", "Tue", "Wed", "Thu", "Fri"]:
        assert english not in hours[0], hours[0]


@pytest.mark.parametrize(
    ("preferred", "language"),
    [("es", "es"), ("es-MX", "es"), ("es_MX", "es"), ("ES", "es"), ("en", "en"), ("fr", "en"), ("", "en")],
)
def test_the_letter_is_in_the_preferred_language_if_the_portal_speaks_it_else_in_english(refer, preferred, language):
    assert letter_language(refer(preferred)) == language


@pytest.mark.parametrize(
    ("preferred", "languages", "language"),
    [("", ["es"], "es"), ("fr", ["fr", "es"], "es"), ("en", ["es"], "en"), ("", ["vi", "zh"], "en")],
)
def test_without_a_preferred_language_the_portal_speaks_the_first_spoken_one_it_has(
    refer, preferred, languages, language
):
    referral = refer(preferred)
    referral.person.preferred_language = preferred
    referral.person.languages = languages
    assert letter_language(referral) == language


@pytest.mark.parametrize("status", ["rejected", "cancelled", "entered-in-error", "completed", "failed"])
def test_a_closed_referral_has_no_letter(request, client_as, refer, investigator, status):
    referral = refer("es")
    Referral.objects.filter(pk=referral.pk).update(status=status)
    response = client_as(investigator).get(reverse("referral_letter", args=[referral.pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="referrals.referral.letter_printed").exists()
    page = client_as(investigator).get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert reverse("referral_letter", args=[referral.pk]) not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("investigator", 200),  # sent it
        ("colleague", 200),  # the sender's colleague on the case
        ("provider_staff", 403),  # the recipient provider: sees the referral, does not print its letter
        ("coordinator", 403),  # watches the task force's referrals
        ("partner_investigator", 404),  # sees the case at summary level, not the referral
        ("outsider", 404),
    ],
)
def test_who_may_print_the_letter(request, client_as, refer, who, status):
    referral = refer("en")
    response = client_as(request.getfixturevalue(who)).get(reverse("referral_letter", args=[referral.pk]))
    assert response.status_code == status
    assert (response.get("Content-Type") == "application/pdf") == (status == 200)
    printed = AuditEvent.objects.filter(action="referrals.referral.letter_printed", object_id=str(referral.pk))
    assert printed.count() == (1 if status == 200 else 0)


def test_an_interagency_referral_has_no_letter(client_as, supervisor, investigator, interagency_referral):
    for user in [supervisor, investigator]:
        response = client_as(user).get(reverse("referral_letter", args=[interagency_referral.pk]))
        assert response.status_code == 404, user.full_name
    assert not AuditEvent.objects.filter(action="referrals.referral.letter_printed").exists()


@pytest.mark.parametrize(("who", "offered"), [("investigator", True), ("provider_staff", False)])
def test_the_referral_page_offers_the_letter_to_the_sender_side_only(request, client_as, refer, who, offered):
    referral = refer("es")
    page = client_as(request.getfixturevalue(who)).get(reverse("referral_detail", args=[referral.pk]))
    assert page.status_code == 200
    assert (f'href="{reverse("referral_letter", args=[referral.pk])}"' in page.content.decode()) == offered


# Attacks the letter withstands: markup from the directory, a sender whose share ended, a deactivated sender.


def test_directory_text_on_the_letter_is_printed_as_text_and_fetches_nothing(investigator, le_case, shelter_need):
    """Withstood: a service's name comes from the directory (HSDS imports too); markup in it is text to the
    renderer, and no URL it names is fetched."""
    hostile = 'Clinic <img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="file:///etc/passwd">'
    service = listed_service(name=hostile, categories=("emergency_shelter",))
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    referral = sent_referral(
        le_case, victim, service, by=investigator, needs=[shelter_need], delivery=Referral.Delivery.PHONE
    )
    with fetched_by_the_typesetter() as asked:
        text = squash("".join(pages_of(render_referral_letter(referral, investigator))))
    assert squash('<img src="http://127.0.0.1:9/x.png">') in text
    assert [url for url in asked if "passwd" in url or "127.0.0.1" in url] == []
    for value in [*VICTIM_NAME.split(), VICTIM_PHONE, le_case.number]:
        assert value not in text


def phoned_to_a_clinic(le_case, le_victim, shelter_need, *, by) -> Referral:
    """``by`` refers the victim of ``le_case`` for shelter to a clinic outside the portal, having phoned it."""
    return sent_referral(
        le_case,
        le_victim,
        listed_service(name="Harbor Clinic"),
        by=by,
        needs=[shelter_need],
        delivery=Referral.Delivery.PHONE,
    )


def test_a_partner_whose_share_ended_prints_no_letter_for_the_person_it_referred(
    client_as, le_case, le_victim, partner_agency, partner_investigator, supervisor, shelter_need
):
    """Withstood: the sender's side needs the case still in view: once the share ends, the letter is a 404."""
    case_share_grant(  # replaces its summary share: the partner now works the case and refers its victim
        case=le_case, agency=partner_agency, level=CaseShare.Level.COLLABORATE, reason="Joint", actor=supervisor
    )
    referral = phoned_to_a_clinic(le_case, le_victim, shelter_need, by=partner_investigator)
    client = client_as(partner_investigator)
    assert client.get(reverse("referral_letter", args=[referral.pk])).status_code == 200
    share = CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE)
    case_share_revoke(share=share, actor=supervisor, reason="No longer involved")
    response = client.get(reverse("referral_letter", args=[referral.pk]))
    assert response.status_code == 404
    printed = AuditEvent.objects.filter(action="referrals.referral.letter_printed")
    assert printed.count() == 1
    assert set(printed.get().details) == {"language"}


def test_the_letter_does_not_send_the_person_to_a_deactivated_sender(
    investigator, colleague, agency_admin, le_case, le_victim, shelter_need
):
    referral = phoned_to_a_clinic(le_case, le_victim, shelter_need, by=investigator)
    user_deactivate(user=investigator, actor=agency_admin)
    text = squash("".join(pages_of(render_referral_letter(referral, colleague))))
    assert squash(investigator.full_name) not in text
