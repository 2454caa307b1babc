"""The ranked search: what it keeps, in which order, and why it says so."""

import math
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from services_directory.geo import resolve
from services_directory.models import Service
from services_directory.selectors import SearchCriteria, results_for_page, service_search
from tests.services_directory.factories import ScheduleFactory, listed_service

pytestmark = pytest.mark.django_db

DOWNTOWN = (29.7594, -95.3594)  # ZIP 77002
GALVESTON = (29.2804, -94.8553)  # about 45 miles away
PASADENA = (29.6911, -95.2091)  # about 10 miles away


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Miles between two points, computed apart from the SQL under test."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(a))


def names(criteria: SearchCriteria, **kwargs) -> list[str]:
    return [s.name for s in service_search(criteria, **kwargs)]


def local(day: str, hour: int, minute: int = 0) -> datetime:
    """A moment in the portal's time zone (America/Chicago): travel there, not to a bare date."""
    moment = datetime.combine(datetime.fromisoformat(day).date(), time(hour, minute))
    return timezone.make_aware(moment, timezone.get_current_timezone())


def test_distance_orders_services_nearest_first_and_the_radius_cuts():
    listed_service(name="Far", latitude=GALVESTON[0], longitude=GALVESTON[1])
    listed_service(name="Near", latitude=DOWNTOWN[0], longitude=DOWNTOWN[1])
    listed_service(name="Middle", latitude=PASADENA[0], longitude=PASADENA[1])
    listed_service(name="Phone only", latitude=None)
    origin = resolve("77002")

    assert names(SearchCriteria(near=origin)) == ["Near", "Middle", "Far", "Phone only"]
    assert names(SearchCriteria(near=origin, within_miles=25)) == ["Near", "Middle"]
    distances = [s.distance for s in service_search(SearchCriteria(near=origin, within_miles=100))]
    expected = [haversine(origin.latitude, origin.longitude, *place) for place in (DOWNTOWN, PASADENA, GALVESTON)]
    assert distances == pytest.approx(expected, abs=0.01)
    assert [round(d) for d in distances] == [0, 10, 45]


def test_the_nearest_of_a_services_locations_counts():
    from services_directory.models import ServiceAtLocation
    from tests.services_directory.factories import LocationFactory

    two_sites = listed_service(name="Two sites", latitude=GALVESTON[0], longitude=GALVESTON[1])
    ServiceAtLocation.objects.create(
        service=two_sites, location=LocationFactory(latitude=DOWNTOWN[0], longitude=DOWNTOWN[1])
    )
    listed_service(name="Pasadena", latitude=PASADENA[0], longitude=PASADENA[1])

    assert names(SearchCriteria(near=resolve("77002"))) == ["Two sites", "Pasadena"]


def test_categories_and_words_filter():
    listed_service(name="Harbor Legal Clinic", categories=("legal_immigration",), description="T visas and U visas")
    listed_service(name="Night Shelter", categories=("emergency_shelter",))
    listed_service(name="Family Center", categories=("emergency_shelter", "child_care"))

    assert names(SearchCriteria(categories=["emergency_shelter"])) == ["Family Center", "Night Shelter"]
    assert names(SearchCriteria(categories=["child_care", "legal_immigration"])) == [
        "Family Center",
        "Harbor Legal Clinic",
    ]
    assert names(SearchCriteria(text="visas")) == ["Harbor Legal Clinic"]


def test_inactive_services_are_not_found():
    listed_service(name="Closed", status=Service.Status.TEMPORARILY_CLOSED)
    listed_service(name="Open")

    assert names(SearchCriteria()) == ["Open"]


def test_eligibility_ranks_eligible_then_unstated_then_not_eligible():
    listed_service(name="Adults only", minimum_age=18, accepts_minors=False)
    listed_service(name="Youth", minimum_age=12, maximum_age=24, accepts_minors=True)
    listed_service(name="Unstated")
    criteria = SearchCriteria(age=16)

    ranked = list(service_search(criteria))

    assert [s.name for s in ranked] == ["Youth", "Unstated", "Adults only"]
    reasons = {r.service.name: r.reasons[0] for r in results_for_page(ranked, criteria, viewer=None)}
    assert reasons["Youth"].good is True
    assert reasons["Unstated"].good is None
    assert "minors" in reasons["Unstated"].text
    assert reasons["Adults only"].good is False
    assert reasons["Adults only"].text == "Not eligible: ages 18 and over; no minors"
    assert names(SearchCriteria(age=16, eligible_only=True)) == ["Youth", "Unstated"]


