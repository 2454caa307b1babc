"""Demo immigration relief (fictional), for ``manage.py seed_demo``, after the cases' demo; written only through
``protection.services``. The stories the issue asks for:

- the foreign-national minor identified yesterday in "Teens recruited at the bus station" (cases' demo): no HHS
  notification is recorded, so the 24-hour task is due on the queues of the case's law-enforcement team and its
  advocates (it counts from when the identification was recorded);
- Continued Presence, requested by the FBI for the foreign adult in "Live-in domestic worker, Harbor Heights",
  expiring in 45 days;
- every other foreign-national minor of the demo has their HHS notification sent, the day they were identified;
- in "Crab processing plant, seasonal visas" (HSI), a U visa certification asked of the U.S. Attorney's Office and
  declined with its reason, and a T visa declaration asked of HSI twelve days ago, awaiting its decision;
- and a year of the rest (``YEAR``), so that the dashboard's relief charts have something to count across agencies:
  T and U visas, work permits and deferred action requested or filed since their cases opened and still pending, and
  work permits granted that expire in 20, 55, 75 and 85 days (HSI, the Sheriff's Office, the U.S. Attorney's Office,
  the FBI and Bridges). None is a declaration or certification awaiting a signature, and the expiring ones are in
  cases that no demo home shows relief of but those who already have relief deadlines there.

Running it again changes nothing.
"""

import random
from datetime import date, timedelta
from io import TextIOBase

from django.utils import timezone

from agencies.models import Agency, User
from cases import services as case_services
from cases.demo import IDENTIFIED_YESTERDAY
from cases.models import Case, CaseParticipant
from protection import selectors, services
from protection.models import ReliefAction

CP_CASE = "Live-in domestic worker, Harbor Heights"
CERTIFICATION_CASE = "Crab processing plant, seasonal visas"
DECLINE_REASON = (
    "The crimes investigated in this case are not among the qualifying criminal activities of a U visa "
    "certification. The office suggests a T visa declaration, which HSI has been asked for."
)
K, S = ReliefAction.Kind, ReliefAction.Status


def _foreign_adult(case: Case, actor: User) -> CaseParticipant:
    """The case's first victim who is a foreign national and an adult, or a new one added for the demo."""
    victims = case.participants.filter(role=CaseParticipant.Role.VICTIM).select_related("person").order_by("id")
    for participant in victims:
        person = participant.person
        if person.nationality and person.nationality != "United States" and person.is_minor is False:
            return participant
    return case_services.person_add_to_case(
        case=case,
        role=CaseParticipant.Role.VICTIM,
        actor=actor,
        given_name="Rowena",
        family_name="Manalo",
        sex="female",
        date_of_birth=timezone.localdate() - timedelta(days=365 * 34 + 40),
        nationality="Philippines",
        languages=["tl", "en"],
        preferred_language="tl",
    )


def _notify_hhs_of_the_others(today: date) -> None:
    """Every other foreign-national minor of the demo was identified long ago, and HHS was told the same day: an
    HHS notification submitted, recorded by who identified them. Only the bus-station minor's is still to send."""
    for identification in selectors.hhs_tasks_open().select_related("participant__case", "identified_by"):
        case = identification.participant.case
        if case.title == IDENTIFIED_YESTERDAY and identification.identified_on == today - timedelta(days=1):
            continue
        actor = identification.identified_by
        notice = services.relief_action_record(
            case=case,
            person=identification.participant.person,
            kind=K.HHS_NOTIFICATION,
            actor=actor,
            requested_on=identification.identified_on,
            requesting_agency=identification.identified_by_agency,
            external_reference=f"HHS-RFA-{identification.identified_on:%Y}-{identification.pk:05d}",
        )
        services.relief_action_step(
            action=notice, verb="submit", version=notice.version, actor=actor, on=identification.identified_on
        )


# A year of relief: (case title, who records it, the victim's number in the case, kind, days after the case opened
# that it was requested, days after that it was filed (None: not yet), days from today that a grant expires (None:
# not granted)). A granted work permit was valid a year before it expires, and requested three months before that.
YEAR: list[tuple[str, str, int, str, int, int | None, int | None]] = [
    ("Dancers recruited for a cruise line", "luis.ortega@hsi.example", 0, K.T_VISA, 7, 7, None),
    ("Dancers recruited for a cruise line", "luis.ortega@hsi.example", 1, K.EMPLOYMENT_AUTHORIZATION, 20, None, None),
    ("Dancers recruited for a cruise line", "luis.ortega@hsi.example", 2, K.DEFERRED_ACTION, 21, None, None),
    ("Crab processing plant, seasonal visas", "luis.ortega@hsi.example", 1, K.EMPLOYMENT_AUTHORIZATION, 40, None, None),
    ("Citrus grove labor camp", "ray.dupont@mcso.example", 0, K.EMPLOYMENT_AUTHORIZATION, 0, 0, 20),
    ("Citrus grove labor camp", "ray.dupont@mcso.example", 1, K.T_VISA, 30, 15, None),
    ("Shrimp boat deckhands", "ray.dupont@mcso.example", 0, K.U_VISA, 90, None, None),
    (
        "Restaurant group, visa fraud and forced labor",
        "grace.kim@usao.example",
        0,
        K.EMPLOYMENT_AUTHORIZATION,
        0,
        0,
        75,
    ),
    ("Restaurant group, visa fraud and forced labor", "grace.kim@usao.example", 1, K.U_VISA, 60, None, None),
    ("Restaurant group, visa fraud and forced labor", "grace.kim@usao.example", 2, K.T_VISA, 40, 10, None),
    ("Hotel housekeeping contractor", "dana.reyes@fbi.example", 0, K.EMPLOYMENT_AUTHORIZATION, 0, 0, 55),
    ("Hotel housekeeping contractor", "dana.reyes@fbi.example", 1, K.DEFERRED_ACTION, 15, None, None),
    ("T visa applicant, farm work", "ana.lopez@gclegalaid.example", 0, K.T_VISA, 10, 15, None),
    ("Youth client recruited online", "kofi.mensah@bridges.example", 0, K.EMPLOYMENT_AUTHORIZATION, 0, 0, 85),
    ("Youth client recruited online", "kofi.mensah@bridges.example", 0, K.T_VISA, 5, None, None),
]


