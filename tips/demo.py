"""Demo tips (fictional) for ``manage.py seed_demo``, written only through ``tips.services``.

Fifteen tips across every channel, received by the FBI's intake analyst (Tom Becker), Bayport Police's tip line
officer (Alex Mendes) and HSI's group supervisor (Rosa Vega), in every state of the triage: an airline report for a
flight landing in three hours, a hotline tip whose caller refused contact with law enforcement, a minor in imminent
danger, a duplicate of an open case, one overdue (its supervisors and the coordinator are told), others assigned,
linked to a case, opened as a case, referred to legal aid for services, closed, reopened. Seeded after the
referrals and without the shared random generator, so that no other app's data changes. Nothing here sets a status;
``received_at`` is passed to the service (a tip may be entered after the call), so deadlines fall where each story
needs them.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.management.base import OutputWrapper
from django.utils import timezone

from agencies.models import Agency, User
from cases.models import Case, CaseParticipant
from tips import services
from tips.models import Tip, TipEvent, TipSubject

TOM, ALEX, ROSA = "tom.becker@fbi.example", "alex.mendes@bpd.example", "rosa.vega@hsi.example"
MARCUS, OMAR = "marcus.hale@fbi.example", "omar.haddad@bpd.example"
DANA, NIA, LUIS, ERIN = (
    "dana.reyes@fbi.example",
    "nia.brooks@bpd.example",
    "luis.ortega@hsi.example",
    "erin.cole@gsp.example",
)
SUPERVISOR_OF = {TOM: MARCUS, ALEX: OMAR, ROSA: ROSA}

V, S, W = TipSubject.Role.VICTIM, TipSubject.Role.SUSPECT, TipSubject.Role.WITNESS
PHONE_OF_THE_CASE = "<a phone of the case it duplicates>"  # filled in by ``_tell``
C = Case.Indicator


@dataclass(frozen=True)
class Story:
    by: str
    channel: str
    narrative: str
    ago: timedelta = timedelta(minutes=20)  # received this long before the seed
    fields: dict[str, Any] = field(default_factory=dict)
    subjects: tuple[dict[str, Any], ...] = ()
    # What follows: ("assess", reason), ("no_predicate", reason), ("assign", owner e-mail), ("open_case", ""),
    # ("link", ""), ("refer", provider's short name, what is asked, what is passed on: codes separated by commas),
    # ("close", close reason code, reason), ("reopen", reason), ("overdue", ""), ("review_in", days):
    # the tip was validated long ago and its five-year review falls in ``days`` days.
    steps: tuple[tuple[str, ...], ...] = ()


def _flight(landing_in: timedelta, number: str, **more: Any) -> dict[str, Any]:
    """An airline report's flight, landing ``landing_in`` after the tip is told (``_tell`` sets the time then: the
    stories are written when the module loads, which may be long before the demo is seeded)."""
    return {
        "flight_carrier": "Gulf Coast Airways",
        "flight_number": number,
        "landing_in": landing_in,
        "flight_departure_airport": "MIA",
        "flight_arrival_airport": "BPT",
        "reporter_crew_role": Tip.CrewRole.FLIGHT_ATTENDANT,
        "reporter_role": "flight attendant",
        "where_airport": "BPT",
        **more,
    }


STORIES = [
    Story(
        TOM,
        Tip.Channel.AIRLINE,
        "A man in 14C holds the passports of the two young women beside him; they do not speak to the crew, look "
        "to him before answering and say they are going to 'work at a restaurant' but do not know its name.",
        fields={
            **_flight(timedelta(hours=3), "GCA 418", flight_seats="14A, 14B, 14C", flight_party_size=3),
            "reporter_permission": Tip.ReporterPermission.YES,
            "reporter_name": "Jessa Morrow",
            "reporter_phone": "555-0170",
            "indicators": [C.CONFISCATED_DOCUMENTS, C.DECEPTIVE_RECRUITMENT],
        },
        subjects=(
            {"role": S, "name": "Unknown man", "approximate_age": 45, "sex": "male"},
            {"role": V, "name": "Unknown woman", "approximate_age": 19, "sex": "female"},
            {"role": V, "name": "Unknown woman", "approximate_age": 20, "sex": "female"},
        ),
    ),
    Story(
        TOM,
        Tip.Channel.HOTLINE,
        "The caller's cousin works at a nail salon on Harbor Street; the owner keeps her wages 'for the debt' and "
        "drives the workers to and from a house he owns. The caller does not want to be contacted by police.",
        ago=timedelta(hours=3),
        fields={
            "external_reference": "NHTH-2026-118204",
            "reporter_permission": Tip.ReporterPermission.NO,
            "reporter_name": "Marisol Vidal",
            "reporter_phone": "555-0133",
            "reporter_role": "relative of a worker",
            "where_text": "Nail salon, Harbor Street, Bayport",
            "where_zip": "77550",
            "indicators": [C.DEBT_BONDAGE, C.WAGE_THEFT, C.RESTRICTED_MOVEMENT],
        },
        subjects=(
            {
                "role": S,
                "name": "Owner of Lucky Nails",
                "business": "Lucky Nails",
                "vehicle_plate": "GCX4412",
                "vehicle_state": "TX",
            },
            {"role": V, "alias": "the cousin", "sex": "female", "approximate_age": 24},
        ),
        steps=(("assess", "Debt bondage and controlled housing described first-hand by a relative."), ("assign", DANA)),
    ),
    Story(
        ALEX,
        Tip.Channel.LOCAL_POLICE,
        "911 call: a girl of about 15 ran from a car at the Gulf Motel and asked the clerk for help; a man is "
        "waiting in the parking lot for her. The clerk has her in the back office.",
        ago=timedelta(minutes=10),
        fields={
            "involves_minor": True,
            "imminent_danger": True,
            "reporter_role": "motel clerk",
            "reporter_permission": Tip.ReporterPermission.YES,
            "reporter_name": "Dev Patel",
            "reporter_phone": "555-0188",
            "where_text": "Gulf Motel, 1200 Seawall Blvd",
            "indicators": [C.COMMERCIAL_SEX_MINOR, C.THREATS],
        },
        subjects=(
            {"role": V, "alias": "Kay", "approximate_age": 15, "sex": "female"},
            {"role": S, "approximate_age": 30, "sex": "male", "vehicle_plate": "BPT9921", "vehicle_state": "TX"},
        ),
    ),
    Story(
        TOM,
        Tip.Channel.PUBLIC,
        "Workers at the massage parlor on Dock Road are never seen leaving; men come and go late at night.",
        ago=timedelta(hours=5),
        fields={"where_text": "Dock Road, Bayport", "indicators": [C.RESTRICTED_MOVEMENT]},
        # The caller read out the number on the parlor's sign: a person's of the open case (its page lists the
        # case among the tip's possible matches, for those who may open it).
        subjects=({"role": S, "business": "Dock Road massage parlor", "phone": PHONE_OF_THE_CASE},),
        steps=(
            ("assess", "Matches a venue already under investigation."),
            ("close", Tip.CloseReason.DUPLICATE, "Same venue as case {case}, open at the FBI."),
        ),
    ),
    Story(
        TOM,
        Tip.Channel.HOTLINE,
        "Farm workers near Marlin say the crew boss took their phones and charges them for the trailer they sleep "
        "in; nobody has been paid in six weeks.",
        ago=timedelta(hours=30),
        fields={
            "external_reference": "NHTH-2026-117655",
            "reporter_permission": Tip.ReporterPermission.NOT_ASKED,
            "where_text": "Marlin County, farm road 12",
            "indicators": [C.WAGE_THEFT, C.SUBSTANDARD_HOUSING, C.ISOLATION],
        },
        subjects=({"role": S, "alias": "the crew boss", "sex": "male"},),
        steps=(("overdue", ""),),
    ),
    Story(
        ROSA,
        Tip.Channel.PORT_OF_ENTRY,
        "CBP secondary inspection: six men with identical contracts for a 'construction company' that has no "
        "address; their recruiter paid their visa fees and holds their return tickets.",
        ago=timedelta(hours=6),
        fields={"where_text": "Port of Bayport, terminal 2", "indicators": [C.DECEPTIVE_RECRUITMENT, C.DEBT_BONDAGE]},
        subjects=(
            {"role": S, "name": "Ramon Quintero", "business": "Quintero Staffing", "phone": "555-0191"},
            {"role": W, "alias": "CBP officer on duty"},
            {"role": V, "alias": "the workers' spokesman", "sex": "male", "approximate_age": 34},
        ),
        steps=(
            ("assess", "Recruitment debt and withheld tickets, six workers, one recruiter."),
            ("assign", LUIS),
            # The workers need a lawyer before anything else: legal aid reads the account and who speaks for them.
            (
                "refer",
                "GC Legal Aid",
                "Legal advice for six workers on their visas and withheld return tickets; a Spanish interpreter.",
                "narrative,victim_identity",
            ),
        ),
    ),
    Story(
        TOM,
        Tip.Channel.FBI,
        "Online ads for 'new girls' posted daily from the same phone number, with photos taken in a Bayport "
        "apartment complex; one ad says 'fresh, 17'.",
        ago=timedelta(hours=8),
        fields={
            "involves_minor": True,
            "where_text": "Bayport Oaks apartments",
            "indicators": [C.COMMERCIAL_SEX_MINOR],
        },
        subjects=({"role": S, "phone": "555-0147", "email_or_handle": "@newgirls_bpt"},),
        steps=(("assess", "Advertising of a minor for commercial sex."), ("assign", NIA), ("open_case", "")),
    ),
    Story(
        TOM,
        Tip.Channel.NGO,
        "Safe Harbor's outreach worker met a woman at the bus station who described the same house and the same "
        "'boss' as one of the shelter's clients.",
        ago=timedelta(days=1),
        fields={"reporter_role": "outreach worker", "indicators": [C.THREATS, C.ISOLATION]},
        subjects=({"role": V, "alias": "Lina", "sex": "female", "approximate_age": 28},),
        steps=(("assess", "Corroborates an open case's account."), ("assign", DANA), ("link", "")),
    ),
    Story(
        ALEX,
        Tip.Channel.PUBLIC,
        "A neighbour says the family next door 'has too many cousins' staying over.",
        ago=timedelta(hours=4),
        steps=(("no_predicate", "No indicator of force, fraud or coercion; crowded housing alone."),),
    ),
    Story(
        ROSA,
        Tip.Channel.HSI_TIPLINE,
        "An anonymous caller says a seafood processor on the bay brings workers in on a van before dawn and locks "
        "the gate behind them.",
        ago=timedelta(hours=2),
        fields={"where_text": "Bayside Seafood, Pier 9", "indicators": [C.RESTRICTED_MOVEMENT, C.EXCESSIVE_HOURS]},
        subjects=({"role": S, "business": "Bayside Seafood"},),
    ),
    Story(
        ALEX,
        Tip.Channel.PUBLIC,
        "A driver says a landscaping crew is dropped at job sites by a man who collects their pay from the clients.",
        ago=timedelta(hours=7),
        fields={"indicators": [C.WAGE_THEFT]},
        subjects=(
            {"role": S, "business": "Green Edge Landscaping", "vehicle_plate": "LND2201", "vehicle_state": "TX"},
        ),
        # Kept since its assessment almost five years ago: due for review in twelve days (28 CFR 23.54).
        steps=(("assess", "Wages collected by a third party, repeated sightings."), ("review_in", "12")),
    ),
    Story(
        TOM,
        Tip.Channel.HOTLINE,
        "A caller from out of state describes a restaurant in New Orleans where the cooks live above the kitchen.",
        ago=timedelta(days=2),
        fields={"external_reference": "NHTH-2026-116990", "where_text": "New Orleans, LA"},
        steps=(
            ("assess", "Labor trafficking indicators at a named restaurant."),
            ("assign", DANA),
            ("close", Tip.CloseReason.OTHER_JURISDICTION, "Sent to the FBI New Orleans field office."),
        ),
    ),
    Story(
        TOM,
        Tip.Channel.AIRLINE,
        "A passenger travelling alone with a teenager who did not know the adult's last name.",
        ago=timedelta(days=1, hours=2),
        fields={**_flight(-timedelta(days=1), "GCA 207"), "involves_minor": True},
        subjects=({"role": V, "approximate_age": 14, "sex": "male"},),
        steps=(
            ("assess", "A minor with an adult who could not be identified as a guardian."),
            ("assign", ERIN),
            ("close", Tip.CloseReason.INSUFFICIENT, "Met at the gate: the adult is the boy's uncle, papers in order."),
        ),
    ),
    Story(
        ALEX,
        Tip.Channel.NGO,
        "Bridges' advocate reports a survivor's account of a second house run by the same people, with its address.",
        ago=timedelta(hours=9),
        fields={
            "reporter_role": "survivor advocate",
            "reporter_name": "Kofi Mensah",
            "reporter_email": "kofi.mensah@bridges.example",
            "reporter_permission": Tip.ReporterPermission.YES,
            "where_text": "418 Pelican Lane, Bayport",
            "indicators": [C.VIOLENCE, C.THREATS],
        },
        subjects=({"role": S, "alias": "Mama T", "sex": "female", "approximate_age": 50},),
        steps=(("assess", "First-hand account with an address."), ("assign", NIA)),
    ),
    Story(
        ALEX,
        Tip.Channel.LOCAL_POLICE,
        "Patrol noticed a van with covered windows parked overnight behind a closed warehouse three nights running.",
        ago=timedelta(hours=12),
        fields={"where_text": "Warehouse district, 9th Street"},
        steps=(
            ("no_predicate", "Nothing beyond the van itself."),
            ("reopen", "The warehouse's owner reports people sleeping inside."),
        ),
    ),
]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _phone_in(case: Case | None) -> str:
    """A phone of a person of ``case`` (a suspect's first), for the subject of the tip that duplicates it."""
    if case is None:
        return ""
    participants = CaseParticipant.objects.filter(case=case).exclude(person__phone="").select_related("person")
    participant = (
        participants.filter(role=CaseParticipant.Role.SUSPECT).order_by("pk").first()
        or participants.order_by("pk").first()
    )
    return participant.person.phone if participant is not None else ""


def _tell(story: Story, duplicate_of: Case | None, linked_to: Case | None) -> Tip:
    receiver = _user(story.by)
    fields = dict(story.fields)
    fields.setdefault("reporter_permission", Tip.ReporterPermission.NOT_ASKED)
    if "landing_in" in fields:
        arrival = timezone.now() + fields.pop("landing_in")
        fields.update(flight_scheduled_arrival=arrival, flight_date=timezone.localdate(arrival))
    tip = services.tip_receive(
        actor=receiver,
        channel=story.channel,
        narrative=story.narrative,
        subjects=[
            {name: _phone_in(duplicate_of) if value == PHONE_OF_THE_CASE else value for name, value in subject.items()}
            for subject in story.subjects
        ],
        received_at=timezone.now() - story.ago,
        **fields,
    )
    supervisor = _user(SUPERVISOR_OF[story.by])
    for verb, *args in story.steps:
        if verb == "assess":
            tip = services.tip_assess(tip=tip, actor=receiver, reason=args[0])
        elif verb == "no_predicate":
            tip = services.tip_close_no_predicate(tip=tip, actor=receiver, reason=args[0])
        elif verb == "assign":
            owner = _user(args[0])
            tip = services.tip_assign(
                tip=tip,
                actor=supervisor,
                agency=owner.agency,
                owner=owner,
                due_on=timezone.localdate() + timedelta(days=5),
            )
        elif verb == "open_case":
            assert tip.owner is not None
            tip = services.tip_open_case(tip=tip, actor=tip.owner)
        elif verb == "link":
            assert tip.owner is not None
            assert linked_to is not None
            tip = services.tip_link_case(tip=tip, actor=tip.owner, case_number=linked_to.number)
        elif verb == "close":
            number = duplicate_of.number if duplicate_of is not None else ""
            tip = services.tip_close(
                tip=tip, actor=tip.owner or receiver, close_reason=args[0], reason=args[1].format(case=number)
            )
        elif verb == "refer":
            assert tip.owner is not None
            tip = services.tip_refer(
                tip=tip,
                actor=tip.owner,
                provider=Agency.objects.get(short_name=args[0]),
                asked=args[1],
                passed_on=args[2].split(","),
            )
        elif verb == "reopen":
            tip = services.tip_reopen(tip=tip, actor=supervisor, reason=args[0])
        elif verb == "overdue":
            services.tips_overdue_notify()
        elif verb == "review_in":
            tip = _validated_long_ago(tip, due_in=timedelta(days=int(args[0])))
    return tip


def _validated_long_ago(tip: Tip, *, due_in: timedelta) -> Tip:
    """The demo's one backdating, of the review clock only (no service validates in the past): the tip was received,
    assessed and validated five years before its review date, which falls ``due_in`` from today."""
    today = timezone.localdate()
    due = today + due_in
    validated_on = due.replace(year=due.year - services.REVIEW_YEARS, day=min(due.day, 28))
    validated = timezone.now() - (today - validated_on)
    Tip.objects.filter(pk=tip.pk).update(
        received_at=validated - timedelta(hours=3),
        assess_by=validated + timedelta(hours=21),
        assessed_at=validated,
        validated_at=validated,
        review_due=services.review_due_after(validated_on),
    )
    TipEvent.objects.filter(tip=tip).update(occurred_at=validated)
    tip.refresh_from_db()
    return tip


def seed(*, rng: random.Random, stdout: OutputWrapper) -> None:
    """Create the demo tips, unless there are tips already (``seed_demo`` runs in one transaction). ``rng`` is not
    used: the tips are the same whatever the apps before them drew."""
    if Tip.objects.exists():
        stdout.write("Demo tips are already there: nothing added.")
        return
    fbi_cases = Case.objects.filter(lead_agency__short_name="FBI Bayport").exclude(status=Case.Status.CLOSED)
    duplicate_of = fbi_cases.order_by("number").first()
    dana = _user(DANA)
    from cases import selectors as case_selectors

    linked_to = case_selectors.case_list_visible_to(dana).exclude(status=Case.Status.CLOSED).order_by("-number").first()
    for story in STORIES:
        _tell(story, duplicate_of, linked_to)
    statuses = Counter(Tip.objects.values_list("status", flat=True))
    channels = len(set(Tip.objects.values_list("channel", flat=True)))
    by_status = ", ".join(f"{status} {statuses[status]}" for status in Tip.Status.values if statuses[status])
    stdout.write(f"Demo: {Tip.objects.count()} tips from {channels} channels (by status: {by_status}).")
