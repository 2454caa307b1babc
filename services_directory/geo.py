"""Where a search starts from, and how far a service is: US ZIP centroids and city centres from the ``zipcodes``
package (shipped with it, so no geocoder is called at run time), and great-circle distance in SQL.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes
from django.db.models import F, FloatField, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext as _

EARTH_RADIUS_MILES = 3958.8
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_POINT = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_CITY = re.compile(r"^\s*(?P<city>[^,]+?)\s*,\s*(?P<state>[A-Za-z]{2})\s*$")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    label: str


class UnknownPlace(ValueError):
    pass


@lru_cache(maxsize=512)
def resolve(text: str) -> Point:
    """A point from "77002", "Houston, TX" or "29.76,-95.36"; ``UnknownPlace`` with a message a person can act on."""
    text = text.strip()
    if _ZIP.match(text):
        found = zipcodes.matching(text[:5])
        if not found:
            raise UnknownPlace(_("%(zip)s is not a known U.S. ZIP code.") % {"zip": text})
        return Point(float(found[0]["lat"]), float(found[0]["long"]), text[:5])
    point = _POINT.match(text)
    if point:
        latitude, longitude = float(point.group(1)), float(point.group(2))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise UnknownPlace(_("Latitude must be between -90 and 90, longitude between -180 and 180."))
        return Point(latitude, longitude, f"{latitude:.4f}, {longitude:.4f}")
    city = _CITY.match(text)
    if city:
        found = [
            z
            for z in zipcodes.filter_by(city=city.group("city").title(), state=city.group("state").upper())
            if z["lat"] and z["long"]
        ]
        if found:
            latitude = sum(float(z["lat"]) for z in found) / len(found)
            longitude = sum(float(z["long"]) for z in found) / len(found)
            return Point(latitude, longitude, f"{found[0]['city'].title()}, {found[0]['state']}")
    raise UnknownPlace(
        _('"%(text)s" is not a place we know: give a ZIP code (77002), a city and state (Houston, TX) or a point.')
        % {"text": text[:60]}
    )


def distance_miles(origin: Point, latitude_field: str, longitude_field: str) -> CombinedExpression:
    """Haversine distance from ``origin`` to the row's point, in miles, as an SQL expression (PostgreSQL and SQLite,
    where Django provides the math functions)."""
    lat1 = math.radians(origin.latitude)
    lat2 = Radians(F(latitude_field))
    half_dlat = (lat2 - Value(lat1)) / Value(2.0)
    half_dlon = (Radians(F(longitude_field)) - Value(math.radians(origin.longitude))) / Value(2.0)
    a = Power(Sin(half_dlat), 2) + Value(math.cos(lat1)) * Cos(lat2) * Power(Sin(half_dlon), 2)
    return CombinedExpression(Value(2 * EARTH_RADIUS_MILES), "*", ASin(Sqrt(a)), output_field=FloatField())


def bounding_box(origin: Point, miles: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) around ``origin``: a cheap, indexable first cut before the distance."""
    dlat = miles / 69.0
    dlon = miles / max(1e-6, 69.0 * math.cos(math.radians(origin.latitude)))
    return origin.latitude - dlat, origin.latitude + dlat, origin.longitude - dlon, origin.longitude + dlon
