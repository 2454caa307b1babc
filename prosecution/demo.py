"""Demo prosecution records (fictional) for ``manage.py seed_demo``, after the cases' demo, through the services.

The Gulf Coast task force lists two state trafficking statutes of the fictional Gulf State; in the FBI's case
"Online advertisements, Marlin County motels" (shared with the U.S. Attorney's Office to collaborate and with the
Sheriff's Office at law-enforcement level) the FBI arrests a suspect on a federal sex-trafficking charge, to which
he pleads guilty, and the Sheriff's Office arrests a suspect on the state statute, the charging decision pending.

Then a year of the task force's arrests (``YEAR``), so that the dashboard's prosecution charts have something to count
across agencies and months: arrests by the FBI, HSI, the State Police, the Sheriff's Office and the Bayport Police
in seven more cases, on trafficking and other charges, brought, declined and pending, and disposed of by plea, at
trial (a conviction and an acquittal), by dismissal or still pending. Among them, in "Teens recruited at the bus
station" (cases' demo), the Bayport Police arrested its suspect today on the listed state statute of trafficking of
children, the charging decision pending: the case shows a victim's identification, her service, her relief (the HHS
notice due) and the arrest together.
No random draw: the demo of the apps after this one stays the same. Seeding twice changes nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import TextIOBase

from django.utils import timezone

from agencies.demo import TASK_FORCE
from agencies.models import Agency, TaskForce, User
from cases.demo import IDENTIFIED_YESTERDAY
from cases.models import Case, CaseParticipant
from prosecution import services
from prosecution.models import Arrest, Charge, TraffickingStatute

STATUTES = [
    ("Gulf State Rev. Stat. § 14:46.2", "Human trafficking"),
    ("Gulf State Rev. Stat. § 14:46.3", "Trafficking of children for sexual purposes"),
]
CASE_TITLE, CASE_LEAD = "Online advertisements, Marlin County motels", "FBI Bayport"
AGENT, PROSECUTOR, COORDINATOR = "dana.reyes@fbi.example", "grace.kim@usao.example", "carla.diaz@gctf.example"
D, P = Charge.Decision, Charge.Disposition


@dataclass(frozen=True)
class Count:
    """A charge: its statute and words, and what became of it: a decision (with its day, counted from the arrest)
    and a disposition (with its day, counted from the arrest, and a sentence for a conviction)."""

    statute: str
    description: str
    decision: str = D.PENDING
    decided_after: int = 0
    disposition: str = P.PENDING
    disposed_after: int = 0
    sentence: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Booking:
    """An arrest: the case, who records it, the suspect's number in the case, the arresting agency, its day (days
    after the case opened, or ``None`` for today), its counts, and who records the decisions and dispositions (the
    recorder, in the U.S. Attorney's Office's name, unless its prosecutor sees the case)."""

    case: str
    recorder: str
    suspect: int
    agency: str
    after: int | None
    counts: tuple[Count, ...] = field(default_factory=tuple)
    decider: str = ""


FORCED_LABOR, SEX_TRAFFICKING = "18 U.S.C. § 1589(a)", "18 U.S.C. § 1591(a)(1)"
YEAR = [
    Booking(
        "Restaurant group, visa fraud and forced labor",
        PROSECUTOR,
        0,
        "HSI Bayport",
        15,
        (
            Count(FORCED_LABOR, "Forced labor", D.CHARGED, 5, P.PLEA, 150, "87 months' imprisonment and restitution."),
            Count("18 U.S.C. § 1546(a)", "Visa fraud", D.CHARGED, 5, P.DISMISSED, 150),
            Count(
                "8 U.S.C. § 1324(a)(1)(A)(iii)",
                "Harboring",
                D.DECLINED,
                5,
                reason="The conduct is charged as visa fraud and forced labor.",
            ),
        ),
    ),
    Booking(
        "Restaurant group, visa fraud and forced labor",
        PROSECUTOR,
        1,
        "HSI Bayport",
        40,
        (Count(FORCED_LABOR, "Forced labor (conspiracy)", D.CHARGED, 5),),
    ),
    Booking(
        "Interstate 10 truck stops",
        "erin.cole@gsp.example",
        0,
        "GSP",
        10,
        (
            Count(SEX_TRAFFICKING, "Sex trafficking of a minor", D.CHARGED, 4, P.CONVICTED_AT_TRIAL, 190, "Life."),
            Count("18 U.S.C. § 1594(a)", "Attempted sex trafficking of a minor", D.CHARGED, 4, P.ACQUITTED, 190),
        ),
        decider=PROSECUTOR,
    ),
    Booking(
        "Illicit spa network, three states",
        AGENT,
        0,
        "GSP",
        120,
        (
            Count(SEX_TRAFFICKING, "Sex trafficking", D.CHARGED, 5),
            Count(
                "18 U.S.C. § 1952(a)(3)",
                "Interstate travel in aid of racketeering",
                D.DECLINED,
                5,
                reason="No evidence this defendant travelled or used interstate facilities.",
            ),
        ),
    ),
    Booking(
        "Citrus grove labor camp",
        "ray.dupont@mcso.example",
        0,
        "MCSO",
        60,
        (
            Count(FORCED_LABOR, "Forced labor", D.CHARGED, 4),
            Count("Gulf State Rev. Stat. § 14:46.2", "Human trafficking (labor)"),
        ),
    ),
    Booking(
        "Bayview Avenue massage businesses",
        AGENT,
        0,
        "FBI Bayport",
        30,
        (
            Count(SEX_TRAFFICKING, "Sex trafficking", D.CHARGED, 5),
            Count("18 U.S.C. § 1956(h)", "Money laundering conspiracy", D.CHARGED, 5),
        ),
    ),
    Booking(
        "Bayview Avenue massage businesses",
        AGENT,
        1,
        "BPD",
        30,
        (Count(SEX_TRAFFICKING, "Sex trafficking"),),
    ),
    Booking(
        "Shrimp boat deckhands",
        "ray.dupont@mcso.example",
        0,
        "MCSO",
        250,
        (
            Count(FORCED_LABOR, "Forced labor"),
            Count("46 U.S.C. § 10313", "Withholding seamen's wages"),
        ),
    ),
    Booking(
        IDENTIFIED_YESTERDAY,
        "nia.brooks@bpd.example",
        0,
        "BPD",
        None,
        (Count("Gulf State Rev. Stat. § 14:46.3", "Trafficking of children for sexual purposes"),),
    ),
]


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    task_force = TaskForce.objects.get(name=TASK_FORCE)
    people = {user.email: user for user in User.objects.filter(email__contains=".example")}
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
    _plea_and_state_charge(case, people)
    year = _a_year_of_arrests(people, timezone.localdate())
    stdout.write(
        f"Demo prosecution: {listed} statutes listed, 2 arrests with their charges, 1 plea; and {year} more arrests "
        "across the year."
    )


def _plea_and_state_charge(case: Case, people: dict[str, User]) -> None:
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


def _a_year_of_arrests(people: dict[str, User], today: date) -> int:
    """The ``YEAR`` table's arrests, charges, decisions and dispositions, through the services."""
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    office = agencies["USAO SDGC"]
    for booking in YEAR:
        case = Case.objects.get(title=booking.case)
        recorder = people[booking.recorder]
        decider = people[booking.decider or booking.recorder]
        suspect = case.participants.filter(role=CaseParticipant.Role.SUSPECT).order_by("id")[booking.suspect]
        arrested_on = today if booking.after is None else min(today, case.opened_on + timedelta(days=booking.after))
        arrest = services.arrest_record(
            case=case,
            participant=suspect,
            arrested_on=arrested_on,
            arresting_agency=agencies[booking.agency],
            charges=[
                {"statute": count.statute, "description": count.description, "level": Charge.Level.FELONY}
                for count in booking.counts
            ],
            actor=recorder,
        )
        for count, charge in zip(booking.counts, arrest.charges.order_by("id"), strict=True):
            if count.decision == D.PENDING:
                continue
            charge = services.charge_decide(
                charge=charge,
                version=charge.version,
                decision=count.decision,
                decided_on=min(today, arrested_on + timedelta(days=count.decided_after)),
                prosecuting_agency=office,
                decline_reason=count.reason,
                actor=decider,
            )
            if count.disposition != P.PENDING:
                services.charge_dispose(
                    charge=charge,
                    version=charge.version,
                    disposition=count.disposition,
                    disposed_on=min(today, arrested_on + timedelta(days=count.disposed_after)),
                    sentence=count.sentence,
                    actor=decider,
                )
    return len(YEAR)
