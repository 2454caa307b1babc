"""``python -m bench.scale``: load each size once (or reuse it), time every operation in interleaved rounds, and
print each value, each ratio, its target and whether it is met (bench/README.md, issue 13).

One worker process per database (``measure.py``): Django has one default database per process, and a worker that
waits while another runs takes nothing from it. Rounds go round-robin across the workers, so a slow minute of the
machine (two cores shared with other work) falls on every size alike; each value is the median of the rounds.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.scale.database import ROOT, database_url
from bench.scale.measure import DASHBOARD_PEOPLE, PEOPLE, SHAPES

PAGES = ("list sparse", "list dense", "search sparse", "search dense", "person search dense", "inbox", "board")


class Worker:
    """A ``measure.py`` process on one target, spoken to one JSON line at a time."""

    def __init__(self, target: str, *, dashboard: bool = True) -> None:
        self.target = target
        self.process = subprocess.Popen(  # noqa: S603  (this interpreter, our own module)
            [sys.executable, "-m", "bench.scale.measure", target, *([] if dashboard else ["--no-dashboard"])],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ask(None)  # the "ready" line: loaded (or reused) and signed in

    def ask(self, command: str | None) -> Any:
        stdin: IO[str] | None = self.process.stdin
        stdout: IO[str] | None = self.process.stdout
        assert stdin is not None
        assert stdout is not None
        if command is not None:
            stdin.write(command + "\n")
            stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"{self.target}: the worker stopped (its errors are above)")
        value = json.loads(line)
        if isinstance(value, dict) and "error" in value:
            raise RuntimeError(f"{self.target}: {value['error']}")
        return value

    def close(self) -> None:
        try:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        self.process.wait(timeout=60)


@dataclass
class Row:
    """One line of the table: a value or a ratio, its target (``≤`` or ``≥``), and whether it is met."""

    name: str
    value: float
    unit: str = "ms"
    target: float | None = None
    at_least: bool = False

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target

    def line(self) -> str:
        value = f"{self.value:,.1f} {self.unit}" if self.unit else f"{self.value:,.2f}"
        target = "" if self.target is None else f"{'≥' if self.at_least else '≤'} {self.target:g}"
        met = {None: "", True: "met", False: "MISSED"}[self.met]
        return f"{self.name:58} {value:>14} {target:>8} {met:>7}"


def interleaved(workers: list[Worker], rounds: int) -> dict[str, dict[str, float]]:
    """The median milliseconds of each operation on each target, over ``rounds`` round-robin rounds after a
    warm-up round."""
    for worker in workers:
        worker.ask("round")
    times: dict[str, dict[str, list[float]]] = {w.target: {} for w in workers}
    for number in range(rounds):
        for worker in workers:
            for name, ms in worker.ask("round").items():
                times[worker.target].setdefault(name, []).append(ms)
        print(f"round {number + 1}/{rounds}", file=sys.stderr, flush=True)
    return {target: {name: statistics.median(v) for name, v in ops.items()} for target, ops in times.items()}


def ratios(medians: dict[str, dict[str, float]], small: str | None, large: list[str], sqlite: str | None) -> list[Row]:
    rows: list[Row] = []
    for target, ops in medians.items():
        for who in PEOPLE:
            best_name = min(SHAPES, key=lambda name: ops[f"sql {name} {who}"])
            best = ops[f"sql {best_name} {who}"]
            selector = ops[f"selector {who}"]
            rows.append(Row(f"{target}: selector's SQL, {who} user", selector))
            rows.append(Row(f"{target}: selector through the ORM, {who} user", ops[f"selector via ORM {who}"]))
            rows.append(Row(f"{target}: best hand-written SQL ({best_name}), {who}", best))
            rows.append(Row(f"{target}: selector / best SQL, {who}", selector / best, "", 1.5))
    if small is not None:
        for big in large:
            for page, limit in (("list sparse", 1.5), ("list dense", 2.0), ("inbox", 2.0), ("board", 2.0)):
                value = medians[big][page] / medians[small][page]
                rows.append(Row(f"{page}: {big} / {small}", value, "", limit))
    for target, ops in medians.items():
        for search, base in (
            ("search sparse", "list sparse"),
            ("search dense", "list dense"),
            ("person search dense", "list dense"),
        ):
            rows.append(Row(f"{target}: {search} / {base}", ops[search] / ops[base], "", 10))
    if sqlite is not None and small is not None:
        for page in PAGES:
            rows.append(Row(f"{page}: {sqlite} / {small}", medians[sqlite][page] / medians[small][page], "", 5))
    if f"dashboard {DASHBOARD_PEOPLE[0]}" in next(iter(medians.values())):
        rows += dashboard_ratios(medians, small, large, sqlite)
    return rows


def dashboard_ratios(
    medians: dict[str, dict[str, float]], small: str | None, large: list[str], sqlite: str | None
) -> list[Row]:
    """Issue 18: the whole dashboard page against the raw SQL of its charts, ≤ 3 at every size (the large one is the
    target's); L / S and SQLite / PostgreSQL beside it, without a target."""
    rows: list[Row] = []
    for target, ops in medians.items():
        for who in DASHBOARD_PEOPLE:
            page, sql = ops[f"dashboard {who}"], ops[f"dashboard charts' SQL {who}"]
            rows.append(Row(f"{target}: dashboard, {who}", page))
            rows.append(Row(f"{target}: dashboard charts' SQL, {who}", sql))
            rows.append(Row(f"{target}: dashboard / its charts' SQL, {who}", page / sql, "", 3))
    for who in DASHBOARD_PEOPLE:
        name = f"dashboard {who}"
        if small is not None:
            for big in large:
                rows.append(Row(f"{name}: {big} / {small}", medians[big][name] / medians[small][name], ""))
        if sqlite is not None and small is not None:
            rows.append(Row(f"{name}: {sqlite} / {small}", medians[sqlite][name] / medians[small][name], ""))
    return rows


def dashboard_queries(workers: list["Worker"]) -> list[Row]:
    """Each dashboard's queries at each size (printed), and the difference between sizes: a constant number of
    queries whatever the data (issue 18) is a difference of 0."""
    counts = {w.target: w.ask("dashboard") for w in workers}
    print("\nDashboard queries (the page's, of which its charts')")
    print(f"{'reader':34}" + "".join(f"{t:>16}" for t in counts))
    for who in DASHBOARD_PEOPLE:
        print(f"{who:34}" + "".join(f"{c[who]['page']:>10} ({c[who]['charts']:>2})" for c in counts.values()))
    keys = next(iter(counts.values()))[DASHBOARD_PEOPLE[0]]["chart_keys"]
    print(f"charts ({len(keys)}): {', '.join(keys)}")
    rows = []
    for who in DASHBOARD_PEOPLE:
        pages = [c[who]["page"] for c in counts.values()]
        rows.append(Row(f"dashboard queries, {who}: largest - smallest of all targets", max(pages) - min(pages), "", 0))
    return rows


def report_dashboard_plans(found: list[dict[str, Any]], *, plans: bool, top: int = 5) -> None:
    """The slowest chart queries of each dashboard on the largest database, by ``EXPLAIN ANALYZE``'s time."""
    if not found:
        return
    print("\nDashboard chart queries, slowest first (EXPLAIN ANALYZE on the largest PostgreSQL database)")
    for who in DASHBOARD_PEOPLE:
        mine = sorted((f for f in found if f["who"] == who), key=lambda f: -f["ms"])
        total = sum(f["ms"] for f in mine)
        print(f"  {who}: {len(mine)} queries, {total:,.1f} ms in all")
        for f in mine[:top]:
            print(f"    #{f['number']:<3} {f['ms']:9.1f} ms  {' '.join(f['sql'].split())[:160]}")
            if plans:
                print("        " + f["plan"].replace("\n", "\n        "))


# --- Under gunicorn -------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def requests_per_second(
    port: int, path: str, cookie: str | None, seconds: float, threads: int = 4
) -> tuple[float, int]:
    """Requests per second answered 200 by ``path``, from ``threads`` keep-alive clients over loopback (signed in
    with the session ``cookie``, or not, as a load balancer's health check), and the count of other answers."""
    headers = {"Host": "127.0.0.1", **({"Cookie": f"sessionid={cookie}"} if cookie else {})}
    done = [0] * threads
    failed = [0] * threads
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        connection: http.client.HTTPConnection | None = None
        while time.monotonic() < stop:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = None
                failed[number] += 1
                continue
            if response.status == 200:
                done[number] += 1
            else:
                failed[number] += 1
            if response.will_close:
                connection.close()
                connection = None

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(failed)


