"""Every big list (HTML page and REST list) at the seeded sizes, each beside the bare route of
bench/wsgi.py in the same run: req/s as a share of the bare route's, p50, page size, and the
in-process SQL statements and CPU ms per request.

    .venv/bin/python bench/seed_lists.py                  # once, on top of seed_cycles.py
    .venv/bin/python bench/run_lists.py --count-only      # status, rows, size, statements
    .venv/bin/python bench/run_lists.py --duration 5      # then under load (wrk, 8 connections)
    .venv/bin/python bench/run_lists.py event audit       # only routes whose name has a word
    .venv/bin/python bench/run_lists.py --compare /tmp/iku-before --rounds 2

The data: bench/seed_cycles.py (1,000 cycles, 108k work items, ~1M work events) plus
bench/seed_lists.py (1M audit entries, 5,000 pelaksana, 200k outbound mails, 50k documents,
20k complaints) in iku_bench_cycles. As whom: the Kepala Biro (`karo`, session cookie or JWT);
the audit trail and the outbox as `auditor` (only Admin and Auditor may read them); "Tugas saya"
as the Staf user with the most open tasks; six lists also as the liaison of Sekretariat
Presiden (`setpres`), whose unit scope narrows them (not the document register: the seeded
documents are none of that unit's).

1. Sanity, in this process: each route once, its status, rows on the page (HTML table rows, a
   REST list's `result`), `count` of a REST list, <option>s in the page (select boxes) and size;
   a route that is not 200, or a filtered list that finds nothing, is flagged.
2. In this process (bench.run_cycles.count_statements): statements, SQL ms, median CPU ms.
3. Unless --count-only: gunicorn (--workers) on a free loopback port, each route after a warm-up
   for --duration s at --connections (bench.run_cycles.load_routes: wrk if installed, else the
   Python client of bench/load.py; --compare serves another tree beside, --rounds N keeps the
   best round). Stopped by PID whatever happens.

Results: the table on stdout and bench/results/lists-<time>.{json,md}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.count_sql import login_clients  # noqa: E402
from bench.run_cycles import (  # noqa: E402
    RESULTS,
    arguments,
    busiest_staff,
    count_statements,
    load_routes,
    run_meta,
)
from bench.seed_large import PASSWORD  # noqa: E402

NOTE_WORDS = "siklus lain"  # the note of a cancelled cycle's event: ~20 of 1M rows
TITLE_WORD = "memorandum"  # in the titles of some open items


def contains_index(app, view_name: str, column: str) -> int:
    """The index FAB gives "Contains" among a column's filters: `_flt_<index>_<column>`."""
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == view_name)
    names = [type(f).__name__ for f in view._filters.get_search_filters()[column]]
    return next(i for i, name in enumerate(names)
                if name.endswith("Contains") and "Not" not in name)


