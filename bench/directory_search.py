"""Directory search at scale: 5,000 services, timed on the database DATABASE_URL names (SQLite when unset).

Run through ``make bench`` (both databases, side by side). It builds a throwaway test database, fills it in bulk,
and times each operation as the median of several runs, printing milliseconds, queries, and ratios measured in
the same run: the ranked search against a plain category list, and 5,000 services against 500.

Nothing here is a pass/fail test: tests check query counts; this prints what the queries cost.
"""

import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.categories import NeedCategory  # noqa: E402
from services_directory import models as directory  # noqa: E402
from services_directory.geo import resolve  # noqa: E402
from services_directory.hsds.exporting import service_documents, service_summary  # noqa: E402
from services_directory.selectors import SearchCriteria, results_for_page, service_search  # noqa: E402
from services_directory.services import portal_taxonomy_ensure  # noqa: E402
from services_directory.taxonomies import portal_term_id  # noqa: E402

RUNS = 7
# A weekday noon in the portal's time zone, so that "open now" finds the weekday hours every run.
NOON = timezone.make_aware(datetime(2026, 11, 23, 12, 0))
WORDS = ["legal", "shelter", "clinic", "counseling", "pantry", "housing", "job", "school", "interpreter", "care"]
LANGUAGES = ["en", "es", "vi", "zh", "tl", "ht", "ar", "pt", "fr", "ru"]


def populate(count: int, rng: random.Random, start: int = 0) -> None:
    """``count`` services around Houston in bulk: one location each, with an address, languages, categories and
    weekday hours."""
    portal_taxonomy_ensure()
    organizations = [
        directory.Organization(name=f"Provider {start + i}", description="A provider.") for i in range(0, count, 10)
    ]
    directory.Organization.objects.bulk_create(organizations)
    services, locations, addresses, links, languages, attributes, schedules = [], [], [], [], [], [], []
    categories = list(NeedCategory.values)
    for i in range(count):
        number = start + i
        service = directory.Service(
            organization=organizations[i // 10],
            name=f"{rng.choice(WORDS).title()} service {number}",
            description=f"{rng.choice(WORDS)} {rng.choice(WORDS)} for survivors, number {number}",
            capacity=rng.choice(directory.Service.Capacity.values),
            minimum_age=rng.choice([None, 12, 18, 21]),
            accepts_minors=rng.choice([None, True, False]),
        )
        location = directory.Location(
            name=f"Site {number}",
            latitude=29.76 + rng.uniform(-1.0, 1.0),
            longitude=-95.36 + rng.uniform(-1.0, 1.0),
            is_confidential=rng.random() < 0.1,
        )
        services.append(service)
        locations.append(location)
        addresses.append(
            directory.Address(
                location=location,
                address_1=f"{number} Main Street",
                city="Houston",
                state_province="TX",
                postal_code="77002",
                country="US",
                address_type="physical",
            )
        )
        links.append(directory.ServiceAtLocation(service=service, location=location))
        for code in rng.sample(LANGUAGES, 2):
            languages.append(directory.Language(id=uuid.uuid4(), service=service, code=code, name=code))
        for category in rng.sample(categories, 2):
            attributes.append(
                directory.Attribute(
                    link_id=service.id, taxonomy_term_id=portal_term_id(category), link_entity="service"
                )
            )
        schedules.append(
            directory.Schedule(
                service=service, freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at=clock(9), closes_at=clock(17)
            )
        )
    tables: list[list[Any]] = [services, locations, addresses, links, languages, attributes, schedules]
    for table in tables:
        type(table[0])._default_manager.bulk_create(table, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum would after a load this size: without statistics the planner nests loops over
            # whole tables (measured: 30 s for the ranked search at 5,000 services, against milliseconds).
            cursor.execute("ANALYZE")


def measure(operation: Callable[[], object]) -> tuple[float, int]:
    """Median milliseconds over ``RUNS`` runs (after one warm-up), and the queries of one run."""
    operation()
    with CaptureQueriesContext(connection) as captured:
        operation()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        operation()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(captured)


def operations() -> dict[str, Callable[[], object]]:
    origin = resolve("77002")
    ranked = SearchCriteria(
        categories=["emergency_shelter"], languages=["es"], near=origin, within_miles=50, age=19, open_now=True
    )

    def search(criteria: SearchCriteria, offset: int = 0) -> Callable[[], object]:
        def run() -> object:
            page = list(service_search(criteria, now=NOON)[offset : offset + 20])
            assert page, "a benchmark of an empty page measures nothing"
            return results_for_page(page, criteria, None, now=NOON)

        return run

    def plain() -> object:
        """The category's services by name, no ranking: what a directory without it would show."""
        offers = directory.Attribute.objects.filter(taxonomy_term__category="emergency_shelter").values("link_id")
        page = list(
            directory.Service.objects.select_related("organization").filter(id__in=offers).order_by("name")[:20]
        )
        return results_for_page(page, SearchCriteria(), None)

    return {
        "plain category list, page 1 (baseline)": plain,
        "ranked search, page 1": search(ranked),
        "ranked search, page 2": search(ranked, offset=20),
        "ranked search, everything near 77002": search(SearchCriteria(near=origin)),
        "text search 'legal'": search(SearchCriteria(text="legal")),
        "API list page (50 summaries)": lambda: [
            service_summary(s) for s in directory.Service.objects.select_related("organization").order_by("name")[:50]
        ],
        "API full documents (20)": lambda: service_documents(
            list(directory.Service.objects.order_by("name").values_list("pk", flat=True)[:20])
        ),
    }


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    rng = random.Random(2026)  # noqa: S311  (made-up data, the same every run)
    try:
        print(f"database: {connection.vendor}")
        populate(500, rng)
        small = {name: measure(op) for name, op in operations().items()}
        populate(4500, rng, start=500)
        large = {name: measure(op) for name, op in operations().items()}
        print(f"{'operation':42} {'500 ms':>8} {'5000 ms':>8} {'queries':>8} {'5000/500':>9}")
        for name, (ms, queries) in large.items():
            print(f"{name:42} {small[name][0]:8.1f} {ms:8.1f} {queries:8d} {ms / small[name][0]:9.2f}")
        baseline = large["plain category list, page 1 (baseline)"][0]
        print(
            f"ranked search page 1 / plain category list, at 5,000: {large['ranked search, page 1'][0] / baseline:.2f}"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql, params = service_search(SearchCriteria(text="legal")).query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print("full-text index used:", "directory_service_fts" in plan)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
