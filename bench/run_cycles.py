"""The cycle pages at scale (bench/seed_cycles.py): SQL statements per page, then req/s and
p50/p99 under gunicorn, each beside the bare route of bench/wsgi.py in the same run.

    .venv/bin/python bench/run_cycles.py                         # PostgreSQL iku_bench_cycles
    .venv/bin/python bench/run_cycles.py --count-only -v tasks   # statements of one page
    .venv/bin/python bench/run_cycles.py --duration 10 --connections 4 --workers 2
    git archive --prefix=iku-before/ <commit> | tar -x -C /tmp
    .venv/bin/python bench/run_cycles.py --compare /tmp/iku-before --rounds 2

1. In this process (bench.wsgi's app, Flask test clients): every statement the engine sends
   for one request of each route (a `before/after_cursor_execute` listener), their time, and
   the median CPU and wall time of `--repeat` more requests. `-v` lists the statements, the
   slowest first.
2. gunicorn (`--workers`) with bench.wsgi on a free 127.0.0.1 port; the same users log in
   over HTTP; each route gets a short warm-up, then `--duration` seconds of load at
   `--connections` from bench/load.py (wrk if installed, else its Python client). With
   --compare, a second gunicorn serves another source tree (bench/wsgi.py's IKU_APP_ROOT) on
   the same database (or --compare-db) and the routes alternate between the two; --rounds N
   keeps the best of N (other processes on the machine only ever make a round slower).
   Stopped by PID whatever happens.

The routes come from the data: the Staf user with the most open tasks, the Kepala Biro for the
board (unfiltered and filtered), the completed and the active cycle with the most events.
Results: a table on stdout and bench/results/cycles-<time>.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench.load import LoadResult, python_load, wrk_load  # noqa: E402
from bench.seed_cycles import DEFAULT_DB  # noqa: E402
from bench.seed_large import PASSWORD  # noqa: E402

OPEN = ("ready", "in_progress", "paused")


def busiest_staff(conn):
    """(username, open tasks) of the Staf user with the most open tasks in active cycles."""
    from sqlalchemy import text

    return conn.execute(text("""
        SELECT u.username, count(w.id) FROM ab_user u
        JOIN ab_user_role ur ON ur.user_id = u.id JOIN ab_role r ON r.id = ur.role_id
        JOIN work_item w ON w.assignee_user_id = u.id JOIN cycle c ON c.id = w.cycle_id
        WHERE r.name = 'Staf' AND c.status = 'active' AND w.is_leaf
          AND w.status IN ('ready', 'in_progress', 'paused')
        GROUP BY u.username ORDER BY 2 DESC, 1 LIMIT 1""")).first()


def pick_routes(conn) -> tuple[list[tuple[str, str, str | None]], dict[str, str]]:
    """(name, path, auth) of every route measured, and the username behind each auth."""
    from sqlalchemy import text

    one = lambda sql: conn.execute(text(sql)).first()  # noqa: E731
    staff = busiest_staff(conn)
    section = one("""
        SELECT w.section_id FROM work_item w JOIN cycle c ON c.id = w.cycle_id
        WHERE c.status = 'active' AND w.is_leaf AND w.section_id IS NOT NULL
          AND w.status IN ('ready', 'in_progress', 'paused')
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""")
    biggest = {status: one(f"""
        SELECT e.cycle_id, count(*) FROM work_event e JOIN cycle c ON c.id = e.cycle_id
        WHERE c.status = '{status}' GROUP BY 1 ORDER BY 2 DESC LIMIT 1""")
        for status in ("completed", "active")}
    item = one("""
        SELECT w.id, count(e.id) FROM work_item w JOIN cycle c ON c.id = w.cycle_id
        JOIN work_event e ON e.item_id = w.id
        WHERE c.status = 'active' AND w.status IN ('ready', 'in_progress', 'paused')
        GROUP BY 1 ORDER BY 2 DESC LIMIT 1""")
    done, active = biggest["completed"], biggest["active"]
    routes = [
        ("bare route", "/bench/bare", None),
        (f"Tugas saya ({staff[1]} open)", "/tasks/", "staff"),
        ("home page (staff)", "/", "staff"),
        ("SLA board", "/sla/", "karo"),
        ("SLA board, section+overdue", f"/sla/?section_id={section[0]}&status=overdue", "karo"),
        ("SLA board, one cycle", f"/sla/?cycle_id={active[0]}", "karo"),
        (f"cycle page, done ({done[1]} ev)", f"/cycle/{done[0]}", "karo"),
        (f"cycle page, active ({active[1]} ev)", f"/cycle/{active[0]}", "karo"),
        (f"item page ({item[1]} ev)", f"/tasks/item/{item[0]}", "karo"),
        ("work-item list", "/workitemview/list/", "karo"),
        ("api work-item list", "/api/v1/work-item/", "jwt"),
        ("event history list", "/workeventview/list/", "karo"),
        ("api work-event list", "/api/v1/work-event/", "jwt"),
    ]
    return routes, {"staff": staff[0], "karo": "karo", "jwt": "karo"}


# --------------------------------------------------------------------------- in process
def count_statements(routes, users, args) -> dict[str, dict]:
    """Statements, SQL time and CPU/wall time per route, through Flask's test client."""
    from bench.count_sql import instrumented_clients

    app = __import__("bench.wsgi", fromlist=["app"]).app
    from app.extensions import db

    statements, clients, headers = instrumented_clients(app, db, users, PASSWORD)
    found = {}
    print(f"{'route':34} {'status':>6} {'stmts':>6} {'sql ms':>7} {'cpu ms':>7} {'wall ms':>8}"
          f" {'KB':>6}")
    for name, path, auth in routes:
        client = clients.get(auth) or app.test_client()
        client.get(path, headers=headers.get(auth, {}))  # first request: caches, templates
        statements.clear()
        response = client.get(path, headers=headers.get(auth, {}))
        first = list(statements)
        cpu, wall = [], []
        for _ in range(args.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            client.get(path, headers=headers.get(auth, {}))
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - t0)
        row = {"status": response.status_code, "statements": len(first),
               "sql_ms": sum(t for t, _ in first) * 1000,
               "cpu_ms": statistics.median(cpu) * 1000 if cpu else 0.0,
               "wall_ms": statistics.median(wall) * 1000 if wall else 0.0,
               "kbytes": len(response.data) / 1024}
        found[name] = row
        print(f"{name:34} {row['status']:>6} {row['statements']:>6} {row['sql_ms']:>7.1f}"
              f" {row['cpu_ms']:>7.1f} {row['wall_ms']:>8.1f} {row['kbytes']:>6.0f}", flush=True)
        if args.verbose:
            for elapsed, statement in sorted(first, key=lambda s: -s[0]):
                print(f"    {elapsed * 1000:7.2f} ms  {' '.join(statement.split())[:400]}")
    return found


