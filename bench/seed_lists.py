"""Add the rows the other big lists need to the EXISTING cycles bench database (never dropped).

    .venv/bin/python bench/seed_lists.py                   # iku_bench_cycles, after seed_cycles.py
    .venv/bin/python bench/seed_lists.py --verify-audit    # then recompute the whole chain
    IKU_AUDIT_KEY=iku-bench-audit-chain IKU_CONFIG=DevConfig SECRET_KEY=x DATABASE_URL=... \
      .venv/bin/flask --app wsgi.py iku audit-verify        # the same check through the CLI

bench/seed_cycles.py made 1,000 cycles and ~1M work events; this adds, each part up to its
total (a second run finds them there and says "already seeded"), by Core statements, never the
ORM (no audit hooks, no per-row flush):

- pelaksana up to --pelaksana (bench.seed_large.pelaksana_rows: valid, unique NIPs);
- audit entries up to --audit (bench.seed_large.seed_audit: chained as app.services.audit
  chains them). The chain key is IKU_AUDIT_KEY, BENCH_AUDIT_KEY below unless set: the entries
  seed_cycles.py wrote were keyed by a random SECRET_KEY, so they are re-hashed first (same
  order, same content) and the whole trail verifies under that one key. Their times are
  seed_large's: from 2026-01-01, 37 s apart (1M entries reach into 2027);
- official documents up to --documents, by COPY: one per document a reached step of a cycle
  names (its anchor item's `documents`), draft while the step is open, final (numbered by its
  kind's scheme, app.services.documents.numbering) or signed (decrees and regulations: the
  number given by hand) once it is done; some final ones superseded by a correction; the rest
  personal documents (yearly evaluation reports, a few written reprimands) of the pelaksana.
  The number sequences are moved past the numbers used. No DocumentVersion rows (no files):
  the register and its API do not read them;
- complaints up to --complaints, INSERT ... SELECT generate_series: the last month's still
  open (received, delegated, in progress, awaiting approval), older ones closed, rejected or
  archived, with the clock columns the list shows; a "file" event each (and the closing one);
- outbound mail up to --mails, INSERT ... SELECT generate_series: reminders about work items
  (most), dispatched memoranda (linked to a final document), complaint responses; ~95 % sent,
  ~4 % failed (the server's answer), the newest few hundred still queued;
- VACUUM ANALYZE.

PostgreSQL only. Prints the count and the time of each part.
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
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed_cycles import DEFAULT_DB  # noqa: E402
from bench.seed_large import FIRST, LAST, analyse, batched, pelaksana_rows, seed_audit  # noqa: E402

BENCH_AUDIT_KEY = "iku-bench-audit-chain"  # not a secret: bench data only
WIB = ZoneInfo("Asia/Jakarta")
BUREAU = ("karo", "kabag1", "kabag2", "kasubbag1", "kasubbag2", "staf1", "staf2")


def count(conn, table: str) -> int:
    return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def part(name: str, have: int, target: int):
    """(rows to add, start time); prints "already seeded" when there is nothing to add."""
    wanted = max(0, target - have)
    if not wanted:
        print(f"{name}: already seeded ({have:,} rows)")
    return wanted, time.perf_counter()


def done(name: str, conn, table: str, t0: float, where: str = "") -> None:
    total = conn.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar()
    print(f"{name}: {total:,} rows, {time.perf_counter() - t0:.1f}s", flush=True)


# --------------------------------------------------------------------------- pelaksana
def seed_pelaksana(engine, target: int) -> None:
    from app.models.org import Pelaksana, Position, Section

    with engine.begin() as conn:
        have = conn.execute(text(
            "SELECT count(*) FROM pelaksana WHERE email LIKE '%@iku.bench'")).scalar()
        wanted, t0 = part("pelaksana", have, target)
        if not wanted:
            return
        positions = list(conn.scalars(select(Position.id)))
        sections = list(conn.scalars(select(Section.id)))
        rows = list(pelaksana_rows(target, positions, sections))[have:]
        for batch in batched(rows):
            conn.execute(insert(Pelaksana.__table__), batch)
        done("pelaksana", conn, "pelaksana", t0)


# --------------------------------------------------------------------------- audit
def rechain(conn, key: bytes) -> int:
    """Re-hash the existing entries under `key` if they do not verify under it (same order,
    same content); returns how many were re-hashed."""
    from app.models.audit import AuditEntry, entry_hash

    table = AuditEntry.__table__
    rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    prev, fixed = "", []
    for row in rows:
        new = entry_hash({**row, "prev_hash": prev}, key)
        if (row["prev_hash"], row["hash"]) != (prev, new):
            fixed.append({"row_id": row["id"], "p": prev, "h": new})
        prev = new
    for one in fixed:  # in id order: a new prev_hash never meets an old one (unique index)
        conn.execute(text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :row_id"),
                     one)
    if fixed:
        conn.execute(text("UPDATE audit_head SET last_id = :i, last_hash = :h, entries = :n "
                          "WHERE id = 1"), {"i": rows[-1]["id"], "h": prev, "n": len(rows)})
    return len(fixed)


def seed_audit_entries(engine, target: int) -> None:
    from app.services.audit import chain_key

    with engine.begin() as conn:
        wanted, t0 = part("audit entries", count(conn, "audit_entry"), target)
        if not wanted:
            return
        fixed = rechain(conn, chain_key())
        units = list(conn.scalars(text("SELECT id FROM org_unit ORDER BY id")))
    if fixed:
        print(f"  {fixed} existing entries re-hashed under the bench chain key")
    seed_audit(engine, wanted, units)  # prints its own time
    with engine.connect() as conn:
        done("audit entries", conn, "audit_entry", t0)


def verify_audit(session) -> None:
    from app.services import audit

    t0 = time.perf_counter()
    broken = audit.verify_chain(session)
    verdict = "OK" if broken is None else f"BROKEN at {broken.entry_id}: {broken.reason}"
    print(f"audit chain: {verdict}, {audit.count_entries(session):,} entries, "
          f"{time.perf_counter() - t0:.1f}s")


# --------------------------------------------------------------------------- documents
DOC_COLUMNS = ("id", "code", "title", "kind", "cycle_id", "pelaksana_id", "work_item_id",
               "step_code", "org_unit_id", "number", "number_series", "number_year",
               "number_seq", "number_manual", "status", "superseded_by_id", "verify_token",
               "created_by_id", "created_at", "finalised_by_id", "finalised_at", "signed_at")


class Numbers:
    """Numbers as app.services.documents.numbering gives them, allocated in the order the
    documents were finalised: the sequence per series and year, or by hand (decrees)."""

    def __init__(self, conn):
        self.next = {(s, y): v for s, y, v in conn.execute(text(
            "SELECT series, year, next_value FROM number_sequence"))}
        self.manual = {(s, y): (n or 0) + 1 for s, y, n in conn.execute(text(
            "SELECT number_series, number_year, max(number_seq) FROM document "
            "WHERE number_manual GROUP BY 1, 2"))}
        self.used: dict[tuple[str, int], int] = {}

    def give(self, row: dict, scheme, when: dt.datetime) -> None:
        local = when.replace(tzinfo=dt.UTC).astimezone(WIB)
        key = (scheme.series, local.year)
        counter = self.manual if scheme.manual else self.next
        seq = counter.get(key, 1)
        counter[key] = seq + 1
        if not scheme.manual:
            self.used[key] = seq + 1
        row.update(number=scheme.format(seq, local), number_series=scheme.series,
                   number_year=local.year, number_seq=seq, number_manual=scheme.manual)

    def store(self, conn) -> None:
        """Move each sequence past the numbers given, so the app never gives one again."""
        for (series, year), value in self.used.items():
            conn.execute(text(
                "INSERT INTO number_sequence (series, year, next_value) VALUES (:s, :y, :v) "
                "ON CONFLICT (series, year) DO UPDATE SET next_value = "
                "greatest(number_sequence.next_value, excluded.next_value)"),
                {"s": series, "y": year, "v": value})


def seed_documents(engine, target: int, now: dt.datetime) -> None:
    from app.services import document_spec
    from app.services.documents.numbering import Scheme

    with engine.begin() as conn:
        wanted, t0 = part("documents", count(conn, "document"), target)
        if not wanted:
            return
        rnd = random.Random(2028)
        users = dict(conn.execute(text("SELECT username, id FROM ab_user")).all())
        heads = [users[n] for n in ("karo", "kabag1", "kabag2")]
        bureau = [users[n] for n in BUREAU]
        specs = {}
        for standard_id, content in conn.execute(text(
                "SELECT id, content FROM service_standard")):
            specs[standard_id] = {d["code"]: d for d in (content or {}).get("documents", [])}
        slots = conn.execute(text("""
            SELECT w.id, w.cycle_id, w.step_code, w.documents, w.org_unit_id, w.assignee_user_id,
                   w.completed_by_id, w.ready_at, w.completed_at, c.cancelled_at,
                   c.standard_id
            FROM work_item w JOIN cycle c ON c.id = w.cycle_id
            WHERE w.ready_at IS NOT NULL AND w.ready_at < :now
              AND w.documents::text NOT IN ('null', '[]')
              AND NOT EXISTS (SELECT 1 FROM document d WHERE d.work_item_id = w.id)
            ORDER BY w.ready_at, w.id"""), {"now": now}).all()
        numbers = Numbers(conn)
        next_id = (conn.execute(text("SELECT max(id) FROM document")).scalar() or 0) + 1
        rows: list[dict] = []

        def new(code, title, kind, created, creator, **kw) -> dict:
            nonlocal next_id
            row = dict.fromkeys(DOC_COLUMNS)
            row.update(id=next_id, code=code, title=title[:400], kind=kind, number_manual=False,
                       status="draft", verify_token=secrets.token_urlsafe(24),
                       created_by_id=creator, created_at=created, **kw)
            next_id += 1
            rows.append(row)
            return row

        def finalise(row, scheme, when, signed=None) -> None:
            row.update(status="final", finalised_by_id=rnd.choice(heads), finalised_at=when)
            if scheme.numbered and not scheme.manual:
                numbers.give(row, scheme, when)
            if signed is not None:
                row.update(status="signed", signed_at=signed)
                if scheme.numbered and scheme.manual:
                    numbers.give(row, scheme, signed)

        # 1. documents of the cycles' steps, in the order they were made
        for (item_id, cycle_id, step, codes, unit, assignee, closer, ready, completed, cancelled,
             std) in slots:
            for code in codes:
                if len(rows) >= wanted:
                    break
                spec = specs.get(std, {}).get(code) or {"code": code, "kind": "memorandum"}
                scheme = Scheme(spec)
                maker = assignee or closer or rnd.choice(bureau)
                end = completed or cancelled or now
                span = max((end - ready).total_seconds(), 600.0)
                created = ready + dt.timedelta(seconds=span * rnd.uniform(0.05, 0.4))
                links = {"cycle_id": cycle_id, "work_item_id": item_id, "step_code": step,
                         "org_unit_id": unit}
                title, kind = spec.get("title") or code, spec.get("kind") or ""
                if completed is None:
                    new(code, title, kind, created, maker, **links)
                    continue
                final_at = ready + dt.timedelta(seconds=span * rnd.uniform(0.6, 0.95))
                if rnd.random() < 0.15 and len(rows) + 1 < wanted:  # corrected once
                    first_at = created + (final_at - created) / 3
                    old = new(code, title, kind, created, maker, **links)
                    finalise(old, scheme, first_at)
                    created = first_at + dt.timedelta(minutes=rnd.randint(20, 300))
                    current = new(code, title, kind, created, maker, **links)
                    old["superseded_by_id"] = current["id"]
                else:
                    current = new(code, title, kind, created, maker, **links)
                # decrees and regulations: signed, numbered by hand; a fifth of the rest
                sign = scheme.numbered and (scheme.manual or rnd.random() < 0.2)
                signed = final_at + (end - final_at) * rnd.uniform(0.2, 0.9) if sign else None
                finalise(current, scheme, final_at, signed)
        cycle_docs = len(rows)

        # 2. personal documents: a yearly evaluation report per pelaksana, a few reprimands
        pelaksana = list(conn.scalars(text("SELECT id FROM pelaksana ORDER BY id")))
        personal = [(code, document_spec.document(code)) for code in
                     ("laporan_evaluasi", "teguran_tertulis")]
        year = now.year - 1
        while len(rows) < wanted and pelaksana:
            for person in pelaksana:
                if len(rows) >= wanted:
                    break
                code, spec = personal[1] if rnd.random() < 0.04 else personal[0]
                if code == "laporan_evaluasi":
                    when = dt.datetime(year, 12, 10, 2) + dt.timedelta(
                        minutes=rnd.randint(0, 20 * 24 * 60))
                else:
                    when = dt.datetime(year, 1, 2, 2) + dt.timedelta(
                        minutes=rnd.randint(0, 360 * 24 * 60))
                maker = rnd.choice(heads)
                row = new(code, spec.get("title") or code, spec["kind"], when, maker,
                          pelaksana_id=person)
                finalise(row, Scheme({"code": code, "kind": spec["kind"]}), when)
                row["finalised_by_id"] = maker
            year -= 1
        numbers.store(conn)
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(
                f"COPY document ({', '.join(DOC_COLUMNS)}) FROM STDIN") as out:
            for row in rows:
                out.write_row(tuple(row[c] for c in DOC_COLUMNS))
        conn.execute(text("SELECT setval(pg_get_serial_sequence('document', 'id'), "
                          "(SELECT max(id) FROM document))"))
        by_status = dict(conn.execute(text(
            "SELECT status, count(*) FROM document GROUP BY 1")).all())
        superseded = sum(1 for r in rows if r["superseded_by_id"])
        print(f"  {cycle_docs:,} of cycle steps ({superseded:,} superseded by a correction), "
              f"{len(rows) - cycle_docs:,} personal; by status {by_status}")
        done("documents", conn, "document", t0)


# --------------------------------------------------------------------------- complaints
SUBJECTS = [
    ("Undangan pembahasan IKU diterima terlambat",
     "Undangan rapat pembahasan baru diterima sehari sebelum rapat."),
    ("Notulen pembahasan belum dibagikan",
     "Sudah dua minggu notulen pembahasan IKU belum kami terima."),
    ("Format isian IKU sulit dipahami",
     "Kolom target dan satuan pada format isian membingungkan petugas kami."),
    ("Tanggapan atas usulan perubahan indikator lambat",
     "Usulan perubahan indikator yang kami kirim belum mendapat tanggapan."),
    ("Aplikasi tidak dapat diakses",
     "Penghubung unit kami tidak dapat masuk ke aplikasi sejak kemarin."),
    ("Salinan Permensesneg IKU belum diterima",
     "Unit kami belum menerima salinan peraturan tentang IKU yang sudah ditetapkan."),
    ("Masukan jadwal penyusunan IKU",
     "Mohon jadwal penyusunan IKU disampaikan lebih awal agar unit dapat menyiapkan data."),
    ("Petugas sulit dihubungi",
     "Nomor telepon petugas pada surat tidak dapat dihubungi pada jam kerja."),
    ("Data capaian tahun lalu tidak sesuai",
     "Capaian indikator tahun lalu pada rekapitulasi berbeda dengan laporan unit kami."),
    ("Permintaan pendampingan penyusunan indikator",
     "Kami memohon pendampingan dalam merumuskan indikator kinerja utama unit."),
]
RESPONSES = [
    "Terima kasih atas masukannya. Jadwal dan dokumen telah kami perbaiki dan dikirimkan "
    "kembali kepada unit Saudara.",
    "Pengaduan Saudara telah kami tindak lanjuti; dokumen yang dimaksud telah dikirim ulang.",
    "Terima kasih. Masukan Saudara menjadi bahan perbaikan pelayanan pada siklus berikutnya.",
]
REASONS = ["Di luar kewenangan Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja.",
           "Pengaduan yang sama telah ditangani dengan nomor tiket sebelumnya."]


def seed_complaints(engine, target: int, now: dt.datetime) -> None:
    from werkzeug.security import generate_password_hash

    with engine.begin() as conn:
        have = count(conn, "complaint")
        wanted, t0 = part("complaints", have, target)
        if not wanted:
            return
        base = conn.execute(text("SELECT coalesce(max(id), 0) FROM complaint")).scalar()
        params = {
            "lo": base + 1, "hi": base + wanted, "now": now,
            "span": dt.timedelta(days=3 * 365) / wanted,
            "subjects": [s for s, _ in SUBJECTS], "descriptions": [d for _, d in SUBJECTS],
            "responses": RESPONSES, "reasons": REASONS,
            "first": FIRST, "last": LAST,
            "secret": generate_password_hash(secrets.token_urlsafe(8), method="pbkdf2:sha256:60000"),
        }
        ids = dict(conn.execute(text("SELECT username, id FROM ab_user")).all())
        params.update(karo=ids["karo"], kabag1=ids["kabag1"], kabag2=ids["kabag2"],
                      staf1=ids["staf1"], staf2=ids["staf2"])
        sections = dict(conn.execute(text(  # the Bagian of each Kabag
            "SELECT u.username, p.section_id FROM ab_user u JOIN pelaksana p "
            "ON p.id = u.pelaksana_id WHERE u.username IN ('kabag1', 'kabag2')")).all())
        params.update(sec1=sections["kabag1"], sec2=sections["kabag2"])
        conn.execute(text("""
            WITH g AS (
                SELECT g, (hashtext('adu' || g) & 2147483647) AS h,
                       :now - (:hi - g) * CAST(:span AS interval) AS received
                FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) AS g),
            units AS (SELECT u.id, (SELECT min(a.id) FROM ab_user a WHERE a.org_unit_id = u.id)
                             AS liaison, row_number() OVER (ORDER BY u.id) - 1 AS rn
                      FROM org_unit u),
            nu AS (SELECT count(*) AS n FROM units),
            s AS (
                SELECT g.*, units.id AS unit_id, units.liaison,
                       CASE WHEN g.received > :now - interval '30 days' THEN
                            (ARRAY['received', 'delegated', 'in_progress',
                                   'awaiting_approval'])[1 + g.h % 4]
                            WHEN g.h % 100 < 6 THEN 'rejected'
                            WHEN g.h % 100 < 11 THEN 'archived'
                            ELSE 'closed' END AS status,
                       (g.h / 7) % 2 = 0 AS ak1
                FROM g CROSS JOIN nu JOIN units ON units.rn = (g.h / 3) % nu.n)
            INSERT INTO complaint (
                ticket, secret_hash, standard_id, kind, channel, subject, description,
                org_unit_id, confidential, complainant_name, complainant_contact,
                complainant_email, filed_by_id, received_at, status, reason,
                verify_due_at, verify_allowed_minutes, verified_at, verified_by_id,
                delegated_to_id, section_id, handler_id, follow_up_start, follow_up_due_at,
                follow_up_allowed_minutes, response, responded_at, responded_by_id, closed_at,
                reopen_until, reopen_count, paused_minutes, version_id)
            SELECT
                'ADU-' || extract(year FROM received)::int || '-B' || lpad(g::text, 5, '0'),
                :secret, (SELECT min(id) FROM service_standard),
                (ARRAY['pengaduan', 'pengaduan', 'keluhan', 'keluhan', 'masukan'])[1 + h % 5],
                CASE WHEN h % 10 < 6 THEN 'portal'
                     ELSE (ARRAY['telepon', 'surat', 'email', 'langsung'])[1 + h % 4] END,
                (CAST(:subjects AS text[]))[1 + (h / 11) % cardinality(CAST(:subjects AS text[]))],
                (CAST(:descriptions AS text[]))[1 + (h / 11) % cardinality(CAST(:subjects AS text[]))],
                unit_id, h % 10 = 3,
                (CAST(:first AS text[]))[1 + (h / 13) % cardinality(CAST(:first AS text[]))] || ' '
                  || (CAST(:last AS text[]))[1 + (h / 17) % cardinality(CAST(:last AS text[]))],
                '0812-' || lpad((h % 10000)::text, 4, '0') || '-' || lpad((h / 10000 % 10000)::text, 4, '0'),
                CASE WHEN h % 3 = 0 THEN 'pengadu' || g || '@contoh.go.id' END,
                CASE WHEN h % 10 < 6 THEN coalesce(liaison, :karo) ELSE :karo END,
                received, status,
                CASE status WHEN 'rejected' THEN (CAST(:reasons AS text[]))[1]
                            WHEN 'archived' THEN (CAST(:reasons AS text[]))[2] END,
                received + interval '3 days', 1350,
                CASE WHEN status <> 'received' THEN received + interval '3 hours' END,
                CASE WHEN status <> 'received' THEN :karo END,
                CASE WHEN status NOT IN ('received', 'rejected', 'archived') THEN
                     CASE WHEN ak1 THEN :kabag1 ELSE :kabag2 END END,
                CASE WHEN status NOT IN ('received', 'rejected', 'archived') THEN
                     CASE WHEN ak1 THEN :sec1 ELSE :sec2 END END,
                CASE WHEN status IN ('in_progress', 'awaiting_approval', 'closed') THEN
                     CASE WHEN ak1 THEN :staf1 ELSE :staf2 END END,
                CASE WHEN status NOT IN ('received', 'rejected', 'archived') THEN
                     received + interval '3 hours' END,
                CASE WHEN status NOT IN ('received', 'rejected', 'archived') THEN
                     received + interval '8 days' END,
                CASE WHEN status NOT IN ('received', 'rejected', 'archived') THEN 2250 END,
                CASE WHEN status IN ('awaiting_approval', 'closed') THEN
                     (CAST(:responses AS text[]))[1 + h % 3] END,
                CASE WHEN status = 'closed' THEN received + interval '1 day' * (1 + h % 6) END,
                CASE WHEN status = 'closed' THEN CASE WHEN ak1 THEN :kabag1 ELSE :kabag2 END END,
                CASE WHEN status = 'closed' THEN received + interval '1 day' * (1 + h % 6)
                     WHEN status IN ('rejected', 'archived') THEN received + interval '3 hours'
                     END,
                CASE WHEN status = 'closed' THEN received + interval '1 day' * (15 + h % 6) END,
                0, 0,
                CASE status WHEN 'received' THEN 1 WHEN 'rejected' THEN 2 WHEN 'archived' THEN 2
                            WHEN 'delegated' THEN 2 WHEN 'in_progress' THEN 3
                            WHEN 'awaiting_approval' THEN 4 ELSE 5 END
            FROM s ORDER BY g"""), params)
        conn.execute(text("""
            INSERT INTO complaint_event (complaint_id, user_id, action, note, public, details,
                                         occurred_at)
            SELECT id, filed_by_id, 'file', NULL, true,
                   json_build_object('channel', channel), received_at
            FROM complaint WHERE id >= :lo
            UNION ALL
            SELECT id, coalesce(responded_by_id, verified_by_id),
                   CASE status WHEN 'closed' THEN 'send' WHEN 'rejected' THEN 'reject'
                               ELSE 'archive' END,
                   reason, true, NULL, closed_at
            FROM complaint WHERE id >= :lo AND status IN ('closed', 'rejected', 'archived')
            UNION ALL
            SELECT id, verified_by_id, 'verify', NULL, true, NULL, verified_at
            FROM complaint WHERE id >= :lo AND delegated_to_id IS NOT NULL"""),
            {"lo": base + 1})
        by_status = dict(conn.execute(text(
            "SELECT status, count(*) FROM complaint GROUP BY 1")).all())
        print(f"  by status {by_status}; events: {count(conn, 'complaint_event'):,}")
        done("complaints", conn, "complaint", t0)


# --------------------------------------------------------------------------- mail
ERRORS = ["550 5.1.1 <{addr}>: Recipient address rejected: User unknown in virtual mailbox "
          "table", "552 5.2.2 <{addr}>: Mailbox full",
          "554 5.7.1 <{addr}>: Relay access denied"]


def seed_mail(engine, target: int, now: dt.datetime, base_url: str) -> None:
    with engine.begin() as conn:
        wanted, t0 = part("outbound mail", count(conn, "outbound_mail"), target)
        if not wanted:
            return
        base = conn.execute(text("SELECT coalesce(max(id), 0) FROM outbound_mail")).scalar()
        conn.execute(text("""
            WITH g AS (
                SELECT g, (hashtext('mail' || g) & 2147483647) AS h,
                       :hi - g AS age_rank,
                       :now - (:hi - g) * interval '5 minutes' AS created
                FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) AS g),
            u AS (SELECT id, email, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))
                         AS name, row_number() OVER (ORDER BY id) - 1 AS rn
                  FROM ab_user WHERE org_unit_id IS NULL
                    AND username NOT IN ('admin', 'auditor')),
            nu AS (SELECT count(*) AS n FROM u),
            it AS (SELECT w.id, w.cycle_id, c.code, c.title AS cycle_title, w.title,
                          row_number() OVER (ORDER BY w.id) - 1 AS rn
                   FROM work_item w JOIN cycle c ON c.id = w.cycle_id
                   WHERE w.is_leaf AND w.ready_at IS NOT NULL),
            ni AS (SELECT count(*) AS n FROM it),
            d AS (SELECT d.id, d.number, d.title, d.cycle_id,
                         row_number() OVER (ORDER BY d.id) - 1 AS rn
                  FROM document d WHERE d.status <> 'draft' AND d.kind IN ('memorandum', 'surat')
                    AND d.number IS NOT NULL),
            nd AS (SELECT greatest(count(*), 1) AS n FROM d),
            ou AS (SELECT id, name, head_email AS email, row_number() OVER (ORDER BY id) - 1 AS rn
                   FROM org_unit),
            nou AS (SELECT count(*) AS n FROM ou),
            k AS (
                SELECT g.*,
                       CASE WHEN g.h % 100 < 80 THEN 'notice'
                            WHEN g.h % 100 < 92 AND (SELECT count(*) FROM d) > 0 THEN 'memorandum'
                            WHEN g.h % 100 < 98 THEN 'complaint_response'
                            ELSE 'complaint_confidential' END AS kind,
                       CASE WHEN g.age_rank < 3000 AND g.h % 4 = 0 THEN 'queued'
                            WHEN g.h % 1000 < 40 THEN 'failed'
                            ELSE 'sent' END AS status
                FROM g),
            m AS (
                SELECT k.*, u.id AS user_id, u.email AS user_email, u.name AS user_name,
                       it.id AS item_id, it.cycle_id AS item_cycle, it.code AS cycle_code,
                       it.cycle_title, rtrim(left(it.title, 230), '. ') AS item_title,
                       d.id AS doc_id, d.number AS doc_number, d.title AS doc_title,
                       d.cycle_id AS doc_cycle,
                       ou.id AS unit_id, ou.name AS unit_name, ou.email AS unit_email,
                       CASE (k.h / 5) % 3 WHEN 0 THEN 'overdue' WHEN 1 THEN 'at_risk'
                            ELSE 'ready' END AS notice
                FROM k CROSS JOIN nu CROSS JOIN ni CROSS JOIN nd CROSS JOIN nou
                JOIN u ON u.rn = (k.h / 3) % nu.n
                JOIN it ON it.rn = (k.h / 11) % ni.n
                JOIN ou ON ou.rn = (k.h / 13) % nou.n
                LEFT JOIN d ON d.rn = (k.h / 17) % nd.n),
            r AS (
                SELECT m.*,
                       CASE kind WHEN 'notice' THEN user_email
                                 WHEN 'memorandum' THEN coalesce(unit_email, user_email)
                                 ELSE 'pengadu' || g || '@contoh.go.id' END AS addr,
                       CASE kind WHEN 'notice' THEN user_name
                                 WHEN 'memorandum' THEN unit_name
                                 ELSE 'Pengadu ' || g END AS label,
                       CASE kind
                         WHEN 'notice' THEN
                           CASE notice WHEN 'overdue' THEN 'Pengingat: ' || item_title
                                                            || ' melewati batas waktu'
                                       WHEN 'at_risk' THEN 'Pengingat: ' || item_title
                                                            || ' mendekati batas waktu'
                                       ELSE 'Tugas baru: ' || item_title END
                         WHEN 'memorandum' THEN 'Memorandum ' || doc_number || ' – '
                                                || left(doc_title, 200)
                         ELSE 'Tanggapan atas pengaduan ADU-' || extract(year FROM created)::int
                              || '-B' || lpad((g % 20000)::text, 5, '0') END AS subj
                FROM m)
            INSERT INTO outbound_mail (
                kind, to_addrs, cc_addrs, subject, body_text, body_html, message_id,
                dedupe_key, status, attempts, next_attempt_at, lease_until, claim_token,
                last_error, created_at, sent_at, created_by_id, recipient_user_id,
                recipient_label, document_id, cycle_id, work_item_id, org_unit_id)
            SELECT
                kind, json_build_array(addr),
                CASE WHEN kind = 'memorandum' THEN json_build_array('karo@iku.local')
                     ELSE '[]'::json END,
                left(subj, 300),
                'Yth. ' || label || E',\n\n' || subj || E'.\n'
                  || CASE WHEN kind = 'notice' THEN 'Siklus: ' || cycle_code || ' – '
                          || cycle_title || E'\n\nBuka halamannya: ' || :base_url
                          || '/tasks/item/' || item_id
                          || E'\n\nAnda dapat mematikan email pengingat pada menu '
                          || 'Pengaturan email.'
                          ELSE E'\nTerlampir naskah dinas yang dimaksud.' END
                  || E'\nIKU Backoffice',
                '<p>Yth. ' || label || ',</p>' || E'\n<p><strong>' || subj || '.</strong>'
                  || CASE WHEN kind = 'notice' THEN '<br>Siklus: ' || cycle_code || ' – '
                          || cycle_title || E'</p>\n<p><a href="' || :base_url
                          || '/tasks/item/' || item_id || E'">Buka halamannya</a></p>\n'
                          || '<p><small>Anda dapat mematikan email pengingat pada menu '
                          || 'Pengaturan email.</small></p>'
                          ELSE '</p><p>Terlampir naskah dinas yang dimaksud.</p>' END,
                '<bench.' || g || '.' || h || '.iku@localhost>',
                CASE WHEN kind = 'notice' THEN notice || ':' || item_id || ':' || user_id
                                               || ':' || g END,
                status,
                CASE status WHEN 'sent' THEN 1 WHEN 'failed' THEN 5 ELSE h % 3 END,
                CASE WHEN status = 'queued' THEN created + interval '1 minute' * (h % 3) * 10
                     ELSE created END,
                NULL, NULL,
                CASE WHEN status = 'failed' THEN
                          replace((CAST(:errors AS text[]))[1 + h % 3], '{addr}', addr)
                     WHEN status = 'queued' AND h % 3 > 0 THEN
                          '421 4.7.0 Try again later, closing connection.' END,
                created,
                CASE WHEN status = 'sent' THEN created + interval '1 second' * (2 + h % 90) END,
                CASE WHEN kind = 'notice' THEN NULL ELSE user_id END,
                CASE WHEN kind = 'notice' THEN user_id END,
                left(label, 300),
                CASE WHEN kind = 'memorandum' THEN doc_id END,
                CASE WHEN kind = 'notice' THEN item_cycle WHEN kind = 'memorandum' THEN doc_cycle
                     END,
                CASE WHEN kind = 'notice' THEN item_id END,
                CASE WHEN kind <> 'notice' THEN unit_id END
            FROM r ORDER BY g"""),
            {"lo": base + 1, "hi": base + wanted, "now": now, "base_url": base_url,
             "errors": ERRORS})
        by_status = dict(conn.execute(text(
            "SELECT status, count(*) FROM outbound_mail GROUP BY 1")).all())
        by_kind = dict(conn.execute(text(
            "SELECT kind, count(*) FROM outbound_mail GROUP BY 1")).all())
        print(f"  by status {by_status}; by kind {by_kind}")
        done("outbound mail", conn, "outbound_mail", t0)


# --------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_CYCLES_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--pelaksana", type=int, default=5000, help="bench pelaksana (total)")
    parser.add_argument("--audit", type=int, default=1_000_000, help="audit entries (total)")
    parser.add_argument("--documents", type=int, default=50_000, help="documents (total)")
    parser.add_argument("--complaints", type=int, default=20_000, help="complaints (total)")
    parser.add_argument("--mails", type=int, default=200_000, help="outbound mails (total)")
    parser.add_argument("--verify-audit", action="store_true",
                        help="recompute the whole audit chain at the end (~1 min per 1M)")
    args = parser.parse_args()
    if not args.db.startswith("postgresql"):
        raise SystemExit("PostgreSQL only (COPY, generate_series)")
    # Before config is imported: the chain key the entries are hashed (and verified) under.
    os.environ.setdefault("IKU_AUDIT_KEY", BENCH_AUDIT_KEY)
    os.environ.update(DATABASE_URL=args.db, IKU_CONFIG="DevConfig",
                      SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32))
    from app.extensions import db
    from bench.wsgi import app

    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            if not conn.execute(select(func.count()).select_from(text("cycle"))).scalar():
                raise SystemExit("no cycles: run bench/seed_cycles.py first")
        seed_pelaksana(engine, args.pelaksana)
        seed_audit_entries(engine, args.audit)
        seed_documents(engine, args.documents, now)
        seed_complaints(engine, args.complaints, now)
        seed_mail(engine, args.mails, now, "http://127.0.0.1:8080")
        t0 = time.perf_counter()
        analyse(engine)
        print(f"VACUUM ANALYZE: {time.perf_counter() - t0:.1f}s")
        if args.verify_audit:
            verify_audit(db.session)
            db.session.remove()
    print(f"done in {time.perf_counter() - started:.1f}s "
          f"(audit chain key: IKU_AUDIT_KEY={os.environ['IKU_AUDIT_KEY']})")


if __name__ == "__main__":
    main()
