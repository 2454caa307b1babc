"""When two operations overlap: the pure geometry, then the same table through the service that plans them."""

from datetime import datetime, timedelta

import pytest

from deconfliction.operations import geometry
from deconfliction.operations.geometry import Place
from deconfliction.operations.models import OperationConflict
from tests.deconfliction.operations.conftest import LATITUDE, LONGITUDE, north, plan, tomorrow_at

T0 = datetime(2026, 12, 5, 10, 0)


def at(metres: float, radius: int = 300, *, from_zip: bool = False) -> Place:
    return Place(north(metres), LONGITUDE, radius, from_zip)


@pytest.mark.parametrize(
    ("metres", "expected"),
    [(0, 0), (250, 250), (700, 700), (1_000, 1_000), (10_000, 10_000)],
)
def test_the_haversine_distance_is_the_metres_along_a_meridian(metres, expected):
    assert geometry.distance_m(at(0), at(metres)) == pytest.approx(expected, abs=0.5)


def test_the_distance_across_a_meridian_shrinks_with_the_latitude():
    east = Place(LATITUDE, LONGITUDE + 0.01, 300)
    assert geometry.distance_m(at(0), east) == pytest.approx(966, abs=2)  # cos(29.756°) * 1,112 m


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (at(0), at(0), True),  # the same place
        (at(0), at(250), True),  # 250 m apart, 300 m each: the circles meet
        (at(0), at(599), True),  # just within the sum of the radii
        (at(0), at(700), False),  # 700 m apart, 300 m each
        (at(0, 50), at(99), True),  # small radii, just within
        (at(0, 50), at(101, 50), False),
        (at(0, from_zip=True), at(2_200), True),  # a ZIP centre reaches 2 km: 2,000 + 300 >= 2,200
        (at(0, from_zip=True), at(2_400), False),
        (at(0, from_zip=True), at(3_999, from_zip=True), True),  # two ZIP centres: 2 km each
        (at(0, 5_000, from_zip=True), at(5_200), True),  # a radius wider than a ZIP's is kept
    ],
)
def test_places_overlap_when_their_circles_meet(a, b, overlap):
    assert geometry.places_overlap(a, b) is overlap
    assert geometry.places_overlap(b, a) is overlap


H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("a", "b", "window"),
    [
        ((T0, T0 + 2 * H), (T0, T0 + 2 * H), (T0, T0 + 2 * H)),
        ((T0, T0 + 2 * H), (T0 + H, T0 + 3 * H), (T0 + H, T0 + 2 * H)),
        ((T0, T0 + 5 * H), (T0 + H, T0 + 2 * H), (T0 + H, T0 + 2 * H)),  # one within the other
        ((T0, T0 + 2 * H), (T0 + 2 * H, T0 + 3 * H), None),  # back to back: half-open windows
        ((T0, T0 + 2 * H), (T0 + 5 * H, T0 + 6 * H), None),
    ],
)
def test_the_overlap_window_is_what_both_windows_share(a, b, window):
    assert geometry.overlap_window(*a, *b) == window
    assert geometry.overlap_window(*b, *a) == window


def test_the_bounding_box_holds_every_point_within_reach():
    place = at(0)
    min_lat, max_lat, min_lon, max_lon = geometry.bounding_box(place, 1_000)
    for bearing_point in (at(999), at(-999), Place(LATITUDE, LONGITUDE + 0.0103, 300)):
        assert min_lat <= bearing_point.latitude <= max_lat
        assert min_lon <= bearing_point.longitude <= max_lon
    assert max_lat - min_lat < 0.02  # and stays a small box: an index range, not a scan


# The same table through the service: two agencies plan, and a conflict opens or not.
SAME_TIME = {"starts_at": tomorrow_at(10), "ends_at": tomorrow_at(12)}
LATER = {"starts_at": tomorrow_at(13), "ends_at": tomorrow_at(15)}


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        pytest.param({}, {}, True, id="same place, same time"),
        pytest.param({}, LATER, False, id="same place, different time"),
        pytest.param({}, {"latitude": north(250)}, True, id="250 m apart with 300 m radii"),
        pytest.param({}, {"latitude": north(700)}, False, id="700 m apart with 300 m radii"),
        pytest.param(
            {"latitude": None, "longitude": None, "zip_code": "77002"},
            {"latitude": 29.7594 + 1_500 / 111_195, "longitude": -95.3594},
            True,
            id="ZIP only: 1.5 km from the ZIP's centre still overlaps",
        ),
        pytest.param(
            {"latitude": None, "longitude": None, "zip_code": "77002"},
            {"latitude": None, "longitude": None, "zip_code": "77550"},  # Galveston, some 70 km away
            False,
            id="ZIP only: two distant ZIPs",
        ),
        pytest.param({"radius_m": 50}, {"latitude": north(120), "radius_m": 50}, False, id="small radii, 120 m"),
    ],
)
def test_planning_opens_a_conflict_exactly_when_time_and_place_overlap(
    investigator, partner_investigator, first, second, conflict
):
    mine = plan(investigator, **(SAME_TIME | first))
    theirs = plan(partner_investigator, **(SAME_TIME | second))
    found = OperationConflict.objects.filter(first=mine, second=theirs)
    assert found.exists() is conflict


def test_operations_of_the_same_agency_never_conflict(investigator, colleague):
    plan(investigator)
    plan(colleague, case_agent=colleague)
    assert not OperationConflict.objects.exists()


def test_an_agency_of_another_task_force_is_not_compared(investigator, outsider):
    plan(investigator)
    plan(outsider)
    assert not OperationConflict.objects.exists()