def test_immigration_status_and_gender_are_eligibility():
    listed_service(name="Anyone", accepts_without_status=True)
    listed_service(name="Citizens", accepts_without_status=False)
    listed_service(name="Women", accepts_without_status=True, genders_served="F")

    assert names(SearchCriteria(without_status=True, gender="M", eligible_only=True)) == ["Anyone"]
    assert names(SearchCriteria(without_status=True, gender="F", eligible_only=True)) == ["Anyone", "Women"]


def test_capacity_ranks_fresh_availability_first_and_stale_reports_below():
    listed_service(name="Full", capacity=Service.Capacity.FULL)
    listed_service(name="Stale available", capacity=Service.Capacity.AVAILABLE, capacity_age=timedelta(days=9))
    listed_service(name="Waitlist", capacity=Service.Capacity.WAITLIST)
    listed_service(name="Available", capacity=Service.Capacity.AVAILABLE, capacity_count=3)
    listed_service(name="Not reported")

    ranked = list(service_search(SearchCriteria()))

    assert [s.name for s in ranked] == ["Available", "Waitlist", "Stale available", "Not reported", "Full"]
    reasons = {r.service.name: r.reasons[0].text for r in results_for_page(ranked, SearchCriteria(), viewer=None)}
    assert reasons["Available"].startswith("Available (3 open), updated")
    assert "not confirmed for 9 days" in reasons["Stale available"]
    assert names(SearchCriteria(available_only=True)) == ["Available"]  # a stale "available" is no bed tonight


def test_language_ranks_and_filters_across_code_forms():
    listed_service(name="English", languages=("en",))
    listed_service(name="Spanish (ISO 639-2)", languages=("spa",))
    listed_service(name="Spanish (regional)", languages=("es-MX", "en"))

    assert names(SearchCriteria(languages=["es"])) == ["Spanish (ISO 639-2)", "Spanish (regional)", "English"]
    assert names(SearchCriteria(languages=["es"], language_required=True)) == [
        "Spanish (ISO 639-2)",
        "Spanish (regional)",
    ]


def test_rank_order_is_eligibility_then_capacity_then_language_then_distance():
    listed_service(name="Near, wrong language", languages=("en",), capacity=Service.Capacity.AVAILABLE)
    listed_service(
        name="Far, right language",
        languages=("es",),
        capacity=Service.Capacity.AVAILABLE,
        latitude=GALVESTON[0],
        longitude=GALVESTON[1],
    )
    listed_service(name="Near, full", languages=("es",), capacity=Service.Capacity.FULL)
    listed_service(name="Ineligible", languages=("es",), capacity=Service.Capacity.AVAILABLE, minimum_age=21)

    assert names(SearchCriteria(languages=["es"], near=resolve("77002"), age=19)) == [
        "Far, right language",
        "Near, wrong language",
        "Near, full",
        "Ineligible",
    ]


def test_open_now_reads_weekly_hours_in_local_time():
    weekdays = listed_service(name="Weekdays 9-5")
    ScheduleFactory(service=weekdays)
    nights = listed_service(name="Nights 20-08")
    ScheduleFactory(service=nights, byday="MO,TU,WE,TH,FR,SA,SU", opens_at="20:00", closes_at="08:00")
    always = listed_service(name="Always")
    ScheduleFactory(service=always, byday="", opens_at="00:00", closes_at="00:00")
    listed_service(name="No hours")
    criteria = SearchCriteria(open_now=True)

    with time_machine.travel(local("2026-11-23", 10), tick=False):  # a Monday morning
        assert names(criteria) == ["Always", "Weekdays 9-5"]
    with time_machine.travel(local("2026-11-28", 23), tick=False):  # a Saturday night
        assert names(criteria) == ["Always", "Nights 20-08"]
    with time_machine.travel(local("2026-11-23", 17), tick=False):  # closing time is closed
        assert names(criteria) == ["Always"]


