"""Case packets at the size of a real meeting: the largest demo case, and a 20-case meeting packet.

Run through ``make bench-pdf``. It builds a throwaway test database, loads the demo, and for each document prints
its pages, seconds per page, the process's peak memory while it was made, and the ratio of the whole path (the
view through Django's test client, or the meeting-packet task) to WeasyPrint alone typesetting the same HTML,
measured side by side in this run (goal: at most 1.2). Medians of ``RUNS`` runs after a warm-up.

Nothing here passes or fails: tests check query counts and content; this prints what typesetting costs.
"""

import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Role, User  # noqa: E402
from cases import selectors, services, tasks  # noqa: E402
from cases.models import Case, CaseShare, MeetingPacket  # noqa: E402
from portal import pdf  # noqa: E402

RUNS = 5
MEETING_CASES = 20


def peak_memory_mib(operation: Callable[[], Any]) -> float:
    """The peak of Python's heap above where it started while ``operation`` ran (tracemalloc, in a run of its own:
    it slows the run down). WeasyPrint's boxes, text and PDF objects are Python objects, so this is most of what a
    packet costs; Pango's own buffers are not counted."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _peak = tracemalloc.get_traced_memory()
        operation()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - start) / 2**20


class QueryCounter:
    """Counts the queries of one run, across requests (the test client's request_started resets
    ``connection.queries``, so CaptureQueriesContext sees none of a view's queries)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self,
        execute: Callable[[str, Any, bool, dict[str, Any]], Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> "QueryCounter":
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._wrapper.__exit__(*exc)


class HtmlCapture:
    """Keeps the last HTML a packet sent to WeasyPrint, so WeasyPrint alone can typeset the very same HTML."""

    def __init__(self) -> None:
        self.html = ""
        self.seconds = 0.0  # the last typesetting inside the whole path
        self.original = self._typeset = pdf.typeset

    def __enter__(self) -> "HtmlCapture":
        def capturing(html: str) -> pdf.Typeset:
            self.html = html
            started = time.perf_counter()
            try:
                return self._typeset(html)
            finally:
                self.seconds = time.perf_counter() - started

        pdf.typeset = capturing  # html_to_pdf and the meeting task both call portal.pdf.typeset by name
        tasks.typeset = capturing
        return self

    def __exit__(self, *exc: object) -> None:
        pdf.typeset = self._typeset
        tasks.typeset = self._typeset


def largest_case() -> tuple[Any, User]:
    case = (
        Case.objects.annotate(size=Count("notes", distinct=True) + Count("participants", distinct=True))
        .order_by("-size", "number")
        .first()
    )
    assert case is not None, "the demo has no case"
    viewer = User.objects.filter(_membership__agency=case.lead_agency, _membership__role=Role.CASEWORKER).first()
    assert viewer is not None, "the lead agency has no caseworker"
    return case, viewer


def signed_in_client(user: User) -> Client:
    """A client signed in as a person signs in: the demo password, the system-use notice, the authenticator code."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from agencies.demo import DEMO_PASSWORD, demo_totp_secret

    client = Client()
    data = {"login": user.email, "password": DEMO_PASSWORD, "acknowledge": "on"}
    assert client.post(reverse("account_login"), data)["Location"] == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(demo_totp_secret(user.email), int(time.time()) // 30))
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    return client


def meeting_viewer() -> tuple[User, Any, list[Case]]:
    """The task force's coordinator, their coordination office given a personal-information share on open
    task-force cases until they see ``MEETING_CASES`` of them (a coordination meeting is usually this size)."""
    viewer = User.objects.get(email="carla.diaz@gctf.example")
    task_force = selectors.meeting_task_forces_of(viewer).first()
    agency = viewer.agency
    assert agency is not None, "the demo's coordinator has an agency"
    assert task_force is not None, "the demo's coordination office is in a task force"
    visible = set(selectors.meeting_cases_for(viewer, task_force).values_list("pk", flat=True))
    for case in Case.objects.filter(task_force=task_force).exclude(status=Case.Status.CLOSED).exclude(pk__in=visible):
        if len(visible) >= MEETING_CASES:
            break
        supervisors = User.objects.filter(_membership__agency=case.lead_agency, _membership__role=Role.SUPERVISOR)
        supervisor = supervisors.first()
        if supervisor is None or case.lead_agency_id == agency.pk:
            continue
        services.case_share_grant(
            case=case, agency=agency, level=CaseShare.Level.PERSONAL, reason="Benchmark", actor=supervisor
        )
        visible.add(case.pk)
    cases = list(selectors.meeting_cases_for(viewer, task_force)[:MEETING_CASES])
    return viewer, task_force, cases


def measure(name: str, operation: Callable[[], Any]) -> None:
    """Time ``operation`` (the whole path) and WeasyPrint alone on the HTML it typeset, interleaved run by run so that
    both see the same machine; print one row. "in path" is the typesetting inside the whole path: the rest is
    gathering, templates, saving and the audit."""
    wholes, insides, alones = [], [], []
    with HtmlCapture() as capture:
        operation()  # warm-up: fonts, templates, imports
        alone_typeset = capture.original  # WeasyPrint alone, not through the capture
        alone_typeset(capture.html)
        for _ in range(RUNS):
            started = time.perf_counter()
            operation()
            wholes.append(time.perf_counter() - started)
            insides.append(capture.seconds)
            started = time.perf_counter()
            pages = alone_typeset(capture.html).pages
            alones.append(time.perf_counter() - started)
        with QueryCounter() as queries:
            operation()
    memory = peak_memory_mib(operation)
    whole, inside, alone = statistics.median(wholes), statistics.median(insides), statistics.median(alones)
    print(
        f"{name:36} {pages:5d} {whole:7.2f} {whole / pages:8.3f} {inside:8.2f} {alone:7.2f} {whole / alone:6.2f} "
        f"{memory:8.0f} {queries.count:7d}"
    )


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor}; loading the demo…")
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(
            f"{'document':36} {'pages':>5} {'whole':>7} {'s/page':>8} {'in path':>8} {'alone':>7} {'ratio':>6} "
            f"{'peak MiB':>8} {'queries':>7}"
        )

        # The largest case, through the view (sign-in session, permission checks, selectors, template, audit).
        case, viewer = largest_case()
        client = signed_in_client(viewer)
        url = reverse("case_packet", args=[case.pk])

        def view() -> bytes:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response.content

        measure(f"case {case.number} (view)", view)

        # A 20-case meeting packet, through the service and the task (what db_worker runs).
        meeting_user, task_force, cases = meeting_viewer()

        def meeting() -> MeetingPacket:
            packet = services.meeting_packet_request(
                actor=meeting_user, task_force=task_force, meeting_on=timezone.localdate(), cases=cases
            )
            packet.refresh_from_db()  # the immediate backend built it when the request committed
            assert packet.status == MeetingPacket.Status.READY, packet.status
            return packet

        measure(f"meeting packet, {len(cases)} cases (task)", meeting)
        print("seconds; ratio = whole path / WeasyPrint alone on the same HTML (goal: at most 1.2)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