def under_gunicorn(target: str, cookie: str, seconds: float) -> list[Row]:
    """The sparse user's case list against ``/healthz``, under gunicorn (2 workers) on ``target``'s database."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(target),
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(  # noqa: S603  (the virtualenv's gunicorn)
        [gunicorn, "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(120):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        requests_per_second(port, "/cases/", cookie, 2)  # warm-up: each worker's first requests
        # Interleaved: a slow minute of the machine (two cores shared with other work) falls on both alike. Each
        # round runs /healthz then the list for a fifth of ``seconds`` each; the values are the rounds' medians.
        healths, listings, ratios, failed = [], [], [], 0
        for _round in range(5):
            health, health_failed = requests_per_second(port, "/healthz", None, seconds / 5)
            listing, list_failed = requests_per_second(port, "/cases/", cookie, seconds / 5)
            healths.append(health)
            listings.append(listing)
            ratios.append(100 * listing / health)
            failed += health_failed + list_failed
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        print(f"under gunicorn: {failed} requests failed", file=sys.stderr)
    return [
        Row(f"{target} under gunicorn: /healthz", statistics.median(healths), "req/s"),
        Row(f"{target} under gunicorn: case list, sparse user", statistics.median(listings), "req/s"),
        Row(f"{target} under gunicorn: list / healthz (%)", statistics.median(ratios), "", 8, at_least=True),
    ]


def report_scans(scans: list[dict[str, Any]], *, plans: bool) -> None:
    """The Seq Scans of watched tables, by page and table (how many queries, the table's rows, the first query)."""
    if not scans:
        return
    print("\nSeq Scans of watched tables (EXPLAIN of every SELECT the pages issue)")
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for scan in scans:
        grouped.setdefault((scan["page"], scan["table"]), []).append(scan)
    for (page, table), found in grouped.items():
        rows = found[0]["rows"]
        print(f"  {page:22} {table:34} {len(found):3} query(ies)  table ~{rows:,} rows{'' if rows else ' (empty)'}")
        print(f"      {found[0]['sql'][:200]}")
        if plans:
            print("      " + found[0]["plan"].replace("\n", "\n      "))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["S", "L"], choices=["S", "L", "2m"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only (size S)")
    parser.add_argument("--no-gunicorn", action="store_true")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--no-dashboard", action="store_true", help="leave the dashboard (issue 18) out")
    parser.add_argument("--load-seconds", type=float, default=10.0, help="each load test under gunicorn")
    parser.add_argument("--plans", action="store_true", help="print the plan of each query with a Seq Scan")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    targets = []
    if "S" in args.sizes and not args.no_sqlite:
        targets.append("sqlite-S")
    if not args.no_postgresql:
        targets += [f"postgresql-{size}" for size in args.sizes]
    workers: list[Worker] = []
    try:
        for target in targets:  # one at a time: a load takes the machine
            print(f"opening {target} ...", file=sys.stderr, flush=True)
            workers.append(Worker(target, dashboard=not args.no_dashboard))
        for worker in workers:
            for who, shapes in worker.ask("verify").items():
                wrong = [name for name, same in shapes.items() if name != "count" and not same]
                print(
                    f"{worker.target}: {who} user sees {shapes['count']:,} cases; hand-written SQL "
                    + (f"DIFFERS from the selector: {', '.join(wrong)}" if wrong else "returns the selector's rows")
                )
        medians = interleaved(workers, args.rounds)
        postgres = [w.target for w in workers if w.target.startswith("postgresql")]
        small = "postgresql-S" if "postgresql-S" in postgres else None
        large = [t for t in postgres if t != small]
        sqlite = "sqlite-S" if "sqlite-S" in medians else None

        print(f"\nMedians of {args.rounds} interleaved rounds (ms)")
        print(f"{'operation':34}" + "".join(f"{t:>16}" for t in medians))
        for name in next(iter(medians.values())):
            print(f"{name:34}" + "".join(f"{ops[name]:16.1f}" for ops in medians.values()))
        rows = ratios(medians, small, large, sqlite)
        if not args.no_dashboard:
            rows += dashboard_queries(workers)

        biggest = large[-1] if large else small
        by_target = {w.target: w for w in workers}
        if biggest is not None and not args.no_gunicorn:
            cookie = by_target[biggest].ask("cookie sparse")["cookie"]
            rows += under_gunicorn(biggest, cookie, args.load_seconds)
        scans: list[dict[str, Any]] = []
        dashboard_plans: list[dict[str, Any]] = []
        if biggest is not None and not args.no_explain:
            dashboard_plans = [] if args.no_dashboard else by_target[biggest].ask("explain-dashboard")
            scans = by_target[biggest].ask("explain")
            full = [scan for scan in scans if scan["rows"] > 0]
            name = f"{biggest}: Seq Scans of non-empty watched tables in the pages' queries"
            rows.append(Row(name, len(full), "", 0))

        print("\nValues and ratios")
        print(f"{'':58} {'value':>14} {'target':>8} {'':>7}")
        for row in rows:
            print(row.line())
        report_scans(scans, plans=args.plans)
        report_dashboard_plans(dashboard_plans, plans=args.plans)
        missed = [row for row in rows if row.met is False]
        print(f"\n{len(missed)} of {sum(1 for r in rows if r.target is not None)} targets missed")
        return 1 if args.check and missed else 0
    finally:
        for worker in workers:
            worker.close()


if __name__ == "__main__":
    sys.exit(main())