def pick_routes(conn, app) -> tuple[list[tuple[str, str, str | None]], dict[str, str]]:
    """(name, path, auth) of every route measured, and the username behind each auth."""
    from sqlalchemy import text

    one = lambda sql: conn.execute(text(sql)).first()  # noqa: E731
    staff = busiest_staff(conn)
    active = one("""
        SELECT e.cycle_id, count(*) FROM work_event e JOIN cycle c ON c.id = e.cycle_id
        WHERE c.status = 'active' GROUP BY 1 ORDER BY 2 DESC LIMIT 1""")
    item = one("""
        SELECT w.id FROM work_item w JOIN cycle c ON c.id = w.cycle_id
        JOIN work_event e ON e.item_id = w.id
        WHERE c.status = 'active' AND w.status IN ('ready', 'in_progress', 'paused')
        GROUP BY 1 ORDER BY count(e.id) DESC LIMIT 1""")
    sizes = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in
             ("work_event", "work_item", "audit_entry", "document", "outbound_mail",
              "complaint", "indicator", "pelaksana")}
    k = lambda n: f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k" if n >= 1e4 else f"{n}"  # noqa: E731
    note = contains_index(app, "WorkEventView", "note")
    title = contains_index(app, "WorkItemView", "title")
    events, audit = k(sizes["work_event"]), k(sizes["audit_entry"] + sizes["work_event"])
    routes = [
        ("bare route", "/bench/bare", None),
        (f"event history p1 ({events})", "/workeventview/list/", "karo"),
        ("event history p200", "/workeventview/list/?page_WorkEventView=199", "karo"),
        (f"event history, note ~ '{NOTE_WORDS}'",
         f"/workeventview/list/?_flt_{note}_note={quote_plus(NOTE_WORDS)}", "karo"),
        ("work-item list (open items)", "/workitemview/list/", "karo"),
        (f"work-item list, title ~ '{TITLE_WORD}'",
         f"/workitemview/list/?_flt_{title}_title={quote_plus(TITLE_WORD)}", "karo"),
        ("api work-event list", "/api/v1/work-event/", "jwt"),
        (f"api work-item list ({k(sizes['work_item'])})", "/api/v1/work-item/", "jwt"),
        ("api work-item show", f"/api/v1/work-item/{item[0]}", "jwt"),
        # a unit's liaison: the same lists narrowed to one unit (Sekretariat Presiden)
        ("event history p1, liaison", "/workeventview/list/", "liaison"),
        ("api work-event list, liaison", "/api/v1/work-event/", "jwt_liaison"),
        ("api work-item list, liaison", "/api/v1/work-item/", "jwt_liaison"),
        ("work-item list, liaison", "/workitemview/list/", "liaison"),
        ("complaint list, liaison", "/complaintview/list/", "liaison"),
        ("api complaint list, liaison", "/api/v1/complaint/", "jwt_liaison"),
        (f"audit trail ({audit}, auditor)", "/audittimelineview/list/", "auditor"),
        (f"audit entries ({k(sizes['audit_entry'])}, auditor)", "/auditentryview/list/",
         "auditor"),
        (f"document register ({k(sizes['document'])})", "/documentview/list/", "karo"),
        ("api document list", "/api/v1/document/", "jwt"),
        (f"mail outbox ({k(sizes['outbound_mail'])}, auditor)", "/mailoutboxview/list/",
         "auditor"),
        (f"complaint list ({k(sizes['complaint'])})", "/complaintview/list/", "karo"),
        ("api complaint list", "/api/v1/complaint/", "jwt"),
        (f"IKU indicator list ({k(sizes['indicator'])})", "/indicatorview/list/", "karo"),
        ("api indicator list", "/api/v1/indicator/", "jwt"),
        (f"pelaksana list ({k(sizes['pelaksana'])})", "/pelaksanaview/list/", "karo"),
        ("api pelaksana list", "/api/v1/pelaksana/", "jwt"),
        (f"Tugas saya ({staff[0]}, {staff[1]} open)", "/tasks/", "staff"),
        ("SLA board", "/sla/", "karo"),
        (f"cycle page, active ({active[1]:,} ev)", f"/cycle/{active[0]}", "karo"),
        # bench/handwritten.py: the same first pages without FAB's machinery, a ceiling
        ("hand-written event history p1", "/bench/hand/event-history", "karo"),
        ("hand-written api work-event list", "/bench/hand/api-work-event", "jwt"),
    ]
    return routes, {"karo": "karo", "jwt": "karo", "staff": staff[0], "auditor": "auditor",
                    "liaison": "setpres", "jwt_liaison": "setpres"}