def _a_year_of_relief(people: dict[str, User], today: date) -> int:
    """The ``YEAR`` table's relief, through the services: each recorded, filed and granted by who records it."""
    made = 0
    for title, email, number, kind, after, filed_after, expires_in in YEAR:
        case = Case.objects.get(title=title)
        actor = people[email]
        victim = case.participants.filter(role=CaseParticipant.Role.VICTIM).order_by("id")[number]
        if expires_in is None:
            requested_on = min(today, case.opened_on + timedelta(days=after))
        else:
            expires_on = today + timedelta(days=expires_in)
            valid_from = expires_on - timedelta(days=365)
            requested_on = valid_from - timedelta(days=90)
        action = services.relief_action_record(
            case=case, person=victim.person, kind=kind, actor=actor, requested_on=requested_on
        )
        if filed_after is not None:
            action = services.relief_action_step(
                action=action,
                verb="submit",
                version=action.version,
                actor=actor,
                on=min(today, requested_on + timedelta(days=filed_after)),
            )
        if expires_in is not None:
            services.relief_action_step(
                action=action,
                verb="grant",
                version=action.version,
                actor=actor,
                on=valid_from,
                valid_from=valid_from,
                expires_on=expires_on,
            )
        made += 1
    return made


def seed(*, rng: random.Random, stdout: TextIOBase) -> None:
    """The relief stories above (``rng`` is left alone: the apps seeded after this one draw as before)."""
    if ReliefAction.objects.exists():
        stdout.write("Demo immigration relief is already there: nothing added.")
        return
    today = timezone.localdate()
    people = {user.email: user for user in User.objects.filter(email__contains=".example")}
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    dana, luis = people["dana.reyes@fbi.example"], people["luis.ortega@hsi.example"]
    david = people["david.chen@usao.example"]

    cp_case = Case.objects.get(title=CP_CASE, lead_agency__short_name="FBI Bayport")
    adult = _foreign_adult(cp_case, dana)
    expires_on = today + timedelta(days=45)
    valid_from = expires_on - timedelta(days=730)
    cp = services.relief_action_record(
        case=cp_case,
        person=adult.person,
        kind=K.CONTINUED_PRESENCE,
        actor=dana,
        requested_on=valid_from - timedelta(days=21),
        requesting_agency=agencies["FBI Bayport"],
        signing_official="Marcus Hale",
        signing_official_title="Supervisory Special Agent",
        external_reference="CCTD-CP-2024-0117",
    )
    cp = services.relief_action_step(
        action=cp, verb="submit", version=cp.version, actor=dana, on=valid_from - timedelta(days=20)
    )
    services.relief_action_step(
        action=cp,
        verb="grant",
        version=cp.version,
        actor=dana,
        on=valid_from,
        valid_from=valid_from,
        expires_on=expires_on,
    )

    crab = Case.objects.get(title=CERTIFICATION_CASE, lead_agency__short_name="HSI Bayport")
    worker = _foreign_adult(crab, luis)
    certification = services.relief_action_record(
        case=crab,
        person=worker.person,
        kind=K.U_CERTIFICATION,
        actor=luis,
        requested_on=today - timedelta(days=40),
        requesting_agency=agencies["USAO SDGC"],
        notes="Asked for by the client's attorney at Gulf Coast Immigrant Legal Aid.",
    )
    services.relief_action_step(
        action=certification,
        verb="deny",
        version=certification.version,
        actor=david,
        on=today - timedelta(days=15),
        reason=DECLINE_REASON,
    )
    services.relief_action_record(
        case=crab,
        person=worker.person,
        kind=K.T_DECLARATION,
        actor=luis,
        requested_on=today - timedelta(days=12),
        requesting_agency=agencies["HSI Bayport"],
        notes="Asked for by the client's attorney at Gulf Coast Immigrant Legal Aid.",
    )
    _notify_hhs_of_the_others(today)
    year = _a_year_of_relief(people, today)
    stdout.write(
        "Demo: immigration relief (Continued Presence expiring in 45 days, a declined certification, a "
        f"declaration awaiting its decision; the HHS notice of the bus-station minor not yet sent; {year} more "
        "across the task force, pending or expiring)."
    )
