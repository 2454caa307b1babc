"""Demo cases (fictional), written only through ``cases.services``. Used by ``manage.py seed_demo``.

About thirty cases led by the law-enforcement agencies, the Department of Labor and the victim service providers,
in every status, with victims, suspects and witnesses, needs, notes, a few documents, shares at every level, and
NGO clients whose consent to release their identity to law enforcement is active, expired or revoked. Every choice
comes from the ``rng`` that ``seed_demo`` passes in; dates count back from today. If the first case of the table
is already there, nothing is done.
"""

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.demo import PEOPLE
from agencies.models import Agency, Role, TaskForce, User
from cases.models import Case, CaseParticipant, CaseShare, Need, Visibility
from cases.services import (
    case_create,
    case_share_grant,
    case_transition,
    consent_record,
    consent_revoke,
    document_upload,
    need_add,
    need_mark_met,
    note_add,
    person_add_to_case,
)

S, P, LE, CO = (CaseShare.Level.SUMMARY, CaseShare.Level.PERSONAL, CaseShare.Level.LAW_ENFORCEMENT, CaseShare.Level.COLLABORATE)
CASES = [
    # (lead agency, status[:closing reason], type, came in through, title), summary, indicators, shares
    (
        ("FBI Bayport", "investigation", "sex", "hotline", "Bayview Avenue massage businesses"),
        "Three massage businesses under common control. The women live on site and owe a travel debt that keeps growing.",
        "restricted_movement debt_bondage substandard_housing",
        {"BPD": CO, "HSI Bayport": LE, "Safe Harbor": P, "GCTF Coordination": S},
    ),
    (
        ("HSI Bayport", "investigation", "labor", "ngo", "Crab processing plant, seasonal visas"),
        "Seasonal workers say the recruiter keeps their passports and deducts recruitment fees from every paycheck.",
        "confiscated_documents debt_bondage wage_theft substandard_housing",
        {"DOL WHD": P, "GC Legal Aid": P, "USAO SDGC": LE},
    ),
    (
        ("GSP", "prosecution", "sex", "law_enforcement", "Interstate 10 truck stops"),
        "A 16-year-old found during a welfare check at a truck stop; online ads link her to an older man who drives her.",
        "commercial_sex_minor violence coerced_substance_use",
        {"USAO SDGC": CO, "FBI Bayport": LE, "Bridges": P},
    ),
    (
        ("BPD", "open", "labor", "public", "Nail salon on Harbor Road"),
        "A customer reported that the workers sleep in the back room and are never seen outside the salon.",
        "excessive_hours wage_theft isolation substandard_housing",
        {"DOL WHD": P, "GCTF Coordination": S},
    ),
    (
        ("MCSO", "investigation", "labor", "hotline", "Citrus grove labor camp"),
        "Pickers recruited with promises of hotel work are housed in trailers and told they owe for transport and food.",
        "debt_bondage threats restricted_movement substandard_housing deceptive_recruitment",
        {"DOL WHD": P, "HSI Bayport": LE, "GC Legal Aid": S},
    ),
    (
        ("FBI Bayport", "prosecution", "sex", "law_enforcement", "Online advertisements, Marlin County motels"),
        "Ads rotating through four motels share one phone number; two women describe beatings and forced drug use.",
        "violence coerced_substance_use threats",
        {"USAO SDGC": CO, "MCSO": LE, "Safe Harbor": P},
    ),
    (
        ("HSI Bayport", "open", "unknown", "airline", "Airline report: traveler without her documents"),
        "Cabin crew reported a young woman whose ticket, passport and phone were held by the man travelling with her.",
        "deceptive_recruitment confiscated_documents",
        {"FBI Bayport": LE, "Bridges": S},
    ),
    (
        ("BPD", "closed:insufficient", "sex", "hotline", "Escort ads tied to a downtown apartment"),
        "A neighbor reported a stream of visitors; the ads stopped before anyone in the apartment could be identified.",
        "restricted_movement",
        {"GCTF Coordination": S},
    ),
    (
        ("GSP", "closed:no_trafficking", "labor", "public", "Highway 98 road crew"),
        "Unpaid overtime on a road crew. No coercion found; the wage claims went to the Department of Labor.",
        "wage_theft excessive_hours",
        {"DOL WHD": P},
    ),
    (
        ("FBI Bayport", "prosecution", "labor", "ngo", "Live-in domestic worker, Harbor Heights"),
        "A domestic worker escaped a family home after four years without pay; her passport was locked in a safe.",
        "confiscated_documents isolation wage_theft restricted_movement",
        {"USAO SDGC": CO, "GC Legal Aid": P},
    ),
    (
        ("MCSO", "closed:transferred", "unknown", "law_enforcement", "Traffic stop: van with eleven passengers"),
        "Eleven adults in a van without seats, none holding their own documents. Taken over by HSI.",
        "deceptive_recruitment confiscated_documents",
        {"HSI Bayport": CO},
    ),
    (
        ("BPD", "investigation", "sex", "public", "Teens recruited at the bus station"),
        "Two runaway teenagers offered a place to stay by a woman who then posted them online.",
        "commercial_sex_minor coerced_substance_use",
        {"FBI Bayport": LE, "Bridges": P, "BCHC": S},
    ),
    (
        ("USAO SDGC", "prosecution", "labor", "law_enforcement", "Restaurant group, visa fraud and forced labor"),
        "Cooks brought in on fraudulent visas worked sixteen-hour days to repay fees to the owners' relatives.",
        "debt_bondage excessive_hours deceptive_recruitment threats",
        {"HSI Bayport": CO, "DOL WHD": P},
    ),
    (
        ("HSI Bayport", "closed:adjudicated", "labor", "port_of_entry", "Cargo ship crew held aboard"),
        "Crew on a cargo ship unpaid for nine months and not allowed ashore. The operator pleaded guilty.",
        "confiscated_documents wage_theft restricted_movement",
        {"USAO SDGC": CO, "GC Legal Aid": P},
    ),
    (
        ("GSP", "open", "sex", "hotline", "Cantina in Port Marlin"),
        "Waitresses recruited abroad for restaurant work say they must drink with customers and go with them to pay debts.",
        "debt_bondage threats deceptive_recruitment",
        {"MCSO": LE},
    ),
    (
        ("FBI Bayport", "open", "labor", "hotline", "Hotel housekeeping contractor"),
        "Housekeepers placed by a staffing contractor say their pay goes to a 'housing account' they never see.",
        "wage_theft substandard_housing",
        {"DOL WHD": S, "Safe Harbor": S},
    ),
    (
        ("BPD", "closed:victim_declined", "sex", "ngo", "Boyfriend trafficking, Eastside"),
        "A woman sold by her boyfriend. She is safe and supported by Safe Harbor but decided not to go on with the case.",
        "violence threats isolation",
        {"Safe Harbor": P},
    ),
    (
        ("MCSO", "investigation", "labor", "hotline", "Shrimp boat deckhands"),
        "Deckhands on two shrimp boats work off a debt to the captain and are kept offshore for weeks at a time.",
        "debt_bondage restricted_movement wage_theft",
        {"HSI Bayport": LE, "DOL WHD": P},
    ),
    (
        ("FBI Bayport", "investigation", "sex", "law_enforcement", "Illicit spa network, three states"),
        "Spas in three states share managers, bank accounts and a rotation of workers moved every few weeks.",
        "restricted_movement debt_bondage isolation",
        {"GSP": CO, "HSI Bayport": LE, "BPD": S, "GCTF Coordination": S},
    ),
    (
        ("HSI Bayport", "open", "sex", "port_of_entry", "Dancers recruited for a cruise line"),
        "Three women with entertainment visas arrived for cruise work that does not exist; a club is holding them.",
        "deceptive_recruitment confiscated_documents",
        {"Bridges": S},
    ),
    (
        ("DOL WHD", "open", "labor", "public", "Landscaping company wage complaint"),
        "Crew members paid a flat weekly sum far below minimum wage; the foreman threatens to call immigration.",
        "wage_theft excessive_hours threats",
        {"HSI Bayport": P},
    ),
    (
        ("DOL WHD", "investigation", "labor", "hotline", "Poultry plant subcontractor"),
        "A subcontractor's night crew at a poultry plant includes teenagers and workers who owe the recruiter.",
        "debt_bondage excessive_hours",
        {"FBI Bayport": P, "GC Legal Aid": S},
    ),
    (
        ("Safe Harbor", "open", "sex", "ngo", "Shelter clients from a massage business"),
        "Two women came to the shelter after leaving a massage business. One agreed to talk to the FBI.",
        "restricted_movement debt_bondage",
        {"FBI Bayport": P},
    ),
    (
        ("Safe Harbor", "open", "sex", "ngo", "Client trafficked by a former partner"),
        "A client forced into commercial sex by a former partner; she met the police last spring.",
        "violence threats",
        {"BPD": P},
    ),
    (
        ("Safe Harbor", "open", "sex", "ngo", "Teen client referred by a school counselor"),
        "A 17-year-old referred by her school counselor. She withdrew her release of information in the autumn.",
        "commercial_sex_minor isolation",
        {"BPD": P, "Bridges": S},
    ),
    (
        ("GC Legal Aid", "open", "labor", "ngo", "T visa applicant, farm work"),
        "A farmworker applying for a T visa; HSI is asked to sign the law-enforcement declaration.",
        "debt_bondage deceptive_recruitment",
        {"HSI Bayport": P},
    ),
    (
        ("GC Legal Aid", "open", "labor", "ngo", "Live-in caregiver whose passport was taken"),
        "A caregiver whose employer kept her passport. She withdrew her consent after the employer contacted family.",
        "confiscated_documents isolation",
        {"FBI Bayport": P},
    ),
    (
        ("GC Legal Aid", "closed:victim_declined", "labor", "ngo", "Restaurant worker in debt to a recruiter"),
        "Legal advice on a recruitment debt; the client chose to return home and closed the matter.",
        "debt_bondage",
        {"DOL WHD": S},
    ),
    (
        ("Bridges", "open", "sex", "ngo", "Survivor leaving the sex trade"),
        "A survivor rebuilding her life with Bridges; she spoke to State Police investigators last year.",
        "violence coerced_substance_use",
        {"GSP": P},
    ),
    (
        ("Bridges", "open", "sex", "ngo", "Youth client recruited online"),
        "A 19-year-old recruited through a modeling ad; she agreed that the FBI may contact her through her advocate.",
        "deceptive_recruitment",
        {"FBI Bayport": P},
    ),
]
# An NGO client's consent to release to the law-enforcement agency the case is shared with: one entry per client.
CONSENTS = {
    "Shelter clients from a massage business": ["active", None],
    "Client trafficked by a former partner": ["expired"],
    "Teen client referred by a school counselor": ["revoked"],
    "T visa applicant, farm work": ["active"],
    "Live-in caregiver whose passport was taken": ["revoked"],
    "Survivor leaving the sex trade": ["expired"],
    "Youth client recruited online": ["active"],
}
AGE_IN_DAYS = {"open": (3, 150), "investigation": (45, 400), "prosecution": (240, 540), "closed": (120, 540)}
PATH_TO = {"open": (), "investigation": ("start_investigation",), "prosecution": ("start_investigation", "start_prosecution")}
CLOSED_FROM = {"adjudicated": "prosecution", "victim_declined": "open", "other": "open"}  # otherwise: investigation
SHARE_REASONS = {
    S: "Awareness for task-force coordination.",
    P: "Contact with the victims and services for them.",
    LE: "Joint investigation.",
    CO: "Co-lead: works the case with us.",
}