# --------------------------------------------------------------------------- under load
class Gunicorn:
    def __init__(self, db_url: str, workers: int, tree: Path = ROOT, label: str = "current"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url, self.label = f"http://127.0.0.1:{self.port}", label
        self.log = RESULTS / f"gunicorn-cycles-{label}.log"
        env = {**os.environ, "DATABASE_URL": db_url, "IKU_APP_ROOT": str(tree),
               "SECRET_KEY": secrets.token_urlsafe(32), "PYTHONPATH": str(ROOT)}
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
                 f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--timeout", "60",
                 "bench.wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/bench/bare", timeout=5):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not start in 60 s: see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_login(url: str, users: dict[str, str]) -> dict[str, dict[str, str]]:
    opener = urllib.request.build_opener(_NoRedirect)
    headers = {}
    for auth, username in users.items():
        if auth.startswith("jwt"):
            body = json.dumps({"username": username, "password": PASSWORD, "provider": "db"})
            request = urllib.request.Request(f"{url}/api/v1/security/login", data=body.encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                headers[auth] = {"Authorization": f"Bearer {json.load(response)['access_token']}"}
            continue
        form = f"username={username}&password={urllib.request.quote(PASSWORD)}".encode()
        try:
            opener.open(urllib.request.Request(f"{url}/login/", data=form), timeout=10)
            raise SystemExit(f"login {username}: no redirect")
        except urllib.error.HTTPError as exc:
            cookies = [c.split(";", 1)[0] for c in exc.headers.get_all("Set-Cookie") or []]
            if exc.code != 302 or not cookies:
                raise SystemExit(f"login {username}: {exc.code}") from None
        headers[auth] = {"Cookie": "; ".join(cookies)}
    return headers


def status_of(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def load_routes(routes, users, args) -> dict[str, dict[str, dict]]:
    """{label: {route: result}}: this checkout, and with --compare another source tree served
    beside it; the routes alternate between them (so both see the same machine) and with
    --rounds N each measurement is repeated and its best round kept."""
    servers = [Gunicorn(args.db, args.workers)]
    if args.compare:
        servers.insert(0, Gunicorn(args.compare_db or args.db, args.workers,
                                   args.compare.resolve(), "before"))
    found: dict[str, dict[str, dict]] = {server.label: {} for server in servers}
    load = wrk_load if shutil.which("wrk") and not args.python_client else python_load
    try:
        headers = {}
        for server in servers:
            server.wait_ready()
            headers[server.label] = http_login(server.url, users)
        for round_no in range(args.rounds):
            for index, (name, path, auth) in enumerate(routes):
                order = servers if (index + round_no) % 2 == 0 else servers[::-1]
                for server in order:
                    url, head = f"{server.url}{path}", headers[server.label].get(auth, {})
                    status = status_of(url, head)
                    if status != 200:
                        found[server.label][name] = LoadResult(status=status).as_dict()
                        continue
                    load(url, head, connections=args.connections,
                         duration=min(2.0, args.duration))  # warm-up
                    result = load(url, head, connections=args.connections,
                                  duration=args.duration)
                    result.status = status
                    kept = found[server.label].get(name)
                    if kept is None or result.rps > kept["rps"]:
                        found[server.label][name] = result.as_dict()
                    print(f"round {round_no + 1} {server.label:8} {name:34} {result.rps:8.1f}"
                          f" req/s  p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms"
                          f"  errors {result.errors}", flush=True)
    finally:
        for server in servers:
            server.stop()
    return found


def table(routes, counted, loaded: dict[str, dict[str, dict]]) -> str:
    labels = list(loaded)
    head = ["route", *[f"{label} {col}" if len(labels) > 1 else col for label in labels
                       for col in ("req/s", "p50 ms", "p99 ms")],
            "SQL stmts", "SQL ms", "in-process ms (cpu)"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, _path, _auth in routes:
        count, cells = counted.get(name, {}), [name]
        for label in labels:
            res = loaded[label].get(name)
            if res is None:
                cells += ["", "", ""]
            elif res["status"] != 200:
                cells += [f"HTTP {res['status']}", "", ""]
            else:
                cells += [f"{res['rps']:.0f}", f"{res['p50_ms']:.1f}", f"{res['p99_ms']:.1f}"]
        cells += [str(count.get("statements", "")), f"{count['sql_ms']:.1f}" if count else "",
                  f"{count['cpu_ms']:.1f}" if count else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def arguments(description: str, connections: int) -> argparse.Namespace:
    """The options of this script and of run_lists.py: database, gunicorn and load, before
    and after, which routes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", default=os.environ.get("BENCH_CYCLES_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=connections)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per route")
    parser.add_argument("--repeat", type=int, default=10, help="in-process requests per route")
    parser.add_argument("--rounds", type=int, default=1, help="keep the best of N rounds")
    parser.add_argument("--compare", type=Path,
                        help="another source tree (e.g. a `git archive` of an older commit) "
                             "served beside this checkout, against the same database")
    parser.add_argument("--compare-db", help="the database of the --compare tree (default: "
                        "--db), e.g. a copy without indexes added since")
    parser.add_argument("--count-only", action="store_true", help="no server, no load")
    parser.add_argument("--python-client", action="store_true", help="not wrk, even if found")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the statements")
    parser.add_argument("only", nargs="*", help="route name substrings (the bare route stays)")
    return parser.parse_args()


def run_meta(args, users: dict) -> dict:
    """How a run was made, written beside its table: database, load, machine, who."""
    return {"db": args.db.split("@")[-1], "workers": args.workers,
            "connections": args.connections, "duration_s": args.duration,
            "client": "python" if args.python_client or not shutil.which("wrk") else "wrk",
            "cpus": os.cpu_count(), "load_avg_after": os.getloadavg(), "users": users,
            "rounds": args.rounds, "compare": str(args.compare) if args.compare else None,
            "compare_db": args.compare_db.split("@")[-1] if args.compare_db else None}


def main() -> None:
    args = arguments(__doc__.split("\n")[0], connections=4)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    RESULTS.mkdir(parents=True, exist_ok=True)
    from sqlalchemy import create_engine

    engine = create_engine(args.db)
    with engine.connect() as conn:
        routes, users = pick_routes(conn)
    engine.dispose()
    routes = [r for r in routes if r[2] is None or not args.only
              or any(w.lower() in r[0].lower() for w in args.only)]
    counted = count_statements(routes, users, args)
    loaded = {} if args.count_only else load_routes(routes, users, args)
    result = table(routes, counted, loaded)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    meta = run_meta(args, users)
    rows = [{"route": n, "path": p, "count": counted.get(n),
             "load": {label: found.get(n) for label, found in loaded.items()}}
            for n, p, _a in routes]
    (RESULTS / f"cycles-{stamp}.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                             indent=2))
    (RESULTS / f"cycles-{stamp}.md").write_text(f"{json.dumps(meta)}\n\n{result}\n")
    print(f"\n{json.dumps(meta)}\n\n{result}\n\nwritten: bench/results/cycles-{stamp}.md")


if __name__ == "__main__":
    main()
