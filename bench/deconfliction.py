"""Subject deconfliction at 1,000,000 index entries, timed on the database DATABASE_URL names (SQLite when unset).

Run through ``make bench-deconfliction`` (both databases, side by side). It builds a throwaway test database, fills
the index in bulk (one task force of 20 agencies, random digests, a few planted to match), and times, as the median
of several runs:

- the baseline: a plain indexed lookup of one digest (``task_force`` and ``digest``, the index the check uses);
- the matching of one check (``services._candidates``: a phone, an e-mail and a name with its date of birth, that
  is four identifiers under each of two keys, as during a rotation) against other agencies' entries;
- the whole check as the page makes it (``services.check_subject``: its transaction, the conflict found again, the
  audit row), for a law-enforcement caseworker, with one match.

It prints milliseconds, queries, and the ratios against the baseline. Goal: the whole check under 50 ms on
PostgreSQL. Nothing here passes or fails: tests check what is told to whom; this prints what a check costs.
"""

import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
os.environ.setdefault("DECONFLICTION_KEYS", "new:" + "n" * 40 + ",old:" + "o" * 40)
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency, Role, TaskForce, TaskForceMember, User  # noqa: E402
from agencies.roles import sync_role_groups  # noqa: E402
from agencies.services import agency_create, membership_create  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.services import case_create  # noqa: E402
from deconfliction.subjects import keys, normalise, services  # noqa: E402
from deconfliction.subjects.models import SubjectEntry  # noqa: E402

RUNS = 15
ENTRIES = int(os.environ.get("BENCH_DECONFLICTION_ENTRIES", "1000000"))
BATCH = 20_000
AGENCIES = 20
CHECKED = {
    (normalise.Kind.PHONE, normalise.phone("(713) 555-0142")),
    (normalise.Kind.EMAIL, "someone@example.org"),
    *normalise.name_identifiers(["Jose Garcia"], __import__("datetime").date(1990, 5, 1)),
}


def measure(operation: Callable[[], object]) -> tuple[float, int]:
    operation()  # warm-up
    times = []
    with CaptureQueriesContext(connection) as queries:
        operation()
    for _ in range(RUNS):
        start = time.perf_counter()
        operation()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(queries)


def populate(rng: random.Random) -> tuple[TaskForce, list[Agency], User, Case]:
    sync_role_groups()
    task_force = TaskForce.objects.create(name="Bench Task Force")
    agencies = [
        agency_create(name=f"Agency {n}", kind=Agency.Kind.LOCAL_LE if n % 4 else Agency.Kind.VICTIM_SERVICES)
        for n in range(AGENCIES)
    ]
    TaskForceMember.objects.bulk_create(TaskForceMember(task_force=task_force, agency=a) for a in agencies)
    users = []
    for n, agency in enumerate(agencies):
        user = User.objects.create_user(email=f"user{n}@bench.example", full_name=f"User {n}")
        membership_create(user=user, agency=agency, role=Role.CASEWORKER)
        users.append(user)
    today = timezone.localdate()
    key = keys.current()
    written = 0
    while written < ENTRIES:
        rows = []
        for i in range(written, min(ENTRIES, written + BATCH)):
            n = i % AGENCIES
            rows.append(
                SubjectEntry(
                    task_force=task_force,
                    key_id=key.key_id,
                    digest=f"{rng.getrandbits(256):064x}",
                    kind=normalise.Kind.PHONE,
                    agency=agencies[n],
                    contact=users[n],
                    entered_on=today,
                    renew_on=today,
                    source="participant",
                    source_id=i + 1,
                    case_id=i // 4 + 1,
                    person_id=i // 4 + 1,
                )
            )
        SubjectEntry.objects.bulk_create(rows)
        written += len(rows)
    # The planted match: agency 1 holds the checked phone (entry written by the service, as a case would).
    for kind, value in sorted(CHECKED)[:1]:
        SubjectEntry.objects.create(
            task_force=task_force,
            key_id=key.key_id,
            digest=keys.digest(key, task_force.pk, kind, value),
            kind=kind,
            agency=agencies[1],
            contact=users[1],
            renew_on=today,
            source="participant",
            source_id=ENTRIES + 1,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE deconfliction_subjectentry")
    checker = users[2]
    context = case_create(actor=checker, title="Bench context", intake_channel=Case.Channel.LAW_ENFORCEMENT)
    return task_force, agencies, checker, context


def main() -> None:
    logging.getLogger("django.tasks").setLevel(logging.WARNING)  # the e-mail task of the first check's notices
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    rng = random.Random(2026)  # noqa: S311  (made-up data, the same every run)
    try:
        print(f"database: {connection.vendor}")
        start = time.perf_counter()
        task_force, agencies, checker, context = populate(rng)
        print(f"{SubjectEntry.objects.count():,} entries loaded in {time.perf_counter() - start:.0f} s")
        probe = SubjectEntry.objects.order_by("-pk").values_list("digest", flat=True)[5000]
        items = [
            services.Wanted(
                task_force_id=task_force.pk,
                kind=kind,
                normalised=value,
                agency=agencies[2],
                contact=checker,
                source="check",
                source_id=context.pk,
            )
            for kind, value in sorted(CHECKED)
        ]
        operations: dict[str, Callable[[], object]] = {
            "plain indexed lookup of one digest (baseline)": lambda: list(
                SubjectEntry.objects.filter(task_force=task_force, digest=probe).values_list("pk", flat=True)
            ),
            "matching of one check (4 identifiers x 2 keys)": lambda: services._candidates(
                items, law_enforcement_only=False
            ),
            "whole check (transaction, conflict, audit)": lambda: services.check_subject(
                user=checker, context=context, identifiers=CHECKED
            ),
        }
        results = {name: measure(operation) for name, operation in operations.items()}
        baseline = results["plain indexed lookup of one digest (baseline)"][0]
        print(f"{'operation':50} {'ms':>8} {'queries':>8} {'/baseline':>10}")
        for name, (ms, queries) in results.items():
            print(f"{name:50} {ms:8.2f} {queries:8d} {ms / baseline:10.1f}")
        whole = results["whole check (transaction, conflict, audit)"][0]
        print(f"whole check under 50 ms: {'yes' if whole < 50 else 'NO'} ({whole:.1f} ms)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql, params = SubjectEntry.objects.filter(
                    task_force_id__in=[task_force.pk], digest__in=[probe, probe[::-1]]
                ).query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print("digest index used:", "subject_entry_digest_idx" in plan)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
