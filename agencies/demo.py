"""Demo agencies, task force and people (fictional). Used by ``manage.py seed_demo``.

Every demo account has the password ``DEMO_PASSWORD`` and a TOTP authenticator whose secret is derived from its
e-mail address, so ``manage.py demo_totp EMAIL`` can print the current code.
"""

import base64
import hashlib
import random
from datetime import date
from io import TextIOBase

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from agencies.models import Agency, Role, TaskForce, TaskForceMember, User
from agencies.services import agency_create, membership_create

DEMO_PASSWORD = "Gulf-Coast-Demo-2026"  # noqa: S105  (published in README.md; seed_demo refuses production)
TASK_FORCE = "Gulf Coast Human Trafficking Task Force"

K = Agency.Kind
AGENCIES = [
    # name, short name, kind, jurisdiction, MOU signed
    (
        "Federal Bureau of Investigation, Bayport Field Office",
        "FBI Bayport",
        K.FEDERAL_LE,
        "Gulf Coast District",
    ),
    ("Homeland Security Investigations, Bayport", "HSI Bayport", K.FEDERAL_LE, "Port of Bayport"),
    (
        "U.S. Attorney's Office, Southern District of the Gulf Coast",
        "USAO SDGC",
        K.PROSECUTOR,
        "Southern District",
    ),
    (
        "Department of Labor, Wage and Hour Division, Bayport",
        "DOL WHD",
        K.OTHER_GOVERNMENT,
        "Gulf Coast District",
    ),
    ("Gulf State Police", "GSP", K.STATE_LE, "Gulf State"),
    ("Marlin County Sheriff's Office", "MCSO", K.LOCAL_LE, "Marlin County"),
    ("Bayport Police Department", "BPD", K.LOCAL_LE, "City of Bayport"),
    ("Safe Harbor Shelter", "Safe Harbor", K.VICTIM_SERVICES, "Marlin County"),
    ("Gulf Coast Immigrant Legal Aid", "GC Legal Aid", K.VICTIM_SERVICES, "Gulf Coast District"),
    ("Bayport Community Health Clinic", "BCHC", K.VICTIM_SERVICES, "City of Bayport"),
    ("Bridges Survivor Advocacy", "Bridges", K.VICTIM_SERVICES, "Gulf Coast District"),
    ("Gulf Coast Task Force Coordination Office", "GCTF Coordination", K.COORDINATION, "Gulf Coast District"),
]

