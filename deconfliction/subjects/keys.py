"""The keys of the deconfliction index: one environment secret, one derived key per task force (decision 0030).

``DECONFLICTION_KEYS`` (or the file named by ``DECONFLICTION_KEYS_FILE``) lists ``key_id:secret`` pairs separated by
commas. The first is current: every entry is written under it. The others are still read while
``manage.py rotate_deconfliction_key`` re-derives the index under the current one, so a check made during a rotation
still finds an entry written under the old key. A task force's key is HMAC-SHA256(secret, "task-force:<pk>"):
an index copied out of the database is useless without the secret, and one task force's digests say nothing of
another's. No key is ever stored in the database, only its id.

With ``DJANGO_DEBUG`` on (the demo) and no keys, a fixed development key is used, as ``portal/settings.py`` does for
``SECRET_KEY``; with it off, using the index raises ``ImproperlyConfigured`` (and ``check --deploy`` says so).
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_secret

DEV_KEYS = "dev:deconfliction-insecure-demo-only-key-never-use-in-production"
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Key:
    key_id: str
    secret: bytes = field(repr=False)  # never in a log line, a traceback's locals or an error page

    def for_task_force(self, task_force_id: int) -> bytes:
        return hmac.new(self.secret, f"task-force:{task_force_id}".encode(), hashlib.sha256).digest()


def parse(raw: str) -> tuple[Key, ...]:
    """The keys of ``raw`` (``id:secret,id:secret``), current first; ``ImproperlyConfigured`` naming the fault."""
    keys: list[Key] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not key_id or not secret:
            raise ImproperlyConfigured("DECONFLICTION_KEYS lists key_id:secret pairs separated by commas.")
        if len(key_id) > 16 or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured("A DECONFLICTION_KEYS key id is at most 16 letters, digits, - or _.")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(f"A DECONFLICTION_KEYS secret has at least {MIN_SECRET_LENGTH} characters.")
        if any(key.key_id == key_id for key in keys):
            raise ImproperlyConfigured(f"DECONFLICTION_KEYS names the key id {key_id!r} twice.")
        keys.append(Key(key_id, secret.encode()))
    return tuple(keys)


@cache
def _configured() -> tuple[Key, ...]:
    raw = env_secret("DECONFLICTION_KEYS") or ""
    if not raw.strip():
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "DECONFLICTION_KEYS (or DECONFLICTION_KEYS_FILE) must be set when DJANGO_DEBUG is off: "
                "key_id:secret pairs, the current one first."
            )
        raw = DEV_KEYS
    return parse(raw)


def configured() -> tuple[Key, ...]:
    """Every configured key, the current one first."""
    return _configured()


def current() -> Key:
    return _configured()[0]


def reset() -> None:
    """Read the environment again (tests, and a rotation run in the same process as a key change)."""
    _configured.cache_clear()


def digest(key: Key, task_force_id: int, kind: str, normalised: str) -> str:
    """The index's only trace of an identifier: 64 hex characters, keyed per task force."""
    message = f"{kind}\x1f{normalised}".encode()
    return hmac.new(key.for_task_force(task_force_id), message, hashlib.sha256).hexdigest()


@register(deploy=True)
def keys_configured(**kwargs: object) -> list[CheckMessage]:
    try:
        _configured()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="deconfliction.E001")]
    return []
