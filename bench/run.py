"""Load-test the app under gunicorn on 127.0.0.1: requests/s and p50/p99 per route.

    .venv/bin/python bench/run.py                          # this checkout, PostgreSQL iku_bench
    .venv/bin/python bench/run.py --compare /tmp/iku-before --duration 8

Starts gunicorn (`--workers`, default 2) on a free loopback port for each source tree (this
checkout, and with --compare an older one: see bench/README.md), logs in as the bench users,
then for each route of bench/routes.py runs a bounded load from this second process: `wrk`
when installed (Debian package wrk), else a Python thread pool. With two trees the routes
alternate between them, so both see the same machine; with --rounds N every measurement is
repeated N times and the best round kept (other processes only ever make a round slower).
Results: a table on stdout and bench/results/<time>.{json,md}. Servers are stopped by PID,
whatever happens.
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
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import LoadResult, python_load, wrk_load  # noqa: E402
from bench.routes import ROUTES, USERS  # noqa: E402
from bench.seed_large import DEFAULT_DB, PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass
class Server:
    label: str
    tree: Path
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(server: Server, db_url: str, workers: int) -> None:
    server.port = _free_port()
    server.log = RESULTS / f"gunicorn-{server.label}.log"
    env = {**os.environ, "DATABASE_URL": db_url, "IKU_APP_ROOT": str(server.tree),
           "SECRET_KEY": secrets.token_urlsafe(32), "PYTHONPATH": str(ROOT), **server.env}
    with server.log.open("w") as out:
        server.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{server.port}",
             "--graceful-timeout", "5", "--timeout", "60", "bench.wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn {server.label} exited: see {server.log}")
        try:
            with urllib.request.urlopen(f"{server.url}/bench/bare", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn {server.label} did not start in 60 s: see {server.log}")


def stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in(server: Server) -> None:
    """A session cookie per browser user (from the login form) and a bearer token (API)."""
    opener = urllib.request.build_opener(_NoRedirect)
    for auth, username in USERS.items():
        if auth == "jwt":
            body = json.dumps({"username": username, "password": PASSWORD, "provider": "db"})
            request = urllib.request.Request(f"{server.url}/api/v1/security/login",
                                             data=body.encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                token = json.load(response)["access_token"]
            server.headers[auth] = {"Authorization": f"Bearer {token}"}
            continue
        form = f"username={username}&password={urllib.request.quote(PASSWORD)}".encode()
        request = urllib.request.Request(f"{server.url}/login/", data=form, method="POST")
        try:
            opener.open(request, timeout=10)
            raise SystemExit(f"login {username}: no redirect, wrong password?")
        except urllib.error.HTTPError as exc:  # the 302 after a good login
            cookies = [c.split(";", 1)[0] for c in exc.headers.get_all("Set-Cookie") or []]
            if exc.code != 302 or not cookies:
                raise SystemExit(f"login {username}: {exc.code}") from None
        server.headers[auth] = {"Cookie": "; ".join(cookies)}


def check(server: Server, path: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"{server.url}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def measure(server: Server, path: str, auth, args) -> LoadResult:
    headers = server.headers.get(auth, {})
    status = check(server, path, headers)
    if status != 200:
        return LoadResult(status=status)
    load = wrk_load if shutil.which("wrk") and not args.python_client else python_load
    load(f"{server.url}{path}", headers, connections=args.connections,
         duration=min(2.0, args.duration))  # warm-up: caches, prepared statements
    result = load(f"{server.url}{path}", headers, connections=args.connections,
                  duration=args.duration)
    result.status = status
    return result


def report(rows: list[dict], servers: list[Server], args) -> str:
    labels = [s.label for s in servers]
    head = ["route", *[f"{label} {col}" for label in labels for col in ("req/s", "p50 ms", "p99 ms")]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row["route"]]
        for label in labels:
            res = row[label]
            if res["status"] != 200:
                cells += [f"HTTP {res['status']}", "", ""]
            else:
                cells += [f"{res['rps']:.0f}", f"{res['p50_ms']:.1f}", f"{res['p99_ms']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per route")
    parser.add_argument("--label", default="current")
    parser.add_argument("--compare", type=Path, help="an older source tree to serve beside")
    parser.add_argument("--compare-label", default="before")
    parser.add_argument("--rounds", type=int, default=1, help="keep the best of N rounds")
    parser.add_argument("--proposed", action="store_true",
                        help="serve this checkout with bench/wsgi.py's apply_proposals()")
    parser.add_argument("--python-client", action="store_true", help="not wrk, even if found")
    parser.add_argument("only", nargs="*", help="route name substrings")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    servers = [Server(args.label, ROOT, env={"BENCH_PROPOSED": "1"} if args.proposed else {})]
    if args.compare:
        servers.insert(0, Server(args.compare_label, args.compare.resolve()))
    rows = []
    try:
        for server in servers:
            start(server, args.db, args.workers)
            log_in(server)
        routes = [r for r in ROUTES if not args.only or any(w in r[0] for w in args.only)]
        best: dict[tuple[str, str], dict] = {}
        for round_no in range(args.rounds):
            for index, (name, path, auth) in enumerate(routes):
                order = servers if (index + round_no) % 2 == 0 else servers[::-1]
                for server in order:
                    result = measure(server, path, auth, args).as_dict()
                    kept = best.get((name, server.label))
                    if kept is None or result["rps"] > kept["rps"]:
                        best[(name, server.label)] = result
                row = {"route": name, "path": path,
                       **{s.label: best[(name, s.label)] for s in servers}}
                print(f"round {round_no + 1}: {report([row], servers, args).splitlines()[-1]}",
                      flush=True)
        rows = [{"route": name, "path": path, **{s.label: best[(name, s.label)] for s in servers}}
                for name, path, _auth in routes]
    finally:
        for server in servers:
            stop(server)
    table = report(rows, servers, args)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    meta = {"db": args.db.split("@")[-1], "workers": args.workers, "connections": args.connections,
            "duration_s": args.duration, "rounds": args.rounds, "proposed": args.proposed,
            "client": "python" if args.python_client or not
            shutil.which("wrk") else "wrk", "cpus": os.cpu_count(),
            "load_avg_after": os.getloadavg()}
    (RESULTS / f"{stamp}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    (RESULTS / f"{stamp}.md").write_text(f"{json.dumps(meta)}\n\n{table}\n")
    print(f"\n{json.dumps(meta)}\n\n{table}\n\nwritten: bench/results/{stamp}.md")


if __name__ == "__main__":
    main()
