"""Writes ``services.json`` and ``csv/`` of this folder: an imaginary Oregon 211 directory in HSDS 3.0.

Run it only to change the data (``python tests/services_directory/hsds_foreign/make_foreign.py``); the tests read
the files it wrote, not this script. It needs nothing but the standard library and shares no code with the portal,
so that the files are a second opinion on HSDS, not the portal's own reading of it.

The documents are written the way an HSDS 3.0 API writes ``service_full``: a record shared by several owners (a
phone of a service and of its contact, a program of a service and of its organization, a location of two services)
is the same object wherever it appears. The CSV package is the same data flattened into tables, each link written
as the column HSDS gives it, with the habits of spreadsheet exports: CRLF line ends, a byte order mark on some files,
only the columns that hold a value, in an order of their own.
"""

import csv
import json
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
NAMESPACE = uuid.UUID("5e0c4c52-5a1e-4a8e-8d2b-0b9f6f3c2e71")
PACIFIC = -8  # Pacific Standard Time; the summer schedule below says -7


def uid(key: str, *, upper: bool = False) -> str:
    """A fixed id per key; a few are written upper case, as some directory software does."""
    value = str(uuid.uuid5(NAMESPACE, key))
    return value.upper() if upper else value


# Taxonomies --------------------------------------------------------------------------------------------------------

AIRS = {
    "id": uid("taxonomy:airs"),
    "name": "AIRS/211 Taxonomy",
    "description": "The Taxonomy of Human Services maintained by 211 LA for the AIRS/211 network.",
    "uri": "https://211taxonomy.org/",
    "version": "2024-01",
}
OPEN_ELIGIBILITY = {
    "id": uid("taxonomy:open-eligibility", upper=True),
    "name": "Open Eligibility",
    "description": "An open taxonomy of human services and the people they serve.",
    "uri": "https://openeligibility.org/",
}
LOCAL = {
    "id": uid("taxonomy:local"),
    "name": "Cascadia Resource Flags",
    "description": "Flags the Cascadia 211 resource team adds to listings; not part of any published taxonomy.",
    "uri": "https://cascadia211.example.org/taxonomy/flags",
    "version": "3",
}


def airs(code: str, name: str, *, parent: str | None = None) -> dict[str, Any]:
    term = {
        "id": uid(f"term:airs:{code}"),
        "code": code,
        "name": name,
        "description": f"AIRS/211 Taxonomy term {code}: {name}.",
        "taxonomy": "AIRS/211 Taxonomy",
        "language": "en",
        "term_uri": f"https://211taxonomy.org/search/{code}",
        "taxonomy_detail": AIRS,
    }
    if parent:
        term["parent_id"] = uid(f"term:airs:{parent}").upper()
    return term


def open_eligibility(name: str, *, detail: bool = True) -> dict[str, Any]:
    term = {
        "id": uid(f"term:oe:{name}"),
        "name": name,
        "description": f"Open Eligibility service type: {name}.",
        "taxonomy": "Open Eligibility",
        "language": "en",
    }
    if detail:  # some records carry only the taxonomy's name, not its detail
        term["taxonomy_detail"] = OPEN_ELIGIBILITY
    return term


def flag(code: str, name: str) -> dict[str, Any]:
    return {
        "id": uid(f"term:local:{code}"),
        "code": code,
        "name": name,
        "description": name,
        "taxonomy": "Cascadia Resource Flags",
        "taxonomy_detail": LOCAL,
    }


FOOD_PANTRIES = airs("BD-1800.2000", "Food Pantries", parent="BD-1800")
EMERGENCY_FOOD = airs("BD-1800", "Emergency Food")
HOMELESS_SHELTER = airs("BH-1800.8500", "Homeless Shelter")
TRANSITIONAL_HOUSING = airs("BH-8600", "Transitional Housing/Shelter")
IMMIGRATION_LEGAL = airs("FT-3200", "Immigration/Naturalization Legal Services")
INTERPRETATION = airs("LR-8000", "Translation and Interpretation")
CASE_MANAGEMENT = airs("PH-1000", "Case/Care Management")
TRANSPORTATION = airs("BT-4500", "Transportation Expense Assistance")  # a category the portal does not have
OE_FOOD_PANTRY = open_eligibility("Food Pantry")
OE_LEGAL_AID = open_eligibility("Legal Aid", detail=False)
OE_COUNSELING = open_eligibility("Counseling")
OE_CHILD_CARE = open_eligibility("Child Care")
NO_ID = flag("CRF-NOID", "No ID required")
WALK_IN = flag("CRF-WALKIN", "Walk-ins welcome")
CULTURALLY_SPECIFIC = flag("CRF-CSLATINX", "Culturally specific: Latinx communities")