def test_open_now_honours_a_schedules_own_utc_offset():
    eastern = listed_service(name="Eastern office")
    ScheduleFactory(service=eastern, timezone=-5, opens_at="09:00", closes_at="17:00")

    # 08:30 in Chicago (UTC-6) is 09:30 at UTC-5.
    with time_machine.travel(local("2026-11-23", 8, 30), tick=False):
        assert names(SearchCriteria(open_now=True)) == ["Eastern office"]


def test_schedules_outside_their_validity_do_not_open():
    expired = listed_service(name="Summer only")
    ScheduleFactory(service=expired, byday="", valid_to=datetime(2026, 8, 31).date())

    with time_machine.travel(local("2026-11-23", 10), tick=False):
        assert names(SearchCriteria(open_now=True)) == []


def test_a_page_of_results_costs_the_same_queries_for_3_and_for_30_services(
    django_assert_max_num_queries, investigator
):
    def run() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        criteria = SearchCriteria(languages=["es"], near=resolve("77002"), age=30, open_now=True)
        with CaptureQueriesContext(connection) as captured:
            page = list(service_search(criteria)[:20])
            results_for_page(page, criteria, investigator)
        return len(captured)

    for index in range(3):
        listed_service(name=f"A{index}", languages=("es", "en"))
    few = run()
    for index in range(27):
        listed_service(name=f"B{index}", languages=("vi",), latitude=29.7 + index / 100)
    assert run() == few
    assert few <= 8


def test_open_now_asks_each_utc_offset_once_however_many_schedules_have_it():
    for index in range(5):
        ScheduleFactory(service=listed_service(name=f"Eastern {index}"), timezone=-5)

    sql = str(service_search(SearchCriteria(open_now=True)).query)

    # Once per EXISTS (hours of the service, of it at a location, of a location), in the SELECT and the WHERE.
    assert sql.count('"timezone" = -5.0') == 6


def test_overnight_hours_belong_to_the_day_they_open():
    night = listed_service(name="Friday night drop-in")
    ScheduleFactory(service=night, byday="FR", opens_at="22:00", closes_at="06:00")
    criteria = SearchCriteria(open_now=True)

    assert names(criteria, now=local("2026-12-04", 23)) == ["Friday night drop-in"]  # Friday 23:00
    assert names(criteria, now=local("2026-12-05", 2)) == ["Friday night drop-in"]  # Saturday 02:00
    assert names(criteria, now=local("2026-12-04", 2)) == []  # Friday 02:00 is Thursday's night
    assert names(criteria, now=local("2026-12-05", 23)) == []  # Saturday 23:00


def test_hours_given_on_a_location_count_for_open_now():
    clinic = listed_service(name="Clinic")
    ScheduleFactory(location=clinic.service_at_locations.get().location, byday="", opens_at="00:00", closes_at="00:00")

    assert names(SearchCriteria(open_now=True), now=local("2026-12-04", 12)) == ["Clinic"]


def test_a_recurrence_that_has_ended_is_not_open():
    ended = listed_service(name="Winter shelter 2025")
    ScheduleFactory(service=ended, byday="", opens_at="00:00", closes_at="00:00", until=datetime(2026, 3, 31).date())

    assert names(SearchCriteria(open_now=True), now=local("2026-12-04", 12)) == []


def test_a_minor_of_unknown_age_is_not_eligible_for_an_adults_only_service():
    """'Find services' knows only that the person is a minor when the viewer may not read the date of birth."""
    listed_service(name="Adults' shelter", minimum_age=18)  # whether it takes minors is not stated
    listed_service(name="Anyone's shelter")

    ranked = list(service_search(SearchCriteria(is_minor=True)))

    assert [(s.name, s.eligibility_rank) for s in ranked] == [("Anyone's shelter", 1), ("Adults' shelter", 2)]