# --------------------------------------------------------------------------- sanity
def sanity(app, routes, users) -> dict[str, dict]:
    """One request per route: status, rows on the page, a REST list's count, <option>s."""
    clients, headers = login_clients(app, users, PASSWORD)
    found = {}
    print(f"{'route':42} {'status':>6} {'rows':>5} {'count':>9} {'options':>7} {'KB':>6}")
    for name, path, auth in routes:
        response = (clients.get(auth) or app.test_client()).get(path,
                                                                headers=headers.get(auth, {}))
        body = response.get_data(as_text=True)
        rows, total = None, None
        if response.is_json:
            data = response.get_json()
            result = data.get("result")
            rows = len(result) if isinstance(result, list) else int(result is not None)
            total = data.get("count")
        elif "/list/" in path:
            rows = max(0, len(re.findall(r"<tr\b", body)) - 1)
        row = {"status": response.status_code, "rows": rows, "count": total,
               "options": body.count("<option"), "kbytes": len(response.data) / 1024}
        flags = []
        if row["status"] != 200:
            flags.append("NOT 200")
        if rows == 0:
            flags.append("NO ROWS")
        if row["options"] > 200:
            flags.append("BIG SELECT")
        if isinstance(total, int) and total > 100_000:
            flags.append("EXACT COUNT")
        row["flags"] = flags
        found[name] = row
        print(f"{name:42} {row['status']:>6} {'' if rows is None else rows:>5} "
              f"{'' if total is None else total:>9} {row['options']:>7} {row['kbytes']:>6.0f}"
              f"  {' '.join(flags)}", flush=True)
    return found


# --------------------------------------------------------------------------- report
def table(routes, counted, loaded: dict[str, dict[str, dict]]) -> str:
    labels = list(loaded) or [""]
    head = ["page"]
    for label in labels:
        prefix = f"{label} " if len(labels) > 1 else ""
        head += [f"{prefix}req/s share of bare", f"{prefix}p50 ms"]
    head += ["page size", "SQL stmts", "CPU ms"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, _path, _auth in routes:
        count, cells = counted.get(name, {}), [name]
        for label in labels:
            found = loaded.get(label, {})
            res, bare = found.get(name), found.get("bare route")
            if res is None:
                cells += ["", ""]
            elif res["status"] != 200:
                cells += [f"HTTP {res['status']}", ""]
            else:
                share = 100 * res["rps"] / bare["rps"] if bare and bare.get("rps") else 0.0
                cells += [f"{share:.1f} % ({res['rps']:.0f}/s)" if share < 99.95 else
                          f"100 % ({res['rps']:.0f}/s)", f"{res['p50_ms']:.1f}"]
        kb = count.get("kbytes")
        cells += ["" if kb is None else f"{kb:.1f} KB" if kb < 10 else f"{kb:.0f} KB",
                  str(count.get("statements", "")),
                  f"{count['cpu_ms']:.1f}" if count else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    args = arguments(__doc__.split("\n")[0], connections=8)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    from sqlalchemy import create_engine

    app = __import__("bench.wsgi", fromlist=["app"]).app
    engine = create_engine(args.db)
    with engine.connect() as conn:
        routes, users = pick_routes(conn, app)
    engine.dispose()
    routes = [r for r in routes if r[2] is None or not args.only
              or any(w.lower() in r[0].lower() for w in args.only)]
    checked = sanity(app, routes, users)
    print()
    counted = count_statements(routes, users, args)
    for name, row in counted.items():
        row.update(checked.get(name, {}))
    loaded = {} if args.count_only else load_routes(routes, users, args)
    result = table(routes, counted, loaded)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    meta = {**run_meta(args, users), "elapsed_s": round(time.perf_counter() - started)}
    rows = [{"route": n, "path": p, "auth": a, "count": counted.get(n),
             "load": {label: found.get(n) for label, found in loaded.items()}}
            for n, p, a in routes]
    (RESULTS / f"lists-{stamp}.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                            indent=2))
    (RESULTS / f"lists-{stamp}.md").write_text(f"{json.dumps(meta)}\n\n{result}\n")
    flagged = [f"{n}: {', '.join(r['flags'])}" for n, r in counted.items() if r.get("flags")]
    print(f"\n{json.dumps(meta)}\n\n{result}\n")
    if flagged:
        print("flagged:\n  " + "\n  ".join(flagged))
    print(f"written: bench/results/lists-{stamp}.md ({meta['elapsed_s']} s)")


if __name__ == "__main__":
    main()
