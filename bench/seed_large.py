"""Seed a large organisation into a FRESH bench database (dropped and recreated).

    .venv/bin/python bench/seed_large.py                       # PostgreSQL iku_bench
    .venv/bin/python bench/seed_large.py --db sqlite:////tmp/iku-bench.db

The schema comes from the migrations and the reference data from the init code, as in
production; then bulk Core inserts (no ORM, so no per-row audit entry): pelaksana with valid
NIPs and audit entries chained exactly as app.services.audit chains them (entry_hash over the
previous hash), so `flask iku audit-verify` passes on the result. Users: bench-admin (Admin)
and bench-liaison (Pengguna of SETPRES), password PASSWORD below.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/iku_bench"
PASSWORD = "Bench-Rahasia-2026!"
USERS = {"bench-admin": ("Admin", None), "bench-liaison": ("Pengguna", "SETPRES")}
FIRST = ["Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hadi", "Indah", "Joko",
         "Kartika", "Lestari", "Made", "Nur", "Putri", "Rudi", "Sari", "Teguh", "Wahyu", "Yanti"]
LAST = ["Santoso", "Wijaya", "Pratama", "Hidayat", "Saputra", "Kusuma", "Nugroho", "Lestari",
        "Siregar", "Simanjuntak", "Harahap", "Setiawan", "Permana", "Rahayu", "Utami", "Gunawan"]
BATCH = 5000


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def nip(i: int) -> str:
    """Unique and valid for i < 9,000,000: birth date from i % 9000, sequence from i // 9000."""
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=i % 9000)
    return f"{birth:%Y%m%d}{birth.year + 22}{1 + i % 12:02d}{1 + i % 2}{i // 9000:03d}"


def pelaksana_rows(count: int, positions: list[int], sections: list[int]):
    rnd = random.Random(2026)
    for i in range(count):
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {rnd.choice(LAST)}"
        yield {"name": name, "nip": nip(i), "position_id": rnd.choice(positions),
               "section_id": rnd.choice(sections), "email": f"pelaksana{i}@iku.bench",
               "active": i % 10 != 0}


def audit_rows(count: int, units: list[int], entry_hash, prev: str):
    """Entries as the service writes them: same fields, `hash` over them and the previous
    hash, continuing the chain from `prev` (the init code's own changes are already in it)."""
    rnd = random.Random(7)
    start = dt.datetime(2026, 1, 1)
    actions = ["update"] * 6 + ["create"] * 3 + ["delete", "export", "login_failed"]
    for i in range(count):
        action = rnd.choice(actions)
        row = {"occurred_at": start + dt.timedelta(seconds=i * 37, microseconds=i % 1000),
               "actor": rnd.choice(["bench-admin", "karo", "kabag1", "staf7", "bench-liaison"]),
               "actor_ip": f"10.0.{i % 7}.{i % 250}", "action": action,
               "entity": rnd.choice(["pelaksana", "org_unit", "section", "competence_record"]),
               "entity_id": str(1 + i % 5000), "unit_id": rnd.choice(units + [None]),
               "changes": {"name": [f"Lama {i}", f"Baru {i}"]} if action == "update" else None,
               "prev_hash": prev}
        row["hash"] = prev = entry_hash(row)
        yield row


def batched(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, n_pelaksana: int, n_audit: int) -> None:
    os.environ.update(DATABASE_URL=url, IKU_CONFIG="DevConfig",
                      SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32))
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models.org import OrgUnit, Pelaksana, Position, Section
    from app.services import access, demo
    from bench.wsgi import app

    with app.app_context():
        t0 = time.perf_counter()
        upgrade(directory=str(ROOT / "migrations"))
        access.sync_roles()
        demo.load_reference_data()
        units = {u.code: u.id for u in db.session.query(OrgUnit)}
        for username, (role, unit) in USERS.items():
            links = {"org_unit_id": units[unit]} if unit else {}
            access.create_user(username, username, "Bench", f"{username}@iku.bench", [role],
                               PASSWORD, **links)
        positions = [p.id for p in db.session.query(Position)]
        sections = [s.id for s in db.session.query(Section)]
        db.session.remove()
        with db.engine.begin() as conn:  # Core, outside the ORM session and its audit hooks
            for batch in batched(pelaksana_rows(n_pelaksana, positions, sections)):
                conn.execute(insert(Pelaksana.__table__), batch)
        print(f"{n_pelaksana} pelaksana, 13 units: {time.perf_counter() - t0:.1f}s")
        seed_audit(db.engine, n_audit, list(units.values()))
        analyse(db.engine)
        print(f"done in {time.perf_counter() - t0:.1f}s")


def analyse(engine) -> None:
    """Planner statistics and (PostgreSQL) the visibility map, as autovacuum would leave them
    some minutes after a bulk load: otherwise the first minutes measure a cold, unplanned DB."""
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(statement)


def seed_audit(engine, n_audit: int, units: list[int]) -> None:
    try:
        from app.models.audit import AuditEntry, AuditHead, entry_hash
        from app.services.audit import chain_key
    except ImportError:
        print("no app.models.audit: audit rows skipped")
        return
    t0 = time.perf_counter()
    table, heads = AuditEntry.__table__, AuditHead.__table__
    newest = select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)
    with engine.begin() as conn:
        head = conn.execute(newest).first()
        key = chain_key()
        chained = audit_rows(n_audit, units, lambda row: entry_hash(row, key), head.hash if head else "")
        for batch in batched(chained):
            conn.execute(insert(table), batch)
        head = conn.execute(newest).first()
        count = conn.execute(select(func.count()).select_from(table)).scalar()
        values = {"last_id": head.id if head else 0, "last_hash": head.hash if head else "",
                  "entries": count}
        if conn.execute(update(heads).where(heads.c.id == 1).values(**values)).rowcount == 0:
            conn.execute(insert(heads).values(id=1, **values))
    print(f"{n_audit} audit entries, chained: {time.perf_counter() - t0:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--pelaksana", type=int, default=5000)
    parser.add_argument("--audit", type=int, default=100_000)
    args = parser.parse_args()
    fresh_database(args.db)
    seed(args.db, args.pelaksana, args.audit)


if __name__ == "__main__":
    main()
