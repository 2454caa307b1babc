"""Demo prosecution records (fictional) for ``manage.py seed_demo``, after the cases' demo, through the services.

The Gulf Coast task force lists two state trafficking statutes of the fictional Gulf State; in the FBI's case
"Online advertisements, Marlin County motels" (shared with the U.S. Attorney's Office to collaborate and with the
Sheriff's Office at law-enforcement level) the FBI arrests a suspect on a federal sex-trafficking charge, to which
he pleads guilty, and the Sheriff's Office arrests a suspect on the state statute, the charging decision pending.
No random draw: the demo of the apps after this one stays the same. Seeding twice changes nothing.
"""

import random
from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from agencies.demo import TASK_FORCE
from agencies.models import Agency, TaskForce, User
from cases.models import Case, CaseParticipant
from prosecution import services
from prosecution.models import Arrest, Charge, TraffickingStatute

STATUTES = [
    ("Gulf State Rev. Stat. § 14:46.2", "Human trafficking"),
    ("Gulf State Rev. Stat. § 14:46.3", "Trafficking of children for sexual purposes"),
]
CASE_TITLE, CASE_LEAD = "Online advertisements, Marlin County motels", "FBI Bayport"
AGENT, PROSECUTOR, COORDINATOR = "dana.reyes@fbi.example", "grace.kim@usao.example", "carla.diaz@gctf.example"


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    task_force = TaskForce.objects.get(name=TASK_FORCE)
    people = {user.email: user for user in User.objects.filter(email__in=[AGENT, PROSECUTOR, COORDINATOR])}
    listed = 0
    for citation, title in STATUTES:
        if not TraffickingStatute.objects.filter(task_force=task_force, citation=citation).exists():
            services.trafficking_statute_add(
                task_force=task_force, citation=citation, title=title, actor=people[COORDINATOR]
            )
            listed += 1
    case = Case.objects.filter(title=CASE_TITLE, lead_agency__short_name=CASE_LEAD).first()
    if case is None or Arrest.objects.filter(case=case).exists():
        stdout.write(f"Demo prosecution: {listed} statutes listed, no arrest added.")
        return
    suspects = list(case.participants.filter(role=CaseParticipant.Role.SUSPECT).order_by("id"))
    agencies = {agency.short_name: agency for agency in Agency.objects.filter(short_name__in=["FBI Bayport", "MCSO"])}
    agent, prosecutor = people[AGENT], people[PROSECUTOR]
    today = timezone.localdate()
    first_day = min(case.opened_on + timedelta(days=20), today - timedelta(days=40))
    federal = services.arrest_record(
        case=case,
        participant=suspects[0],
        arrested_on=first_day,
        arresting_agency=agencies["FBI Bayport"],
        charges=[
            {
                "statute": "18 U.S.C. § 1591(a)(1)",
                "description": "Sex trafficking by force, fraud or coercion",
                "level": Charge.Level.FELONY,
            }
        ],
        actor=agent,
    )
    charge = federal.charges.get()
    charge = services.charge_decide(
        charge=charge,
        version=charge.version,
        decision=Charge.Decision.CHARGED,
        decided_on=first_day + timedelta(days=2),
        prosecuting_agency=prosecutor.agency,
        actor=prosecutor,
    )
    services.charge_dispose(
        charge=charge,
        version=charge.version,
        disposition=Charge.Disposition.PLEA,
        disposed_on=today - timedelta(days=7),
        sentence="120 months' imprisonment, five years' supervised release, restitution to both victims.",
        actor=prosecutor,
    )
    services.arrest_record(
        case=case,
        participant=suspects[-1],
        arrested_on=first_day + timedelta(days=9),
        arresting_agency=agencies["MCSO"],
        charges=[
            {
                "statute": "Gulf State Rev. Stat. § 14:46.2(A)(1)",
                "description": "Human trafficking (benefiting from commercial sexual activity)",
                "level": Charge.Level.FELONY,
            }
        ],
        actor=agent,
    )
    stdout.write(f"Demo prosecution: {listed} statutes listed, 2 arrests with their charges, 1 plea.")
