"""Demo cases (fictional) for ``manage.py seed_demo``, written only through ``cases.services``.

About thirty cases in every status, led by law enforcement, the Department of Labor and the victim service
providers, with their people, needs, notes, a few documents, shares at every level, and NGO clients whose consent
to release their identity is active, expired or revoked. Every choice comes from ``rng``; dates count back from today.
"""

import random
from datetime import timedelta
from io import TextIOBase

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.demo import PEOPLE, TASK_FORCE
from agencies.models import Agency, Role, TaskForce, User
from cases import selectors, services
from cases.models import Case, CaseParticipant, CaseShare, Need, Person, ServiceEvent, VictimIdentification, Visibility

S, P, LE, CO = CaseShare.Level  # summary, personal, law_enforcement, collaborate
VICTIM, SUSPECT, WITNESS = CaseParticipant.Role.VICTIM, CaseParticipant.Role.SUSPECT, CaseParticipant.Role.WITNESS

# fmt: off
CASES = [
    # lead agency, status[:why closed], type, came in through, number of victims, title,
    #   summary, trafficking indicators, shares {agency: level}
    ("FBI Bayport", "investigation", "sex", "hotline", 3, "Bayview Avenue massage businesses",
     "Three massage businesses under common control. The women live on site and owe a travel debt that keeps growing.",
     "restricted_movement debt_bondage substandard_housing", {"BPD": CO, "HSI Bayport": LE, "Safe Harbor": P}),
    ("HSI Bayport", "investigation", "labor", "ngo", 3, "Crab processing plant, seasonal visas",
     "Seasonal workers say the recruiter keeps their passports and deducts recruitment fees from every paycheck.",
     "confiscated_documents debt_bondage wage_theft", {"DOL WHD": P, "GC Legal Aid": P, "USAO SDGC": LE}),
    ("GSP", "prosecution", "sex", "law_enforcement", 1, "Interstate 10 truck stops",
     "A girl found during a welfare check at a truck stop; online ads link her to an older man who drives her around.",
     "commercial_sex_minor violence coerced_substance_use", {"USAO SDGC": CO, "FBI Bayport": LE, "Bridges": P}),
    ("BPD", "open", "labor", "public", 2, "Nail salon on Harbor Road",
     "A customer reported that the workers sleep in the back room and are never seen outside the salon.",
     "excessive_hours wage_theft isolation substandard_housing", {"DOL WHD": P, "GCTF Coordination": S}),
    ("MCSO", "investigation", "labor", "hotline", 3, "Citrus grove labor camp",
     "Pickers recruited with promises of hotel work are housed in trailers and told they owe for transport and food.",
     "debt_bondage substandard_housing deceptive_recruitment", {"DOL WHD": P, "HSI Bayport": LE, "GC Legal Aid": S}),
    ("FBI Bayport", "prosecution", "sex", "law_enforcement", 2, "Online advertisements, Marlin County motels",
     "Ads rotating through four motels share one phone number; two women describe beatings and forced drug use.",
     "violence coerced_substance_use threats", {"USAO SDGC": CO, "MCSO": LE, "Safe Harbor": P}),
    ("HSI Bayport", "open", "unknown", "airline", 1, "Airline report: traveler without her documents",
     "Cabin crew reported a young woman whose ticket, passport and phone were held by the man travelling with her.",
     "deceptive_recruitment confiscated_documents", {"FBI Bayport": LE, "Bridges": S}),
    ("BPD", "closed:insufficient", "sex", "hotline", 1, "Escort ads tied to a downtown apartment",
     "A neighbor reported a stream of visitors; the ads stopped before anyone in the apartment could be identified.",
     "restricted_movement", {"GCTF Coordination": S}),
    ("GSP", "closed:no_trafficking", "labor", "public", 2, "Highway 98 road crew",
     "Unpaid overtime on a road crew. No coercion found; the wage claims went to the Department of Labor.",
     "wage_theft excessive_hours", {"DOL WHD": P}),
    ("FBI Bayport", "prosecution", "labor", "ngo", 1, "Live-in domestic worker, Harbor Heights",
     "A domestic worker escaped a family home after four years without pay; her passport was locked in a safe.",
     "confiscated_documents isolation wage_theft restricted_movement", {"USAO SDGC": CO, "GC Legal Aid": P}),
    ("MCSO", "closed:transferred", "unknown", "law_enforcement", 3, "Traffic stop: van with eleven passengers",
     "Eleven adults in a van without seats, none holding their own documents. Taken over by HSI.",
     "deceptive_recruitment confiscated_documents", {"HSI Bayport": CO}),
    ("BPD", "investigation", "sex", "public", 2, "Teens recruited at the bus station",
     "Runaway teenagers offered a place to stay by a woman who then posted them online.",
     "commercial_sex_minor coerced_substance_use", {"FBI Bayport": LE, "Bridges": P, "BCHC": S}),
    ("USAO SDGC", "prosecution", "labor", "law_enforcement", 3, "Restaurant group, visa fraud and forced labor",
     "Cooks brought in on fraudulent visas worked sixteen-hour days to repay fees to the owners' relatives.",
     "debt_bondage excessive_hours deceptive_recruitment threats", {"HSI Bayport": CO, "DOL WHD": P}),
    ("HSI Bayport", "closed:adjudicated", "labor", "port_of_entry", 3, "Cargo ship crew held aboard",
     "Crew on a cargo ship unpaid for nine months and not allowed ashore. The operator pleaded guilty.",
     "confiscated_documents wage_theft restricted_movement", {"USAO SDGC": CO, "GC Legal Aid": P}),
    ("GSP", "open", "sex", "hotline", 2, "Cantina in Port Marlin",
     "Waitresses recruited abroad for restaurant jobs must drink with customers and leave with them to pay debts.",
     "debt_bondage threats deceptive_recruitment", {"MCSO": LE}),
    ("FBI Bayport", "open", "labor", "hotline", 2, "Hotel housekeeping contractor",
     "Housekeepers placed by a staffing contractor say their pay goes to a 'housing account' they never see.",
     "wage_theft substandard_housing", {"DOL WHD": S, "Safe Harbor": S}),
    ("BPD", "closed:victim_declined", "sex", "ngo", 1, "Boyfriend trafficking, Eastside",
     "A woman sold by her boyfriend. She is safe and supported by Safe Harbor but decided not to go on with the case.",
     "violence threats isolation", {"Safe Harbor": P}),
    ("MCSO", "investigation", "labor", "hotline", 2, "Shrimp boat deckhands",
     "Deckhands on two shrimp boats work off a debt to the captain and are kept offshore for weeks at a time.",
     "debt_bondage restricted_movement wage_theft", {"HSI Bayport": LE, "DOL WHD": P}),
    ("FBI Bayport", "investigation", "sex", "law_enforcement", 3, "Illicit spa network, three states",
     "Spas in three states share managers, bank accounts and a rotation of workers moved every few weeks.",
     "restricted_movement debt_bondage isolation", {"GSP": CO, "HSI Bayport": LE, "BPD": S, "GCTF Coordination": S}),
    ("HSI Bayport", "open", "sex", "port_of_entry", 3, "Dancers recruited for a cruise line",
     "Three women with entertainment visas arrived for cruise work that does not exist; a club is holding them.",
     "deceptive_recruitment confiscated_documents", {"Bridges": S}),
    ("DOL WHD", "open", "labor", "public", 2, "Landscaping company wage complaint",
     "Crew members paid a flat weekly sum far below minimum wage; the foreman threatens to call immigration.",
     "wage_theft excessive_hours threats", {"HSI Bayport": P}),
    ("DOL WHD", "investigation", "labor", "hotline", 2, "Poultry plant subcontractor",
     "A subcontractor's night crew at a poultry plant works off a debt to the recruiter who brought them.",
     "debt_bondage excessive_hours", {"FBI Bayport": P, "GC Legal Aid": S}),
    ("Safe Harbor", "open", "sex", "ngo", 2, "Shelter clients from a massage business",
     "Two women came to the shelter after leaving a massage business. One agreed to talk to the FBI.",
     "restricted_movement debt_bondage", {"FBI Bayport": P}),
    ("Safe Harbor", "open", "sex", "ngo", 1, "Client trafficked by a former partner",
     "A client forced into commercial sex by a former partner; she met the police last spring.",
     "violence threats", {"BPD": P}),
    ("Safe Harbor", "open", "sex", "ngo", 1, "Teen client referred by a school counselor",
     "A high-school student referred by her counselor. She later withdrew her release of information to the police.",
     "commercial_sex_minor isolation", {"BPD": P, "Bridges": S}),
    ("GC Legal Aid", "open", "labor", "ngo", 1, "T visa applicant, farm work",
     "A farmworker applying for a T visa; HSI is asked to sign the law-enforcement declaration.",
     "debt_bondage deceptive_recruitment", {"HSI Bayport": P}),
    ("GC Legal Aid", "open", "labor", "ngo", 1, "Live-in caregiver whose passport was taken",
     "A caregiver whose employer kept her passport. She withdrew her consent after the employer contacted family.",
     "confiscated_documents isolation", {"FBI Bayport": P}),
    ("GC Legal Aid", "closed:victim_declined", "labor", "ngo", 1, "Restaurant worker in debt to a recruiter",
     "Legal advice on a recruitment debt; the client chose to return home and closed the matter.",
     "debt_bondage", {"DOL WHD": S}),
    ("Bridges", "open", "sex", "ngo", 1, "Survivor leaving the sex trade",
     "A survivor rebuilding her life with Bridges; she spoke to State Police investigators last year.",
     "violence coerced_substance_use", {"GSP": P}),
    ("Bridges", "open", "sex", "ngo", 1, "Youth client recruited online",
     "A young woman recruited through a modeling ad; she agreed that the FBI may contact her through her advocate.",
     "deceptive_recruitment", {"FBI Bayport": P}),
]
# fmt: on

