"""The demo service directory (fictional providers) for ``manage.py seed_demo``.

About sixty services around the fictional city of Bayport, placed at real ZIP codes of the Houston-Galveston area
(ZIP centroid plus a little jitter) so that distance search from a real ZIP code finds them. They cover every need
category, mostly through the portal's own taxonomy, a few through Open Eligibility and the AIRS/211 taxonomy, and
two carry a code of a taxonomy the portal does not know, so that the administrator has unmapped terms to map.

They go in as HSDS 3.0 service documents through the importer, with ids derived from fixed names, so a second run
imports nothing new. The portal's own fields (capacity, structured eligibility, confidential locations, the link to
the task force's NGOs) are set afterwards, once: on the rows this run created, and on services whose capacity
nobody has reported yet.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import TextIOBase
from typing import Any

import zipcodes
from django.db import transaction
from django.utils import timezone, translation

from agencies.models import Agency
from portal.categories import NeedCategory as C
from services_directory.hsds.importing import ImportRefused, hsds_import_tables
from services_directory.hsds.reading import Tables, read_json_documents
from services_directory.languages import language_name
from services_directory.models import Location, Organization, Service, Taxonomy, TaxonomyTerm
from services_directory.services import portal_taxonomy_ensure
from services_directory.taxonomies import PORTAL_TAXONOMY_ID, portal_term_id

NAMESPACE = uuid.UUID("1b6c0d52-3f0e-5a8e-9d3c-6a0b7e2f4c19")  # of every demo id: uuid5(NAMESPACE, "kind:key")

# key: name, description, short name of the demo agency (agencies/demo.py) whose staff keep its listings
ORGANIZATIONS: dict[str, tuple[str, str, str | None]] = {
    "safe_harbor": (
        "Safe Harbor Shelter",
        "Emergency shelter, transitional apartments and advocacy for survivors of trafficking and domestic violence.",
        "Safe Harbor",
    ),
    "gc_legal_aid": (
        "Gulf Coast Immigrant Legal Aid",
        "Free immigration and civil legal help for survivors of trafficking and crime.",
        "GC Legal Aid",
    ),
    "bchc": (
        "Bayport Community Health Clinic",
        "A community health centre offering primary care, forensic exams and counseling on a sliding scale.",
        "BCHC",
    ),
    "bridges": (
        "Bridges Survivor Advocacy",
        "Survivor-led case management, mentoring and help into work.",
        "Bridges",
    ),
    "harbor_lights": ("Harbor Lights Rescue Mission", "A downtown mission: beds, meals, clothing and respite.", None),
    "casa_esperanza": (
        "Casa Esperanza Women's Refuge",
        "A bilingual refuge for women and their children escaping violence and exploitation.",
        None,
    ),
    "youth_haven": ("Bayport Youth Haven", "Shelter, outreach and schooling for runaway and homeless youth.", None),
    "open_door": (
        "Open Door Housing Collaborative",
        "Transitional and supportive housing across Harris and Galveston counties.",
        None,
    ),
    "island_pantry": ("Galveston Island Community Pantry", "A volunteer food pantry on Galveston Island.", None),
    "interfaith_food": (
        "Gulf Coast Interfaith Food Network",
        "Congregations running mobile pantries and benefits help around Clear Lake and Pasadena.",
        None,
    ),
    "st_brigid": ("St. Brigid Clothing Closet", "Free clothing, shoes and work wear for adults and children.", None),
    "workers_center": (
        "Bay Area Workers' Rights Center",
        "Wage claims, workplace safety and know-your-rights help for low-wage and immigrant workers.",
        None,
    ),
    "lone_star_immigration": (
        "Lone Star Immigration Project",
        "Immigration legal services by accredited representatives and pro bono attorneys.",
        None,
    ),
    "coastal_counseling": (
        "Coastal Counseling Collective",
        "Licensed therapists offering trauma-focused counseling on a sliding scale.",
        None,
    ),
    "pasadena_health": ("Pasadena Family Health Center", "A federally qualified health centre in Pasadena.", None),
    "island_health": ("Island Mobile Health", "A mobile clinic and a sexual health clinic on Galveston Island.", None),
    "language_bridge": (
        "LanguageBridge Interpreters Guild",
        "A cooperative of certified interpreters and translators, including ASL interpreters.",
        None,
    ),
    "workready": (
        "Texas City WorkReady Center",
        "Job placement and short training courses leading to certified jobs.",
        None,
    ),
    "adult_learning": ("Bayport Adult Learning Center", "English classes and GED preparation for adults.", None),
    "little_harbor": ("Little Harbor Early Learning", "A licensed child care centre with after-school care.", None),
    "kinder_house": ("Kinder House Family Center", "Drop-in child care and family support.", None),
    "sunrise": (
        "Sunrise Recovery and Wellness",
        "Outpatient substance use treatment and a round-the-clock crisis line.",
        None,
    ),
    "gulfride": (
        "GulfRide Survivor Transportation",
        "Volunteer drivers and transit help for survivors getting to appointments and court.",
        None,
    ),
    "clear_lake_family": (
        "Clear Lake Family Resource Center",
        "A one-stop family centre: navigation, baby supplies and help replacing lost documents.",
        None,
    ),
    "refugee_services": (
        "Gulf Coast Refugee Services",
        "Resettlement, case management and employment services for refugees, asylees and T visa holders.",
        None,
    ),
}

# key: name, street address, real ZIP code, confidential
LOCATIONS: dict[str, tuple[str, str, str, bool]] = {
    "safe_harbor_shelter": ("Confidential shelter site", "1418 Pelican Way", "77003", True),
    "safe_harbor_apartments": ("Confidential housing site", "6620 Magnolia Court", "77087", True),
    "safe_harbor_office": ("Safe Harbor Outreach Office", "2901 Harbor Road", "77004", False),
    "gc_legal_bayport": (
        "Gulf Coast Immigrant Legal Aid, Bayport office",
        "808 Commerce Plaza, Suite 400",
        "77002",
        False,
    ),
    "gc_legal_island": ("Gulf Coast Immigrant Legal Aid, Island office", "2215 Market Row", "77550", False),
    "bchc_clinic": ("Bayport Community Health Clinic", "3350 Navigation Avenue", "77011", False),
    "bridges_center": ("Bridges Survivor Center", "4102 Lantern Street", "77004", False),
    "bridges_pathways": ("Bridges Pathways Office", "7225 Broadway Terrace", "77012", False),
    "harbor_lights": ("Harbor Lights Rescue Mission", "1010 Wharf Street", "77002", False),
    "casa_refuge": ("Confidential shelter site", "915 Bluebonnet Lane", "77506", True),
    "casa_housing": ("Confidential housing site", "2208 Oleander Drive", "77502", True),
    "youth_shelter": ("Confidential youth shelter site", "8811 Cypress Bend", "77017", True),
    "youth_center": ("Youth Haven Learning Center", "8600 Lakewood Avenue", "77017", False),
    "youth_drop_in": ("Youth Haven Drop-in Center", "215 Channel View Drive", "77003", False),
    "open_door_office": ("Open Door Housing Collaborative", "5400 Bayou Park Road", "77087", False),
    "open_door_apartments": ("Confidential scattered-site apartments", "1900 Gulfgate Row", "77012", True),
    "open_door_texas_city": ("Open Door, Texas City office", "610 Palmer Avenue", "77591", False),
    "open_door_host_homes": ("Confidential host homes", "311 Egret Court", "77598", True),
    "island_pantry": ("Galveston Island Community Pantry", "2702 Avenue M", "77550", False),
    "island_market": ("Westside produce market lot", "7301 Sandpiper Road", "77551", False),
    "interfaith_pasadena": ("Mobile pantry stop, First Street lot", "401 First Street", "77506", False),
    "interfaith_league_city": ("Mobile pantry stop, community hall", "150 Egret Bay Lane", "77573", False),
    "interfaith_office": ("Gulf Coast Interfaith Food Network", "920 Orbit Drive", "77598", False),
    "st_brigid": ("St. Brigid Clothing Closet", "1120 Cedar Street", "77568", False),
    "workers_center": ("Bay Area Workers' Rights Center", "318 Shaver Court", "77502", False),
    "lone_star_bayport": ("Lone Star Immigration Project", "1800 Congress Row", "77003", False),
    "lone_star_island": ("Lone Star Immigration Project, Galveston clinic", "4102 Broadway Court", "77550", False),
    "coastal_webster": ("Coastal Counseling Collective", "455 Bay Area Parkway", "77598", False),
    "coastal_children": ("Coastal Counseling, children's office", "2100 Marina Bay Lane", "77573", False),
    "pasadena_health": ("Pasadena Family Health Center", "1200 Richey Lane", "77506", False),
    "island_van": ("Mobile health van stop", "2300 Postoffice Lane", "77550", False),
    "island_clinic": ("Island Sexual Health Clinic", "6100 Heards Row", "77551", False),
    "language_bridge": ("LanguageBridge Interpreters Guild", "700 Louisiana Court", "77002", False),
    "language_bridge_deaf": ("LanguageBridge Deaf Services", "3100 Cleburne Way", "77004", False),
    "workready": ("Texas City WorkReady Center", "2801 Palmer Highway", "77590", False),
    "workready_kitchen": ("WorkReady Training Kitchen", "1400 Dockside Drive", "77591", False),
    "adult_learning": ("Bayport Adult Learning Center", "6550 Lawndale Circle", "77011", False),
    "little_harbor": ("Little Harbor Early Learning", "3300 Meadow Creek Drive", "77581", False),
    "kinder_house": ("Kinder House Family Center", "2525 Dowling Square", "77004", False),
    "sunrise": ("Sunrise Recovery and Wellness", "150 Friendswood Commons", "77546", False),
    "sunrise_crisis": ("Sunrise Crisis Center", "1302 Center Street", "77536", False),
    "gulfride_seabrook": ("GulfRide dispatch office", "1900 Shoreline Drive", "77586", False),
    "gulfride_alvin": ("GulfRide Alvin hub", "210 Depot Street", "77511", False),
    "clear_lake_family": ("Clear Lake Family Resource Center", "4040 Waterway Court", "77586", False),
    "refugee_services": ("Gulf Coast Refugee Services", "8900 Gulf Meadows Drive", "77087", False),
}

# Opening hours: (days, opens, closes). Opening and closing at midnight means open around the clock.
WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
SCHEDULES: dict[str, list[tuple[str, str, str]]] = {
    "weekdays": [(WEEKDAYS, "09:00:00", "17:00:00")],
    "always": [(EVERY_DAY, "00:00:00", "00:00:00")],
    "extended": [(WEEKDAYS, "08:00:00", "19:00:00"), ("SA", "09:00:00", "13:00:00")],
    "evenings": [("MO,TU,WE,TH", "17:00:00", "21:00:00")],
    "two_evenings": [("TU,TH", "18:00:00", "20:30:00")],
    "group_night": [("WE", "18:30:00", "20:00:00")],
    "meals": [(EVERY_DAY, "07:00:00", "19:00:00")],
    "saturday_morning": [("SA", "08:00:00", "12:00:00")],
    "weekends": [("SA,SU", "09:00:00", "13:00:00")],
    "mobile": [("WE", "16:00:00", "19:00:00"), ("SA", "09:00:00", "12:00:00")],
    "twice_weekly": [("TU,TH", "10:00:00", "14:00:00")],
    "closet": [("TU,TH,SA", "10:00:00", "14:00:00")],
    "early": [(WEEKDAYS, "07:00:00", "18:00:00")],
    "after_school": [(WEEKDAYS, "15:00:00", "18:30:00")],
}

# Taxonomies other than the portal's: key: name, description, URI
TAXONOMIES: dict[str, tuple[str, str, str]] = {
    "open_eligibility": (
        "Open Eligibility",
        "The Open Eligibility taxonomy of human services.",
        "https://openeligibility.org/",
    ),
    "airs": (
        "AIRS/211 Taxonomy",
        "The 211 LA County taxonomy of human services, used by 211 call centres.",
        "https://211taxonomy.org/",
    ),
    "gulf_county": (
        "Gulf County Resource Codes",
        "The codes of a county resource guide that the portal does not read.",
        "https://resources.gulfcounty.example/codes",
    ),
}


@dataclass(frozen=True)
class Term:
    taxonomy: str  # a key of TAXONOMIES
    code: str
    name: str


def open_eligibility(name: str) -> Term:
    return Term("open_eligibility", "", name)


def airs(code: str, name: str) -> Term:
    return Term("airs", code, name)


def gulf_county(code: str, name: str) -> Term:
    return Term("gulf_county", code, name)


@dataclass(frozen=True)
class DemoService:
    key: str
    organization: str
    location: str
    name: str
    description: str
    categories: tuple[str, ...] = ()  # the portal taxonomy's terms
    terms: tuple[Term, ...] = ()  # terms of other taxonomies
    schedule: str = "weekdays"
    languages: str = "en es"
    status: str = Service.Status.ACTIVE
    minimum_age: int | None = None
    maximum_age: int | None = None
    genders: str = ""  # letters of Service.Gender; empty: everyone
    minors: bool | None = None  # accepts minors, where the ages do not say
    without_status: bool | None = None  # accepts people without immigration status; None: not said
    eligibility: str = ""
    application: str = ""


REFERRAL = "Call or walk in during opening hours. Task force partners can send a referral through the portal."

# fmt: off
SERVICES = [
    # The task force's NGOs --------------------------------------------------------------------------------------------
    DemoService(
        "safe_harbor_shelter", "safe_harbor", "safe_harbor_shelter", "Safe Harbor emergency shelter",
        "Thirty beds in a staffed, confidential shelter, with an advocate for every resident.",
        categories=(C.EMERGENCY_SHELTER, C.CASE_MANAGEMENT), schedule="always", languages="en es vi",
        minimum_age=18, genders="FX", without_status=True,
        eligibility="Adult women and transgender or non-binary survivors of trafficking or domestic violence.",
        application="Call the 24-hour line; the shelter's address is given once a bed is confirmed.",
    ),
    DemoService(
        "safe_harbor_apartments", "safe_harbor", "safe_harbor_apartments", "Safe Harbor transitional apartments",
        "Furnished apartments for up to 18 months, with weekly case management and help saving for a deposit.",
        categories=(C.TRANSITIONAL_HOUSING,), languages="en es", minimum_age=18, genders="FX", without_status=True,
        eligibility="Survivors leaving Safe Harbor's shelter or referred by a task force agency.",
        application="Referral by an advocate; an intake interview follows within a week.",
    ),
    DemoService(
        "safe_harbor_drop_in", "safe_harbor", "safe_harbor_office", "Safe Harbor drop-in and clothing room",
        "Advocates on duty, safety planning, and a clothing and hygiene room for survivors and their children.",
        categories=(C.CLOTHING, C.CASE_MANAGEMENT), languages="en es vi", without_status=True,
    ),
    DemoService(
        "gc_legal_visas", "gc_legal_aid", "gc_legal_bayport", "T and U visa representation",
        "Screening and full representation for T and U visas, continued presence and related work permits.",
        categories=(C.LEGAL_IMMIGRATION,), languages="en es pt fr ht", without_status=True,
        eligibility="Survivors of trafficking or of a qualifying crime, whatever their immigration status.",
        application="Call for a screening appointment; law enforcement partners may refer through the portal.",
    ),
    DemoService(
        "gc_legal_civil", "gc_legal_aid", "gc_legal_island", "Civil claims for labor trafficking survivors",
        "Back-pay claims, restitution requests and civil suits against traffickers and the employers who used them.",
        categories=(C.LEGAL_IMMIGRATION,), languages="en es tl", without_status=True,
    ),
    DemoService(
        "gc_legal_interpreting", "gc_legal_aid", "gc_legal_bayport", "Interpreters for legal interviews",
        "Court-certified interpreters for clients' interviews with attorneys, investigators and prosecutors.",
        categories=(C.INTERPRETATION,), languages="en es pt fr ht vi zh",
        application="Requested by the client's attorney or advocate at least two days ahead.",
    ),
    DemoService(
        "bchc_primary_care", "bchc", "bchc_clinic", "Primary care and forensic exams",
        "Primary care, prenatal care and forensic medical exams by trained nurse examiners; no insurance needed.",
        categories=(C.MEDICAL,), schedule="extended", languages="en es vi zh", without_status=True,
        application="Same-day appointments for survivors referred by an advocate or investigator.",
    ),
    DemoService(
        "bchc_counseling", "bchc", "bchc_clinic", "Trauma-informed counseling (evenings)",
        "Individual counseling with licensed therapists in the evening, in person or by video.",
        categories=(C.MENTAL_HEALTH,), schedule="evenings", languages="en es ar", minimum_age=12,
    ),
    DemoService(
        "bridges_case_management", "bridges", "bridges_center", "Survivor case management",
        "A survivor advocate who helps with benefits, documents, appointments and a plan for what comes next.",
        categories=(C.CASE_MANAGEMENT, C.OTHER), languages="en es tl ko ru", without_status=True,
        eligibility="Anyone who has experienced trafficking, aged 16 or over.", minimum_age=16,
    ),
    DemoService(
        "bridges_pathways", "bridges", "bridges_pathways", "Pathways employment mentoring",
        "One-to-one mentoring by survivors, résumé help, and a paid internship with partner employers.",
        categories=(C.EMPLOYMENT, C.EDUCATION), languages="en es", minimum_age=18,
    ),
    # Shelter and housing ----------------------------------------------------------------------------------------------
    DemoService(
        "harbor_lights_shelter", "harbor_lights", "harbor_lights", "Men's emergency shelter",
        "Ninety beds for men, open around the clock, with showers, lockers and a case worker on site.",
        categories=(C.EMERGENCY_SHELTER,), schedule="always", minimum_age=18, genders="M",
        application="Walk in; new guests are admitted until 22:00, later with a police or outreach referral.",
    ),
    DemoService(
        "harbor_lights_respite", "harbor_lights", "harbor_lights", "Medical respite beds",
        "Twelve beds for people discharged from hospital who have nowhere safe to recover; a nurse visits daily.",
        categories=(C.MEDICAL, C.EMERGENCY_SHELTER), schedule="always", minimum_age=18,
        application="Referral by a hospital social worker.",
    ),
    DemoService(
        "casa_refuge", "casa_esperanza", "casa_refuge", "Casa Esperanza confidential refuge",
        "A refuge for women and their children, staffed by bilingual advocates around the clock.",
        terms=(airs("BH-1800.8500", "Domestic Violence Shelters"),), schedule="always", languages="es en pt",
        genders="F", minors=True, without_status=True,
        eligibility="Women and their children under 18 fleeing violence or exploitation.",
        application="Call the hotline; the refuge's address is given once a bed is offered.",
    ),
    DemoService(
        "casa_housing", "casa_esperanza", "casa_housing", "Casa Esperanza bridge housing",
        "Shared houses for up to a year while residents find work and a place of their own.",
        categories=(C.TRANSITIONAL_HOUSING,), languages="es en", genders="F", minors=True, without_status=True,
    ),
    DemoService(
        "youth_shelter", "youth_haven", "youth_shelter", "Youth emergency shelter (ages 12 to 17)",
        "A licensed emergency shelter for runaway and homeless youth, with family mediation when it is safe.",
        categories=(C.EMERGENCY_SHELTER,), schedule="always", minimum_age=12, maximum_age=17,
        application="Youth may call or walk in to the drop-in centre; police and CPS may place directly.",
    ),
    DemoService(
        "open_door_transitional", "open_door", "open_door_apartments", "Transitional housing for survivors",
        "Scattered-site apartments with two years of rent support and a case manager.",
        categories=(C.TRANSITIONAL_HOUSING, C.CASE_MANAGEMENT), languages="en es vi", minimum_age=18,
    ),
    DemoService(
        "open_door_rehousing", "open_door", "open_door_texas_city", "Rapid rehousing and rent assistance",
        "Deposits and up to six months of rent for households moving out of shelter.",
        categories=(C.TRANSITIONAL_HOUSING,), status=Service.Status.TEMPORARILY_CLOSED, without_status=False,
        eligibility="Households with a lease in Galveston County; federal funding requires eligible status.",
    ),
    DemoService(
        "open_door_host_homes", "open_door", "open_door_host_homes", "Host homes for LGBTQ+ young adults",
        "Vetted volunteer hosts offer a room for up to nine months to young adults who cannot go home.",
        categories=(C.TRANSITIONAL_HOUSING,), languages="en", minimum_age=18, maximum_age=24,
    ),
    DemoService(
        "refugee_hotel", "refugee_services", "refugee_services", "Emergency hotel vouchers",
        "Hotel nights for newly identified survivors while a shelter bed or housing is found.",
        categories=(C.EMERGENCY_SHELTER,), languages="en es ar fr", minimum_age=18, without_status=True,
    ),
    # Food and clothing ------------------------------------------------------------------------------------------------
    DemoService(
        "harbor_lights_kitchen", "harbor_lights", "harbor_lights", "Community kitchen",
        "Three hot meals a day, every day; no questions asked.",
        categories=(C.FOOD,), schedule="meals", minors=True, without_status=True,
    ),
    DemoService(
        "harbor_lights_closet", "harbor_lights", "harbor_lights", "Clothing and hygiene closet",
        "Clothes, shoes and hygiene kits twice a week.",
        categories=(C.CLOTHING,), schedule="twice_weekly", languages="en",
    ),
    DemoService(
        "island_pantry", "island_pantry", "island_pantry", "Saturday food pantry",
        "Groceries for a week, once a month per household; fresh bread and produce when donated.",
        terms=(open_eligibility("Food"),), schedule="saturday_morning", without_status=True,
        eligibility="Galveston County residents; no documents needed.",
    ),
    DemoService(
        "island_market", "island_pantry", "island_market", "Weekend produce market",
        "Free fresh fruit and vegetables from an open-air market stall.",
        terms=(open_eligibility("Food Pantry"),), schedule="weekends", languages="en es vi", without_status=True,
    ),
    DemoService(
        "interfaith_pasadena", "interfaith_food", "interfaith_pasadena", "Mobile food pantry, Pasadena",
        "A refrigerated truck with groceries and fresh food, twice a week.",
        terms=(airs("BD-1800.2000", "Food Pantries"),), schedule="mobile", without_status=True,
    ),
    DemoService(
        "interfaith_league_city", "interfaith_food", "interfaith_league_city", "Mobile food pantry, League City",
        "Groceries and diapers from the mobile pantry on weekend mornings.",
        categories=(C.FOOD,), schedule="weekends", languages="en es vi",
    ),
    DemoService(
        "interfaith_benefits", "interfaith_food", "interfaith_office", "SNAP and WIC application help",
        "Volunteers help apply for food benefits and follow the application through.",
        categories=(C.FOOD, C.CASE_MANAGEMENT), languages="en es vi zh", without_status=False,
        eligibility="SNAP requires an eligible immigration status; WIC does not.",
    ),
    DemoService(
        "st_brigid_closet", "st_brigid", "st_brigid", "Clothing closet",
        "Seasonal clothing and shoes for all ages, by appointment or walk-in.",
        terms=(open_eligibility("Clothing"),), schedule="closet", without_status=True,
    ),
    DemoService(
        "st_brigid_work_wear", "st_brigid", "st_brigid", "Interview clothes and work boots",
        "Interview outfits, uniforms and safety boots for people starting a job.",
        categories=(C.CLOTHING, C.EMPLOYMENT), schedule="saturday_morning", minimum_age=16,
    ),
    # Legal ------------------------------------------------------------------------------------------------------------
    DemoService(
        "workers_clinic", "workers_center", "workers_center", "Workers' rights clinic",
        "Help with unpaid wages, unsafe work and retaliation; referrals for labor trafficking cases.",
        categories=(C.LEGAL_IMMIGRATION, C.EMPLOYMENT), schedule="two_evenings", languages="en es pt",
        without_status=True,
    ),
    DemoService(
        "lone_star_consultations", "lone_star_immigration", "lone_star_bayport", "Immigration legal consultations",
        "Free consultations on every kind of immigration relief, then low-cost representation.",
        terms=(airs("FT-3200", "Immigration/Naturalization Legal Services"),), languages="en es fr ht ar",
        without_status=True,
    ),
    DemoService(
        "lone_star_screening", "lone_star_immigration", "lone_star_bayport", "Continued presence and T visa screening",
        "Screening of possible trafficking victims for immigration relief, on referral from investigators.",
        categories=(C.LEGAL_IMMIGRATION,), languages="en es", without_status=True,
    ),
    DemoService(
        "lone_star_island", "lone_star_immigration", "lone_star_island", "Immigration legal clinic, Galveston",
        "A monthly clinic on the island; closed since the volunteer attorneys moved to the Bayport office.",
        categories=(C.LEGAL_IMMIGRATION,), status=Service.Status.INACTIVE, schedule="saturday_morning",
    ),
    # Health and mental health -----------------------------------------------------------------------------------------
    DemoService(
        "coastal_trauma", "coastal_counseling", "coastal_webster", "Trauma therapy for survivors",
        "Weekly trauma-focused therapy (EMDR, CPT) with a sliding fee down to nothing.",
        categories=(C.MENTAL_HEALTH,), schedule="evenings", minimum_age=16,
    ),
    DemoService(
        "coastal_groups", "coastal_counseling", "coastal_webster", "Survivor support groups",
        "Peer support groups led by a therapist, one in Spanish and one in English.",
        terms=(open_eligibility("Counseling"),), schedule="group_night", minimum_age=18, genders="F",
    ),
    DemoService(
        "coastal_children", "coastal_counseling", "coastal_children", "Child and adolescent counseling",
        "Play therapy and counseling for children and teenagers, with sessions for their caregivers.",
        categories=(C.MENTAL_HEALTH,), minimum_age=4, maximum_age=17, languages="en es",
    ),
    DemoService(
        "pasadena_primary", "pasadena_health", "pasadena_health", "Primary care and women's health",
        "Family medicine, women's health and vaccinations; fees on a sliding scale.",
        categories=(C.MEDICAL,), schedule="extended", languages="en es vi", without_status=True,
    ),
    DemoService(
        "pasadena_walk_in", "pasadena_health", "pasadena_health", "Evening walk-in clinic",
        "Walk-in care for minor illness and injury after work hours.",
        categories=(C.MEDICAL,), schedule="evenings", languages="en es", minors=True,
    ),
    DemoService(
        "island_van", "island_health", "island_van", "Mobile health van, Galveston",
        "Check-ups, blood pressure and diabetes care from a van that parks downtown twice a week.",
        terms=(airs("LN-5000", "Mobile Health Care"),), schedule="twice_weekly",
    ),
    DemoService(
        "island_sexual_health", "island_health", "island_clinic", "STI testing and PrEP",
        "Confidential testing, treatment and PrEP; no name needed for testing.",
        terms=(open_eligibility("Health"),), schedule="group_night", minimum_age=13,
    ),
    DemoService(
        "sunrise_outpatient", "sunrise", "sunrise", "Outpatient substance use treatment",
        "Medication-assisted treatment and counseling for alcohol and drug use.",
        categories=(C.MENTAL_HEALTH, C.MEDICAL), minimum_age=18,
    ),
    DemoService(
        "sunrise_crisis_line", "sunrise", "sunrise_crisis", "24-hour crisis line and walk-in crisis care",
        "Counselors answer the phone day and night; walk-in crisis care at the centre.",
        terms=(open_eligibility("Mental Health Care"),), schedule="always", languages="en es vi", minors=True,
    ),
    DemoService(
        "bchc_dental", "bchc", "bchc_clinic", "Dental care",
        "Cleanings, fillings and extractions, with priority slots for survivors referred by an advocate.",
        categories=(C.MEDICAL,), languages="en es",
    ),
    # Work and learning ------------------------------------------------------------------------------------------------
    DemoService(
        "workready_jobs", "workready", "workready", "Job search and placement",
        "Job matching with employers around the port and refineries, and help with applications.",
        categories=(C.EMPLOYMENT,), minimum_age=18, without_status=False,
        eligibility="Adults authorized to work in the United States.",
    ),
    DemoService(
        "workready_forklift", "workready", "workready", "Forklift and warehouse certification",
        "A two-week course ending with a forklift operator certificate.",
        categories=(C.EMPLOYMENT, C.EDUCATION), minimum_age=18, without_status=False,
    ),
    DemoService(
        "workready_culinary", "workready", "workready_kitchen", "Culinary job training",
        "Twelve weeks of paid kitchen training and a food handler's card.",
        categories=(C.EMPLOYMENT,), schedule="early", minimum_age=17,
    ),
    DemoService(
        "refugee_employment", "refugee_services", "refugee_services", "Employment services for new arrivals",
        "Job readiness classes, work permits help and placement for refugees, asylees and T visa holders.",
        categories=(C.EMPLOYMENT,), languages="en es ar fr ru", minimum_age=18,
    ),
    DemoService(
        "adult_esl", "adult_learning", "adult_learning", "English classes (ESL)",
        "English classes at five levels, two evenings a week, with child care during class.",
        categories=(C.EDUCATION,), schedule="two_evenings", languages="en es vi zh ar", minimum_age=17,
        without_status=True,
    ),
    DemoService(
        "adult_ged", "adult_learning", "adult_learning", "GED preparation",
        "Classes and tutoring for the GED, in English or Spanish.",
        categories=(C.EDUCATION,), schedule="evenings", minimum_age=17,
    ),
    DemoService(
        "youth_learning", "youth_haven", "youth_center", "GED and tutoring for youth",
        "Tutoring, credit recovery and GED classes for young people out of school.",
        categories=(C.EDUCATION,), schedule="after_school", minimum_age=14, maximum_age=24,
    ),
    # Families and children --------------------------------------------------------------------------------------------
    DemoService(
        "little_harbor_care", "little_harbor", "little_harbor", "Child care for families in services",
        "Full-day care for infants and young children while parents work, study or attend appointments.",
        categories=(C.CHILD_CARE,), schedule="early", minors=True,
        eligibility="Children from six weeks to five years old whose parent is in a survivor or job program.",
    ),
    DemoService(
        "little_harbor_after_school", "little_harbor", "little_harbor", "After-school program",
        "Homework help and play after school; paused while the centre renovates.",
        categories=(C.CHILD_CARE, C.EDUCATION), schedule="after_school", status=Service.Status.TEMPORARILY_CLOSED,
        eligibility="Children from five to twelve years old.",
    ),
    DemoService(
        "kinder_drop_in", "kinder_house", "kinder_house", "Drop-in child care during appointments",
        "Up to four hours of care while a parent goes to court, a clinic or an interview.",
        categories=(C.CHILD_CARE,), languages="en es tl", minors=True,
        eligibility="Children up to ten years old, while their parent is at an appointment nearby.",
    ),
    DemoService(
        "clear_lake_navigation", "clear_lake_family", "clear_lake_family", "Family resource navigation",
        "A navigator who connects families with benefits, child care and health care in one visit.",
        categories=(C.CASE_MANAGEMENT, C.CHILD_CARE), terms=(gulf_county("GC-17", "Family resource hub"),),
        languages="en es vi", without_status=True,
    ),
    DemoService(
        "clear_lake_baby", "clear_lake_family", "clear_lake_family", "Diapers and baby supplies",
        "Diapers, formula, car seats and baby clothes for families in need.",
        categories=(C.CLOTHING, C.OTHER), schedule="twice_weekly",
    ),
    DemoService(
        "clear_lake_documents", "clear_lake_family", "clear_lake_family", "Phone and ID replacement help",
        "A free phone and help replacing birth certificates, state IDs and Social Security cards.",
        categories=(C.OTHER, C.CASE_MANAGEMENT), languages="en es",
    ),
    # Case management, interpretation, getting there -------------------------------------------------------------------
    DemoService(
        "youth_outreach", "youth_haven", "youth_drop_in", "Street outreach and drop-in for youth",
        "Meals, showers, laundry and a case manager for young people on the street.",
        categories=(C.CASE_MANAGEMENT, C.FOOD), schedule="evenings", minimum_age=14, maximum_age=24,
    ),
    DemoService(
        "refugee_case_management", "refugee_services", "refugee_services", "Refugee and asylee case management",
        "Case management for the first year: housing, benefits, school enrolment and medical appointments.",
        categories=(C.CASE_MANAGEMENT,), languages="en es ar fr ru ko", without_status=True,
    ),
    DemoService(
        "refugee_orientation", "refugee_services", "refugee_services", "Cultural orientation and interpreting",
        "Orientation classes in the newcomer's language and interpreters for appointments.",
        categories=(C.INTERPRETATION, C.EDUCATION), languages="en es ar fr ru ko pt",
    ),
    DemoService(
        "language_bridge_phone", "language_bridge", "language_bridge", "On-call interpreting by phone",
        "Interpreters by phone within minutes, day and night, for agencies and providers.",
        categories=(C.INTERPRETATION,), schedule="always", languages="en es vi zh tl ht ar pt fr ru ko",
    ),
    DemoService(
        "language_bridge_asl", "language_bridge", "language_bridge_deaf", "ASL interpreting",
        "Certified American Sign Language interpreters in person or by video.",
        categories=(C.INTERPRETATION,), languages="asl en",
    ),
    DemoService(
        "language_bridge_translation", "language_bridge", "language_bridge", "Document translation",
        "Certified translation of identity documents, records and evidence for immigration and court.",
        terms=(airs("LR-8000", "Translation and Interpretation"),), languages="en es vi zh pt fr",
    ),
    DemoService(
        "gulfride_rides", "gulfride", "gulfride_seabrook", "Rides to appointments and court",
        "Volunteer drivers take survivors to court, clinics and interviews across the region.",
        categories=(C.OTHER,), terms=(gulf_county("GC-42", "Transportation vouchers"),),
        application="Ask at least 48 hours ahead; advocates and investigators can book for a client.",
    ),
    DemoService(
        "gulfride_transit", "gulfride", "gulfride_alvin", "Bus passes and gas cards",
        "Monthly bus passes and gas cards for people getting to work, school or treatment.",
        categories=(C.OTHER,), languages="en es",
    ),
]
# fmt: on

CAPACITY_MIX = {Service.Capacity.AVAILABLE: 21, Service.Capacity.WAITLIST: 11, Service.Capacity.FULL: 8}
STALE_SHARE = 0.25  # of the reported capacities, this share was last confirmed more than a week ago
JITTER = 0.01  # degrees, about a kilometre, around the ZIP code's centroid


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _service_namespace(service_id: str) -> uuid.UUID:
    """The namespace ``services.py`` derives a service's category and language ids from: the demo's rows carry the
    ids a provider's edit would give them, so that a provider's edit and a later seed never leave two rows for one
    term or language."""
    return uuid.uuid5(PORTAL_TAXONOMY_ID, f"service:{service_id}")


def _compact(row: dict[str, Any]) -> dict[str, Any]:
    return {column: value for column, value in row.items() if value not in (None, "")}


def _zip(postal_code: str) -> dict[str, Any]:
    return zipcodes.matching(postal_code)[0]


def _city(postal_code: str) -> str:
    """Houston's ZIP codes stand for the fictional Bayport; the suburbs keep their real names."""
    return "Bayport" if postal_code.startswith("770") else str(_zip(postal_code)["city"])


