"""Keys: from the environment only, one per task force, several during a rotation."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from deconfliction.subjects import keys

SECRET = "s" * 40


@pytest.fixture
def environment(monkeypatch):
    def set_keys(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("DECONFLICTION_KEYS", raising=False)
        else:
            monkeypatch.setenv("DECONFLICTION_KEYS", value)
        keys.reset()

    yield set_keys
    monkeypatch.undo()
    keys.reset()


def test_the_first_key_is_current_and_every_key_is_read(environment):
    environment(f"new:{'n' * 40}, old:{SECRET}")
    assert keys.current().key_id == "new"
    assert [key.key_id for key in keys.configured()] == ["new", "old"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("nokey", "key_id:secret pairs"),
        (":" + SECRET, "key_id:secret pairs"),
        ("a:short", "at least 32 characters"),
        (f"a b:{SECRET}", "at most 16 letters"),
        (f"a:{SECRET},a:{SECRET}", "twice"),
    ],
)
def test_bad_keys_stop_with_a_message(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.parse(raw)


def test_without_keys_and_debug_off_the_index_refuses(environment, settings):
    settings.DEBUG = False
    environment(None)
    with pytest.raises(ImproperlyConfigured, match="DECONFLICTION_KEYS"):
        keys.current()
    assert [error.id for error in keys.keys_configured()] == ["deconfliction.E001"]


def test_in_debug_a_development_key_is_used(environment, settings):
    settings.DEBUG = True
    environment(None)
    assert keys.current().key_id == "dev"
    assert keys.keys_configured() == []


def test_digests_differ_per_task_force_key_and_kind():
    key = keys.Key("a", SECRET.encode())
    other = keys.Key("b", ("t" * 40).encode())
    base = keys.digest(key, 1, "phone", "+17135550142")
    assert len(base) == 64
    assert int(base, 16) >= 0
    assert base == keys.digest(key, 1, "phone", "+17135550142")
    assert base != keys.digest(key, 2, "phone", "+17135550142")
    assert base != keys.digest(other, 1, "phone", "+17135550142")
    assert base != keys.digest(key, 1, "handle", "+17135550142")
    assert "7135550142" not in base


def test_a_keys_repr_never_shows_its_secret():
    key = keys.Key("k1", b"s" * 40)
    assert "s" * 40 not in repr(key)
    assert "s" * 40 not in str(key)
    assert "k1" in repr(key)