# An NGO client's consent to release their information to the law-enforcement agency that the case is shared with
# at the personal level: one entry per client (None: never asked).
CONSENTS: dict[str, list[str | None]] = {
    "Shelter clients from a massage business": ["active", None],
    "Client trafficked by a former partner": ["expired"],
    "Teen client referred by a school counselor": ["revoked"],
    "T visa applicant, farm work": ["active"],
    "Live-in caregiver whose passport was taken": ["revoked"],
    "Survivor leaving the sex trade": ["expired"],
    "Youth client recruited online": ["active"],
}
AGE_IN_DAYS = {"open": (3, 150), "investigation": (45, 400), "prosecution": (240, 540), "closed": (120, 540)}
# How many of the FORWARD steps a case takes to reach its status, or before it is closed for a reason (else 1).
FORWARD = ["start_investigation", "start_prosecution"]
STEPS_BEFORE = {"open": 0, "investigation": 1, "prosecution": 2, "adjudicated": 2, "victim_declined": 0}
SHARE_REASONS = {
    S: "Task-force coordination.",
    P: "Services for the victims.",
    LE: "Joint investigation.",
    CO: "Co-lead.",
}

ORIGINS = [
    # nationality, languages (portal.languages codes, preferred first), women's and men's given names, family names
    ("Mexico", "es", "Guadalupe Rosa Daniela Maribel", "Jorge Ramiro Efraín Octavio", "Hernández Castillo Ochoa"),
    ("Guatemala", "es quc", "Ingrid Marta Sandra Lesly", "Byron Edwin Selvin Mynor", "Ajanel Tzoc Chávez Batz"),
    ("Honduras", "es en", "Keila Dania Yolany Marlen", "Wilmer Elvin Osman Nery", "Mejía Zelaya Banegas Funez"),
    ("Philippines", "tl en", "Maricel Jocelyn Rowena Analyn", "Rodel Jomar Arnel Reynaldo", "Villanueva Manalo"),
    ("Thailand", "th", "Siriporn Kanya Malee Pranee", "Somchai Anan Prasert Kittisak", "Srisuk Boonmee Wongsa"),
    ("China", "zh", "Mei Xiuying Lihua Yan", "Wei Jian Hao Qiang", "Chen Liu Zhang Huang"),
    ("Ukraine", "uk ru", "Oksana Iryna Halyna Yuliia", "Andriy Taras Serhiy Bohdan", "Kovalenko Shevchuk Tkachenko"),
    ("Nigeria", "en yo", "Chioma Adaeze Funmilayo Ngozi", "Emeka Tunde Chinedu Segun", "Okonkwo Adeyemi Balogun Eze"),
    ("India", "hi en", "Sunita Pooja Kavita Rekha", "Ravi Arjun Sandeep Manoj", "Sharma Patel Reddy Yadav"),
    ("Haiti", "ht fr", "Nadège Fabienne Mirlande Guerline", "Wesner Frantz Dieuvil Jean-Robert", "Joseph Pierre Desir"),
    ("Vietnam", "vi", "Lan Thu Huong Ngoc", "Minh Tuan Duc Long", "Nguyen Tran Pham Hoang"),
    ("United States", "en", "Amber Kayla Tara Jade Dawn", "Tyler Cody Troy Dale Rick", "Miller Carter Hayes Boyd Webb"),
]
ALIASES = ["El Flaco", "Big Mike", "La Tía", "Boss", "Coach", "Uncle", "Papa Joe", "Sunny"]
AGES: dict[str, tuple[int, int]] = {VICTIM: (18, 44), SUSPECT: (21, 62)}  # witnesses: 19 to 70

