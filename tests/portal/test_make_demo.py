"""The two commands on a fresh machine: ``make demo`` and ``make test`` choose Python 3.13 explicitly (or say how to
get it), ``make demo PORT=8080`` serves there, and the links in the portal's e-mails follow ``PORTAL_BASE_URL``,
which the demo sets from the port.

The Makefile is read with ``make -n`` (printed, not run) or, where nothing can be installed, run in an empty
folder whose PATH holds only stand-in Pythons.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from cases.models import CaseParticipant
from referrals import tasks
from referrals.models import Notification
from tests.factories import sent_referral
from tests.helpers import post_password
from tests.services_directory.factories import listed_service

REPO_ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = REPO_ROOT / "Makefile"
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _make(*args: str, cwd: Path = REPO_ROOT, path: str | None = None) -> subprocess.CompletedProcess:
    assert MAKE is not None
    env = {key: value for key, value in os.environ.items() if key not in {"PORTAL_BASE_URL", "PORT", "PYTHON"}}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [MAKE, "--no-print-directory", "-f", str(MAKEFILE), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _manage_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "manage.py" in line]


@pytest.mark.parametrize(("args", "port"), [((), "8000"), (("PORT=8080",), "8080")])
def test_make_demo_serves_on_the_port_given_and_every_command_gets_the_base_url_of_its_links(args, port):
    result = _make("-n", "demo", *args)

    assert result.returncode == 0, result.stderr
    assert f"manage.py runserver 127.0.0.1:{port}" in result.stdout
    lines = _manage_lines(result.stdout)
    assert {"seed_demo", "run_worker", "runserver"} <= {word for line in lines for word in line.split()}
    assert all(f"PORTAL_BASE_URL=http://127.0.0.1:{port} " in line for line in lines), lines


def test_a_base_url_given_to_make_demo_wins_over_the_port():
    result = _make("-n", "demo", "PORT=8080", "PORTAL_BASE_URL=https://portal.example")

    assert "manage.py runserver 127.0.0.1:8080" in result.stdout
    assert all("PORTAL_BASE_URL=https://portal.example " in line for line in _manage_lines(result.stdout))


def test_the_base_url_make_demo_passes_is_the_one_the_portal_reads():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PORTAL_"))}
    read = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", read],
        cwd=REPO_ROOT,
        env={**env, "DJANGO_DEBUG": "true", "PORTAL_BASE_URL": "http://127.0.0.1:8080/"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8080"


def _stand_in(folder: Path, name: str, exit_code: int) -> None:
    """A ``name`` that answers the Makefile's "are you 3.13?" with ``exit_code`` (0: yes; 127: pyenv's shim for a
    version that is not installed)."""
    program = folder / name
    program.write_text(f"#!/bin/bash\nexit {exit_code}\n", encoding="utf-8")
    program.chmod(0o755)


YES, NO, SHIM_WITHOUT_VERSION = 0, 1, 127


@pytest.mark.parametrize(
    ("python313", "python3", "chosen"),
    [
        (YES, NO, "python3.13"),  # e.g. pyenv, or Debian 12 with a python3.13 beside its 3.11
        (YES, YES, "python3.13"),
        (None, YES, "python3"),  # Debian 13: python3 is 3.13
        (SHIM_WITHOUT_VERSION, YES, "python3"),
        (None, NO, None),
        (SHIM_WITHOUT_VERSION, None, None),
    ],
)
def test_make_creates_the_virtualenv_with_python_3_13_or_says_how_to_get_it(tmp_path, python313, python3, chosen):
    bin_folder, project = tmp_path / "bin", tmp_path / "project"
    bin_folder.mkdir()
    project.mkdir()
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    for name, exit_code in (("python3.13", python313), ("python3", python3)):
        if exit_code is not None:
            _stand_in(bin_folder, name, exit_code)

    if chosen is not None:
        result = _make("-n", "venv", cwd=project, path=str(bin_folder))
        assert result.returncode == 0, result.stderr
        assert f"{chosen} -m venv .venv" in result.stdout
        assert f"Creating .venv with {chosen}" in result.stdout
    else:
        result = _make("venv", cwd=project, path=str(bin_folder))  # stops before running anything
        assert result.returncode != 0
        assert "The portal needs Python 3.13" in result.stderr
        assert "make PYTHON=/path/to/python3.13" in result.stderr
        assert not (project / ".venv").exists()


def test_make_test_installs_what_the_demo_needs_too():
    result = _make("-n", "test")

    assert result.returncode == 0, result.stderr
    for needed in ("msgfmt", "import weasyprint", "chromium", "pdftoppm"):
        assert needed in result.stdout


@override_settings(PORTAL_BASE_URL="http://127.0.0.1:8080")
def test_the_lock_notice_links_to_the_portals_base_url(django_capture_on_commit_callbacks, investigator, agency_admin):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            post_password(Client(), investigator.email, "not-the-password")

    [message] = mail.outbox
    assert f"http://127.0.0.1:8080{reverse('people')}" in message.body


@override_settings(PORTAL_BASE_URL="http://127.0.0.1:8080")
def test_a_referrals_notice_links_to_the_portals_base_url(le_case, ngo, investigator, colleague):
    victim = le_case.participants.get(role=CaseParticipant.Role.VICTIM).person
    referral = sent_referral(le_case, victim, listed_service(name="Harbor House", agency=ngo), by=investigator)
    notice = Notification.objects.create(user=colleague, referral=referral, verb="send")

    assert tasks.email_notifications.call([notice.pk]) == 1

    [message] = mail.outbox
    assert f"http://127.0.0.1:8080{reverse('referral_detail', args=[referral.pk])}" in message.body