ORIGINS = [
    # nationality, languages, women's given names, men's given names, family names
    ("Mexico", "es", "Guadalupe Rosa Daniela Maribel", "Jorge Ramiro Efraín Octavio", "Hernández Castillo Morales Ochoa"),
    ("Guatemala", "es", "Ingrid Marta Sandra Lesly", "Byron Edwin Selvin Mynor", "Ajanel Tzoc Chávez Batz"),
    ("Honduras", "es en", "Keila Dania Yolany Marlen", "Wilmer Elvin Osman Nery", "Mejía Zelaya Banegas Funez"),
    ("Philippines", "tl en", "Maricel Jocelyn Rowena Analyn", "Rodel Jomar Arnel Reynaldo", "Villanueva Bautista Manalo"),
    ("Thailand", "th", "Siriporn Kanya Malee Pranee", "Somchai Anan Prasert Kittisak", "Srisuk Boonmee Wongsa"),
    ("China", "zh", "Mei Xiuying Lihua Yan", "Wei Jian Hao Qiang", "Chen Liu Zhang Huang"),
    ("Ukraine", "uk ru", "Oksana Iryna Halyna Yuliia", "Andriy Taras Serhiy Bohdan", "Kovalenko Shevchuk Tkachenko"),
    ("Nigeria", "en yo", "Chioma Adaeze Funmilayo Ngozi", "Emeka Tunde Chinedu Segun", "Okonkwo Adeyemi Balogun Eze"),
    ("India", "hi en", "Sunita Pooja Kavita Rekha", "Ravi Arjun Sandeep Manoj", "Sharma Patel Reddy Yadav"),
    ("Haiti", "ht fr", "Nadège Fabienne Mirlande Guerline", "Wesner Frantz Dieuvil Jean-Robert", "Joseph Pierre Desir"),
    ("Vietnam", "vi", "Lan Thu Huong Ngoc", "Minh Tuan Duc Long", "Nguyen Tran Pham Hoang"),
    ("United States", "en", "Brittany Kayla Destiny Amber", "Tyler Devon Cody Darnell", "Johnson Miller Carter Simmons"),
]
ALIASES = ["El Flaco", "Big Mike", "La Tía", "Boss", "Coach", "Uncle", "Papa Joe", "Sunny"]
ADULT_AGES = {CaseParticipant.Role.VICTIM: (18, 44), CaseParticipant.Role.SUSPECT: (21, 62)}

