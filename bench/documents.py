"""Official documents per second: the whole finalisation (lock, number allocation, values,
render with the number and the QR code, SHA-256, archive file, version row, commit) beside a
bare docxtpl render of the same template with the same values, in the same run.

    .venv/bin/python bench/documents.py                 # SQLite file in /tmp, 40 documents
    .venv/bin/python bench/documents.py -n 100 --db postgresql+psycopg://postgres@127.0.0.1/iku_bench_docs

The database is created and migrated here (a PostgreSQL database named by --db is dropped and
recreated). Drafts are made beforehand (not timed): each round generates a correction of the
last final memorandum and times only its finalisation. PDF conversion is off (it runs after
the commit, ~2 s a document, and is not part of the target). Without the docx helper's
modules (app.services.docx_render, document_context) the tests' stand-in is used and said so.
Finalisation and bare render alternate, so that other load on the machine hits both alike.
Target: finalisation time <= 1.3 x the bare render time.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(db_url: str, files: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app import create_app
    from config import TestConfig

    if db_url.startswith("postgresql"):
        url = make_url(db_url)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    config = type("BenchConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": db_url, "IKU_DOCUMENTS_DIR": files, "IKU_SOFFICE": "off"})
    return create_app(config)


def _helpers() -> str:
    if importlib.util.find_spec("app.services.docx_render") and \
            importlib.util.find_spec("app.services.document_context"):
        return "docx helper"

    class _Patch:
        @staticmethod
        def setitem(mapping, key, value):
            mapping[key] = value

    from tests.services.test_documents_support import install_stubs

    install_stubs(_Patch())
    return "tests' stand-in template (docx helper not installed)"


def _world(session):
    """The bureau's people (as the tests make them), a cycle at step 2a.2, its drafter."""
    import datetime as dt

    from sqlalchemy import select

    from app.models.cycles import WorkItem
    from app.models.org import IkuUser, Pelaksana, Position, Section
    from app.services import access, cycles, demo

    access.sync_roles()
    demo.load_reference_data()
    users = {}
    for i, (name, position, section, role) in enumerate([
            ("b_karo", "KARO", "BIRO-OTLAK", "Kepala Biro"), ("b_kabag", "KABAG", "AK1", "Kepala Bagian"),
            ("b_ppk", "KASUBBAG", "AK1-PPK", "Kepala Subbagian"), ("b_staf", "STAF", "AK1-PPK", "Staf")]):
        person = Pelaksana(name=f"Pelaksana {name}", nip=f"1985010120100110{i:02d}",
                           position=session.scalars(select(Position).filter_by(code=position)).one(),
                           section=session.scalars(select(Section).filter_by(code=section)).one())
        session.add(person)
        session.flush()
        users[name] = access.create_user(name, name, "Bench", f"{name}@iku.test", [role],
                                         "Rahasia-Bench-2026!", pelaksana_id=person.id)
    session.commit()
    cycle = cycles.start_cycle(session, users["b_karo"], standard_code="iku", code="BENCH",
                               period="2027", reason="periodic",
                               now=dt.datetime(2027, 1, 4, 1, 0, tzinfo=dt.UTC))

    def leaf(code):
        return session.scalars(select(WorkItem).filter_by(cycle_id=cycle.id, code=code)).one()

    for code in ("s01.a", "s01.b", "s02.a.1"):
        item = leaf(code)
        cycles.complete_item(session, session.get(IkuUser, item.assignee_user_id), item.id)
    item = leaf("s02.a.2")
    return session.get(IkuUser, item.assignee_user_id), item.id


def _bare(template: bytes, context: dict) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2.sandbox import SandboxedEnvironment

    doc = DocxTemplate(io.BytesIO(template))
    doc.render(context, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="documents to finalise")
    parser.add_argument("--db", default="", help="database URL (default: a SQLite file)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iku-bench-docs-"))
    db_url = args.db or f"sqlite:///{work / 'iku.db'}"
    helpers = _helpers()
    app = _setup(db_url, str(work / "documents"))
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from app.services import documents
        from app.services.documents import render

        upgrade()
        session = db.session
        user, item_id = _world(session)
        code = "memo_usulan_tim"
        template, _ = render.active_template(session, code)
        timed, bare, doc = [], [], None
        for i in range(args.n + 2):  # alternating, so that other load on the machine hits both
            doc = documents.generate(session, user, item_id, code, {"hal": f"Usulan {i}"},
                                     correction=doc is not None)
            start = time.perf_counter()
            doc = documents.finalise(session, user, item_id, doc.id, with_pdf=False)
            timed.append(time.perf_counter() - start)
            context = documents.latest_version(session, doc.id).context["values"]
            start = time.perf_counter()
            _bare(template, context)
            bare.append(time.perf_counter() - start)
        db.session.remove()
        db.engine.dispose()
    full, plain = statistics.median(timed[2:]), statistics.median(bare[2:])
    print(f"templates: {helpers}; database: {db_url.split('@')[-1]}; n={args.n}")
    print(f"finalise (number+render+QR+hash+archive+commit): {full * 1000:7.1f} ms  "
          f"{1 / full:7.1f} documents/s   (last number {doc.number})")
    print(f"bare docxtpl render of the same template:        {plain * 1000:7.1f} ms  "
          f"{1 / plain:7.1f} documents/s")
    print(f"ratio: {full / plain:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
