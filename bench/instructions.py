"""Instructions the app process executes per request, for every route of run_lists.py: a
measure that does not move with the machine's load (valgrind's callgrind counts instructions,
not time), for before/after comparisons on a shared machine where CPU ms swing by 25 %.

    .venv/bin/python bench/instructions.py                      # this checkout
    .venv/bin/python bench/instructions.py --compare /tmp/iku-before   # both, side by side
    .venv/bin/python bench/instructions.py --requests 3 event api      # fewer, some routes

Each tree runs in its own process under `valgrind --tool=callgrind --instr-atstart=no` (the
two at once, one per core): the app starts uninstrumented (~30 s), logs in like run_lists.py,
and for each route makes two requests unmeasured (caches, templates), then switches
instrumentation on (`callgrind_control -i on`), makes --requests requests, dumps the counters
and switches off. The database server is another process: its work is not counted, nor is
waiting for it. Needs Debian's valgrind. Results: the table on stdout.
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench_cycles"


def measure(requests: int, only: list[str], out: Path) -> None:
    """Inside valgrind: one line of JSON per route (name, dump index) to `out`."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine

    from bench.count_sql import login_clients
    from bench.run_lists import pick_routes
    from bench.seed_large import PASSWORD

    app = __import__("bench.wsgi", fromlist=["app"]).app
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as conn:
        routes, users = pick_routes(conn, app)
    engine.dispose()
    routes = [r for r in routes if r[2] is None or not only
              or any(w.lower() in r[0].lower() for w in only)]
    clients, headers = login_clients(app, users, PASSWORD)
    pid = str(os.getpid())
    # A full collection of the started app's heap costs tens of millions of instructions and
    # lands in whichever request crosses the allocation threshold: freeze what exists now, and
    # start each route from a collected heap, so both trees are counted alike.
    gc.collect()
    gc.freeze()

    def control(*args: str) -> None:
        subprocess.run(["callgrind_control", *args, pid], check=True, capture_output=True)

    with out.open("w") as fh:
        for index, (name, path, auth) in enumerate(routes, start=1):
            client, header = clients.get(auth) or app.test_client(), headers.get(auth, {})
            for _ in range(2):
                status = client.get(path, headers=header).status_code
            gc.collect()
            control("-i", "on")
            for _ in range(requests):
                client.get(path, headers=header)
            control("-d", f"route{index}")  # callgrind_control passes it through a shell
            control("-i", "off")
            dump = out.parent / f"callgrind.out.{index}"
            for _ in range(300):
                if dump.exists():
                    break
                time.sleep(0.1)
            else:
                raise SystemExit(f"no dump for {name}: {dump}")
            fh.write(json.dumps({"route": name, "status": status}) + "\n")
            fh.flush()


def run_tree(tree: Path, db: str, requests: int, only: list[str], workdir: Path):
    """Start this script under callgrind for one source tree; returns the process."""
    env = {**os.environ, "DATABASE_URL": db, "IKU_APP_ROOT": str(tree),
           "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)}
    workdir.mkdir(parents=True, exist_ok=True)
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
               f"--callgrind-out-file={workdir}/callgrind.out", sys.executable, __file__,
               "--inside", str(workdir / "routes.jsonl"), "--requests", str(requests), *only]
    return subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def totals(workdir: Path) -> dict[str, tuple[int, float]]:
    """route -> (status, instructions per request), from the numbered dumps in order."""
    routes = [json.loads(line) for line in (workdir / "routes.jsonl").read_text().splitlines()]
    found = {}
    for index, route in enumerate(routes, start=1):
        text = (workdir / f"callgrind.out.{index}").read_text()
        total = next(int(line.split()[1]) for line in text.splitlines()
                     if line.startswith("totals:"))
        found[route["route"]] = (route["status"], total)
    return found


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_CYCLES_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--requests", type=int, default=5, help="measured requests per route")
    parser.add_argument("--compare", type=Path, help="an older source tree, measured beside")
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("only", nargs="*", help="route name substrings (the bare route stays)")
    args = parser.parse_args()
    if args.inside:
        measure(args.requests, args.only, args.inside)
        return
    base = Path(tempfile.mkdtemp(prefix="iku-instr-"))
    trees = {"before": args.compare} if args.compare else {}
    trees["current"] = ROOT
    procs = {label: run_tree(tree, args.db, args.requests, args.only, base / label)
             for label, tree in trees.items()}
    for label, proc in procs.items():
        if proc.wait(timeout=3600) != 0:
            raise SystemExit(f"{label}: valgrind exited {proc.returncode} (see {base / label})")
    found = {label: totals(base / label) for label in trees}
    per = args.requests
    head = ["page"] + [f"{label} M instr/request" for label in trees]
    if args.compare:
        head.append("change")
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, (status, _total) in found["current"].items():
        cells = [name]
        values = [found[label].get(name, (0, 0))[1] / per / 1e6 for label in trees]
        cells += [f"{value:.1f}" if status == 200 else f"HTTP {status}" for value in values]
        if args.compare and values[0]:
            cells.append(f"{100 * (values[-1] - values[0]) / values[0]:+.0f} %")
        lines.append("| " + " | ".join(cells) + " |")
    print(f"{per} requests per route, dumps in {base}\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