def attribute(owner: str, entity: str, term: dict[str, Any], *, value: str | None = None, upper: bool = False):
    document = {
        "id": uid(f"attribute:{owner}:{term['id']}", upper=upper),
        "link_type": "service_type" if entity == "service" else "feature",
        "link_entity": entity,
        "taxonomy_term": term,
    }
    if value:
        document["value"] = value
    return document


# Shared records ------------------------------------------------------------------------------------------------


def phone(key: str, number: str, **extra: Any) -> dict[str, Any]:
    return {"id": uid(f"phone:{key}"), "number": number, **extra}


def language(key: str, code: str, name: str, note: str | None = None) -> dict[str, Any]:
    document = {"id": uid(f"language:{key}:{code}"), "name": name, "code": code}
    if note:
        document["note"] = note
    return document


def schedule(key: str, **fields: Any) -> dict[str, Any]:
    return {"id": uid(f"schedule:{key}"), **fields}


def address(key: str, street: str, city: str, county: str, postal_code: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid(f"address:{key}"),
        "address_1": street,
        "city": city,
        "region": county,
        "state_province": "OR",
        "postal_code": postal_code,
        "country": "US",
        "address_type": "physical",
        **extra,
    }


# Rose City Community Pantry Network: its locations are listed under the organization too.

PANTRY_LINE = phone(
    "pantry-line",
    "503-555-0142",
    type="voice",
    description="Pantry hotline, answered in English and Spanish",
    languages=[language("pantry-line", "spa", "Spanish")],
)
NE_PANTRY = {
    "id": uid("location:ne-pantry"),
    "location_type": "physical",
    "name": "Northeast Portland Pantry",
    "description": "Church basement pantry; enter from the parking lot on NE 14th Ave.",
    "transportation": "TriMet bus 72 stops at NE Killingsworth & 14th.",
    "latitude": 45.562383,
    "longitude": -122.651782,
    "external_identifier": "RCP-001",
    "external_identifier_type": "pantry network site code",
    "addresses": [
        address("ne-pantry", "4720 NE 14th Ave", "Portland", "Multnomah County", "97211", attention="Pantry"),
    ],
    "accessibility": [
        {
            "id": uid("accessibility:ne-pantry"),
            "description": "Ramp at the parking lot door; accessible restroom.",
            "details": "Ask a volunteer for a chair while you wait.",
            "url": "https://rosecitypantry.example.org/access",
        }
    ],
    "languages": [language("ne-pantry", "vie", "Vietnamese", "Volunteer interpreter on Thursdays")],
    "attributes": [attribute("ne-pantry", "location", NO_ID)],
}
GRESHAM_PANTRY = {
    "id": uid("location:gresham-pantry"),
    "location_type": "physical",
    "name": "Gresham Pantry at Rockwood",
    "alternate_name": "Rockwood Market Pantry",
    "latitude": 45.518754,
    "longitude": -122.474615,
    "addresses": [
        address("gresham-pantry", "18535 SE Stark St", "Gresham", "Multnomah County", "97233", address_2="Suite B"),
        {
            "id": uid("address:gresham-pantry-postal"),
            "attention": "Rose City Community Pantry Network",
            "address_1": "PO Box 3319",
            "city": "Gresham",
            "state_province": "OR",
            "postal_code": "97030-0319",
            "country": "US",
            "address_type": "postal",
        },
    ],
    "phones": [phone("gresham-desk", "503-555-0177", extension=204, type="voice")],
}
FOOD_PROGRAM = {
    "id": uid("program:east-county-food"),
    "name": "East County Food Security Program",
    "alternate_name": "ECFSP",
    "description": "Pantries, pop-up markets and home delivery east of the Willamette River.",
}
PANTRY_NETWORK = {
    "id": uid("organization:pantry-network"),
    "name": "Rose City Community Pantry Network",
    "alternate_name": "RCCPN",
    "description": "A network of volunteer-run food pantries in Portland and East Multnomah County.",
    "email": "info@rosecitypantry.example.org",
    "website": "https://rosecitypantry.example.org/",
    "tax_status": "501(c)(3)",
    "tax_id": "93-0842217",
    "year_incorporated": 1987,
    "legal_status": "Nonprofit corporation",
    "phones": [PANTRY_LINE],
    "locations": [NE_PANTRY, GRESHAM_PANTRY],
    "programs": [FOOD_PROGRAM],
    "organization_identifiers": [
        {
            "id": uid("identifier:pantry-network:ein"),
            "identifier_scheme": "US-EIN",
            "identifier_type": "Employer Identification Number",
            "identifier": "93-0842217",
        }
    ],
    "funding": [{"id": uid("funding:pantry-network"), "source": "Oregon Food Bank partner agency grants"}],
}

