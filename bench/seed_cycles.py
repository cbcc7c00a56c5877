"""Seed 1,000 cycles and ~1M work events into a FRESH bench database (dropped and recreated).

    .venv/bin/python bench/seed_cycles.py                  # PostgreSQL iku_bench_cycles
    .venv/bin/python bench/seed_cycles.py --cycles 200 --events 100000

Schema from the migrations, reference data from `flask iku init`'s code, the demo people of
app.services.demo (password: bench.seed_large.PASSWORD). Then:

1. templates, through the real engine on a controlled clock: a few cycles started with
   start_cycle and driven by their people with start/pause/resume/return/complete, some to the
   end (completed), some to a step in the middle (open items at that step);
2. clones of the templates up to --cycles, by INSERT ... SELECT (cycle, units, items with their
   ids offset, parents remapped, and the template's real events), every time shifted by whole
   weeks so that weekdays and office hours stay as the engine computed them: most cycles
   completed over the past years, ~50 active with their open items "now" (some overdue),
   some cancelled;
3. synthetic history up to --events rows by COPY: start/pause/resume/return/reassign/complete
   on the items already handed over, between their handover and their completion (or now),
   by the demo people, some with notes;
4. `sla-scan` once (marks and reminders of the active cycles), VACUUM ANALYZE.

PostgreSQL only (COPY). Prints what it made and the time each part took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed_large import PASSWORD, analyse, fresh_database  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench_cycles"
WIB = ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2025, 1, 6, 8, 0, tzinfo=WIB)  # a Monday, 08:00
WEEK = dt.timedelta(weeks=1)
# Templates: (name, the leaf to drive to; None: to the end). A partial template stops as soon
# as that leaf is handed over, then starts some of its open leaves and pauses a few.
TEMPLATES = [("done-a", None), ("done-b", None), ("done-c", None),
             ("open-s02", "s02.a.6"), ("open-s03", "s03.b"), ("open-s04", "s04.a"),
             ("open-s05", "s05#1.b"), ("open-s06", "s06@SETPRES"), ("open-s08", "s08.a"),
             ("open-s10", "s10"), ("open-s13", "s13.f"), ("open-s15", "s15@AK1")]
NOTES = ["Sudah dikoordinasikan dengan Bagian terkait.", "Menunggu data dukung dari unit.",
         "Draf diperbaiki sesuai masukan.", "Disampaikan melalui nota dinas.",
         "Mohon ditindaklanjuti segera.", "Rapat pembahasan dijadwalkan ulang.",
         "Dokumen sudah diunggah ke folder bersama.", "Perlu klarifikasi indikator kinerja."]
# action, weight: the synthetic history of an item handed over
ACTIONS = [("start", 30), ("complete", 25), ("pause", 10), ("resume", 10), ("return", 10),
           ("reassign", 5), ("start", 10)]


# --------------------------------------------------------------------------- 1. templates
class Driver:
    """Drives one cycle through the engine as its people would: the assignee (or a liaison,
    or a bureau person on the chain) records each open leaf, on a clock that moves on."""

    def __init__(self, session, cycle_id: int, people: list, karo, rnd: random.Random,
                 now: dt.datetime):
        self.session, self.cycle_id, self.people, self.karo = session, cycle_id, people, karo
        self.rnd, self.now, self.returns = rnd, now, 0

    def open_leaves(self):
        from app.models.cycles import OPEN_STATUSES, WorkItem

        return self.session.scalars(select(WorkItem).where(
            WorkItem.cycle_id == self.cycle_id, WorkItem.is_leaf,
            WorkItem.status.in_(OPEN_STATUSES)).order_by(WorkItem.position)).all()

    def tick(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=self.rnd.choice([10, 20, 45, 90, 150, 240]))
        if self.rnd.random() < 0.04:
            self.now += dt.timedelta(days=self.rnd.choice([1, 2, 3, 6]))  # some come late
        return self.now

    def act(self, name: str, item_id: int, **kw) -> bool:
        """As the assignee if any, else the first person the engine lets record it."""
        from app.models.cycles import WorkItem
        from app.services import cycles
        from app.services.cycles.errors import WorkItemForbiddenError

        call = getattr(cycles, f"{name}_item")
        assignee = self.session.scalar(select(WorkItem.assignee_user_id).where(
            WorkItem.id == item_id))
        for person in sorted(self.people, key=lambda p: p.id != assignee):
            try:
                call(self.session, person, item_id, now=self.tick(), **kw)
                return True
            except WorkItemForbiddenError:
                self.session.rollback()
        return False

    def record(self, item) -> None:
        """Some start first, some pause and resume, a few are sent back; then complete."""
        from app.services import cycles
        from app.services.cycles.errors import CycleError

        item_id, status = item.id, item.status
        if status == "paused":
            self.act("resume", item_id, note="Data sudah diterima.")
        elif status == "ready" and self.rnd.random() < 0.5 and not self.act("start", item_id):
            cycles.reassign_item(self.session, self.karo, item_id, self.people[0].id,
                                 now=self.tick(), note="Ditugaskan ulang untuk bench.")
            self.act("start", item_id)
        if self.rnd.random() < 0.06 and self.act("pause", item_id,
                                                 reason="Menunggu data dukung dari unit."):
            self.act("resume", item_id)
        if self.returns < 2 and item.parent_id is not None and self.rnd.random() < 0.05:
            try:
                if self.act("return", item_id, reason="Perlu perbaikan sebelum diteruskan."):
                    self.returns += 1
                    return
            except CycleError:
                self.session.rollback()  # first of its chain: nothing to send back to
        if not self.act("complete", item_id, note=self.rnd.choice([None, *NOTES])):
            raise SystemExit(f"nobody may complete item {item_id}")

    def run(self, stop_at: str | None) -> dt.datetime:
        for _ in range(5000):
            leaves = self.open_leaves()
            if not leaves:
                break
            if any(i.code == stop_at for i in leaves):
                for item in leaves:  # work under way: some started, a few paused
                    if item.status == "ready" and self.rnd.random() < 0.5:
                        self.act("start", item.id)
                        if self.rnd.random() < 0.2:
                            self.act("pause", item.id, reason="Menunggu data dukung dari unit.")
                break
            self.record(leaves[0])
        return self.now


def make_templates(session, users: dict, rnd: random.Random) -> list[dict]:
    from app.services import cycles

    karo = users["karo"]
    people = [users[name] for name in ("staf1", "staf2", "kasubbag1", "kasubbag2", "kabag1",
                                       "kabag2", "karo", "setpres", "setwapres")]
    made = []
    for index, (name, stop_at) in enumerate(TEMPLATES):
        start = T0 + index * WEEK
        cycle = cycles.start_cycle(session, karo, standard_code="iku", code=f"IKU-T{index + 1}",
                                   period=str(start.year), reason="periodic", now=start,
                                   title=f"IKU template {name}")
        t0 = time.perf_counter()
        rnd_people = people[:]
        rnd.shuffle(rnd_people)
        end = Driver(session, cycle.id, rnd_people, karo, rnd, start).run(stop_at)
        session.expire_all()
        status = session.get(type(cycle), cycle.id).status
        print(f"  template {name}: {status}, driven to {end:%Y-%m-%d %H:%M} "
              f"in {time.perf_counter() - t0:.1f}s")
        made.append({"id": cycle.id, "name": name, "status": status, "end": end})
    return made


# --------------------------------------------------------------------------- 2. clones
CYCLE_COLS = ["title", "period", "reason", "reason_note", "standard_id", "lead_section_id",
              "started_by_id"]
ITEM_COPY = ["position", "depth", "code", "step_code", "label", "title", "kind", "parallel",
             "substep_time_policy",
             "is_leaf", "actor_code", "actor_kind", "actor_name", "on_behalf_of", "section_id",
             "org_unit_id", "assignee_user_id", "duration_value", "duration_unit", "time_text",
             "relative_deadline", "documents", "participants", "allowed_minutes",
             "paused_minutes", "completed_by_id", "status", "version_id"]
ITEM_TIMES = ["planned_start", "planned_due", "ready_at", "clock_start", "due_at",
              "clock_paused_at", "started_at", "completed_at", "at_risk_at", "overdue_at"]
EVENT_COPY = ["org_unit_id", "user_id", "on_behalf_of", "action", "note", "attachment_name",
              "attachment_path", "attachment_sha256", "attachment_size", "details"]


def plan_clones(templates: list[dict], n_cycles: int, n_active: int, n_cancelled: int,
                now: dt.datetime, rnd: random.Random) -> list[dict]:
    """(template, status, shift) of each clone: active ones end "now" give or take a few
    weeks (40% at least a week behind), completed ones spread over the past ~6 years."""
    done = [t for t in templates if t["status"] == "completed"]
    partial = [t for t in templates if t["status"] == "active"]
    n_clones = n_cycles - len(templates)
    n_active = max(0, n_active - len(partial))
    plans = []
    for i in range(n_clones):
        if i < n_active:
            tpl = partial[i % len(partial)]
            behind = 0 if rnd.random() < 0.6 else rnd.randint(1, 4)
            weeks = (now - tpl["end"]) // WEEK - behind
            plans.append({"tpl": tpl, "status": "active", "weeks": weeks})
        elif i < n_active + n_cancelled:
            tpl = partial[i % len(partial)]
            weeks = (now - tpl["end"]) // WEEK - rnd.randint(8, 150)
            plans.append({"tpl": tpl, "status": "cancelled", "weeks": weeks})
        else:
            tpl = done[i % len(done)]
            weeks = (now - tpl["end"]) // WEEK - rnd.randint(1, 300)
            plans.append({"tpl": tpl, "status": "completed", "weeks": weeks})
    rnd.shuffle(plans)
    return plans


def clone(conn, templates: list[dict], plans: list[dict], now: dt.datetime) -> None:
    """One INSERT ... SELECT per table for all clones, through a temporary mapping table;
    then the partial templates are moved to "now" as well."""
    conn.execute(text("CREATE TEMP TABLE clone_map (new_id int PRIMARY KEY, tpl int, code text, "
                      "status text, shift interval, item_offset int) ON COMMIT DROP"))
    first_cycle = conn.execute(text("SELECT max(id) + 1 FROM cycle")).scalar()
    span = conn.execute(text("SELECT max(id) - min(id) + 1 FROM work_item")).scalar()
    next_item = conn.execute(text("SELECT max(id) + 1 FROM work_item")).scalar()
    mins = dict(conn.execute(text(
        "SELECT cycle_id, min(id) FROM work_item GROUP BY cycle_id")).all())
    rows = []
    for n, plan in enumerate(plans):
        tpl = plan["tpl"]["id"]
        rows.append({"new_id": first_cycle + n, "tpl": tpl, "code": f"IKU-B{n + 1:04d}",
                     "status": plan["status"], "shift": dt.timedelta(weeks=plan["weeks"]),
                     "item_offset": next_item + n * span - mins[tpl]})
    conn.execute(text("INSERT INTO clone_map VALUES (:new_id, :tpl, :code, :status, :shift, "
                      ":item_offset)"), rows)
    cols = ", ".join(CYCLE_COLS)
    conn.execute(text(f"""
        INSERT INTO cycle (id, code, status, started_at, planned_end, completed_at,
                           cancelled_at, {cols})
        SELECT m.new_id, m.code, m.status, c.started_at + m.shift, c.planned_end + m.shift,
               c.completed_at + m.shift,
               CASE WHEN m.status = 'cancelled' THEN
                    (SELECT max(occurred_at) FROM work_event e WHERE e.cycle_id = c.id)
                    + m.shift + interval '1 day' END,
               {", ".join(f"c.{col}" for col in CYCLE_COLS)}
        FROM clone_map m JOIN cycle c ON c.id = m.tpl"""))
    conn.execute(text("""
        INSERT INTO cycle_unit (cycle_id, org_unit_id, section_id)
        SELECT m.new_id, u.org_unit_id, u.section_id
        FROM clone_map m JOIN cycle_unit u ON u.cycle_id = m.tpl ORDER BY m.new_id, u.id"""))
    copy, times = ", ".join(ITEM_COPY), ", ".join(ITEM_TIMES)
    conn.execute(text(f"""
        INSERT INTO work_item (id, cycle_id, parent_id, {copy}, {times})
        SELECT w.id + m.item_offset, m.new_id, w.parent_id + m.item_offset,
               {", ".join(f"w.{col}" for col in ITEM_COPY)},
               {", ".join(f"w.{col} + m.shift" for col in ITEM_TIMES)}
        FROM clone_map m JOIN work_item w ON w.cycle_id = m.tpl ORDER BY 1"""))
    copy = ", ".join(EVENT_COPY)
    conn.execute(text(f"""
        INSERT INTO work_event (cycle_id, item_id, occurred_at, {copy})
        SELECT m.new_id, e.item_id + m.item_offset, e.occurred_at + m.shift,
               {", ".join(f"e.{col}" for col in EVENT_COPY)}
        FROM clone_map m JOIN work_event e ON e.cycle_id = m.tpl
        ORDER BY e.occurred_at + m.shift, e.id"""))
    conn.execute(text("""
        INSERT INTO work_event (cycle_id, user_id, action, note, occurred_at)
        SELECT c.id, c.started_by_id, 'cycle_cancel', 'Digantikan oleh siklus lain.',
               c.cancelled_at
        FROM cycle c JOIN clone_map m ON m.new_id = c.id WHERE m.status = 'cancelled'"""))
    for tpl in templates:  # the partial templates themselves: active "now" like the clones
        if tpl["status"] == "active":
            shift = {"shift": (now - tpl["end"]) // WEEK * WEEK, "id": tpl["id"]}
            conn.execute(text("UPDATE cycle SET started_at = started_at + :shift, "
                              "planned_end = planned_end + :shift WHERE id = :id"), shift)
            sets = ", ".join(f"{col} = {col} + :shift" for col in ITEM_TIMES)
            conn.execute(text(f"UPDATE work_item SET {sets} WHERE cycle_id = :id"), shift)
            conn.execute(text("UPDATE work_event SET occurred_at = occurred_at + :shift "
                              "WHERE cycle_id = :id"), shift)
    for table in ("cycle", "cycle_unit", "work_item", "work_event"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM {table}))"))


# --------------------------------------------------------------------------- 3. history
def synthetic_events(conn, target: int, user_ids: dict[str, int], now: dt.datetime,
                     rnd: random.Random) -> int:
    """COPY events until work_event holds `target` rows: each on an item already handed over,
    between its handover and its completion (or now / the cycle's cancellation)."""
    have = conn.execute(text("SELECT count(*) FROM work_event")).scalar()
    wanted = max(0, target - have)
    leaves = conn.execute(text("""
        SELECT w.cycle_id, w.id, w.ready_at, coalesce(w.completed_at, c.cancelled_at, :now),
               w.on_behalf_of, w.org_unit_id
        FROM work_item w JOIN cycle c ON c.id = w.cycle_id
        WHERE w.is_leaf AND w.ready_at IS NOT NULL ORDER BY w.cycle_id, w.position"""),
        {"now": now.astimezone(dt.UTC).replace(tzinfo=None)}).all()
    by_cycle: dict[int, list] = {}
    for row in leaves:
        by_cycle.setdefault(row[0], []).append(row)
    weights = {cid: len(rows) * rnd.uniform(0.5, 1.5) for cid, rows in by_cycle.items()}
    total = sum(weights.values())
    staff = [user_ids[n] for n in ("staf1", "staf2", "kasubbag1", "kasubbag2", "kabag1",
                                   "kabag2", "karo")]
    liaisons = [user_ids[n] for n in ("setpres", "setwapres")]
    actions = [a for a, w in ACTIONS for _ in range(w)]
    written = 0
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
            "COPY work_event (cycle_id, item_id, org_unit_id, user_id, on_behalf_of, action, "
            "note, details, occurred_at) FROM STDIN") as out:
        for cid, rows in by_cycle.items():
            share = round(wanted * weights[cid] / total) if total else 0
            for _ in range(min(share, wanted - written)):
                _cycle, item_id, ready, end, behalf, unit = rows[rnd.randrange(len(rows))]
                span = max((end - ready).total_seconds(), 60.0)
                at = ready + dt.timedelta(seconds=rnd.uniform(0, span))
                action = rnd.choice(actions)
                user = rnd.choice(liaisons) if rnd.random() < 0.1 else rnd.choice(staff)
                note, details = None, None
                if action in ("pause", "return") or rnd.random() < 0.3:
                    note = rnd.choice(NOTES)
                if action == "reassign":
                    details = json.dumps({"from_user_id": rnd.choice(staff),
                                          "to_user_id": rnd.choice(staff)})
                out.write_row((cid, item_id, unit, user, behalf, action, note, details, at))
                written += 1
    return written


