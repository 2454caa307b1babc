"""Identifiers as the index compares them: the same subject written differently is the same identifier."""

from datetime import date

import pytest

from deconfliction.subjects import normalise
from deconfliction.subjects.normalise import Kind


@pytest.mark.parametrize("written", ["(713) 555-0142", "713.555.0142", "+1 713 555 0142", "1-713-555-0142"])
def test_a_phone_in_four_formats_is_one_e164_number(written):
    assert normalise.phone(written) == "+17135550142"


@pytest.mark.parametrize("written", ["", "   ", "12", "not a phone", "+44 20", "555-0191"])
def test_what_is_no_phone_number_gives_nothing(written):
    assert normalise.phone(written) == ""


def test_a_foreign_number_keeps_its_country():
    assert normalise.phone("+52 55 1234 5678") == "+525512345678"


@pytest.mark.parametrize(
    "written",
    ["José García", "Jose Garcia", "GARCIA, José", "garcía josé", "  José   García  ", "J. José García"],
)
def test_names_with_accents_case_and_transposed_parts_have_one_key(written):
    assert normalise.name_key(written) == normalise.name_key("Jose Garcia") != ""


def test_names_that_sound_alike_share_a_key_and_others_do_not():
    assert normalise.name_key("Catherine Smith") == normalise.name_key("Katherine Smyth")
    assert normalise.name_key("Jose Garcia") != normalise.name_key("Maria Garcia")


@pytest.mark.parametrize("written", ["", "Madonna", "J. Garcia"])
def test_a_single_name_has_no_key(written):
    assert normalise.name_key(written) == ""


def test_a_name_alone_is_never_an_identifier():
    assert normalise.name_identifiers(["Jose Garcia"], None) == set()
    found = normalise.name_identifiers(["José García"], date(1990, 5, 1))
    assert found == {
        (Kind.NAME_DOB, f"{normalise.name_key('Jose Garcia')}|1990-05-01"),
        (Kind.NAME_YEAR, f"{normalise.name_key('Jose Garcia')}|1990"),
    }
    assert normalise.name_identifiers(["José García"], None, 1990) == {
        (Kind.NAME_YEAR, f"{normalise.name_key('Jose Garcia')}|1990")
    }


def test_a_date_of_birth_alone_is_never_an_identifier():
    found = normalise.of_subject(
        name="",
        alias="",
        date_of_birth=date(1990, 5, 1),
        birth_year=None,
        phone_number="",
        email_or_handle_text="",
        vehicle_plate="",
        vehicle_state="",
        business_name="",
    )
    assert found == set()


@pytest.mark.parametrize(("plate", "state"), [("ABC 1234", "TX"), ("abc-1234", "tx"), (" A B C 1 2 3 4 ", "Tx")])
def test_plates_with_spaces_and_hyphens_are_one_plate(plate, state):
    assert normalise.plate(plate, state) == "TX|ABC1234"


def test_a_plate_of_another_or_no_state_is_another_plate():
    assert normalise.plate("ABC1234", "LA") != normalise.plate("ABC1234", "TX")
    assert normalise.plate("ABC1234") == "??|ABC1234"


@pytest.mark.parametrize(
    ("written", "kind", "value"),
    [
        ("Someone@Example.ORG ", Kind.EMAIL, "someone@example.org"),
        ("@Night_Owl", Kind.HANDLE, "night_owl"),
        ("night_owl", Kind.HANDLE, "night_owl"),
    ],
)
def test_emails_and_handles(written, kind, value):
    assert normalise.email_or_handle(written) == (kind, value)


@pytest.mark.parametrize("written", ["", "@", "ab", "two words"])
def test_what_is_no_handle(written):
    assert normalise.email_or_handle(written) is None


def test_businesses_lose_their_legal_form_and_addresses_their_long_words():
    assert normalise.business("The Golden Spa, LLC") == normalise.business("golden spa") == "golden spa"
    assert normalise.business("Spa Ñandú Inc.") == "spa nandu"
    assert normalise.address("12 North Main Street") == normalise.address("12 n. main st") == "12 n main st"
    assert normalise.address("Main Street") == ""  # no number: too vague


@pytest.mark.parametrize(("one", "other"), [("Sean O'Neil", "Sean Oneil"), ("Ana D\u2019Angelo", "Ana Dangelo")])
def test_apostrophes_join_the_parts_of_a_name(one, other):
    assert normalise.name_key(one) == normalise.name_key(other) != ""


@pytest.mark.parametrize(
    "written", ["Lee & Sons, L.L.C.", "Lee and Sons LLC", "LEE AND SONS, INC.", "The Lee & Sons Co."]
)
def test_business_legal_forms_with_dots_and_ampersands_are_one_name(written):
    assert normalise.business(written) == "lee sons"


@pytest.mark.parametrize(
    "written",
    [
        "12 Main Street Apt 4",
        "12 Main St., Apt. #4",
        "12 Main St #4, Houston, TX 77002",
        "12 Main Street\nApt 4\nHouston TX 77002",
        "12 MAIN ST, UNIT 4, Houston",
        "12 Main St No. 4",
    ],
)
def test_an_address_with_its_unit_is_one_address_whatever_its_city_line(written):
    assert normalise.address(written) == "12 main st apt 4"


def test_a_unit_is_kept_and_the_city_is_not():
    assert normalise.address("12 Main St, Houston, TX 77002") == normalise.address("12 Main St") == "12 main st"
    assert normalise.address("12 Main St Apt 4") != normalise.address("12 Main St Apt 5")
