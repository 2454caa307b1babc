"""One database's side of the scale benchmark: a worker process that times operations when asked.

``python -m bench.scale.measure <target>`` opens the target (``database.open_target``: loaded once, reused), signs
in the benchmark's people, then reads commands from stdin, one a line, and answers each with one JSON line on
stdout (everything else goes to stderr):

- ``round``: each operation once, in milliseconds (the parent interleaves the rounds of every worker);
- ``verify``: whether each hand-written SQL returns the selector's rows;
- ``explain``: the sequential scans in the plans of every query the pages issue (PostgreSQL);
- ``cookie <who>``: a session cookie of that person, for the load test under gunicorn;
- ``dashboard``: the queries of each dashboard page (the page's, and those of its charts);
- ``explain-dashboard``: ``EXPLAIN (ANALYZE, BUFFERS)`` of every chart query of the dashboards (PostgreSQL);
  ``--no-dashboard`` after the target leaves the dashboards out (their reads of a large database evict pages the
  other pages would find in the cache);
- ``quit``.

The operations: the selector's visible-cases queries (count and first page of ids: the SQL the selector compiles,
captured once and executed as sent, then the whole call through the ORM, which adds building the query in Python)
and three hand-written shapes of the same rows, for the sparse and the dense user; and whole pages through Django's
test client, signed in (MFA passed): the case list, a name search on it, the person search, the referral inbox of
the busiest provider and the coordinator's board; and the dashboard (``/reports/``, the current quarter) of the
sparse and dense agencies' supervisors and of the coordinator, against the SQL of its charts: every query that
``reports.sections.build`` issues in the page (so every chart of ``sections.SECTIONS``, however many there are),
captured once as the driver sent it and executed as is on a raw cursor, its rows fetched.
"""

import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.scale.database import open_target

PEOPLE = ("sparse", "dense")
# Tables a page must not read whole: cases, people and participants, permission rows, referrals.
WATCHED_TABLES = (
    "cases_case",
    "cases_person",
    "cases_caseparticipant",
    "cases_casegroupobjectpermission",
    "cases_caseuserobjectpermission",
    "referrals_referral",
)
PAGE = 25
# The dashboard's readers: the dashboard is for caseworkers, supervisors and coordinators
# (``reports.selectors.can_view_dashboard``); a supervisor's counts tips too. "board" is the coordinator.
DASHBOARD_PEOPLE = ("sparse", "dense", "board")
DASHBOARD = "/reports/"


@dataclass(frozen=True)
class Shape:
    """A hand-written query of the cases a person sees: its ``count`` and its first page of ids (the list's
    order). ``%(visible)s`` in each is the set of visible ids, written out per shape."""

    count: str
    page: str


# ``visible``: the agency's grants minus its expired shares, then the person's own grants. SQLite allows no
# parentheses around a compound select, and UNION ALL and EXCEPT bind left to right: this order needs none.
VISIBLE = """
    SELECT content_object_id FROM cases_casegroupobjectpermission
    WHERE group_id = %(group)s AND permission_id = %(perm)s
    EXCEPT
    SELECT case_id FROM cases_caseshare
    WHERE agency_id = %(agency)s AND status = 'active' AND expires_on <= %(today)s
    UNION ALL
    SELECT content_object_id FROM cases_caseuserobjectpermission WHERE user_id = %(user)s AND permission_id = %(perm)s
"""
EXISTS = """
    EXISTS (SELECT 1 FROM cases_caseuserobjectpermission u
            WHERE u.content_object_id = c.id AND u.user_id = %(user)s AND u.permission_id = %(perm)s)
    OR (EXISTS (SELECT 1 FROM cases_casegroupobjectpermission g
                WHERE g.content_object_id = c.id AND g.group_id = %(group)s AND g.permission_id = %(perm)s)
        AND NOT EXISTS (SELECT 1 FROM cases_caseshare s WHERE s.case_id = c.id AND s.agency_id = %(agency)s
                        AND s.status = 'active' AND s.expires_on <= %(today)s))
"""
SHAPES = {
    "in (union all, except)": Shape(
        f"SELECT COUNT(*) FROM cases_case c WHERE c.id IN ({VISIBLE})",  # noqa: S608
        f"SELECT c.id FROM cases_case c WHERE c.id IN ({VISIBLE}) ORDER BY c.opened_on DESC, c.id DESC LIMIT {PAGE}",  # noqa: S608
    ),
    "exists": Shape(
        f"SELECT COUNT(*) FROM cases_case c WHERE {EXISTS}",  # noqa: S608
        f"SELECT c.id FROM cases_case c WHERE {EXISTS} ORDER BY c.opened_on DESC, c.id DESC LIMIT {PAGE}",  # noqa: S608
    ),
    "join + distinct": Shape(
        f"SELECT COUNT(DISTINCT c.id) FROM cases_case c JOIN ({VISIBLE}) v ON v.content_object_id = c.id",  # noqa: S608
        f"SELECT DISTINCT c.id, c.opened_on FROM cases_case c JOIN ({VISIBLE}) v ON v.content_object_id = c.id "  # noqa: S608
        f"ORDER BY c.opened_on DESC, c.id DESC LIMIT {PAGE}",
    ),
}


