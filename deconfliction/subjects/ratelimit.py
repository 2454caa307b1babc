"""The per-person limit on checks (decision 0030): a fixed window counted in Django's cache, as the tips API counts
its calls, so nobody can walk the index by trying values one after another."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = (20, timedelta(hours=1))


def rate() -> tuple[int, timedelta]:
    return getattr(settings, "DECONFLICTION_CHECK_RATE", DEFAULT_RATE)


def _window(user_id: int) -> tuple[str, int, int]:
    limit, length = rate()
    seconds = max(1, int(length.total_seconds()))
    now = time.time()
    slot = int(now // seconds)
    return f"deconfliction-check:{user_id}:{slot}", limit, max(1, int((slot + 1) * seconds - now + 0.999))


def take(user_id: int) -> int | None:
    """Count one check for ``user_id``: None when allowed, else the seconds until the window ends (not counted)."""
    key, limit, left = _window(user_id)
    if (cache.get(key) or 0) >= limit:
        return left
    cache.add(key, 0, timeout=left + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=left + 1)
        count = 1
    return left if count > limit else None
