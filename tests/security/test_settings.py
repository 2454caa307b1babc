"""Production settings come from the environment, are safe by default, and refuse bad values at start-up.

These tests start ``manage.py`` in a subprocess with ``portal.settings`` (not the test settings), as a deployment
would.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "portal.taskforce.example",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_secret_key_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(50) + "\n")
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY_FILE": str(secret_file)}
    del env["DJANGO_SECRET_KEY"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set"),
        (
            {"DJANGO_SECRET_KEY": None, "DJANGO_SECRET_KEY_FILE": "/nonexistent/secret"},
            "DJANGO_SECRET_KEY_FILE='/nonexistent/secret' cannot be read",
        ),
        (
            {"DJANGO_SECRET_KEY_FILE": "/etc/hostname"},
            "Set either DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE",
        ),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
        (
            {"DJANGO_EMAIL_PORT": "five-eight-seven"},
            "DJANGO_EMAIL_PORT='five-eight-seven' is not a whole number",
        ),
        ({"DJANGO_EMAIL_BACKEND": "pigeon"}, "DJANGO_EMAIL_BACKEND='pigeon'"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(override, message):
    env = {key: value for key, value in {**PRODUCTION_ENV, **override}.items() if value is not None}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_is_off_unless_set():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_makemigrations_runs_without_production_secrets_but_nothing_else_does():
    bare = {"DJANGO_SETTINGS_MODULE": "portal.settings"}
    assert _manage("makemigrations", "--check", "--dry-run", env=bare).returncode == 0
    refused = _manage("check", env=bare)
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set" in refused.stderr