NEEDS = {  # category: details
    Need.Category.EMERGENCY_SHELTER: "A safe bed tonight, away from housing the employer controls.",
    Need.Category.TRANSITIONAL_HOUSING: "Housing for six to twelve months while the case goes on.",
    Need.Category.LEGAL_IMMIGRATION: "Advice on a T visa and continued presence.",
    Need.Category.MEDICAL: "An untreated injury; no health insurance.",
    Need.Category.MENTAL_HEALTH: "Trauma-informed counseling, in their own language if possible.",
    Need.Category.EMPLOYMENT: "Lawful work and job training.",
    Need.Category.EDUCATION: "English classes, or back to school.",
    Need.Category.FOOD: "Groceries for the next two weeks.",
    Need.Category.CLOTHING: "Left with only the clothes they were wearing.",
    Need.Category.CHILD_CARE: "Child care during interviews and appointments.",
    Need.Category.CASE_MANAGEMENT: "A case manager to coordinate services.",
}
TEAM_NOTES = [
    "Interpreter booked for the next interview.",
    "Victim asked that all contact go through their advocate.",
    "Task force meeting: agreed who contacts the victims and when.",
    "Interview moved to fit around the victim's medical appointments.",
    "Employer's business address confirmed with county records.",
    "Advocate reports the victim is settled in a new placement and doing better.",
]
LE_NOTES = [
    "Payment processor returns received; card receipts match the days the ads ran.",
    "Pole camera shows the same van dropping workers at 6 a.m. every day.",
    "Confidential source says the manager moves cash to a relative each week.",
    "Seized phone sent to the regional lab for extraction.",
    "Do not contact the property owner yet: possibly related to a suspect.",
    "Controlled call with the cooperating witness planned for next week.",
]
INVESTIGATIVE_STEPS = [
    "Records checks on the owners and their registered vehicles are complete.",
    "An undercover officer visited the premises twice; no arrests yet.",
    "Grand jury subpoenas went to the phone carrier and the payment processor.",
    "Three weeks of surveillance established when and how the workers are moved.",
    "Bank records show cash deposits kept just below the reporting threshold.",
    "A search warrant for the residence where the workers sleep is in draft.",
    "Online ads were preserved and linked to each other by a shared phone number.",
    "The consulate was asked to verify the workers' travel documents.",
]
DOCUMENTS = [  # file name, description, visibility
    ("intake-summary.pdf", "Intake summary, names removed", Visibility.CASE_TEAM),
    ("interview-schedule.txt", "Interview schedule", Visibility.CASE_TEAM),
    ("safety-plan-checklist.pdf", "Safety planning checklist (blank)", Visibility.CASE_TEAM),
    ("surveillance-log.txt", "Surveillance log", Visibility.LAW_ENFORCEMENT),
    ("subpoena-returns-index.pdf", "Index of subpoena returns", Visibility.LAW_ENFORCEMENT),
]