R = Role
PEOPLE = [
    # e-mail, full name, agency short name, role, job title
    ("dana.reyes@fbi.example", "Dana Reyes", "FBI Bayport", R.CASEWORKER, "Special Agent"),
    ("marcus.hale@fbi.example", "Marcus Hale", "FBI Bayport", R.SUPERVISOR, "Supervisory Special Agent"),
    ("priya.nair@fbi.example", "Priya Nair", "FBI Bayport", R.AGENCY_ADMIN, "Office Administrator"),
    ("tom.becker@fbi.example", "Tom Becker", "FBI Bayport", R.INTAKE, "Intake Analyst"),
    ("luis.ortega@hsi.example", "Luis Ortega", "HSI Bayport", R.CASEWORKER, "Special Agent"),
    ("grace.kim@usao.example", "Grace Kim", "USAO SDGC", R.CASEWORKER, "Assistant U.S. Attorney"),
    ("sam.whitfield@dol.example", "Sam Whitfield", "DOL WHD", R.CASEWORKER, "Wage and Hour Investigator"),
    ("erin.cole@gsp.example", "Erin Cole", "GSP", R.CASEWORKER, "Detective"),
    ("ray.dupont@mcso.example", "Ray Dupont", "MCSO", R.CASEWORKER, "Investigator"),
    ("nia.brooks@bpd.example", "Nia Brooks", "BPD", R.CASEWORKER, "Detective"),
    ("alex.mendes@bpd.example", "Alex Mendes", "BPD", R.INTAKE, "Tip Line Officer"),
    ("maria.santos@safeharbor.example", "Maria Santos", "Safe Harbor", R.CASEWORKER, "Victim Advocate"),
    ("jo.park@safeharbor.example", "Jo Park", "Safe Harbor", R.PROVIDER_STAFF, "Intake Coordinator"),
    ("helen.ward@safeharbor.example", "Helen Ward", "Safe Harbor", R.AGENCY_ADMIN, "Program Director"),
    ("ana.lopez@gclegalaid.example", "Ana Lopez", "GC Legal Aid", R.CASEWORKER, "Immigration Attorney"),
    ("ben.okafor@gclegalaid.example", "Ben Okafor", "GC Legal Aid", R.PROVIDER_STAFF, "Paralegal"),
    ("lena.fischer@bchc.example", "Lena Fischer", "BCHC", R.PROVIDER_STAFF, "Care Navigator"),
    ("kofi.mensah@bridges.example", "Kofi Mensah", "Bridges", R.CASEWORKER, "Survivor Advocate"),
    # Supervisors approve shares, assign and close their agency's cases.
    ("rosa.vega@hsi.example", "Rosa Vega", "HSI Bayport", R.SUPERVISOR, "Group Supervisor"),
    ("david.chen@usao.example", "David Chen", "USAO SDGC", R.SUPERVISOR, "Criminal Chief"),
    ("irene.holt@dol.example", "Irene Holt", "DOL WHD", R.SUPERVISOR, "District Director"),
    ("frank.moss@gsp.example", "Frank Moss", "GSP", R.SUPERVISOR, "Lieutenant"),
    ("beth.landry@mcso.example", "Beth Landry", "MCSO", R.SUPERVISOR, "Sergeant"),
    ("omar.haddad@bpd.example", "Omar Haddad", "BPD", R.SUPERVISOR, "Sergeant"),
    ("grace.obi@safeharbor.example", "Grace Obi", "Safe Harbor", R.SUPERVISOR, "Clinical Supervisor"),
    ("tomas.ruiz@gclegalaid.example", "Tomas Ruiz", "GC Legal Aid", R.SUPERVISOR, "Managing Attorney"),
    ("june.park@bridges.example", "June Park", "Bridges", R.SUPERVISOR, "Program Manager"),
    ("carla.diaz@gctf.example", "Carla Diaz", "GCTF Coordination", R.COORDINATOR, "Task Force Coordinator"),
    ("owen.price@gctf.example", "Owen Price", "GCTF Coordination", R.AUDITOR, "Compliance Auditor"),
    ("jamie.lee@gctf.example", "Jamie Lee", "GCTF Coordination", R.AGENCY_ADMIN, "Systems Administrator"),
]
SUPERUSER = ("admin@portal.example", "Portal Administrator")


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account (never do this for real accounts)."""
    return base64.b32encode(hashlib.sha256(f"ht-portal-demo:{email}".encode()).digest()[:20]).decode()


def _ensure_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, demo_totp_secret(user.email))


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    agencies: dict[str, Agency] = {}
    for name, short_name, kind, jurisdiction in AGENCIES:
        agency = Agency.objects.filter(name=name).first() or agency_create(
            name=name,
            short_name=short_name,
            kind=kind,
            jurisdiction=jurisdiction,
            email=f"contact@{short_name.lower().replace(' ', '')}.example",
            phone="555-0100",
        )
        agencies[short_name] = agency

    task_force, _ = TaskForce.objects.get_or_create(
        name=TASK_FORCE, defaults={"region": "Bayport, Marlin County and the Gulf Coast District"}
    )
    for index, agency in enumerate(agencies.values()):
        TaskForceMember.objects.get_or_create(
            task_force=task_force,
            agency=agency,
            defaults={"mou_signed_on": date(2025, 1 + index % 12, 1 + index), "joined_on": date(2025, 1, 15)},
        )

    for email, full_name, agency_short_name, role, title in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
            membership_create(user=user, agency=agencies[agency_short_name], role=role, title=title)
        _ensure_totp(user)

    email, full_name = SUPERUSER
    admin = User.objects.filter(email=email).first()
    if admin is None:
        admin = User.objects.create_superuser(email=email, password=DEMO_PASSWORD, full_name=full_name)
    _ensure_totp(admin)
    stdout.write(f"Demo: {len(agencies)} agencies, {len(PEOPLE) + 1} accounts, task force {TASK_FORCE!r}.")
