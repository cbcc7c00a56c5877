"""`make run` on a fresh machine: the demo data an installation gets from `flask iku demo`.

Run in a subprocess on a new SQLite file, the way the Makefile does it, so the demo is tested
as a user meets it (accounts, IKU of every unit, a cycle in the discussion step)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import _recreate_postgres_database

ROOT = Path(__file__).resolve().parents[1]


def _flask(db_url: str, *args: str) -> str:
    """`flask <args>` as `make run` runs it; the demo's document files go next to the tests'
    temporary files, not into the checkout's instance/ folder."""
    env = {**os.environ, "IKU_CONFIG": "DevConfig", "SECRET_KEY": "demo-test-key",
           "DATABASE_URL": db_url, "FLASK_APP": "wsgi.py", "IKU_SOFFICE": "off",
           "IKU_DOCUMENTS_DIR": os.path.join(tempfile.gettempdir(), "iku-demo-test-documents")}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _fresh_url(tmp_path_factory) -> str:
    """A new SQLite file; on the PostgreSQL pass a database of its own next to the tests'."""
    pg = os.environ.get("TEST_DATABASE_URL", "")
    if not pg.startswith("postgresql"):
        return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'iku.db'}"
    url = make_url(pg)
    url = url.set(database=f"{url.database}_demo")
    _recreate_postgres_database(url.render_as_string(hide_password=False))
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = _fresh_url(tmp_path_factory)
    _flask(url, "db", "upgrade")
    _flask(url, "iku", "init")
    output = _flask(url, "iku", "demo")
    engine = create_engine(url)
    with engine.connect() as conn:
        yield conn, output, url
    engine.dispose()


def _rows(conn, sql: str) -> list:
    return list(conn.execute(text(sql)))


def test_every_unit_has_a_liaison_and_demo_iku(demo_db):
    conn, output, _ = demo_db
    assert "penghubung unit (setpres, setwapres, setmilpres" in output
    units = _rows(conn, "SELECT u.code, count(distinct a.id), count(distinct i.id) FROM org_unit u "
                        "LEFT JOIN ab_user a ON a.org_unit_id = u.id "
                        "LEFT JOIN indicator i ON i.org_unit_id = u.id GROUP BY u.code")
    assert len(units) == 13
    assert all(liaisons == 1 and indicators >= 1 for _, liaisons, indicators in units), units
    assert _rows(conn, "SELECT count(*) FROM indicator WHERE org_unit_id IS NULL")[0][0] == 3


def test_the_demo_cycle_stands_in_the_discussion_step(demo_db):
    conn, output, _ = demo_db
    assert "Siklus demo IKU-2027 dimulai" in output
    steps = dict(_rows(conn, "SELECT code, status FROM work_item WHERE depth = 0"))
    assert all(steps[f"s0{n}"] == "done" for n in range(1, 5)), steps
    assert steps["s05"] in ("ready", "in_progress") and steps["s06"] == "waiting"
    unit_parts = _rows(conn, "SELECT count(*), count(assignee_user_id) FROM work_item "
                             "WHERE step_code = 's06' AND kind = 'unit'")
    assert unit_parts[0] == (13, 13), "each unit's step-6 part is its liaison's"
    late = _rows(conn, "SELECT count(*) FROM work_item WHERE depth = 0 AND completed_at > due_at")
    assert late[0][0] == 1, "one late step, so the SLA board has something to show"
    groups = _rows(conn, "SELECT g.name, a.username, count(u.id) FROM discussion_group g "
                         "JOIN ab_user a ON a.id = g.lead_user_id "
                         "JOIN discussion_group_unit u ON u.group_id = g.id "
                         "GROUP BY g.name, a.username ORDER BY g.name")
    assert groups == [("Kelompok I (Bagian AK I)", "kasubbag1", 7),
                      ("Kelompok II (Bagian AK II)", "kasubbag2", 6)]
    ready = _rows(conn, "SELECT a.username FROM work_item w JOIN ab_user a "
                        "ON a.id = w.assignee_user_id WHERE w.kind = 'group' "
                        "AND w.status = 'ready' ORDER BY a.username")
    assert [r[0] for r in ready] == ["kasubbag1", "kasubbag2"], "each group's session 1 is open"


def test_one_unit_waits_for_a_decision_on_its_change_proposal(demo_db):
    conn, output, _ = demo_db
    assert "Usulan perubahan IKU demo: Sekretariat Kementerian" in output
    rows = _rows(conn, "SELECT u.code, p.status, p.reason FROM change_proposal p "
                       "JOIN org_unit u ON u.id = p.org_unit_id")
    assert rows == [("SETKEMEN", "submitted", "organisation_change")]


def test_the_steps_done_have_their_documents_numbered_as_the_standard_says(demo_db):
    """Memoranda and letters sent in steps 2-3 are final with the bureau's number; decrees
    numbered by Biro Tata Usaha wait for it; the Rancangan Permensesneg of step 4 goes on to
    the later steps as a draft."""
    conn, _output, _url = demo_db
    rows = dict((code, (status, number)) for code, status, number in _rows(
        conn, "SELECT code, status, number FROM document"))
    assert rows["memo_usulan_tim"][0] == "final"
    assert rows["memo_usulan_tim"][1].startswith("1/D-3/")
    assert rows["surat_penyusunan_iku"][0] == "final" and rows["surat_penyusunan_iku"][1]
    assert rows["rancangan_kepmen_tim"] == ("final", None)
    assert rows["rancangan_permen_iku"] == ("draft", None)
    versions = _rows(conn, "SELECT count(*) FROM document_version WHERE is_final")
    assert versions[0][0] == sum(1 for status, _ in rows.values() if status == "final")


def test_demo_is_idempotent(demo_db):
    _, _, url = demo_db
    again = _flask(url, "iku", "demo")
    assert "Akun demo sudah ada" in again
    conn = demo_db[0]
    assert _rows(conn, "SELECT count(*) FROM cycle")[0][0] == 1


def test_a_final_memorandum_was_dispatched_to_the_units_of_bagian_ak_i(demo_db):
    """`make run`'s worker delivers these to the local sink: the document's page shows them."""
    conn, output, _url = demo_db
    rows = _rows(conn, "SELECT m.to_addrs, m.cc_addrs, m.status, d.code FROM outbound_mail m "
                       "JOIN document d ON d.id = m.document_id")
    assert rows and {r[3] for r in rows} == {"memo_usulan_tim"}
    assert all(r[2] == "queued" for r in rows)
    assert any("pimpinan." in str(r[0]) and "@iku.local" in str(r[1]) for r in rows)
    assert "Email demo:" in output
def test_the_demo_has_an_evaluation_year_with_a_locked_report(demo_db):
    conn, output, _ = demo_db
    assert "kabag1 dinilai dan dikunci (laporan terbit)" in output
    rows = dict(_rows(conn, "SELECT e.status, count(*) FROM evaluation e GROUP BY e.status"))
    assert rows["locked"] == 1 and rows["rated"] == 1 and rows["draft"] >= 3
    report = _rows(conn, "SELECT d.code, d.status, e.predikat FROM evaluation e "
                         "JOIN document d ON d.id = e.report_id")
    assert report == [("laporan_evaluasi", "final", "Sangat Baik")]
