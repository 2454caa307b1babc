"""Two instances of the portal (two ``gunicorn`` processes, as on two machines behind a load balancer) on one
database and one cache behave as one portal: a person signs in on one and continues on the other, a used
authenticator code cannot be replayed on the other, failed sign-ins and rate limits are counted once whichever
instance they reach, and a file stored through one downloads from the other (docs/deployment.md, "More than one
machine").

The instances run the production settings from the environment (``instance_settings`` only swaps the password
hasher for speed) against the test database, so the test's rows must be committed (``transactional_db``); on
SQLite the test database is in the memory of the test process, which no other process can open. The tests of what the
cache holds run once with Redis (skipped when no Redis answers) and once with the database cache that a deployment
without ``REDIS_URL`` gets; the others once, with the database cache.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from agencies import lockout
from cases.models import Document, MeetingPacket, meeting_packet_path
from portal.models import AuditEvent
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.postgres_only(
    reason="the instances open the test database from other processes; SQLite's test database is in memory"
)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WRONG = "not-the-password-at-all"
BOOT_SECONDS = 60


@dataclass
class Instances:
    a: str
    b: str
    files: Path
    cache: str

    def both(self, n: int) -> Iterator[str]:
        """A, B, A, B... ``n`` times: requests spread over the instances as a round-robin load balancer does."""
        return iter([self.a, self.b][i % 2] for i in range(n))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set PORTAL_TEST_REDIS_URL)")


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=BOOT_SECONDS).status_code == 200:
                return
        except requests.ConnectionError:
            pass  # not listening yet
        time.sleep(0.1)
    pytest.fail(f"gunicorn at {base} did not answer /healthz:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def instances(request, django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Instances]:
    """Two gunicorns sharing the test database, the cache (Redis, or the database cache) and a private files
    folder (standing in for the object store or the network file system that machines would share)."""
    if request.param == "redis":
        _redis_or_skip()
    else:
        with django_db_blocker.unblock():
            call_command("createcachetable", "portal_cache")
    files = tmp_path_factory.mktemp("private")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "REDIS_", "AWS_"))},
        "DJANGO_SETTINGS_MODULE": "tests.deployment.instance_settings",
        "DJANGO_DEBUG": "true",  # plain HTTP, static files from the source folders
        "DJANGO_SECRET_KEY": "one-secret-key-for-every-instance-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_EMAIL_BACKEND": "locmem",
        "DATABASE_URL": _database_url(),
        "PORTAL_PRIVATE_MEDIA_ROOT": str(files),
        # One client address fails on several accounts here; the address limit (docs/decisions/0013) is not tested.
        "PORTAL_SIGN_IN_ADDRESS_FAILURES": "1000",
    }
    if request.param == "redis":
        env["REDIS_URL"] = REDIS_URL
    processes = []
    bases = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = files.parent / f"gunicorn-{request.param}-{name}.log"
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ]
            with log.open("wb") as output:  # the child keeps its own copy of the descriptor
                process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
            processes.append((process, log))
            bases.append(f"http://127.0.0.1:{port}")
        for (process, log), base in zip(processes, bases, strict=True):
            _wait_until_up(base, process, log)
        yield Instances(a=bases[0], b=bases[1], files=files, cache=request.param)
    finally:
        for process, _log in processes:
            process.terminate()
        for process, _log in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def portal(transactional_db, instances) -> Instances:
    """The instances with an empty shared cache: used codes and rate-limit counts of one test do not reach the next."""
    if instances.cache == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM portal_cache")
    return instances


def _post(browser: requests.Session, url: str, data: dict[str, str], **kwargs) -> requests.Response:
    """A form post as the browser sends it: with the CSRF token of its cookie, not following redirects."""
    token = browser.cookies.get("csrftoken")
    return browser.post(url, data=data, headers={"X-CSRFToken": token or ""}, allow_redirects=False, **kwargs)


def _password(browser: requests.Session, base: str, email: str, password: str = PASSWORD) -> requests.Response:
    browser.get(f"{base}/accounts/login/")  # the CSRF cookie
    return _post(browser, f"{base}/accounts/login/", {"login": email, "password": password, "acknowledge": "on"})


def _code(browser: requests.Session, base: str, code: str) -> requests.Response:
    return _post(browser, f"{base}/accounts/2fa/authenticate/", {"code": code})


def _sign_in(browser: requests.Session, base: str, user) -> None:
    assert _password(browser, base, user.email).headers["Location"] == "/accounts/2fa/authenticate/"
    assert _code(browser, base, totp_code(user)).headers["Location"] == "/"


# What the cache holds is tested with both caches; what the database and the files hold, once.
BOTH_CACHES = pytest.mark.parametrize("instances", ["redis", "database"], indirect=True)
DATABASE_CACHE = pytest.mark.parametrize("instances", ["database"], indirect=True)


@BOTH_CACHES
def test_a_person_signs_in_on_one_instance_and_continues_on_the_other(portal, investigator, le_case):
    browser = requests.Session()
    # The password on A, the authenticator code on B: the half-done sign-in lives in the shared session.
    assert _password(browser, portal.a, investigator.email).headers["Location"] == "/accounts/2fa/authenticate/"
    code = totp_code(investigator)
    assert _code(browser, portal.b, code).headers["Location"] == "/"
    for base in (portal.b, portal.a):
        page = browser.get(f"{base}/cases/{le_case.pk}/", allow_redirects=False)
        assert page.status_code == 200
        assert le_case.number in page.text
    assert AuditEvent.objects.filter(action="auth.login.succeeded", actor=investigator).count() == 1

    # The code just used is spent on both: someone who saw it and knows the password cannot replay it on A.
    intruder = requests.Session()
    _password(intruder, portal.b, investigator.email)
    replayed = _code(intruder, portal.a, code)
    assert replayed.status_code == 200  # the form again, not a redirect into the portal
    assert intruder.get(f"{portal.a}/cases/{le_case.pk}/", allow_redirects=False).status_code == 302

    # Signing out on A ends the session on B.
    assert _post(browser, f"{portal.a}/accounts/logout/", {}).status_code == 302
    assert browser.get(f"{portal.b}/cases/{le_case.pk}/", allow_redirects=False).status_code == 302


@DATABASE_CACHE
def test_failed_sign_ins_spread_over_both_instances_lock_the_account_once(portal, investigator):
    browser = requests.Session()
    answers = [_password(browser, base, investigator.email, WRONG).status_code for base in portal.both(5)]
    assert answers == [200, 200, 200, 200, 403]  # the fifth failure, wherever it lands, locks the account
    assert lockout.is_locked(investigator.email)
    assert AuditEvent.objects.filter(action="auth.account.locked", actor_email=investigator.email).count() == 1
    for base in (portal.a, portal.b):
        refused = _password(requests.Session(), base, investigator.email)
        assert refused.status_code == 403
        assert "This account is locked" in refused.text


@BOTH_CACHES
def test_the_rate_limit_counts_failures_from_one_address_on_both_instances_together(portal, db):
    """allauth refuses an eleventh failed sign-in from one address within a minute; its counts are in the cache.
    Per instance, each would have seen five or six."""
    browser = requests.Session()
    for i, base in enumerate(portal.both(10)):
        answer = _password(browser, base, f"nobody{i}@example.org", WRONG)
        assert "Too many failed login attempts" not in answer.text
    refused = _password(browser, portal.b, "nobody-else@example.org", WRONG)
    assert "Too many failed login attempts" in refused.text


@DATABASE_CACHE
def test_files_stored_through_one_instance_download_from_the_other(
    portal, investigator, coordinator, le_case, task_force
):
    browser = requests.Session()
    _sign_in(browser, portal.a, investigator)
    uploaded = browser.post(
        f"{portal.a}/cases/{le_case.pk}/documents/upload/",
        files={"file": ("statement.pdf", PDF, "application/pdf")},
        headers={"X-CSRFToken": browser.cookies.get("csrftoken") or ""},
        allow_redirects=False,
    )
    assert uploaded.status_code == 302
    document = Document.objects.get()
    download = browser.get(f"{portal.b}/cases/{le_case.pk}/documents/{document.pk}/", allow_redirects=False)
    assert download.status_code == 200
    assert download.content == PDF
    assert AuditEvent.objects.filter(action="cases.document.downloaded").count() == 1

    # A meeting packet as the worker leaves it (on its own machine): the file in the shared storage, the row ready.
    packet = MeetingPacket.objects.create(
        requested_by=coordinator, agency=coordinator.agency, task_force=task_force, meeting_on=timezone.localdate()
    )
    name = FileSystemStorage(location=portal.files).save(meeting_packet_path(packet, ""), ContentFile(PDF))
    now = timezone.now()
    MeetingPacket.objects.filter(pk=packet.pk).update(
        status=MeetingPacket.Status.READY, file=name, finished_at=now, expires_at=now + timedelta(hours=1)
    )
    coordinators_browser = requests.Session()
    _sign_in(coordinators_browser, portal.a, coordinator)
    packet_url = f"{portal.b}/cases/meetings/{packet.pk}/packet.pdf"
    packet_download = coordinators_browser.get(packet_url, allow_redirects=False)
    assert packet_download.status_code == 200
    assert packet_download.content == PDF
    assert AuditEvent.objects.filter(action="cases.meeting_packet.downloaded").count() == 1