def _pdf(text: str) -> bytes:
    """A one-page PDF that shows ``text`` (ASCII, one line): tiny, but valid, with a correct cross-reference table."""
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
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(pdf)


def _agency_users() -> tuple[dict[str, User], dict[str, User]]:
    """Each agency's first case worker (or, if it has none, whoever of its people reads cases), and supervisors."""
    preference = [Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER_STAFF, Role.COORDINATOR]
    ranked = sorted((p for p in PEOPLE if p[3] in preference), key=lambda p: preference.index(p[3]))
    users = {user.email: user for user in User.objects.filter(email__in=[p[0] for p in ranked])}
    workers: dict[str, User] = {}
    for email, _name, agency, _role, _title in ranked:
        workers.setdefault(agency, users[email])
    supervisors = {agency: users[email] for email, _name, agency, role, _title in ranked if role == Role.SUPERVISOR}
    return workers, supervisors


def _person(rng: random.Random, origin: tuple[str, ...], role: str, *, minor: bool = False) -> dict:
    nationality, languages, women, men, families = origin
    sex = "female" if rng.random() < (0.75 if role == CaseParticipant.Role.VICTIM else 0.3) else "male"
    ages = (14, 17) if minor else ADULT_AGES.get(role, (19, 70))
    days_old = round(365.25 * rng.randint(*ages)) + rng.randint(2, 360)
    spoken = languages.split()
    documents = []
    if rng.random() < 0.25:
        kind = "driver's license" if nationality == "United States" else "passport"
        documents = [{"kind": kind, "number": f"{nationality[0]}{rng.randint(1000000, 9999999)}"}]
    return {
        "given_name": rng.choice((women if sex == "female" else men).split()),
        "family_name": rng.choice(families.split()),
        "aliases": [rng.choice(ALIASES)] if role == CaseParticipant.Role.SUSPECT and rng.random() < 0.5 else [],
        "sex": sex,
        "date_of_birth": timezone.localdate() - timedelta(days=days_old),
        "nationality": nationality,
        "languages": spoken,
        "preferred_language": spoken[0],
        "phone": f"(251) 555-01{rng.randint(0, 99):02d}" if rng.random() < 0.7 else "",
        "identity_documents": documents,
    }