NEEDS = {
    Need.Category.EMERGENCY_SHELTER: "A safe bed tonight, away from housing the employer controls.",
    Need.Category.TRANSITIONAL_HOUSING: "Housing for six to twelve months while the case goes on.",
    Need.Category.LEGAL_IMMIGRATION: "Advice on a T visa and continued presence.",
    Need.Category.MEDICAL: "An untreated injury; no health insurance.",
    Need.Category.MENTAL_HEALTH: "Trauma-informed counseling, in their own language if possible.",
    Need.Category.EMPLOYMENT: "Lawful work and job training.",
    Need.Category.EDUCATION: "English classes, or back to school.",
    Need.Category.CLOTHING: "Left with only the clothes they were wearing.",
    Need.Category.CHILD_CARE: "Child care during interviews and appointments.",
    Need.Category.CASE_MANAGEMENT: "A case manager to coordinate services.",
}
TEAM_NOTES = [
    "Interpreter booked for the next interview.",
    "The victim asked that all contact go through their advocate.",
    "Task force meeting: agreed who contacts the victims and when.",
    "Interview moved to fit around the victim's medical appointments.",
    "The advocate reports the victim is settled in a new placement and doing better.",
]
LE_NOTES = [
    "Payment processor returns received; card receipts match the days the ads ran.",
    "Pole camera shows the same van dropping workers off at 6 a.m. every day.",
    "A confidential source says the manager moves cash to a relative each week.",
    "Seized phone sent to the regional lab for extraction.",
    "Do not contact the property owner yet: possibly related to a suspect.",
]
INVESTIGATIVE_STEPS = [  # the law-enforcement-sensitive narrative: three of these
    "Records checks on the owners and their registered vehicles are complete.",
    "An undercover officer visited the premises twice; no arrests yet.",
    "Grand jury subpoenas went to the phone carrier and the payment processor.",
    "Three weeks of surveillance established when and how the workers are moved.",
    "Bank records show cash deposits kept just below the reporting threshold.",
    "A search warrant for the residence where the workers sleep is in draft.",
    "Online ads were preserved and linked to each other by a shared phone number.",
]
DOCUMENTS = [  # file name, description, visible to
    ("intake-summary.pdf", "Intake summary, names removed", Visibility.CASE_TEAM),
    ("interview-schedule.txt", "Interview schedule", Visibility.CASE_TEAM),
    ("safety-plan-checklist.pdf", "Safety planning checklist (blank)", Visibility.CASE_TEAM),
    ("surveillance-log.txt", "Surveillance log", Visibility.LAW_ENFORCEMENT),
    ("subpoena-returns-index.pdf", "Index of subpoena returns", Visibility.LAW_ENFORCEMENT),
]


