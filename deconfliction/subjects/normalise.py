"""Identifiers as the index compares them: each raw value becomes ``(kind, normalised)`` or nothing (decision 0030).

Only these pairs are digested (``keys.digest``); the raw values are read here and never leave this module's caller.
A name never matches alone: it is combined with the date of birth (``name_dob``) or the year of birth
(``name_year``). A date of birth alone is not an identifier either: too many people share one.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

import jellyfish
import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "US"


class Kind(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    HANDLE = "handle", _("online handle")
    NAME_DOB = "name_dob", _("name and date of birth")
    NAME_YEAR = "name_year", _("name and year of birth")
    PLATE = "plate", _("vehicle plate")
    BUSINESS = "business", _("business name")
    ADDRESS = "address", _("street address")


Identifier = tuple[str, str]


def fold(text: str) -> str:
    """Case- and accent-folded, punctuation to spaces, spaces collapsed: "  José-María  O'Neil " is
    "jose maria o neil"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", bare).replace("_", " ").split())


# Apostrophes (straight, typographic, modifier) join what they separate ("O'Neil" is "Oneil"), as people also write
# them.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")


def name_key(name: str) -> str:
    """A name's phonetic key, whatever the order of its parts: each part's Metaphone, sorted ("García, José" and
    "Jose Garcia" are both "JS KRS"). Initials (one letter) are dropped; fewer than two parts is no key."""
    parts = [part for part in fold(_APOSTROPHES.sub("", name)).split() if len(part) > 1]
    if len(parts) < 2:
        return ""
    return " ".join(sorted(jellyfish.metaphone(part) or part.upper() for part in parts))


def name_identifiers(
    names: Iterable[str], date_of_birth: date | None, birth_year: int | None = None
) -> set[Identifier]:
    year = date_of_birth.year if date_of_birth else birth_year
    found: set[Identifier] = set()
    for name in names:
        key = name_key(name)
        if not key:
            continue
        if date_of_birth:
            found.add((Kind.NAME_DOB, f"{key}|{date_of_birth.isoformat()}"))
        if year:
            found.add((Kind.NAME_YEAR, f"{key}|{year}"))
    return found


def phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """E.164 ("+17135550142") for a number as people write it, or "" when it is no possible phone number or lacks
    its area code."""
    if not raw or not raw.strip():
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    # A local number without its area code ("555-0191") could be anyone's in any area: not an identifier.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_or_handle(raw: str) -> Identifier | None:
    """An e-mail address (case-folded) or an online handle (without its "@", case-folded)."""
    value = raw.strip().casefold()
    if not value:
        return None
    if _EMAIL.match(value):
        return (Kind.EMAIL, value)
    handle = value.lstrip("@").strip()
    if len(handle) < 3 or any(char.isspace() for char in handle):
        return None
    return (Kind.HANDLE, handle)


def plate(raw: str, state: str = "") -> str:
    """The plate in capitals without spaces or hyphens, after its state ("TX|ABC1234"); "??" for an unknown state,
    which matches only another plate of unknown state."""
    number = re.sub(r"[^A-Z0-9]", "", fold(raw).upper())
    if len(number) < 2:
        return ""
    region = re.sub(r"[^A-Z]", "", state.upper())[:2] or "??"
    return f"{region}|{number}"


_LEGAL_FORMS = {"llc", "inc", "corp", "corporation", "co", "ltd", "lp", "llp", "pllc", "company", "incorporated"}


def business(raw: str) -> str:
    """The name folded, without its legal form and a leading "the" ("The Golden Spa, L.L.C." is "golden spa"), its
    dots and apostrophes joined ("L.L.C." is "llc") and "and" or "&" left out ("Lee & Sons" is "Lee and Sons")."""
    words = [word for word in fold(_APOSTROPHES.sub("", raw.replace(".", ""))).split() if word != "and"]
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words) if len("".join(words)) >= 3 else ""


_ADDRESS_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "highway": "hwy",
    "place": "pl",
    "suite": "ste",
    "apartment": "apt",
    "unit": "apt",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


_UNIT_WORDS = ("apt", "apartment", "unit", "suite", "ste", "#", "no", "room", "rm")


def street_line(raw: str) -> str:
    """The street and unit of an address as people write it: its first line, and of that the part before the city
    ("12 Main St, Apt 4, Houston, TX 77002" and "12 Main St\nApt 4\nHouston TX" are "12 Main St Apt 4"): a unit is
    kept (a building of many flats is not one subject), a city, state or ZIP code is not (one side seldom writes
    them as the other does)."""
    lines = [line.strip() for line in raw.replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        return ""
    kept = [lines[0]]
    # A unit on its own line ("Apt 4") follows the street's.
    if len(lines) > 1 and lines[1].casefold().startswith(_UNIT_WORDS):
        kept.append(lines[1])
    segments = [segment.strip() for segment in " ".join(kept).split(",")]
    street = [segments[0], *(s for s in segments[1:] if s.casefold().startswith(_UNIT_WORDS))]
    # "#4" is "apt 4", whether written "# 4", "#4" or "No. 4" after the street.
    return re.sub(r"#\s*(?=\w)|\bno\.?\s*(?=\d)", "apt ", " ".join(street), flags=re.IGNORECASE)


def address(raw: str) -> str:
    """A street address folded, its common words abbreviated ("12 North Main Street" is "12 n main st"), without its
    city, state and ZIP code (``street_line``). One without a number is too vague to be a match."""
    words = [_ADDRESS_WORDS.get(word, word) for word in fold(street_line(raw)).split()]
    words = [word for n, word in enumerate(words) if not (word == "apt" and n and words[n - 1] == "apt")]
    if not any(char.isdigit() for char in "".join(words)) or len(words) < 2:
        return ""
    return " ".join(words)


def of_person(
    *,
    given_name: str,
    family_name: str,
    aliases: Iterable[str],
    date_of_birth: date | None,
    phone_number: str,
    email: str,
    street_address: str,
) -> set[Identifier]:
    """A case participant's identifiers."""
    names = [f"{given_name} {family_name}", *(alias for alias in aliases if isinstance(alias, str))]
    found = name_identifiers(names, date_of_birth)
    if value := phone(phone_number):
        found.add((Kind.PHONE, value))
    if email and (pair := email_or_handle(email)):
        found.add(pair)
    if value := address(street_address):
        found.add((Kind.ADDRESS, value))
    return found


def of_subject(
    *,
    name: str,
    alias: str,
    date_of_birth: date | None,
    birth_year: int | None,
    phone_number: str,
    email_or_handle_text: str,
    vehicle_plate: str,
    vehicle_state: str,
    business_name: str,
    street_address: str = "",
) -> set[Identifier]:
    """A tip subject's identifiers, or those a person types into the check form."""
    found = name_identifiers([name, alias], date_of_birth, birth_year)
    if value := phone(phone_number):
        found.add((Kind.PHONE, value))
    if pair := email_or_handle(email_or_handle_text):
        found.add(pair)
    if vehicle_plate and (value := plate(vehicle_plate, vehicle_state)):
        found.add((Kind.PLATE, value))
    if value := business(business_name):
        found.add((Kind.BUSINESS, value))
    if value := address(street_address):
        found.add((Kind.ADDRESS, value))
    return found