def _upload(case: Case, actor: User, rng: random.Random, *, law_enforcement: bool) -> None:
    choices = [d for d in DOCUMENTS if law_enforcement or d[2] == Visibility.CASE_TEAM]
    name, description, visibility = rng.choice(choices)
    text = f"{description}. Case {case.number}. Fictional demo document."
    content = _pdf(text) if name.endswith(".pdf") else f"{text}\n".encode()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf" if name.endswith(".pdf") else "text/plain")
    document_upload(case=case, uploaded_file=upload, actor=actor, description=description, visibility=visibility)


def seed(*, rng: random.Random, stdout) -> None:
    (first_lead, *_rest, first_title), *_others = CASES[0]
    if Case.objects.filter(title=first_title, lead_agency__short_name=first_lead).exists():
        stdout.write("Demo cases are already loaded; nothing changed.")
        return
    workers, supervisors = _agency_users()
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    task_force = TaskForce.objects.get(name="Gulf Coast Human Trafficking Task Force")
    today = timezone.localdate()
    dated = [(today - timedelta(days=rng.randint(*AGE_IN_DAYS[spec[0][1].partition(":")[0]])), spec) for spec in CASES]
    for opened_on, ((lead_name, status, case_type, channel, title), summary, indicators, shares) in sorted(
        dated, key=lambda pair: pair[0]
    ):
        lead, lead_agency = workers[lead_name], agencies[lead_name]
        by_law_enforcement = lead_agency.is_law_enforcement
        case = case_create(
            actor=lead,
            title=title,
            intake_channel=channel,
            case_type=case_type,
            summary=summary,
            jurisdiction=lead_agency.jurisdiction,
            indicators=indicators.split(),
            le_narrative=" ".join(rng.sample(INVESTIGATIVE_STEPS, 3)) if by_law_enforcement else "",
            task_force=task_force,
            opened_on=opened_on,
        )
        for agency_name, level in shares.items():
            expires_on = today + timedelta(days=rng.randint(60, 365)) if level == S else None
            case_share_grant(
                case=case, agency=agencies[agency_name], level=level, reason=SHARE_REASONS[level], actor=lead,
                expires_on=expires_on,
            )

        consents = CONSENTS.get(title, [])
        origin = rng.choice(ORIGINS)
        victims = [
            person_add_to_case(
                case=case,
                role=CaseParticipant.Role.VICTIM,
                actor=lead,
                **_person(rng, origin, CaseParticipant.Role.VICTIM, minor=(
                    "commercial_sex_minor" in indicators and index == 0) or rng.random() < 0.1),
            ).person
            for index in range(len(consents) or rng.randint(1, 3))
        ]
        if by_law_enforcement:
            for _ in range(rng.randint(1, 2)):
                suspect = _person(rng, rng.choice([origin, ORIGINS[-1]]), CaseParticipant.Role.SUSPECT)
                person_add_to_case(case=case, role=CaseParticipant.Role.SUSPECT, actor=lead, **suspect)
        if rng.random() < 0.5:
            witness = _person(rng, rng.choice(ORIGINS), CaseParticipant.Role.WITNESS)
            person_add_to_case(case=case, role=CaseParticipant.Role.WITNESS, actor=lead, **witness)

        closed = status.startswith("closed")
        for victim in victims:
            categories = rng.sample(list(NEEDS), rng.randint(1, 3))
            for category in categories:
                need = need_add(
                    case=case, person=victim, category=category, urgency=rng.choice(Need.Urgency.values),
                    details=NEEDS[category], actor=lead,
                )
                if rng.random() < (0.8 if closed else 0.25):
                    need_mark_met(need=need, actor=lead)
            if victim.preferred_language != "en":
                need_add(
                    case=case, person=victim, category=Need.Category.INTERPRETATION, urgency=Need.Urgency.URGENT,
                    details=f"Interpreter ({victim.preferred_language}) for interviews and appointments.", actor=lead,
                )

        recipient = next((agencies[name] for name, level in shares.items() if level == P), None)
        for victim, state in zip(victims, consents, strict=True):
            if state is None or recipient is None:
                continue
            signed_on = today - timedelta(days=200 if state == "expired" else rng.randint(5, 90))
            consent = consent_record(
                person=victim,
                recipient_agency=recipient,
                categories=["identity", "contact"] if state != "revoked" else ["identity"],
                purpose="Interview about the people who trafficked them, and a T visa declaration.",
                signed_on=signed_on,
                expires_on=today - timedelta(days=20) if state == "expired" else signed_on + timedelta(days=180),
                actor=lead,
            )
            if state == "revoked":
                consent_revoke(consent=consent, actor=lead)

        partners = [workers[name] for name in shares if name in workers]
        note_add(case=case, text=rng.choice(TEAM_NOTES), actor=lead)
        if partners and rng.random() < 0.6:
            note_add(case=case, text=rng.choice(TEAM_NOTES), actor=rng.choice(partners))
        if by_law_enforcement:
            note_add(case=case, text=rng.choice(LE_NOTES), actor=lead, visibility=Visibility.LAW_ENFORCEMENT)
        if rng.random() < 0.3:
            _upload(case, lead, rng, law_enforcement=by_law_enforcement)

        status, _colon, reason = status.partition(":")
        steps = PATH_TO[CLOSED_FROM.get(reason, "investigation")] + ("close",) if closed else PATH_TO[status]
        for step in steps:
            actor = supervisors.get(lead_name, lead) if step == "close" else lead
            case_transition(case=case, transition=step, actor=actor, reason=reason)
    stdout.write(f"Demo: {len(CASES)} cases with their people, needs, notes, documents, shares and consents.")
