"""The demo, for the dashboard: a year of outreach events across the task force, the same every time, and a second
seed adds nothing; every chart of the dashboard has something to count for a demo supervisor or the coordinator
(the FBI's supervisor sees every one of them); the victim specialists' services; and the bus-station case, where a
victim's identification, her service, her relief and an arrest are seen together."""

import random
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from agencies import demo as agencies_demo
from agencies.models import Agency, Role, User
from cases import demo as cases_demo
from cases import selectors as case_selectors
from cases.models import Case, CaseParticipant, ServiceEvent
from portal.management.commands.seed_demo import DEMO_SEED
from prosecution import demo as prosecution_demo
from protection import demo as protection_demo
from referrals import demo as referrals_demo
from reports import demo, sections
from reports.charts import Chart
from reports.models import OutreachEvent
from services_directory import demo as directory_demo
from tests.helpers import kept_for_the_tests
from tips import demo as tips_demo

pytestmark = pytest.mark.django_db


def _seed() -> None:
    rng = random.Random(DEMO_SEED)
    modules = (
        agencies_demo,
        directory_demo,
        cases_demo,
        referrals_demo,
        tips_demo,
        protection_demo,
        prosecution_demo,
        demo,
    )
    for module in modules:
        module.seed(rng=rng, stdout=StringIO())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield from kept_for_the_tests(django_db_blocker, _seed)


def _year(user: User) -> dict[str, Chart]:
    """The dashboard of ``user`` over the last year (whole months, as the form allows)."""
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    scope = sections.Scope(user=user, start=start, end=end, now=timezone.now())
    return {chart.key: chart for section in sections.build(scope) for chart in section.charts}


def _has_data(chart: Chart) -> bool:
    """A bar drawn: a count shown (not suppressed) and not zero."""
    return any(row.cells[0].plotted for row in chart.rows)


def test_a_year_of_events_seeded_once(seeded, client_as):
    events = list(OutreachEvent.objects.order_by("pk").values_list("agency_id", "held_on", "people_reached"))
    assert len(events) == 48
    assert len({agency for agency, _day, _n in events}) > 3
    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "nothing added" in out.getvalue()
    assert OutreachEvent.objects.count() == 48
    marcus = User.objects.get(email="marcus.hale@fbi.example")
    assert client_as(marcus).get("/reports/").status_code == 200


def test_every_chart_has_data_for_a_demo_supervisor_or_the_coordinator(seeded):
    readers = User.objects.filter(is_active=True, _membership__role__in=[Role.SUPERVISOR, Role.COORDINATOR])
    drawn: dict[str, set[str]] = {}
    for reader in readers:
        for key, chart in _year(reader).items():
            if _has_data(chart):
                drawn.setdefault(key, set()).add(reader.email)
    keys = [spec.key for section in sections.SECTIONS for spec in section.charts]
    assert [key for key in keys if key not in drawn] == []
    # Issue 17's records are counted in several agencies' dashboards, not one.
    for key in (
        "protection.services_by_category",
        "protection.relief_pending",
        "protection.relief_expiring",
        "prosecution.arrests_by_month",
        "prosecution.charges_by_statute",
        "prosecution.charging_decisions",
        "prosecution.dispositions",
    ):
        assert len(drawn[key]) >= 3, key


def test_the_fbi_supervisor_sees_something_in_every_chart(seeded):
    marcus = User.objects.get(email="marcus.hale@fbi.example")
    empty = [key for key, chart in _year(marcus).items() if not _has_data(chart)]
    assert empty == []
    arrests = _year(marcus)["prosecution.arrests_by_month"]
    assert sum(1 for row in arrests.rows if row.cells[0].value) >= 3  # arrests spread over the months


def test_law_enforcements_victim_specialists_record_services_over_the_year(seeded):
    today = timezone.localdate()
    law_enforcement = [
        Agency.Kind.FEDERAL_LE,
        Agency.Kind.STATE_LE,
        Agency.Kind.LOCAL_LE,
        Agency.Kind.PROSECUTOR,
    ]
    theirs = ServiceEvent.objects.filter(referral_id__isnull=True, recorded_by_agency__kind__in=law_enforcement)
    assert theirs.count() >= 20
    assert set(theirs.values_list("kind", flat=True)) == set(ServiceEvent.Kind.values)
    assert theirs.values("recorded_by_agency").distinct().count() >= 4
    for event in theirs.select_related("participant__case"):
        assert event.participant.role == CaseParticipant.Role.VICTIM
        assert event.recorded_by_agency_id == event.participant.case.lead_agency_id
        assert today - timedelta(days=366) < event.provided_on <= today


def test_the_bus_station_case_shows_identification_services_relief_and_an_arrest_together(seeded):
    case = Case.objects.get(title=cases_demo.IDENTIFIED_YESTERDAY)
    nia = User.objects.get(email="nia.brooks@bpd.example")  # the lead, Bayport Police
    dossier = case_selectors.case_dossier_for(nia, case_selectors.case_access_for_user(nia, case.pk))
    minor, view = dossier.victims[0]
    yesterday = timezone.localdate() - timedelta(days=1)
    assert view.identification.is_foreign_national_minor
    assert view.identification.identified_on == yesterday
    (service,) = [shown.event for shown in dossier.services if shown.event.participant_id == minor.pk]
    assert (service.kind, service.provided_on) == (ServiceEvent.Kind.DELIVERED, yesterday)
    by_key = {section.key: section for section in dossier.sections}
    (relief,) = [victim for victim in by_key["relief"].context["victims"] if victim["person_id"] == minor.person_id]
    hhs = relief["victim"].hhs
    assert hhs is not None  # the HHS notice of a foreign minor...
    assert not hhs.is_done  # ... not sent yet: due today
    charges = [
        shown.charge
        for suspect in by_key["prosecution"].context["suspects"]
        for arrest in suspect.arrests
        for shown in arrest.charges
    ]
    assert [(charge.statute, charge.is_trafficking, charge.decision) for charge in charges] == [
        ("Gulf State Rev. Stat. § 14:46.3", True, "pending")
    ]
    assert charges[0].arrest.arresting_agency.short_name == "BPD"


def test_the_years_relief_is_pending_and_expiring_across_agencies(seeded):
    from protection.models import ReliefAction

    today = timezone.localdate()
    pending = ReliefAction.objects.filter(status__in=ReliefAction.OPEN)
    assert pending.values("recorded_by_agency").distinct().count() >= 5
    assert Agency.Kind.VICTIM_SERVICES in set(pending.values_list("recorded_by_agency__kind", flat=True))
    expiring = ReliefAction.objects.filter(
        status=ReliefAction.Status.GRANTED,
        kind__in=[ReliefAction.Kind.CONTINUED_PRESENCE, ReliefAction.Kind.EMPLOYMENT_AUTHORIZATION],
        expires_on__range=(today, today + timedelta(days=90)),
    )
    days = sorted((expires - today).days for expires in expiring.values_list("expires_on", flat=True) if expires)
    assert days == [20, 45, 55, 75, 85]  # within 30 days, 31 to 60 (the Continued Presence's 45) and 61 to 90