# Willamette Valley Legal Aid Collaborative: an office and a video clinic (a virtual location) shared by two services.

VIDEO_CLINIC = {
    "id": uid("location:video-clinic"),
    "location_type": "virtual",
    "url": "https://wvlac.example.org/video-clinic",
    "name": "WVLAC video clinic",
    "description": "Consultations by video call; a link is e-mailed after intake.",
    "languages": [language("video-clinic", "spa", "Spanish")],
}
VIDEO_CLINIC_UPPER = {**VIDEO_CLINIC, "id": VIDEO_CLINIC["id"].upper()}  # one service's record spells it so
SALEM_OFFICE = {
    "id": uid("location:salem-office"),
    "location_type": "physical",
    "name": "Salem office",
    "latitude": 44.940811,
    "longitude": -123.035094,
    "addresses": [address("salem-office", "1655 Center St NE", "Salem", "Marion County", "97301")],
}
INTAKE_LINE = phone(
    "legal-intake",
    "971-555-0190",
    type="voice",
    description="Intake line; leave a message after hours",
    languages=[
        language("legal-intake", "spa", "Spanish"),
        language("legal-intake", "rus", "Russian", "Call back within two business days"),
    ],
)
INTAKE_CONTACT = {
    "id": uid("contact:legal-intake"),
    "name": "Marisol Ocampo",
    "title": "Intake coordinator",
    "department": "Immigration unit",
    "email": "intake@wvlac.example.org",
    "phones": [INTAKE_LINE],
}
LEGAL_AID = {
    "id": uid("organization:legal-aid"),
    "name": "Willamette Valley Legal Aid Collaborative",
    "description": "Free civil and immigration legal help for low-income people in the mid-Willamette Valley.",
    "website": "https://wvlac.example.org/",
    "tax_status": "501(c)(3)",
    "year_incorporated": 2009,
    "parent_organization_id": uid("organization:oregon-legal-services", upper=True),
}

# Lane County Safe Nights: a shelter whose hours belong to the location.

SHELTER = {
    "id": uid("location:safe-nights"),
    "location_type": "physical",
    "name": "Safe Nights Shelter",
    "latitude": 44.052069,
    "longitude": -123.086754,
    "addresses": [address("safe-nights", "1010 W 7th Ave", "Eugene", "Lane County", "97402")],
    "phones": [phone("safe-nights-desk", "541-555-0123", type="voice", description="Front desk, staffed overnight")],
    "schedules": [
        schedule(
            "safe-nights",
            freq="WEEKLY",
            byday="MO,TU,WE,TH,FR,SA,SU",
            opens_at="19:00:00",
            closes_at="07:00:00",
            timezone=PACIFIC,
            description="Doors open at 7 pm; everyone leaves by 7 am.",
        )
    ],
    "attributes": [attribute("safe-nights", "location", NO_ID), attribute("safe-nights", "location", WALK_IN)],
    "metadata": [
        {
            "id": uid("metadata:safe-nights"),
            "resource_type": "location",
            "last_action_date": "2024-09-30",
            "last_action_type": "update",
            "field_name": "opens_at",
            "previous_value": "20:00:00",
            "replacement_value": "19:00:00",
            "updated_by": "Cascadia 211 resource team",
        }
    ],
}
SAFE_NIGHTS = {
    "id": uid("organization:safe-nights"),
    "name": "Lane County Safe Nights",
    "description": "Low-barrier shelter and housing navigation in Eugene and Springfield.",
    "email": "hello@safenights.example.org",
}

