"""SQL statements and in-process time per page, without a server or a network in the way.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench \
      .venv/bin/python bench/count_sql.py [-v] [--repeat 20] [route-name-substring ...]

Counts every statement the engine sends (a `before_cursor_execute` listener) for one request
of each route, and the median CPU time of this process (the app's own work, steady however
busy the machine is) and wall time over `--repeat` more. `-v` prints the statements with their
time, the slowest first, which is how the fixes in app/views/datamodel.py were found.
IKU_APP_ROOT=<tree> measures another source tree; --proposed as in bench/run.py.
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench"


def login_clients(app, users: dict, password: str) -> tuple[dict, dict]:
    """One logged-in test client per auth kind: "jwt..." gets a bearer header, any other a
    session cookie. Returns (clients, headers) by auth kind."""
    clients, headers = {}, {}
    for auth, username in users.items():
        client = app.test_client()
        if auth.startswith("jwt"):
            response = client.post("/api/v1/security/login", json={
                "username": username, "password": password, "provider": "db"})
            headers[auth] = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
        else:
            response = client.post("/login/", data={"username": username, "password": password})
            if response.status_code != 302:
                raise SystemExit(f"login {username}: {response.status_code}")
        clients[auth] = client
    return clients, headers


def instrumented_clients(app, db, users: dict, password: str):
    """Time every SQL statement the app runs (the returned list fills as requests run) and log
    in one test client per auth kind: "jwt..." gets a bearer header, any other a session cookie."""

    statements: list[list] = []

    def before(_conn, _cursor, _statement, _params, context, _many):
        context._bench_t0 = time.perf_counter()

    def after(_conn, _cursor, statement, _params, context, _many):
        statements.append([time.perf_counter() - context._bench_t0, statement])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
    clients, headers = login_clients(app, users, password)
    return statements, clients, headers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--proposed", action="store_true")
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    if args.proposed:
        os.environ["BENCH_PROPOSED"] = "1"
    sys.path.insert(0, str(ROOT))
    # First of all: bench.wsgi puts IKU_APP_ROOT's `app` package on the path.
    app = importlib.import_module("bench.wsgi").app
    from app.extensions import db
    from bench.routes import ROUTES, USERS
    from bench.seed_large import PASSWORD

    statements, clients, headers = instrumented_clients(app, db, USERS, PASSWORD)
    print(f"{'route':24} {'status':>6} {'stmts':>6} {'sql ms':>7} {'cpu ms':>7} {'wall ms':>8}")
    for name, path, auth in ROUTES:
        if args.only and not any(word in name for word in args.only):
            continue
        client = clients.get(auth) or app.test_client()
        statements.clear()
        response = client.get(path, headers=headers.get(auth, {}))
        first = list(statements)
        cpu, wall = [], []
        for _ in range(args.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            client.get(path, headers=headers.get(auth, {}))
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - t0)
        sql_ms = sum(t for t, _ in first) * 1000
        cpu_ms = statistics.median(cpu) * 1000 if cpu else 0
        wall_ms = statistics.median(wall) * 1000 if wall else 0
        print(f"{name:24} {response.status_code:>6} {len(first):>6} {sql_ms:>7.1f} {cpu_ms:>7.1f}"
              f" {wall_ms:>8.1f}")
        if args.verbose:
            for elapsed, statement in sorted(first, key=lambda s: -s[0]):
                print(f"    {elapsed * 1000:7.2f} ms  {' '.join(statement.split())[:300]}")


if __name__ == "__main__":
    main()