def _pdf(text: str) -> bytes:
    """A one-page PDF showing one line of ASCII ``text``: tiny, but valid, with a correct cross-reference table."""
    text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at, size = len(pdf), len(objects) + 1
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % size + b"".join(b"%010d 00000 n \n" % at for at in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(pdf)


def _agency_users() -> tuple[dict[str, User], dict[str, User]]:
    """Each agency's first caseworker in ``agencies.demo.PEOPLE`` (or, without one, whoever there reads cases),
    and each agency's supervisor, who closes its cases."""
    preference = [Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER_STAFF, Role.COORDINATOR]
    ranked = sorted((p for p in PEOPLE if p[3] in preference), key=lambda p: preference.index(p[3]))
    users = {user.email: user for user in User.objects.filter(email__in=[p[0] for p in ranked])}
    workers: dict[str, User] = {}
    for email, _name, agency, _role, _title in ranked:
        workers.setdefault(agency, users[email])
    supervisors = {agency: users[email] for email, _name, agency, role, _title in ranked if role == Role.SUPERVISOR}
    return workers, supervisors


def _person(
    rng: random.Random, origin: tuple[str, ...], role: str, *, taken: set, female: float, minor: bool = False
) -> dict:
    """Fields for ``person_add_to_case``: ``female`` is the chance of a woman; a minor is 14 to 17. The name is
    one not ``taken`` yet where the pool allows it."""
    nationality, languages, women, men, families = origin
    sex = "female" if rng.random() < female else "male"
    for _attempt in range(10):
        name = (rng.choice((women if sex == "female" else men).split()), rng.choice(families.split()))
        if name not in taken:
            break
    taken.add(name)
    days_old = round(365.25 * rng.randint(*(14, 17) if minor else AGES.get(role, (19, 70)))) + rng.randint(2, 360)
    documents = []
    if rng.random() < 0.2:
        kind = "driver's license" if nationality == "United States" else "passport"
        documents = [{"kind": kind, "number": f"{nationality[0]}{rng.randint(1000000, 9999999)}"}]
    return {
        "given_name": name[0],
        "family_name": name[1],
        "aliases": [rng.choice(ALIASES)] if role == SUSPECT and rng.random() < 0.5 else [],
        "sex": sex,
        "date_of_birth": timezone.localdate() - timedelta(days=days_old),
        "nationality": nationality,
        "languages": languages.split(),
        "preferred_language": languages.split()[0],
        "phone": f"(251) 555-01{rng.randint(0, 99):02d}" if rng.random() < 0.7 else "",
        "identity_documents": documents,
    }


def _add_people(rng: random.Random, case: Case, lead: User, *, victim_count: int, taken: set) -> list[Person]:
    """The victims, who share an origin (women in sex trafficking, all minors in cases of minors), then for law
    enforcement one or two suspects, and perhaps a witness. Returns the victims."""
    origin = rng.choice(ORIGINS if case.case_type == Case.Type.SEX else ORIGINS[:-1])
    female, minors = (1.0 if case.case_type == Case.Type.SEX else 0.4), "commercial_sex_minor" in case.indicators
    people = [
        (VICTIM, _person(rng, origin, VICTIM, taken=taken, female=female, minor=minors or rng.random() < 0.1))
        for _ in range(victim_count)
    ]
    if case.lead_agency.is_law_enforcement:
        suspect_origins = [rng.choice([origin, ORIGINS[-1]]) for _ in range(rng.randint(1, 2))]
        people += [(SUSPECT, _person(rng, other, SUSPECT, taken=taken, female=0.3)) for other in suspect_origins]
    if rng.random() < 0.5:
        people.append((WITNESS, _person(rng, rng.choice(ORIGINS), WITNESS, taken=taken, female=0.5)))
    added = [services.person_add_to_case(case=case, role=role, actor=lead, **fields) for role, fields in people]
    return [participant.person for participant in added if participant.role == VICTIM]


# Victims' identifications (issue 17). Drawn from a generator of their own, seeded by the case's title, so that
# recording them changes nothing else the demo draws.
IDENTIFIED_YESTERDAY = "Teens recruited at the bus station"  # its first victim: a foreign-national minor, potential
RACES = {
    "Mexico": ["hispanic_latino"],
    "Guatemala": ["hispanic_latino", "american_indian_alaska_native"],
    "Honduras": ["hispanic_latino"],
    "Haiti": ["black_african_american"],
    "Nigeria": ["black_african_american"],
    "Ukraine": ["white"],
    "United States": ["white", "black_african_american", "american_indian_alaska_native"],
}
REFERRED = {"hotline": "hotline", "law_enforcement": "law_enforcement", "ngo": "ngo", "public": "self"}


def _identify_victims(case: Case, lead: User, victims: list[Person], *, status: str) -> None:
    """Each victim's identification, through the service: confirmed in cases taken further, often still potential
    in open ones; citizenship, race and ethnicity from where they come from, now and then "not reported"."""
    rng = random.Random(f"identification:{case.title}")  # noqa: S311 (fictional demo data, not a secret)
    today = timezone.localdate()
    ID = VictimIdentification
    for number, victim in enumerate(victims):
        identified_on = min(today, case.opened_on + timedelta(days=rng.randint(0, 10)))
        confirmed = status in {"prosecution", "closed:adjudicated"} or (
            status == "investigation" and rng.random() < 0.6
        )
        citizenship = (
            ID.Citizenship.US_CITIZEN if victim.nationality == "United States" else ID.Citizenship.FOREIGN_NATIONAL
        )
        if rng.random() < 0.1:
            citizenship = rng.choice([ID.Citizenship.PERMANENT_RESIDENT, ID.Citizenship.NOT_REPORTED])
        kind = case.case_type if case.case_type in ID.TraffickingType.values else ID.TraffickingType.UNKNOWN
        if kind == ID.TraffickingType.LABOR and rng.random() < 0.15:
            kind = ID.TraffickingType.BOTH
        if case.title == IDENTIFIED_YESTERDAY and number == 0:
            identified_on, confirmed = today - timedelta(days=1), False
            citizenship = ID.Citizenship.FOREIGN_NATIONAL
        races = RACES.get(victim.nationality, ["asian"])
        gender = victim.sex if rng.random() < 0.9 else ID.Gender.NOT_REPORTED
        services.victim_identification_save(
            case=case,
            person=victim,
            version=0,
            actor=lead,
            status=ID.Status.CONFIRMED if confirmed else ID.Status.POTENTIAL,
            identified_on=identified_on,
            confirmed_on=min(today, identified_on + timedelta(days=rng.randint(3, 60))) if confirmed else None,
            trafficking_type=kind,
            citizenship=citizenship,
            gender=gender,
            race_ethnicity=[ID.RaceEthnicity.NOT_REPORTED] if rng.random() < 0.15 else races[: rng.randint(1, 2)],
            disability=rng.choice([ID.Disability.NO] * 6 + [ID.Disability.YES, ID.Disability.NOT_REPORTED]),
            referral_source=REFERRED.get(case.intake_channel, ID.ReferralSource.LAW_ENFORCEMENT),
        )


# Services a shelter gives its own clients (issue 17, decision 0035), recorded directly. Drawn from a generator of
# their own, seeded by the case's title, so that recording them changes nothing else the demo draws; the services
# of completed referrals are recorded by the referrals' demo, through their completion.
DIRECT_SERVICES = [
    (Need.Category.CASE_MANAGEMENT, "Intake, safety planning and a case plan"),
    (Need.Category.EMERGENCY_SHELTER, "Emergency shelter, up to 30 nights"),
    (Need.Category.FOOD, "Groceries and meals at the shelter"),
    (Need.Category.CLOTHING, "Clothing closet"),
    (Need.Category.MENTAL_HEALTH, "Crisis counseling, two sessions"),
]


def _record_direct_services(case: Case, lead: User, victims: list[Person]) -> None:
    """A victim service provider's clients receive one to three of its own services, on days since the case
    opened; now and then it referred one elsewhere, outside the portal."""
    if not case.lead_agency.is_victim_service_provider:
        return
    rng = random.Random(f"services:{case.title}")  # noqa: S311 (fictional demo data, not a secret)
    today = timezone.localdate()
    for participant in case.participants.filter(person__in=victims, role=CaseParticipant.Role.VICTIM):
        for category, program in rng.sample(DIRECT_SERVICES, rng.randint(1, 3)):
            days = max(0, (today - case.opened_on).days)
            on = today - timedelta(days=rng.randint(0, days))
            referred = rng.random() < 0.2
            services.service_event_record(
                actor=lead,
                participant=participant,
                category=category,
                on=on,
                kind=ServiceEvent.Kind.REFERRED if referred else ServiceEvent.Kind.DELIVERED,
                provider_name="Bayport Community Services (outside the portal)" if referred else "",
                program=program,
            )


# Services the law-enforcement agencies' victim specialists give the victims of their cases, or refer them to outside
# the portal (decision 0035), recorded directly: a generator of their own again, seeded by the case's title.
SPECIALIST_SERVICES = [
    (Need.Category.CASE_MANAGEMENT, "", "Victim specialist: needs assessment and safety plan"),
    (Need.Category.CLOTHING, "", "Emergency clothing and a hygiene kit"),
    (Need.Category.EMERGENCY_SHELTER, "", "Hotel nights paid from emergency victim assistance funds"),
    (Need.Category.INTERPRETATION, "", "An interpreter for interviews and appointments"),
    (Need.Category.TRANSITIONAL_HOUSING, "Bayport Housing Authority (outside the portal)", "Housing application"),
    (Need.Category.EMPLOYMENT, "Gulf Coast Workforce Center (outside the portal)", "Job training intake"),
]
# The foreign minor found yesterday at the bus station (IDENTIFIED_YESTERDAY): Bayport police's victim advocate
# took her to a youth shelter that night, so the case shows identification, a service, relief and an arrest at once.
FOUND_YESTERDAY_SERVICE = (
    Need.Category.EMERGENCY_SHELTER,
    "Crisis intervention by the department's victim advocate; placed at a licensed youth shelter",
)


def _record_specialist_services(case: Case, lead: User, victims: list[Person]) -> None:
    """Each victim of a case law enforcement (or a prosecutor) leads receives one or two services from its victim
    specialist, or is referred elsewhere outside the portal, on days of the last year since the case opened. The
    bus-station minor identified yesterday receives hers that day, and no other."""
    if not case.lead_agency.is_law_enforcement:
        return
    rng = random.Random(f"specialist services:{case.title}")  # noqa: S311 (fictional demo data, not a secret)
    today = timezone.localdate()
    days = min(365, max(0, (today - case.opened_on).days))
    participants = case.participants.filter(person__in=victims, role=CaseParticipant.Role.VICTIM).order_by("id")
    for number, participant in enumerate(participants):
        if case.title == IDENTIFIED_YESTERDAY and number == 0:
            category, program = FOUND_YESTERDAY_SERVICE
            services.service_event_record(
                actor=lead, participant=participant, category=category, on=today - timedelta(days=1), program=program
            )
            continue
        for category, elsewhere, program in rng.sample(SPECIALIST_SERVICES, rng.randint(1, 2)):
            services.service_event_record(
                actor=lead,
                participant=participant,
                category=category,
                on=today - timedelta(days=rng.randint(0, days)),
                kind=ServiceEvent.Kind.REFERRED if elsewhere else ServiceEvent.Kind.DELIVERED,
                provider_name=elsewhere,
                program=program,
            )


def _add_needs(rng: random.Random, case: Case, lead: User, victim: Person, *, closed: bool) -> None:
    """One to three needs, and an interpreter for those who prefer another language; most are met in closed cases."""
    needs = [(category, rng.choice(Need.Urgency.values)) for category in rng.sample(list(NEEDS), rng.randint(1, 3))]
    if victim.preferred_language != "en":
        needs.append((Need.Category.INTERPRETATION, Need.Urgency.URGENT))
    for category, urgency in needs:
        details = NEEDS.get(category, "An interpreter for interviews and appointments.")
        need = services.need_add(
            case=case, person=victim, category=category, urgency=urgency, details=details, actor=lead
        )
        if rng.random() < (0.8 if closed else 0.25):
            services.need_mark_met(need=need, actor=lead)


def _add_notes_and_documents(rng: random.Random, case: Case, lead: User, partners: list[User]) -> None:
    """A note by the lead, perhaps one by a partner, a law-enforcement-only note in law enforcement's cases, and
    now and then a document."""
    law_enforcement = case.lead_agency.is_law_enforcement
    # A shelter's note names its clients (another agency reads it only through each one's consent).
    services.note_add(
        case=case, text=rng.choice(TEAM_NOTES), actor=lead, about=list(selectors.note_subjects_for(lead, case))
    )
    collaborators = [partner for partner in partners if selectors.CHANGE in selectors.case_permissions(partner, case)]
    if collaborators and rng.random() < 0.6:
        services.note_add(case=case, text=rng.choice(TEAM_NOTES), actor=rng.choice(collaborators))
    if law_enforcement:
        services.note_add(case=case, text=rng.choice(LE_NOTES), actor=lead, visibility=Visibility.LAW_ENFORCEMENT)
    if rng.random() < 0.3:
        documents = [d for d in DOCUMENTS if law_enforcement or d[2] == Visibility.CASE_TEAM]
        name, description, visibility = rng.choice(documents)
        text = f"{description}. Case {case.number}. A fictional demo document."
        # No content type given: document_upload reads it from the first bytes.
        upload = SimpleUploadedFile(name, _pdf(text) if name.endswith(".pdf") else text.encode())
        services.document_upload(
            case=case, uploaded_file=upload, actor=lead, description=description, visibility=visibility
        )


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    """Create the demo cases, unless the first one is already there (``seed_demo`` runs in one transaction)."""
    lead_name, title = CASES[0][0], CASES[0][5]
    if Case.objects.filter(title=title, lead_agency__short_name=lead_name).exists():
        stdout.write("Demo cases are already there: nothing added.")
        return
    workers, supervisors = _agency_users()
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    task_force = TaskForce.objects.get(name=TASK_FORCE)
    today, taken = timezone.localdate(), set[tuple[str, str]]()
    # Opened on days drawn by status, and created in that order so that case numbers follow the dates.
    dated = [(today - timedelta(days=rng.randint(*AGE_IN_DAYS[spec[1].partition(":")[0]])), spec) for spec in CASES]
    for opened_on, spec in sorted(dated, key=lambda pair: pair[0]):
        lead_name, status, case_type, channel, victim_count, title, summary, indicators, shares = spec
        lead, lead_agency = workers[lead_name], agencies[lead_name]
        case = services.case_create(
            actor=lead,
            title=title,
            intake_channel=channel,
            case_type=case_type,
            summary=summary,
            jurisdiction=lead_agency.jurisdiction,
            indicators=indicators.split(),
            le_narrative=" ".join(rng.sample(INVESTIGATIVE_STEPS, 3)) if lead_agency.is_law_enforcement else "",
            task_force=task_force,
            opened_on=opened_on,
        )
        for name, level in shares.items():
            expires_on = today + timedelta(days=rng.randint(60, 365)) if level == S else None
            reason = SHARE_REASONS[level]
            services.case_share_grant(
                case=case,
                agency=agencies[name],
                level=level,
                reason=reason,
                actor=supervisors.get(lead_name, lead),  # a supervisor's share takes effect at once
                expires_on=expires_on,
            )

        victims = _add_people(rng, case, lead, victim_count=victim_count, taken=taken)
        for victim in victims:
            _add_needs(rng, case, lead, victim, closed=status.startswith("closed"))
        _identify_victims(case, lead, victims, status=status)
        _record_direct_services(case, lead, victims)
        _record_specialist_services(case, lead, victims)

        recipient = next((agencies[name] for name, level in shares.items() if level == P), None)
        for victim, state in zip(victims, CONSENTS.get(title, []), strict=False):
            if state is None or recipient is None:
                continue
            signed_on = today - timedelta(days=200 if state == "expired" else rng.randint(5, 90))
            consent = services.consent_record(
                person=victim,
                recipient_agency=recipient,
                categories=["identity"] if state == "revoked" else ["identity", "contact"],
                purpose="An interview about the people who trafficked them, and a T visa declaration.",
                signed_on=signed_on,
                expires_on=today - timedelta(days=20) if state == "expired" else signed_on + timedelta(days=180),
                actor=lead,
            )
            if state == "revoked":
                services.consent_revoke(consent=consent, actor=lead)

        partners = [workers[name] for name in shares if name in workers]
        _add_notes_and_documents(rng, case, lead, partners)

        status, _, reason = status.partition(":")
        for step in FORWARD[: STEPS_BEFORE.get(reason or status, 1)] + (["close"] if reason else []):
            actor = supervisors.get(lead_name, lead) if step == "close" else lead
            services.case_transition(case=case, transition=step, actor=actor, reason=reason)
    stdout.write(f"Demo: {len(CASES)} cases, with their people, needs, notes, documents, shares and consents.")
