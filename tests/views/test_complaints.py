"""Complaint pages, API, export and the public status page, per role: a liaison sees only its
unit's complaints, and a confidential identity never leaks outside the receiver's and the
delegated Kabag's view of the complaint's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.services import complaints
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import team_fixture, visible  # noqa: F401

SECRET_NAME = "Wahyu Rahasiawan"


@pytest.fixture(name="filed")
def filed_fixture(db_session, team):
    now = dt.datetime.now(dt.UTC)
    own = complaints.file_complaint(
        db_session, team["pengguna1"], kind="keluhan", subject="Notulen belum dibagikan",
        description="Notulen pembahasan belum diterima.", complainant_name=SECRET_NAME,
        complainant_contact="0812-000-111", confidential=True, now=now)
    other = complaints.file_complaint(
        db_session, team["pengguna2"], kind="masukan", subject="Usul format matriks IKU",
        description="Mohon format matriks disederhanakan.", complainant_name="Terbuka Saja",
        now=now)
    return own.complaint, other.complaint


@pytest.mark.parametrize("username", sorted(ROLE_USERS))
def test_every_role_lists_what_its_scope_allows_and_never_the_identity(
        username, filed, client, login, api_token):
    own, other = filed
    login(client, username)
    page = client.get("/complaintview/list/")
    text = visible(page.get_data(as_text=True))
    assert page.status_code == 200
    assert SECRET_NAME not in text
    exported = client.get("/complaintview/export/csv").get_data(as_text=True)
    api = client.get("/api/v1/complaint/", headers=api_token(username)).get_data(as_text=True)
    for body in (text, exported, api):
        assert SECRET_NAME not in body
    if username == "pengguna2":
        assert own.ticket not in text and own.ticket not in api and own.ticket not in exported
        assert client.get(f"/complaint/{own.id}").status_code == 404
        assert other.ticket in text
    else:
        assert own.ticket in text and "dirahasiakan" in text and "dirahasiakan" in api


def test_identity_only_on_the_page_of_the_receiver(filed, client, login):
    own, _ = filed
    for username, shown in (("pengguna1", False), ("staf", False), ("kabag", False),
                            ("auditor", False), ("karo", True)):
        client = client.application.test_client()
        login(client, username)
        text = visible(client.get(f"/complaint/{own.id}").get_data(as_text=True))
        assert own.ticket in text
        assert (SECRET_NAME in text) is shown, username


def test_liaison_files_and_reads_the_status_logged_out(team, client, login):
    login(client, "pengguna1")
    assert client.get("/complaint/new").status_code == 200
    answer = client.post("/complaint/new", data={
        "kind": "pengaduan", "subject": "Jadwal rapat berubah mendadak",
        "description": "Jadwal diubah tanpa pemberitahuan.", "complainant_name": "Ani Rahasia",
        "confidential": "y", "cycle": "0"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    c = complaints_for(client, "Jadwal rapat berubah mendadak")
    code = re.search(r'id="complaint-code"><strong>([A-Z0-9]+)<', html)[1]
    assert c.ticket in html and c.channel == "portal" and c.org_unit.code == "SETPRES"
    public = client.application.test_client()
    wrong = public.post("/pengaduan/status", data={"ticket": c.ticket, "code": "SALAH"})
    assert wrong.status_code == 404 and "Jadwal rapat" not in wrong.get_data(as_text=True)
    unknown = public.post("/pengaduan/status", data={"ticket": "ADU-2000-XXXXXX", "code": code})
    assert unknown.get_data(as_text=True).count("status-problem") == \
        wrong.get_data(as_text=True).count("status-problem")
    right = visible(public.post("/pengaduan/status", data={"ticket": c.ticket, "code": code})
                    .get_data(as_text=True))
    assert "Jadwal rapat berubah mendadak" in right and "Ani Rahasia" not in right
    assert "dirahasiakan" in right


def test_api_files_and_refuses_by_role(team, client, api_token):
    body = {"kind": "masukan", "subject": "Usul lewat API", "description": "Isi usul."}
    liaison = client.post("/api/v1/complaint/", json=body, headers=api_token("pengguna1"))
    assert liaison.status_code == 201, liaison.get_data(as_text=True)
    result = liaison.get_json()["result"]
    assert result["ticket"].startswith("ADU-") and result["secret_code"]
    staff = client.post("/api/v1/complaint/", json=body, headers=api_token("staf"))
    assert staff.status_code == 422  # the channel is missing
    auditor = client.post("/api/v1/complaint/", json=body, headers=api_token("auditor"))
    assert auditor.status_code == 403
    other = client.get(f"/api/v1/complaint/{liaison.get_json()['id']}",
                       headers=api_token("pengguna2"))
    assert other.status_code == 404


def test_audit_trail_page_never_shows_the_identity(filed, client, login):
    own, _ = filed
    login(client, "karo")
    assert SECRET_NAME in visible(client.get(f"/complaint/{own.id}").get_data(as_text=True))
    admin = client.application.test_client()
    login(admin, "admin")
    for url in ("/audittimelineview/list/?psize_AuditTimelineView=100",
                "/auditentryview/list/?psize_AuditEntryView=100",
                "/audittimelineview/export/csv"):
        answer = admin.get(url)
        assert answer.status_code == 200, url
        assert own.ticket in answer.get_data(as_text=True) or "timeline" not in url
        assert SECRET_NAME not in answer.get_data(as_text=True), url
    from sqlalchemy import select

    from app.extensions import db
    from app.models.audit import AuditEntry

    for entry_id in db.session.scalars(select(AuditEntry.id).where(
            AuditEntry.entity == "Complaint")):
        shown = admin.get(f"/auditentryview/show/{entry_id}").get_data(as_text=True)
        assert SECRET_NAME not in shown


def test_supervision_pages_per_role(team, app, db_session, client, login, monkeypatch, tmp_path):
    from app.services import supervision

    monkeypatch.setitem(app.config, "IKU_DOCUMENTS_DIR", str(tmp_path / "documents"))
    supervision.record_supervision(db_session, team["kasubbag"],
                                   pelaksana_id=team["staf"].pelaksana_id, kind="teguran_lisan",
                                   held_on=dt.date.today(), finding="Terlambat mengirim notulen.")
    for username, sees in (("staf", True), ("kasubbag", True), ("karo", True),
                           ("staf2", False), ("auditor", True)):
        c = client.application.test_client()
        login(c, username)
        page = c.get("/supervisionrecordview/list/")
        assert page.status_code == 200
        assert ("Terlambat mengirim notulen." in page.get_data(as_text=True)) is sees, username
    c = client.application.test_client()
    login(c, "pengguna1")
    assert c.get("/supervisionrecordview/list/").status_code in (302, 403)
    c = client.application.test_client()
    login(c, "kasubbag")
    form = c.get(f"/supervision/new?pelaksana={team['staf'].pelaksana_id}")
    assert form.status_code == 200 and "Pelaksana Staf" in form.get_data(as_text=True)


def complaints_for(client, subject):
    from sqlalchemy import select

    from app.extensions import db
    from app.models.complaints import Complaint

    return db.session.scalars(select(Complaint).filter_by(subject=subject)).one()


def test_public_page_with_the_right_pair_hides_the_identity(team, db_session, client):
    filed = complaints.file_complaint(
        db_session, team["pengguna1"], kind="pengaduan", subject="Undangan terlambat",
        description="x", complainant_name=SECRET_NAME, confidential=True)
    page = client.post("/pengaduan/status", data={"ticket": filed.complaint.ticket,
                                                  "code": filed.secret_code})
    text = visible(page.get_data(as_text=True))
    assert page.status_code == 200 and "Undangan terlambat" in text
    assert SECRET_NAME not in text and "dirahasiakan" in text


def test_the_karo_verifies_on_the_page_and_others_are_refused(filed, team, client, login):
    own, _ = filed
    login(client, "kabag")
    client.post(f"/complaint/{own.id}/act/verify", data={"target": team["kabag"].id,
                                                         "version": own.version_id})
    assert own.status == "received"
    client = client.application.test_client()
    login(client, "karo")
    client.post(f"/complaint/{own.id}/act/verify", data={"target": team["kabag"].id,
                                                         "version": own.version_id})
    from app.extensions import db

    db.session.refresh(own)
    assert own.status == "delegated"


def test_report_and_its_xlsx(filed, client, login):
    login(client, "karo")
    year = dt.date.today().year
    page = visible(client.get(f"/complaint-report/?year={year}").get_data(as_text=True))
    assert filed[0].ticket in page
    for name in ("counts", "times", "supervision"):
        xlsx = client.get(f"/complaint-report/{name}.xlsx?year={year}")
        assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK", name
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(
        f"/complaint-report/times.xlsx?year={year}").data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert filed[0].ticket in cells and SECRET_NAME not in cells
    liaison = client.application.test_client()
    login(liaison, "pengguna2")
    page = visible(liaison.get(f"/complaint-report/?year={year}").get_data(as_text=True))
    assert filed[1].ticket in page and filed[0].ticket not in page
    assert liaison.get(f"/complaint-report/supervision.xlsx?year={year}").status_code == 404


def test_board_groups_by_sla_and_marks_the_reminded(db_session, team, client, login):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    late = complaints.file_complaint(
        db_session, team["pengguna1"], kind="keluhan", subject="Sudah lama belum diverifikasi",
        description="x", complainant_name="A", now=old).complaint
    complaints.scan_complaints(db_session)
    login(client, "karo")
    page = client.get("/complaint-board/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    mine = html.split('id="board-mine"')[1].split("</table>")[0]
    assert late.ticket in mine
    assert "Pengingat" in visible(mine) or "Reminder" in visible(mine)
    overdue = html.split('id="board-overdue"')[1].split("</table>")[0]
    assert late.ticket in overdue
    other = client.application.test_client()
    login(other, "pengguna2")
    assert late.ticket not in other.get("/complaint-board/").get_data(as_text=True)


def test_staff_records_a_phoned_complaint_about_a_pelaksana(team, client, login):
    login(client, "staf")
    answer = client.post("/complaint/new", data={
        "kind": "keluhan", "channel": "telepon", "org_unit": team["pengguna2"].org_unit_id,
        "subject": "Telepon tidak dijawab", "description": "Diterima lewat telepon.",
        "complainant_name": "Budi", "cycle": "0", "pelaksana": team["staf2"].pelaksana_id})
    assert answer.status_code == 200
    c = complaints_for(client, "Telepon tidak dijawab")
    assert (c.channel, c.pelaksana_id, c.org_unit_id, c.filed_by_id) == (
        "telepon", team["staf2"].pelaksana_id, team["pengguna2"].org_unit_id, team["staf"].id)
    refused = client.post("/complaint/new", data={
        "kind": "keluhan", "channel": "portal", "org_unit": team["pengguna2"].org_unit_id,
        "subject": "Tanpa saluran", "description": "x", "complainant_name": "Budi",
        "cycle": "0", "pelaksana": "0"})
    assert "Tanpa saluran" in refused.get_data(as_text=True)  # the form keeps what was typed
    from sqlalchemy import select

    from app.extensions import db
    from app.models.complaints import Complaint

    assert db.session.scalar(select(Complaint).filter_by(subject="Tanpa saluran")) is None


def test_superior_marks_the_follow_up_done_on_the_show_page(team, db_session, client, login,
                                                            app, monkeypatch, tmp_path):
    from app.services import supervision

    record = supervision.record_supervision(
        db_session, team["kasubbag"], pelaksana_id=team["staf"].pelaksana_id, kind="supervisi",
        held_on=dt.date.today(), finding="Arsip belum rapi.", follow_up="Rapikan arsip.")
    login(client, "staf")
    assert client.get(f"/supervisionrecordview/show/{record.id}").status_code == 200
    client.post(f"/supervision/{record.id}/done")
    assert record.follow_up_done_at is None  # the pelaksana itself may not close it
    boss = client.application.test_client()
    login(boss, "kasubbag")
    assert 'id="supervision-done"' in boss.get(
        f"/supervisionrecordview/show/{record.id}").get_data(as_text=True)
    boss.post(f"/supervision/{record.id}/done")
    db_session.refresh(record)
    assert record.follow_up_done_at is not None