# Columbia Gorge Counseling Cooperative: two services of one program, one of them also by telehealth.

HOOD_RIVER = {
    "id": uid("location:hood-river"),
    "location_type": "physical",
    "name": "Hood River clinic",
    "latitude": 45.707651,
    "longitude": -121.521283,
    "addresses": [address("hood-river", "1109 June St", "Hood River", "Hood River County", "97031")],
}
THE_DALLES = {
    "id": uid("location:the-dalles"),
    "location_type": "physical",
    "name": "The Dalles satellite office",
    "latitude": 45.598715,
    "longitude": -121.184572,
    "addresses": [address("the-dalles", "419 E 7th St", "The Dalles", "Wasco County", "97058", address_2="Room 12")],
}
TELEHEALTH = {
    "id": uid("location:telehealth"),
    "location_type": "virtual",
    "url": "https://gorgecounseling.example.org/telehealth",
    "name": "Gorge telehealth",
}
SURVIVOR_PROGRAM = {
    "id": uid("program:survivor-support"),
    "name": "Gorge Survivor Support Program",
    "description": "Counseling and case management for survivors of violence and exploitation in the Gorge.",
}
COUNSELING_COOP = {
    "id": uid("organization:counseling-coop"),
    "name": "Columbia Gorge Counseling Cooperative",
    "description": "A worker-owned cooperative of licensed counselors serving Hood River and Wasco counties.",
    "website": "https://gorgecounseling.example.org/",
    "programs": [SURVIVOR_PROGRAM],
    "contacts": [
        {
            "id": uid("contact:coop-director"),
            "name": "Dr. Anh Tran",
            "title": "Clinical director",
            "email": "director@gorgecounseling.example.org",
        }
    ],
}


