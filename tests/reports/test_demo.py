"""The demo outreach events: a year of them across the task force, the same every time, and a second seed adds
nothing. The dashboard of a demo supervisor then has something in every section."""

import random
from io import StringIO

import pytest

from agencies import demo as agencies_demo
from agencies.models import User
from cases import demo as cases_demo
from portal.management.commands.seed_demo import DEMO_SEED
from referrals import demo as referrals_demo
from reports import demo, sections
from reports.models import OutreachEvent
from services_directory import demo as directory_demo
from tips import demo as tips_demo

pytestmark = pytest.mark.django_db


def _seed() -> None:
    rng = random.Random(DEMO_SEED)
    for module in (agencies_demo, directory_demo, cases_demo, referrals_demo, tips_demo, demo):
        module.seed(rng=rng, stdout=StringIO())


def test_a_year_of_events_seeded_once(client_as):
    _seed()
    events = list(OutreachEvent.objects.order_by("pk").values_list("agency_id", "held_on", "people_reached"))
    assert len(events) == 48
    assert len({agency for agency, _day, _n in events}) > 3
    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "nothing added" in out.getvalue()
    assert OutreachEvent.objects.count() == 48

    marcus = User.objects.get(email="marcus.hale@fbi.example")
    assert client_as(marcus).get("/reports/").status_code == 200
    from django.utils import timezone

    today = timezone.localdate()
    scope = sections.Scope(user=marcus, start=today.replace(year=today.year - 1), end=today, now=timezone.now())
    built = {chart.key: chart for section in sections.build(scope) for chart in section.charts}
    for key in ("prevention.outreach_by_month", "protection.victims_by_status", "investigations.cases_by_type"):
        assert any(row.cells[0].plotted for row in built[key].rows), key
