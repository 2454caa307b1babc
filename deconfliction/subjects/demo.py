"""Demo of subject deconfliction (fictional), written through ``cases.services`` and this app's services.

- The FBI and the Bayport police each hold a suspect with the same phone, written differently: both are told.
- A Safe Harbor client consents to deconfliction and is the victim the FBI holds under the same name and date of
  birth: both are told.
- A Bridges client does not consent: she is not in the index. Her advocate checks her against law enforcement and
  finds the Bayport police's witness: only Bridges is told.
Then the whole index is built from the other demo cases and tips (their shared phones and plates are matches too).
"""

import random
from datetime import date, timedelta

from django.core.management.base import OutputWrapper
from django.utils import timezone

from agencies.demo import TASK_FORCE
from agencies.models import Agency, TaskForce, User
from cases.models import Case, CaseParticipant, Consent
from cases.services import case_create, consent_record, person_add_to_case
from deconfliction.subjects import normalise, services
from deconfliction.subjects.models import SubjectConflict, SubjectEntry

MARKER = "Cash-only spa on Gulf Road"
# Outside the (251) numbers the cases demo draws from, so the story is the only match on them.
SUSPECT_PHONE = ("(228) 555-0187", "+1 228 555-0187")


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _case(actor: User, title: str, task_force: TaskForce, people: list[tuple[str, dict]]) -> Case:
    case = case_create(actor=actor, title=title, intake_channel=Case.Channel.LAW_ENFORCEMENT, task_force=task_force)
    for role, fields in people:
        person_add_to_case(case=case, role=role, actor=actor, **fields)
    return case


def seed(*, rng: random.Random, stdout: OutputWrapper) -> None:
    """``rng`` is not used: the story is the same whatever the apps before it drew."""
    if Case.objects.filter(title=MARKER).exists():
        stdout.write("Demo deconfliction is already there: nothing added.")
        return
    task_force = TaskForce.objects.get(name=TASK_FORCE)
    dana, nia = _user("dana.reyes@fbi.example"), _user("nia.brooks@bpd.example")
    maria, kofi = _user("maria.santos@safeharbor.example"), _user("kofi.mensah@bridges.example")
    victim = {"given_name": "Marisol", "family_name": "Quintero", "date_of_birth": date(2003, 9, 14)}
    _case(
        dana,
        MARKER,
        task_force,
        [
            (CaseParticipant.Role.SUSPECT, {"given_name": "Victor", "family_name": "Lamb", "phone": SUSPECT_PHONE[0]}),
            (CaseParticipant.Role.VICTIM, victim),
        ],
    )
    _case(
        nia,
        "Ride-share ads, downtown hotels",
        task_force,
        [
            (CaseParticipant.Role.SUSPECT, {"given_name": "Vic", "family_name": "Lamb", "phone": SUSPECT_PHONE[1]}),
            (CaseParticipant.Role.WITNESS, {"given_name": "Dalia", "family_name": "Ferrer", "phone": "228-555-0164"}),
        ],
    )
    consenting = _case(
        maria,
        "Client intake: spa worker",
        task_force,
        [
            (
                CaseParticipant.Role.VICTIM,
                {
                    "given_name": "Marisol",
                    "family_name": "Quintero",
                    "date_of_birth": date(2003, 9, 14),
                },
            )
        ],
    )
    today = timezone.localdate()
    consent_record(
        person=consenting.participants.get().person,
        # The consent names the agency that may learn Safe Harbor holds her (VAWA: a named recipient): the FBI.
        recipient_agency=Agency.objects.get(short_name="FBI Bayport"),
        categories=[Consent.Category.DECONFLICTION],
        purpose="Let the FBI learn that Safe Harbor works with her if it holds her too (deconfliction only).",
        signed_on=today,
        expires_on=today + timedelta(days=180),
        actor=maria,
    )
    not_consenting = _case(
        kofi,
        "Client intake: hotel housekeeper",
        task_force,
        [
            (
                CaseParticipant.Role.VICTIM,
                {
                    "given_name": "Dalia",
                    "family_name": "Ferrer",
                    "phone": "(228) 555-0164",
                },
            )
        ],
    )
    services.reindex_all()  # synchronous here: the receivers' after-commit run then finds nothing new
    services.check_subject(
        user=kofi, context=not_consenting, identifiers={(normalise.Kind.PHONE, normalise.phone("(228) 555-0164"))}
    )
    stdout.write(
        f"Demo: {SubjectEntry.objects.count()} deconfliction entries, "
        f"{SubjectConflict.objects.count()} subject conflicts."
    )