def at(service: str, location: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": uid(f"service_at_location:{service}:{location['id'].lower()}"), "location": location, **extra}


# Services ------------------------------------------------------------------------------------------------------

SERVICES: list[dict[str, Any]] = [
    {
        "id": uid("service:food-boxes"),
        "name": "Emergency food boxes",
        "alternate_name": "Cajas de comida",
        "description": "Three days of groceries for any household, once a week, no questions asked.",
        "url": "https://rosecitypantry.example.org/food-boxes",
        "status": "active",
        "interpretation_services": "Spanish-speaking volunteers at every site; Vietnamese on Thursdays in NE Portland.",
        "application_process": "Walk in during open hours and give your ZIP code.",
        "fees_description": "Free.",
        "eligibility_description": "Anyone who needs food.",
        "last_modified": "2024-10-01T17:30:00Z",
        "organization": PANTRY_NETWORK,
        "program": FOOD_PROGRAM,
        "phones": [PANTRY_LINE],
        "languages": [language("food-boxes", "eng", "English"), language("food-boxes", "spa", "Spanish")],
        "service_at_locations": [
            at(
                "food-boxes",
                NE_PANTRY,
                description="Tuesday and Thursday distribution",
                schedules=[
                    schedule(
                        "food-boxes:ne",
                        freq="WEEKLY",
                        byday="TU,TH",
                        opens_at="10:00:00",
                        closes_at="14:00:00",
                        timezone=PACIFIC,
                        valid_from="2024-01-02",
                    )
                ],
            ),
            at(
                "food-boxes",
                GRESHAM_PANTRY,
                schedules=[
                    schedule(
                        "food-boxes:gresham",
                        freq="WEEKLY",
                        byday="SA",
                        opens_at="09:00:00",
                        closes_at="12:00:00",
                        timezone=PACIFIC,
                    )
                ],
            ),
        ],
        "schedules": [
            schedule(
                "food-boxes:popup",
                freq="MONTHLY",
                byday="1SA",
                dtstart="2024-06-01",
                until="2024-11-02",
                opens_at="11:00:00",
                closes_at="15:00:00",
                timezone=-7,
                description="Pop-up market on the first Saturday of the month, June to November.",
                attending_type="in person",
            )
        ],
        "service_areas": [
            {
                "id": uid("service_area:food-boxes"),
                "name": "Multnomah County",
                "extent_type": "geojson",
                "extent": '{"type": "Point", "coordinates": [-122.6, 45.5]}',
                "uri": "https://www.multco.us/",
            }
        ],
        "required_documents": [{"id": uid("required_document:food-boxes"), "document": "None"}],
        "attributes": [
            attribute("food-boxes", "service", FOOD_PANTRIES),
            attribute("food-boxes", "service", OE_FOOD_PANTRY),
            attribute("food-boxes", "service", WALK_IN, value="all sites"),
        ],
        "metadata": [
            {
                "id": uid("metadata:food-boxes"),
                "resource_type": "service",
                "last_action_date": "2024-10-01",
                "last_action_type": "update",
                "field_name": "description",
                "previous_value": "Groceries for any household.",
                "replacement_value": "Three days of groceries for any household, once a week, no questions asked.",
                "updated_by": "Cascadia 211 resource team",
            }
        ],
    },
    {
        "id": uid("service:home-delivery"),
        "name": "Home grocery delivery for seniors",
        "description": "Monthly grocery delivery for people over 60 or with a disability who cannot reach a pantry.",
        "status": "temporarily closed",
        "alert": "Paused until new volunteer drivers are trained (expected January).",
        "wait_time": "Two to three weeks after sign-up",
        "minimum_age": 60,
        "organization": PANTRY_NETWORK,
        "program": FOOD_PROGRAM,
        "service_at_locations": [at("home-delivery", GRESHAM_PANTRY)],
        "attributes": [attribute("home-delivery", "service", EMERGENCY_FOOD)],
    },
    {
        "id": uid("service:immigration-consults", upper=True),
        "name": "Immigration legal consultations",
        "alternate_name": "Consultas de inmigración",
        "description": "A free 45-minute consultation with an accredited representative, then full representation"
        " for survivors of crime and trafficking (U and T visas, VAWA).",
        "email": "intake@wvlac.example.org",
        "status": "active",
        "application_process": "Call the intake line; a consultation is booked within two weeks.",
        "eligibility_description": "Income under 200% of the federal poverty guideline.",
        "minimum_age": 0,
        "accreditations": "DOJ-recognized organization; accredited representatives on staff.",
        "licenses": "Oregon State Bar members supervise all cases.",
        "last_modified": "2024-08-19T14:05:00-07:00",
        "assured_date": "2024-08-19",
        "assurer_email": "resources@cascadia211.example.org",
        "organization": LEGAL_AID,
        "contacts": [INTAKE_CONTACT],
        "phones": [INTAKE_LINE],
        "languages": [
            language("immigration-consults", "spa", "Spanish"),
            language("immigration-consults", "rus", "Russian"),
        ],
        "service_at_locations": [
            at(
                "immigration-consults",
                SALEM_OFFICE,
                schedules=[
                    schedule(
                        "immigration-consults:salem",
                        freq="WEEKLY",
                        interval=2,
                        wkst="MO",
                        byday="WE",
                        opens_at="13:00:00",
                        closes_at="16:30:00",
                        timezone=PACIFIC,
                        description="Every other Wednesday afternoon",
                    )
                ],
            ),
            at("immigration-consults", VIDEO_CLINIC_UPPER, description="By video, any weekday"),
        ],
        "service_areas": [
            {"id": uid("service_area:immigration-consults"), "name": "Marion, Polk and Yamhill counties"}
        ],
        "cost_options": [
            {
                "id": uid("cost_option:immigration-consults"),
                "option": "Consultation",
                "currency": "USD",
                "amount": 0,
                "amount_description": "Free for everyone",
            },
            {
                "id": uid("cost_option:immigration-consults:filing"),
                "valid_from": "2024-01-01",
                "valid_to": "2024-12-31",
                "option": "Filing fee help",
                "currency": "USD",
                "amount": 12.5,
                "amount_description": "Copying and postage per application; waived on request",
            },
        ],
        "required_documents": [
            {
                "id": uid("required_document:immigration-consults"),
                "document": "Any immigration papers you have (none needed to book)",
                "uri": "https://wvlac.example.org/what-to-bring",
            }
        ],
        "funding": [{"id": uid("funding:immigration-consults"), "source": "Oregon Immigrant Legal Services Fund"}],
        "attributes": [
            attribute("immigration-consults", "service", IMMIGRATION_LEGAL, upper=True),
            attribute("immigration-consults", "service", OE_LEGAL_AID),
            attribute("immigration-consults", "service", CULTURALLY_SPECIFIC),
        ],
    },
    {
        "id": uid("service:interpreter-line"),
        "name": "Telephone interpreting for legal appointments",
        "description": "Interpreters join calls with courts, lawyers and advocates on request.",
        "status": "active",
        "interpretation_services": "Spanish, Russian, Vietnamese, Mam and K'iche'; others with a day's notice.",
        "organization": LEGAL_AID,
        "languages": [
            language("interpreter-line", "spa", "Spanish"),
            language("interpreter-line", "vie", "Tiếng Việt"),
            language("interpreter-line", "mam", "Mam"),
        ],
        "service_at_locations": [at("interpreter-line", VIDEO_CLINIC)],
        "schedules": [
            schedule(
                "interpreter-line",
                freq="WEEKLY",
                byday="MO,TU,WE,TH,FR",
                opens_at="08:00:00",
                closes_at="18:00:00",
                timezone=PACIFIC,
                schedule_link="https://wvlac.example.org/hours",
            )
        ],
        "attributes": [attribute("interpreter-line", "service", INTERPRETATION)],
    },
    {
        "id": uid("service:night-shelter"),
        "name": "Emergency night shelter",
        "description": "Forty beds for adults, pets welcome, no sobriety requirement.",
        "status": "active",
        "eligibility_description": "Adults 18 and over; families are referred to the family shelter.",
        "minimum_age": 18,
        "organization": SAFE_NIGHTS,
        "service_at_locations": [at("night-shelter", SHELTER)],
        "phones": [phone("night-shelter", "541-555-0199", type="text", description="Text for a bed count")],
        "funding": [{"id": uid("funding:night-shelter"), "source": "City of Eugene and Lane County"}],
        "required_documents": [
            {
                "id": uid("required_document:night-shelter"),
                "document": "Lane County residency (not required for people fleeing violence)",
            }
        ],
        "attributes": [attribute("night-shelter", "service", HOMELESS_SHELTER)],
    },
    {
        "id": uid("service:bridge-housing"),
        "name": "Bridge housing",
        "description": "Up to 24 months in a shared apartment with a housing navigator.",
        "status": "inactive",
        "organization": SAFE_NIGHTS,
        "service_at_locations": [at("bridge-housing", SHELTER, description="Apply at the shelter front desk")],
        "attributes": [attribute("bridge-housing", "service", TRANSITIONAL_HOUSING)],
    },
    {
        "id": uid("service:trauma-counseling"),
        "name": "Trauma-informed counseling",
        "description": "Individual counseling with licensed therapists trained in trauma-focused CBT and EMDR.",
        "status": "active",
        "fees_description": "Sliding scale; nobody is turned away for inability to pay.",
        "minimum_age": 12,
        "maximum_age": 99,
        "organization": COUNSELING_COOP,
        "program": SURVIVOR_PROGRAM,
        "languages": [language("trauma-counseling", "eng", "English"), language("trauma-counseling", "es", "Spanish")],
        "service_at_locations": [
            at("trauma-counseling", HOOD_RIVER),
            at(
                "trauma-counseling",
                THE_DALLES,
                schedules=[
                    schedule(
                        "trauma-counseling:the-dalles",
                        freq="MONTHLY",
                        bymonthday="1,15",
                        opens_at="09:30:00",
                        closes_at="16:00:00",
                        timezone=PACIFIC,
                    )
                ],
            ),
            at("trauma-counseling", TELEHEALTH),
        ],
        "cost_options": [
            {
                "id": uid("cost_option:trauma-counseling"),
                "option": "Per session, sliding scale",
                "currency": "USD",
                "amount": 25,
            }
        ],
        "attributes": [attribute("trauma-counseling", "service", OE_COUNSELING)],
    },
    {
        "id": uid("service:survivor-case-management"),
        "name": "Case management for survivors",
        "description": "A case manager helps with safety planning, benefits, child care and rides to appointments.",
        "status": "active",
        "organization": COUNSELING_COOP,
        "program": SURVIVOR_PROGRAM,
        "service_at_locations": [at("survivor-case-management", HOOD_RIVER)],
        "contacts": [
            {
                "id": uid("contact:case-management"),
                "name": "Case management desk",
                "phones": [phone("case-management", "541-555-0164", type="voice", extension=2)],
            }
        ],
        "attributes": [
            attribute("survivor-case-management", "service", CASE_MANAGEMENT),
            attribute("survivor-case-management", "service", OE_CHILD_CARE),
            attribute("survivor-case-management", "service", TRANSPORTATION),
        ],
    },
]


# CSV: the same records flattened into HSDS tables ------------------------------------------------------------------

TABLE_OF_KEY = {
    "organization": "organizations",
    "program": "programs",
    "programs": "programs",
    "location": "locations",
    "locations": "locations",
    "taxonomy_term": "taxonomy_terms",
    "taxonomy_detail": "taxonomies",
    "service_at_locations": "service_at_location",
}
ENTITY_OF_TABLE = {
    "services": "service",
    "organizations": "organization",
    "locations": "location",
    "service_at_location": "service_at_location",
    "contacts": "contact",
    "phones": "phone",
    "programs": "program",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
}
# Which owners each table's link columns may name (from the HSDS 3.0 schema).
LINKS = {
    "phones": {"location", "service", "organization", "contact", "service_at_location"},
    "languages": {"service", "location", "phone"},
    "schedules": {"service", "location", "service_at_location"},
    "contacts": {"organization", "service", "service_at_location", "location"},
    "locations": {"organization"},
    "addresses": {"location"},
    "accessibility": {"location"},
    "service_at_location": {"service"},
    "service_areas": {"service"},
    "cost_options": {"service"},
    "required_documents": {"service"},
    "funding": {"organization", "service"},
    "programs": {"organization"},
    "organization_identifiers": {"organization"},
}


def flatten(documents: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    tables: dict[str, dict[str, dict[str, Any]]] = {}

    def add(table: str, document: dict[str, Any], owner: tuple[str, str] | None) -> str:
        row: dict[str, Any] = {}
        for key, value in document.items():
            if isinstance(value, dict):
                row[f"{ENTITY_OF_TABLE[TABLE_OF_KEY[key]]}_id"] = add(TABLE_OF_KEY[key], value, None)
            elif isinstance(value, list):
                for item in value:
                    add(TABLE_OF_KEY.get(key, key), item, (ENTITY_OF_TABLE[table], document["id"]))
            else:
                row[key] = value
        if owner is not None:
            entity, owner_id = owner
            if table == "attributes":
                row["link_id"] = owner_id
            elif table == "metadata":
                row["resource_id"] = owner_id
            elif entity in LINKS.get(table, ()):
                row[f"{entity}_id"] = owner_id
        known = tables.setdefault(table, {}).setdefault(row["id"].lower(), {})
        known.update(row)
        return row["id"]

    for document in documents:
        add("services", document, None)
    return tables


def write_csv(folder: Path, tables: dict[str, dict[str, dict[str, Any]]]) -> None:
    folder.mkdir(exist_ok=True)
    resources = []
    for index, (table, rows) in enumerate(sorted(tables.items())):
        columns = sorted({column for row in rows.values() for column in row} - {"id"})
        columns = ["id", *columns]
        encoding = "utf-8-sig" if index % 3 == 0 else "utf-8"  # a byte order mark on every third file
        with (folder / f"{table}.csv").open("w", newline="", encoding=encoding) as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)  # csv's default line end: CRLF
            writer.writeheader()
            for row in rows.values():
                writer.writerow(row)
        resources.append({"name": table, "path": f"{table}.csv", "profile": "tabular-data-resource"})
    package = {"name": "cascadia-211-sample", "profile": "tabular-data-package", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n")


if __name__ == "__main__":
    (HERE / "services.json").write_text(json.dumps(SERVICES, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_csv(HERE / "csv", flatten(SERVICES))
