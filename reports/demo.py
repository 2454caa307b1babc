"""Demo outreach and training events (fictional) for ``manage.py seed_demo``, written through ``reports.services``,
and two signed quarterly reports.

A year of events, four a month, across the task force's agencies: each recorded by the first demo person of the
agency whose role records them. The cases, victims, needs, referrals and tips the other charts count come from the
other apps' demos (cases opened over the past eighteen months). Every choice comes from ``rng``; dates count back
from today; a second seed adds nothing.

Then the last completed fiscal quarter's report of the Bayport Police (law-enforcement measures) and of Safe Harbor
(victim-service measures), each signed by its demo supervisor (Omar Haddad, Grace Obi) through the sign-off service,
so the quarterly reports' pages show a signed report, its exports, and what changed since beside a draft.
"""

import random
from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from agencies.demo import PEOPLE
from agencies.models import User
from reports import selectors, services
from reports.fiscal import quarter_of
from reports.models import OutreachEvent
from reports.quarterly.access import signed_report_of
from reports.quarterly.measures import compute, report_kind_of

K, A = OutreachEvent.Kind, OutreachEvent.Audience
# title, kind, audience, (fewest, most) people reached
EVENTS = [
    ("Hotel front-desk staff: recognising trafficking", K.PROFESSIONAL_TRAINING, A.HOSPITALITY, (12, 45)),
    ("Emergency department nurses: screening questions", K.PROFESSIONAL_TRAINING, A.HEALTH_CARE, (10, 35)),
    ("Roll-call briefing: labor trafficking indicators", K.PROFESSIONAL_TRAINING, A.LAW_ENFORCEMENT, (15, 60)),
    ("High-school assembly: online recruitment", K.PUBLIC_AWARENESS, A.SCHOOLS, (120, 450)),
    ("Farmworker community meeting: know your rights", K.COMMUNITY_OUTREACH, A.COMMUNITY, (20, 90)),
    ("Truck-stop outreach with hotline cards", K.COMMUNITY_OUTREACH, A.HOSPITALITY, (30, 150)),
    ("Church fair information table", K.COMMUNITY_OUTREACH, A.COMMUNITY, (40, 200)),
    ("Bus station poster campaign", K.PUBLIC_AWARENESS, A.COMMUNITY, (300, 2000)),
    ("School counsellors' workshop", K.PROFESSIONAL_TRAINING, A.SCHOOLS, (8, 30)),
    ("Interpreters' briefing on victim interviews", K.OTHER, A.OTHER, (6, 20)),
]
PER_MONTH = 4


def _recorders() -> list[User]:
    """One demo person per agency who may record its events, in the order of ``PEOPLE``."""
    found: dict[int, User] = {}
    for user in User.objects.filter(email__in=[person[0] for person in PEOPLE]).order_by("pk"):
        if user.agency is not None and user.agency.pk not in found and selectors.can_record_outreach(user):
            found[user.agency.pk] = user
    return list(found.values())


# The demo supervisors who sign their agency's report of the last completed quarter.
SIGNERS = ("omar.haddad@bpd.example", "grace.obi@safeharbor.example")


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    _seed_outreach(rng=rng, stdout=stdout)
    _sign_last_quarter(stdout=stdout)


def _sign_last_quarter(*, stdout: TextIOBase) -> None:
    """Sign the last completed fiscal quarter's report of each of ``SIGNERS``' agencies, unless it is signed."""
    last = quarter_of(timezone.localdate()).previous()
    signed = 0
    for signer in User.objects.filter(email__in=SIGNERS).order_by("email"):
        agency, kind = signer.agency, report_kind_of(signer.agency)
        if agency is None or kind is None or signed_report_of(agency, last, kind) is not None:
            continue
        draft = compute(agency, last)
        services.quarterly_report_sign(actor=signer, quarter_code=last.code, digest=draft.digest)
        signed += 1
    stdout.write(f"Demo: {signed} quarterly reports of {last.code} signed.")


def _seed_outreach(*, rng: random.Random, stdout: TextIOBase) -> None:
    if OutreachEvent.objects.exists():
        stdout.write("Demo outreach events are already there: nothing added.")
        return
    recorders = _recorders()
    if not recorders:
        stdout.write("No demo agencies: no outreach events.")
        return
    today = timezone.localdate()
    for month in range(12):
        for _ in range(PER_MONTH):
            title, kind, audience, (fewest, most) = rng.choice(EVENTS)
            services.outreach_event_record(
                actor=rng.choice(recorders),
                held_on=today - timedelta(days=month * 30 + rng.randint(0, 29)),
                title=title,
                kind=kind,
                audience=audience,
                people_reached=rng.randint(fewest, most),
            )
    stdout.write(f"Demo: {OutreachEvent.objects.count()} outreach events from {len(recorders)} agencies.")
