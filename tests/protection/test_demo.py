"""The demo's immigration relief (protection/demo.py): the stories the issue asks for, who of the demo people
sees what of the foreign minor's case, and a second seed that adds nothing."""

import random
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.http import Http404
from django.utils import timezone

from agencies import demo as agencies_demo
from agencies.models import User
from cases import demo as cases_demo
from cases.models import Case, CaseParticipant
from portal.management.commands.seed_demo import DEMO_SEED
from protection import demo, selectors
from protection.models import ReliefAction
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests

MINOR_CASE = cases_demo.IDENTIFIED_YESTERDAY


def _seed() -> str:
    out, rng = StringIO(), random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, demo):
        module.seed(rng=rng, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield from kept_for_the_tests(django_db_blocker, _seed)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def test_the_stories_the_issue_asks_for():
    today = timezone.localdate()
    minor_case = Case.objects.get(title=MINOR_CASE)
    open_tasks = list(selectors.hhs_tasks_open())
    assert [task.participant.case_id for task in open_tasks] == [minor_case.pk]
    assert selectors.hhs_due(open_tasks[0]) > timezone.now()  # due within the day: counted from its recording
    cp = ReliefAction.objects.get(kind=ReliefAction.Kind.CONTINUED_PRESENCE)
    assert (cp.status, cp.expires_on, cp.case.lead_agency.kind) == ("granted", today + timedelta(days=45), "federal_le")
    assert cp.participant.person.nationality != "United States"
    assert cp.participant.person.is_minor is False
    declined = ReliefAction.objects.get(kind=ReliefAction.Kind.U_CERTIFICATION)
    assert declined.status == ReliefAction.Status.DENIED
    assert declined.decline_reason
    pending = ReliefAction.objects.get(kind=ReliefAction.Kind.T_DECLARATION)
    assert pending.status == ReliefAction.Status.REQUESTED
    assert pending.requesting_agency.short_name == "HSI Bayport"


def test_a_second_seed_adds_nothing():
    before = ReliefAction.objects.count()
    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "nothing added" in out.getvalue()
    assert ReliefAction.objects.count() == before


# Who of the demo people sees the foreign minor's relief (the bus-station case: led by Bayport police; the FBI at
# law-enforcement level; Bridges at personal level; the clinic at summary level).
MINOR_CASE_READERS = [
    ("nia.brooks@bpd.example", True),  # lead caseworker
    ("omar.haddad@bpd.example", True),  # lead supervisor
    ("dana.reyes@fbi.example", True),  # partner at law-enforcement level
    ("marcus.hale@fbi.example", True),
    ("tom.becker@fbi.example", False),  # FBI intake: no law-enforcement-sensitive reads
    ("kofi.mensah@bridges.example", True),  # the victims' advocate (personal share)
    ("lena.fischer@bchc.example", False),  # the clinic, summary only
    ("carla.diaz@gctf.example", False),  # coordinator
    ("owen.price@gctf.example", False),  # auditor
    ("maria.santos@safeharbor.example", False),  # another shelter, not on the case
    ("tomas.ruiz@gclegalaid.example", False),  # legal aid, not on the case
]


@pytest.mark.parametrize(("email", "sees"), MINOR_CASE_READERS)
def test_who_sees_the_foreign_minors_relief(email, sees):
    reader = User.objects.get(email=email)
    case = Case.objects.get(title=MINOR_CASE)
    minor = case.participants.filter(role=CaseParticipant.Role.VICTIM).order_by("id").first()
    assert minor is not None
    try:
        selectors.relief_access_for(reader, case.pk, minor.person_id)
    except Http404:
        seen = False
    else:
        seen = True
    assert seen is sees
    on_queue = any(item.what == "hhs" and item.case.pk == case.pk for item in selectors.relief_queue_for(reader))
    assert on_queue is sees


def test_a_year_of_relief_across_the_task_force():
    """Besides the stories: relief requested or filed and still pending in cases of HSI, the Sheriff's Office, the
    U.S. Attorney's Office, the FBI, the legal aid and Bridges, and work permits granted that expire within 90 days
    (for the dashboard's relief charts). No declaration or certification awaits a signature but the story's."""
    today = timezone.localdate()
    pending = ReliefAction.objects.filter(status__in=ReliefAction.OPEN).exclude(kind=ReliefAction.Kind.HHS_NOTIFICATION)
    assert set(pending.values_list("recorded_by_agency__short_name", flat=True)) >= {
        "HSI Bayport",
        "MCSO",
        "USAO SDGC",
        "FBI Bayport",
        "GC Legal Aid",
        "Bridges",
    }
    assert set(pending.values_list("status", flat=True)) == set(ReliefAction.OPEN)
    assert list(pending.filter(kind__in=[ReliefAction.Kind.T_DECLARATION, ReliefAction.Kind.U_CERTIFICATION])) == [
        ReliefAction.objects.get(kind=ReliefAction.Kind.T_DECLARATION)
    ]
    permits = ReliefAction.objects.filter(
        kind=ReliefAction.Kind.EMPLOYMENT_AUTHORIZATION, status=ReliefAction.Status.GRANTED
    ).order_by("expires_on")
    days = [(expires - today).days for expires in permits.values_list("expires_on", flat=True) if expires]
    assert days == [20, 55, 75, 85]
    for action in ReliefAction.objects.select_related("participant"):
        assert action.participant.role == CaseParticipant.Role.VICTIM
        assert action.requested_on <= today
