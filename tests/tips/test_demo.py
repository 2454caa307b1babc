"""The demo tips (tips/demo.py): fifteen tips from every channel in every state, the stories the issue asks for,
what each demo person sees of them, and a second seed that adds nothing."""

import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.utils import timezone

from agencies import demo as agencies_demo
from agencies.models import User
from cases import demo as cases_demo
from portal.management.commands.seed_demo import DEMO_SEED
from referrals import demo as referrals_demo
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests
from tips import demo, selectors
from tips.models import Tip, TipNotice
from tips.steps import CONTENT_SIDES

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out, rng = StringIO(), random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, referrals_demo, demo):
        module.seed(rng=rng, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield from kept_for_the_tests(django_db_blocker, _seed)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def test_fifteen_tips_from_every_channel_in_every_state():
    assert Tip.objects.count() == 15
    assert set(Tip.objects.values_list("channel", flat=True)) == set(Tip.Channel.values)
    assert set(Tip.objects.values_list("status", flat=True)) == set(Tip.Status.values)


def test_the_stories_the_issue_asks_for():
    flight = Tip.objects.get(flight_number="GCA 418")
    assert flight.flight_scheduled_arrival is not None
    # Three hours after the demo was seeded (not after this test runs: the module's demo may be minutes old).
    seeded = flight.created_at
    lands_in = flight.flight_scheduled_arrival - seeded
    assert timezone.timedelta(hours=2, minutes=50) < lands_in <= timezone.timedelta(hours=3)
    assert flight.assess_by == flight.flight_scheduled_arrival - timezone.timedelta(minutes=45)
    refused = Tip.objects.get(external_reference="NHTH-2026-118204")
    assert refused.reporter_permission == Tip.ReporterPermission.NO
    assert refused.status == Tip.Status.ASSIGNED
    danger = Tip.objects.get(involves_minor=True, imminent_danger=True)
    assert danger.awaiting_assessment
    assert danger.assess_by == danger.received_at + timezone.timedelta(hours=1)
    duplicate = Tip.objects.get(close_reason=Tip.CloseReason.DUPLICATE)
    assert "HT-" in duplicate.status_reason
    overdue = Tip.objects.get(external_reference="NHTH-2026-117655")
    assert overdue.is_overdue
    told = set(TipNotice.objects.filter(tip=overdue).values_list("user__email", flat=True))
    assert told == {"marcus.hale@fbi.example", "carla.diaz@gctf.example"}
    opened = Tip.objects.get(status=Tip.Status.CASE_OPENED)
    assert opened.case.participants.exists()


# What each demo person sees of the demo tips: (tips they open, of which with content).
SEES = [
    ("tom.becker@fbi.example", 8, 8),  # the FBI's intake: its holding bin
    ("marcus.hale@fbi.example", 8, 8),  # the FBI's supervisor
    ("dana.reyes@fbi.example", 3, 3),  # assigned to her
    ("priya.nair@fbi.example", 0, 0),
    ("alex.mendes@bpd.example", 5, 5),  # Bayport Police's tip line
    ("omar.haddad@bpd.example", 6, 6),  # BPD's supervisor: its bin (5) and the FBI tip assigned to Nia
    ("nia.brooks@bpd.example", 2, 2),
    ("rosa.vega@hsi.example", 2, 2),  # HSI's supervisor receives its tip line
    ("luis.ortega@hsi.example", 1, 1),
    ("erin.cole@gsp.example", 1, 1),
    ("frank.moss@gsp.example", 1, 1),
    ("maria.santos@safeharbor.example", 0, 0),
    ("tomas.ruiz@gclegalaid.example", 1, 0),  # legal aid's supervisor: the port's tip referred to it, as passed on
    ("ana.lopez@gclegalaid.example", 0, 0),  # its attorney: neither intake nor a supervisor
    ("carla.diaz@gctf.example", 15, 0),  # the coordinator: every deadline, no content
    ("owen.price@gctf.example", 0, 0),
]


@pytest.mark.parametrize(("email", "opens", "reads"), SEES)
def test_what_each_demo_person_sees(email, opens, reads):
    person = User.objects.get(email=email)
    visible = list(selectors.tip_list_visible_to(person))
    assert len(visible) == opens
    assert sum(1 for tip in visible if selectors.sides_read(person, tip) & CONTENT_SIDES) == reads


def test_a_second_seed_adds_nothing():
    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "already there" in out.getvalue()
    assert Tip.objects.count() == 15
