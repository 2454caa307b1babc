"""The limits on checks (decision 0030): per person, and per agency so that many accounts of one agency cannot walk
the index together. Fixed windows counted in Django's cache, as the tips API counts its calls; each count is one
atomic ``incr`` (a check past the limit is refused even when two arrive at once)."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = (20, timedelta(hours=1))
DEFAULT_AGENCY_RATE = (200, timedelta(hours=1))


def rate() -> tuple[int, timedelta]:
    return getattr(settings, "DECONFLICTION_CHECK_RATE", DEFAULT_RATE)


def agency_rate() -> tuple[int, timedelta]:
    return getattr(settings, "DECONFLICTION_CHECK_AGENCY_RATE", DEFAULT_AGENCY_RATE)


def _window(scope: str, limit_and_length: tuple[int, timedelta]) -> tuple[str, int, int]:
    limit, length = limit_and_length
    seconds = max(1, int(length.total_seconds()))
    now = time.time()
    slot = int(now // seconds)
    return f"deconfliction-check:{scope}:{slot}", limit, max(1, int((slot + 1) * seconds - now + 0.999))


def _count(key: str, left: int) -> int:
    cache.add(key, 0, timeout=left + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between the two calls: this is the window's first check
        cache.add(key, 0, timeout=left + 1)
        return cache.incr(key)


def take(user_id: int, agency_id: int | None = None) -> int | None:
    """Count one check for the person (and their agency): None when allowed, else the seconds until the window that
    refused it ends. A refused check is not counted against the agency."""
    windows = [_window(f"user:{user_id}", rate())]
    if agency_id is not None:
        windows.append(_window(f"agency:{agency_id}", agency_rate()))
    for key, limit, left in windows:
        if (cache.get(key) or 0) >= limit:
            return left
    for key, limit, left in windows:
        if _count(key, left) > limit:
            return left
    return None