class Worker:
    """The operations of one database, on the people the generator made for them."""

    def __init__(self, target: str, *, dashboard: bool = True) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP
        from django.contrib.auth.models import Permission
        from django.test import Client
        from django.test.utils import setup_test_environment
        from django.utils import timezone

        from agencies.models import Membership, User
        from bench.scale.generate import load_cast

        setup_test_environment()  # the test client's response.context, as in tests
        self.target = target
        cast = load_cast()
        ids = {
            "sparse": cast.sparse.user(Membership.Role.CASEWORKER)[0],
            "dense": cast.dense.user(Membership.Role.CASEWORKER)[0],
            "inbox": cast.busiest.user(Membership.Role.PROVIDER_STAFF)[0],
            "board": cast.coordination.user(Membership.Role.COORDINATOR)[0],
            "supervisor sparse": cast.sparse.user(Membership.Role.SUPERVISOR)[0],
            "supervisor dense": cast.dense.user(Membership.Role.SUPERVISOR)[0],
        }
        self.users = {who: User.objects.get(pk=pk) for who, pk in ids.items()}
        self.clients: dict[str, Client] = {}
        for who, user in self.users.items():
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
            client = Client()
            client.force_login(user, backend="agencies.auth.AuthenticationBackend")
            self.clients[who] = client
        self.view_permission = Permission.objects.get(content_type__app_label="cases", codename="view_case").pk
        self.today = timezone.localdate()
        self.selector_sql = {who: self.captured_selector(who) for who in PEOPLE}
        self.dashboard_people = DASHBOARD_PEOPLE if dashboard else ()
        self.dashboard_sql = {who: self.captured_dashboard(who) for who in self.dashboard_people}
        self.rounds = 0

    # The visibility query.

    def params(self, who: str) -> dict[str, Any]:
        user = self.users[who]
        agency = user.agency
        assert agency is not None
        return {
            "user": user.pk,
            "group": agency.group_id,
            "agency": agency.pk,
            "perm": self.view_permission,
            "today": self.today,
        }

    def selector(self, who: str) -> tuple[int, list[int]]:
        """The list's two reads of the visible cases, through the ORM: the count and the first page of ids."""
        from cases.selectors import case_list_visible_to

        visible = case_list_visible_to(self.users[who])
        return visible.count(), list(visible.order_by("-opened_on", "-id").values_list("pk", flat=True)[:PAGE])

    def captured_selector(self, who: str) -> list[str]:
        """The SQL of ``selector`` as the driver sent it (parameters bound), for timing the queries without the
        Python that builds them: the comparison with hand-written SQL is of queries, the ORM's cost is its own row."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.selector(who)  # the role's permissions cached on the user, as in a request
        with CaptureQueriesContext(connection) as captured:
            self.selector(who)
        return [query["sql"] for query in captured.captured_queries]

    def selector_queries(self, who: str) -> tuple[int, list[int]]:
        from django.db import connection

        count_sql, page_sql = self.selector_sql[who]
        with connection.cursor() as cursor:
            cursor.execute(count_sql)
            (count,) = cursor.fetchone()
            cursor.execute(page_sql)
            page = [row[0] for row in cursor.fetchall()]
        return count, page

    def hand(self, who: str, shape: Shape) -> tuple[int, list[int]]:
        from django.db import connection

        params = self.params(who)
        with connection.cursor() as cursor:
            cursor.execute(shape.count, params)
            (count,) = cursor.fetchone()
            cursor.execute(shape.page, params)
            page = [row[0] for row in cursor.fetchall()]
        return count, page

    def verify(self) -> dict[str, Any]:
        """Each hand-written shape returns the selector's count and first page, for each person."""
        answers: dict[str, Any] = {}
        for who in PEOPLE:
            expected = self.selector(who)
            answers[who] = {"count": expected[0], "captured": self.selector_queries(who) == expected}
            for name, shape in SHAPES.items():
                answers[who][name] = self.hand(who, shape) == expected
        return answers

    # The dashboard.

    def dashboard_reader(self, who: str) -> str:
        """The client that reads ``who``'s dashboard: the agency's supervisor (the coordinator for "board")."""
        from reports.selectors import can_view_dashboard

        reader = who if who == "board" else f"supervisor {who}"
        if not can_view_dashboard(self.users[reader]):
            raise RuntimeError(f"the dashboard is not for {reader}")
        return reader

    def captured_dashboard(self, who: str) -> dict[str, list[str]]:
        """The SQL of one dashboard page as the driver sent it: all of it (``page``), and the queries issued inside
        ``reports.sections.build`` (``charts``), told apart by wrapping ``build`` for the one captured request."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from reports import sections

        run = self.page(self.dashboard_reader(who), DASHBOARD)
        run()  # warm: the role's permissions and the compiled visibility SQL cached, as in a later request
        original = sections.build
        spans: list[tuple[int, int]] = []

        def build(scope: Any) -> Any:
            start = len(connection.queries_log)
            try:
                return original(scope)
            finally:
                spans.append((start, len(connection.queries_log)))

        sections.build = build
        connection.queries_log.clear()  # a bounded deque: the span's indexes hold only while it is not full
        try:
            with CaptureQueriesContext(connection) as captured:
                run()
        finally:
            sections.build = original
        if len(spans) != 1:
            raise RuntimeError(f"the dashboard of {who} built its sections {len(spans)} times")
        # ``captured_queries`` is the log from where the context began: the span's indexes are the log's own.
        first = captured.initial_queries
        start, end = spans[0]
        page = [query["sql"] for query in captured.captured_queries]
        return {"page": page, "charts": page[start - first : end - first]}

    def dashboard_queries(self, who: str) -> int:
        """The chart queries of ``who``'s dashboard, executed as sent and their rows fetched: the raw SQL's time."""
        from django.db import connection

        rows = 0
        with connection.cursor() as cursor:
            for sql in self.dashboard_sql[who]["charts"]:
                cursor.execute(sql)
                rows += len(cursor.fetchall())
        return rows

    def dashboard(self) -> dict[str, dict[str, Any]]:
        """How many queries each dashboard page issues, and how many of them are its charts'."""
        from reports import sections

        charts = [spec.key for section in sections.SECTIONS for spec in section.charts]
        return {
            who: {"page": len(sql["page"]), "charts": len(sql["charts"]), "chart_keys": charts}
            for who, sql in self.dashboard_sql.items()
        }

    def explain_dashboard(self) -> list[dict[str, Any]]:
        """Each chart query of each dashboard, with ``EXPLAIN (ANALYZE, BUFFERS)``: its time as the server counts it
        and its plan (PostgreSQL; nothing on SQLite)."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return []
        found = []
        for who, sql in self.dashboard_sql.items():
            for number, query in enumerate(sql["charts"]):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                    plan = [row[0] for row in cursor.fetchall()]
                ms = next(
                    (float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")), 0.0
                )
                found.append({"who": who, "number": number, "ms": ms, "sql": query, "plan": "\n".join(plan)})
        return found

    # The pages.

    def page(self, who: str, path: str, data: dict[str, str] | None = None) -> Callable[[], Any]:
        client = self.clients[who]

        def run() -> Any:
            response = client.post(path, data) if data is not None else client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} as {who}: {response.status_code}")
            return response

        return run

    def pages(self) -> dict[str, Callable[[], Any]]:
        from bench.scale.generate import SEARCH_NAME

        return {
            "list sparse": self.page("sparse", "/cases/"),
            "list dense": self.page("dense", "/cases/"),
            "search sparse": self.page("sparse", "/cases/", {"q": SEARCH_NAME}),
            "search dense": self.page("dense", "/cases/", {"q": SEARCH_NAME}),
            "person search dense": self.page("dense", "/cases/people/", {"q": SEARCH_NAME}),
            "inbox": self.page("inbox", "/referrals/"),
            "board": self.page("board", "/referrals/board/"),
        }

    def operations(self) -> dict[str, Callable[[], Any]]:
        operations: dict[str, Callable[[], Any]] = {}
        for who in PEOPLE:
            operations[f"selector {who}"] = lambda who=who: self.selector_queries(who)  # type: ignore[misc]
            operations[f"selector via ORM {who}"] = lambda who=who: self.selector(who)  # type: ignore[misc]
            for name, shape in SHAPES.items():
                operations[f"sql {name} {who}"] = lambda who=who, shape=shape: self.hand(who, shape)  # type: ignore[misc]
        operations.update(self.pages())
        for who in self.dashboard_people:
            operations[f"dashboard {who}"] = self.page(self.dashboard_reader(who), DASHBOARD)
            operations[f"dashboard charts' SQL {who}"] = lambda who=who: self.dashboard_queries(who)  # type: ignore[misc]
        return operations

    def round(self) -> dict[str, float]:
        """Each operation once, in an order of this round's own (the parent runs the rounds of every database in
        turn, so a round starts in a process that slept meanwhile: the first operation of a fixed order paid for
        waking it, the database connection's health check included, and read twice as slow as it is), after one
        untimed query."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        self.rounds += 1
        operations = list(self.operations().items())
        random.Random(self.rounds).shuffle(operations)  # noqa: S311  (an order, not a secret)
        times = {}
        for name, operation in operations:
            started = time.perf_counter()
            operation()
            times[name] = (time.perf_counter() - started) * 1000
        return times

    def explain(self) -> list[dict[str, Any]]:
        """Every query the pages issue, explained: the sequential scans of the watched tables, with the table's
        estimated rows (a scan of an empty table, such as the per-user permission rows no service writes, reads
        nothing: the planner always scans those)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(WATCHED_TABLES)])
            rows = {name: max(int(tuples), 0) for name, tuples in cursor.fetchall()}
        found = []
        for name, run in self.pages().items():
            with CaptureQueriesContext(connection) as captured:
                run()
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
                for line in plan:
                    for table in WATCHED_TABLES:
                        if f"Seq Scan on {table} " in line + " ":
                            found.append(
                                {
                                    "page": name,
                                    "table": table,
                                    "rows": rows.get(table, 0),
                                    "sql": sql[:240],
                                    "plan": "\n".join(plan),
                                }
                            )
        return found

    def cookie(self, who: str) -> str:
        from django.conf import settings

        return self.clients[who].cookies[settings.SESSION_COOKIE_NAME].value


def serve(target: str, *, dashboard: bool = True) -> None:
    """Answer the parent's commands until ``quit``. Only answers go to stdout: anything else printed goes to stderr."""
    global _ANSWERS
    _ANSWERS, sys.stdout = sys.stdout, sys.stderr
    open_target(target)
    worker = Worker(target, dashboard=dashboard)
    answer({"ready": target})
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "quit":
            break
        try:
            if command == "round":
                answer(worker.round())
            elif command == "verify":
                answer(worker.verify())
            elif command == "explain":
                answer(worker.explain())
            elif command == "cookie":
                answer({"cookie": worker.cookie(argument)})
            elif command == "dashboard":
                answer(worker.dashboard())
            elif command == "explain-dashboard":
                answer(worker.explain_dashboard())
            else:
                answer({"error": f"unknown command {command}"})
        except Exception as error:  # reported to the parent, which prints it
            answer({"error": f"{type(error).__name__}: {error}"})


_ANSWERS = sys.stdout


def answer(value: Any) -> None:
    _ANSWERS.write(json.dumps(value, default=str) + "\n")
    _ANSWERS.flush()


if __name__ == "__main__":
    serve(sys.argv[1], dashboard="--no-dashboard" not in sys.argv[2:])