# --------------------------------------------------------------------------- main
def seed(url: str, n_cycles: int, n_events: int, n_active: int, n_cancelled: int) -> None:
    os.environ.update(DATABASE_URL=url, IKU_CONFIG="DevConfig",
                      SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32))
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models.cycles import Cycle, WorkEvent, WorkItem
    from app.models.org import IkuUser
    from app.services import access, cycles, demo
    from bench.wsgi import app

    rnd = random.Random(2027)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with app.app_context():
        t0 = time.perf_counter()
        upgrade(directory=str(ROOT / "migrations"))
        access.sync_roles()
        demo.load_reference_data()
        demo.load_demo_data()
        for name, *_ in demo.DEMO_PEOPLE:
            access.set_password(name, PASSWORD)
        access.set_password("admin", PASSWORD)
        users = {u.username: u for u in db.session.scalars(select(IkuUser))}
        user_ids = {name: user.id for name, user in users.items()}
        print(f"schema, reference data, demo people: {time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        templates = make_templates(db.session, users, rnd)
        db.session.remove()
        print(f"{len(templates)} template cycles through the engine: "
              f"{time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        plans = plan_clones(templates, n_cycles, n_active, n_cancelled, now, rnd)
        with db.engine.begin() as conn:
            clone(conn, templates, plans, now)
        print(f"{len(plans)} clones (cycles, units, items, their events): "
              f"{time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            written = synthetic_events(conn, n_events, user_ids, now, rnd)
        print(f"{written} synthetic events by COPY: {time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        result = cycles.scan_sla(db.session, now)
        db.session.remove()
        print(f"sla-scan: {result}: {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        analyse(db.engine)
        print(f"VACUUM ANALYZE: {time.perf_counter() - t0:.1f}s")

        s = db.session
        by_status = dict(s.execute(
            select(Cycle.status, func.count()).group_by(Cycle.status)).all())
        print(f"cycles: {sum(by_status.values())} {by_status}")
        print(f"work items: {s.scalar(select(func.count()).select_from(WorkItem))}, "
              f"work events: {s.scalar(select(func.count()).select_from(WorkEvent))}")
        open_mine = s.execute(
            select(IkuUser.username, func.count()).join(WorkItem,
                                                         WorkItem.assignee_user_id == IkuUser.id)
            .join(Cycle, Cycle.id == WorkItem.cycle_id)
            .where(Cycle.status == "active", WorkItem.is_leaf,
                   WorkItem.status.in_(["ready", "in_progress", "paused"]))
            .group_by(IkuUser.username).order_by(IkuUser.username)).all()
        print(f"open leaves of active cycles by assignee: {dict(open_mine)}")
    print(f"seeded in {time.perf_counter() - started:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_CYCLES_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--active", type=int, default=50)
    parser.add_argument("--cancelled", type=int, default=20)
    args = parser.parse_args()
    if not args.db.startswith("postgresql"):
        raise SystemExit("PostgreSQL only (the history is loaded with COPY)")
    fresh_database(args.db)
    seed(args.db, args.cycles, args.events, args.active, args.cancelled)


if __name__ == "__main__":
    main()
