"""When two operations are in the same place at the same time: pure functions, no database.

A place is a point with a radius. A point from a ZIP code is the ZIP's centre, which may lie a few kilometres
from the operation: such a place compares with at least ``ZIP_RADIUS_M`` (docs/decisions/0031).
"""

import math
from dataclasses import dataclass
from datetime import datetime

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
RADIUS_MIN_M, RADIUS_MAX_M, RADIUS_DEFAULT_M = 50, 5_000, 300
ZIP_RADIUS_M = 2_000  # the extent of a typical urban ZIP code around its centre
# The widest radius any place compares with: how far the detection's bounding box must reach beyond one's own.
WIDEST_RADIUS_M = max(RADIUS_MAX_M, ZIP_RADIUS_M)
METRES_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    radius_m: int
    from_zip: bool = False

    @property
    def reach_m(self) -> int:
        """The radius this place compares with: its own, widened to a ZIP's extent when the point is a ZIP's
        centre."""
        return max(self.radius_m, ZIP_RADIUS_M) if self.from_zip else self.radius_m


def distance_m(a: Place, b: Place) -> float:
    """Great-circle distance (haversine) between two places' points, in metres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(b.longitude - a.longitude) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def places_overlap(a: Place, b: Place) -> bool:
    """Whether the two circles touch: the distance is at most the sum of the radii they compare with."""
    return distance_m(a, b) <= a.reach_m + b.reach_m


def overlap_window(
    a_starts: datetime, a_ends: datetime, b_starts: datetime, b_ends: datetime
) -> tuple[datetime, datetime] | None:
    """The time both windows share, or None. Windows are half-open: one ending at 10:00 and one starting at 10:00
    do not overlap."""
    starts, ends = max(a_starts, b_starts), min(a_ends, b_ends)
    return (starts, ends) if starts < ends else None


def bounding_box(place: Place, metres: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) that holds every point within ``metres`` of ``place``: the indexed first
    cut before the exact distance. Generous near the poles (the longitude span is capped at the whole circle)."""
    dlat = metres / METRES_PER_DEGREE_LATITUDE
    cos_lat = math.cos(math.radians(min(89.0, abs(place.latitude) + dlat)))
    dlon = min(180.0, metres / (METRES_PER_DEGREE_LATITUDE * max(cos_lat, 1e-6)))
    return place.latitude - dlat, place.latitude + dlat, place.longitude - dlon, place.longitude + dlon