def _area_code(postal_code: str) -> str:
    if postal_code.startswith("770"):
        return "713"
    return "409" if "409" in _zip(postal_code)["area_codes"] else "281"


def _locations(rng: random.Random) -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for key, (name, street, postal_code, _confidential) in LOCATIONS.items():
        centre = _zip(postal_code)
        documents[key] = {
            "id": _id("location", key),
            "location_type": "physical",
            "name": name,
            "latitude": round(float(centre["lat"]) + rng.uniform(-JITTER, JITTER), 6),
            "longitude": round(float(centre["long"]) + rng.uniform(-JITTER, JITTER), 6),
            "addresses": [
                {
                    "id": _id("address", key),
                    "address_1": street,
                    "city": _city(postal_code),
                    "state_province": "TX",
                    "postal_code": postal_code,
                    "country": "US",
                    "address_type": "physical",
                }
            ],
        }
    return documents


def _portal_terms() -> dict[str, dict[str, Any]]:
    """The portal taxonomy's terms as the database holds them, so that importing them changes nothing."""
    portal_taxonomy_ensure()
    taxonomy = Taxonomy.objects.get(pk=PORTAL_TAXONOMY_ID)
    detail = _compact(
        {
            "id": str(taxonomy.pk),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    )
    terms = TaxonomyTerm.objects.in_bulk([portal_term_id(category) for category in C.values])
    documents = {}
    for category in C.values:
        term = terms[portal_term_id(category)]
        documents[category] = _compact(
            {
                "id": str(term.pk),
                "code": term.code,
                "name": term.name,
                "description": term.description,
                "taxonomy": term.taxonomy,
                "language": term.language,
                "term_uri": term.term_uri,
                "taxonomy_detail": detail,
            }
        )
    return documents


def _other_term(term: Term) -> dict[str, Any]:
    name, description, uri = TAXONOMIES[term.taxonomy]
    return _compact(
        {
            "id": _id("term", f"{term.taxonomy}:{term.code or term.name}"),
            "code": term.code,
            "name": term.name,
            "description": term.name,
            "taxonomy": name,
            "language": "en",
            "taxonomy_detail": {
                "id": _id("taxonomy", term.taxonomy),
                "name": name,
                "description": description,
                "uri": uri,
            },
        }
    )


def _document(
    rng: random.Random, spec: DemoService, location: dict[str, Any], portal_terms: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    service_id = _id("service", spec.key)
    namespace = _service_namespace(service_id)
    organization_name, organization_description, _agency = ORGANIZATIONS[spec.organization]
    postal_code = LOCATIONS[spec.location][2]
    attributes = [
        {
            "id": str(uuid.uuid5(namespace, f"category:{portal_terms[category]['id']}")),
            "link_type": "service_category",
            "taxonomy_term": portal_terms[category],
        }
        for category in spec.categories
    ] + [
        {
            "id": _id("attribute", f"{spec.key}:{term.taxonomy}:{term.code or term.name}"),
            "link_type": "service_category",
            "taxonomy_term": _other_term(term),
        }
        for term in spec.terms
    ]
    return _compact(
        {
            "id": service_id,
            "name": spec.name,
            "description": spec.description,
            "status": str(spec.status),
            "organization": {
                "id": _id("organization", spec.organization),
                "name": organization_name,
                "description": organization_description,
                "email": f"intake@{spec.organization.replace('_', '')}.example",
            },
            "service_at_locations": [
                {
                    "id": _id("service_at_location", spec.key),
                    "location": {**location, "organization_id": _id("organization", spec.organization)},
                }
            ],
            "languages": [
                {"id": str(uuid.uuid5(namespace, f"language:{code}")), "code": code, "name": language_name(code)}
                for code in spec.languages.split()
            ],
            "schedules": [
                {
                    "id": _id("schedule", f"{spec.key}:{index}"),
                    "freq": "WEEKLY",
                    "byday": days,
                    "opens_at": opens,
                    "closes_at": closes,
                }
                for index, (days, opens, closes) in enumerate(SCHEDULES[spec.schedule])
            ],
            "phones": [
                {
                    "id": _id("phone", spec.key),
                    "number": f"({_area_code(postal_code)}) 555-01{rng.randint(0, 99):02d}",
                    "type": "voice",
                }
            ],
            "minimum_age": spec.minimum_age,
            "maximum_age": spec.maximum_age,
            "eligibility_description": spec.eligibility,
            "application_process": spec.application or REFERRAL,
            "attributes": attributes,
        }
    )


def _portal_fields(rng: random.Random, now: datetime) -> dict[str, dict[str, Any]]:
    """What the portal knows beyond HSDS, by service id: capacity in every state, a quarter of the reports more
    than a week old (stale), and eligibility as each provider states it."""
    active = [spec for spec in SERVICES if spec.status == Service.Status.ACTIVE]
    states = [state for state, count in CAPACITY_MIX.items() for _ in range(count)]
    states += [Service.Capacity.UNKNOWN] * (len(active) - len(states))
    rng.shuffle(states)
    capacity = dict(zip((spec.key for spec in active), states, strict=True))
    reported = [key for key, state in capacity.items() if state != Service.Capacity.UNKNOWN]
    stale = set(rng.sample(reported, round(len(reported) * STALE_SHARE)))

    fields: dict[str, dict[str, Any]] = {}
    for spec in SERVICES:
        state = capacity.get(spec.key, Service.Capacity.UNKNOWN)
        count, updated_at = None, None
        if state == Service.Capacity.AVAILABLE and rng.random() < 0.8:
            count = rng.randint(1, 12)
        if state != Service.Capacity.UNKNOWN:
            hours = rng.uniform(8 * 24, 20 * 24) if spec.key in stale else rng.uniform(2, 6 * 24)
            updated_at = now - timedelta(hours=round(hours, 1))
        minors = spec.minors
        if spec.minimum_age is not None:
            minors = spec.minimum_age < 18
        elif spec.maximum_age is not None and spec.maximum_age < 18:
            minors = True
        fields[_id("service", spec.key)] = {
            "capacity": state,
            "capacity_count": count,
            "capacity_updated_at": updated_at,
            "genders_served": spec.genders,
            "accepts_minors": minors,
            "accepts_without_status": spec.without_status,
        }
    return fields


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    """Import the demo directory, then set the portal's own fields where the module docstring says."""
    with transaction.atomic(), translation.override("en"):
        locations = _locations(rng)
        portal_terms = _portal_terms()
        documents = [_document(rng, spec, locations[spec.location], portal_terms) for spec in SERVICES]
        fields = _portal_fields(rng, timezone.now())

        service_ids = [_id("service", spec.key) for spec in SERVICES]
        location_ids = [_id("location", key) for key in LOCATIONS]
        services_before = {str(pk) for pk in Service.objects.filter(pk__in=service_ids).values_list("pk", flat=True)}
        locations_before = {str(pk) for pk in Location.objects.filter(pk__in=location_ids).values_list("pk", flat=True)}

        tables = Tables()
        read_json_documents(documents, "demo", tables)
        try:
            hsds_import_tables(tables=tables, source="demo")
        except ImportRefused as refused:
            problems = "; ".join(map(str, refused.problems))
            raise RuntimeError(f"The demo directory does not import: {problems}") from refused

        unreported = {
            str(pk)
            for pk in Service.objects.filter(pk__in=service_ids, capacity=Service.Capacity.UNKNOWN).values_list(
                "pk", flat=True
            )
        }
        for service_id, values in fields.items():
            if service_id not in services_before or service_id in unreported:
                Service.objects.filter(pk=service_id).update(**values)

        confidential = [_id("location", key) for key, spec in LOCATIONS.items() if spec[3]]
        Location.objects.filter(pk__in=set(confidential) - locations_before).update(is_confidential=True)

        short_names = {short_name for _name, _description, short_name in ORGANIZATIONS.values() if short_name}
        agencies = {agency.short_name: agency for agency in Agency.objects.filter(short_name__in=short_names)}
        for key, (_name, _description, short_name) in ORGANIZATIONS.items():
            if short_name in agencies:
                Organization.objects.filter(pk=_id("organization", key), agency__isnull=True).update(
                    agency=agencies[short_name]
                )

    linked = sum(1 for spec in SERVICES if ORGANIZATIONS[spec.organization][2] in agencies)
    created = len(set(service_ids) - services_before)
    stdout.write(
        f"Demo: {len(SERVICES)} directory services of {len(ORGANIZATIONS)} providers ({created} new), "
        f"{len(confidential)} confidential locations, {linked} services kept by the task force's NGOs."
    )
