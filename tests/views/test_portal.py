"""The unit portal through the pages: the liaison's home page (its deadline in WIB), the cycle
page read-only with other units hidden, the final-draft form and list (scoped, every role),
and the units without a liaison."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.models.org import OrgUnit
from app.models.submissions import FinalSubmission
from app.services.cycles.flow import from_db
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import (  # noqa: F401
    SCHEDULE,
    at_step4_fixture,
    at_step6_fixture,
    en_fixture,
    item,
    start_cycle,
    team_fixture,
    visible,
)


@pytest.fixture(autouse=True)
def _instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def _wib(value) -> str:
    return f"{from_db(value).astimezone(SCHEDULE.zone):%d-%m-%Y %H:%M} WIB"


def _submit(client, cycle_id, **fields):
    data = {"approver_name": "Dr. Heru", "approver_position": "Kepala Sekretariat",
            "approved_on": "05-01-2026", "memo": (io.BytesIO(b"%PDF-1.4 nota"), "nota.pdf"),
            **fields}
    return client.post(f"/final-submission/{cycle_id}/new", data=data,
                       content_type="multipart/form-data", follow_redirects=True)


def test_liaison_home_shows_its_cycle_step_and_deadline_in_wib(at_step6, en, db_session):
    page = visible(en("pengguna1").get("/").get_data(as_text=True))
    due = item(db_session, at_step6.id, "s06@SETPRES").due_at
    assert "Sekretariat Presiden" in page and "IKU-2027" in page
    assert "Now at: Step 6 – Peserta menyampaikan" in page
    assert f"Deadline: {_wib(due)}" in page and "(planned)" not in page
    assert "Submit the final draft" in page and "IKU of your unit" in page
    assert "Sekretariat Wakil Presiden" not in page


def test_liaison_home_before_step6_marks_the_deadline_as_planned(at_step4, en, db_session):
    page = visible(en("pengguna1").get("/").get_data(as_text=True))
    planned = item(db_session, at_step4.id, "s06@SETPRES").planned_due
    assert f"Deadline: {_wib(planned)} (planned)" in page
    assert "Now at: Step 4" in page and "Submit the final draft" not in page


def test_home_in_indonesian_and_for_bureau_users(at_step6, client, login, db_session):
    login(client, "pengguna1")
    page = visible(client.get("/").get_data(as_text=True))
    assert "Tenggat:" in page and "Sampaikan rancangan final" in page and "Langkah 6" in page
    client.get("/logout/")
    login(client, "kabag")
    assert 'id="unit-home"' not in client.get("/").get_data(as_text=True)


def test_liaison_cycle_page_is_read_only_with_other_units_hidden(at_step6, en, db_session):
    client = en("pengguna1")
    html = client.get(f"/cycle/{at_step6.id}").get_data(as_text=True)
    own, other = (item(db_session, at_step6.id, f"s06@{c}") for c in ("SETPRES", "SETWAPRES"))
    assert 'id="node-s06-SETPRES"' in html and 'id="node-s06-SETWAPRES"' not in html
    assert re.search(r'class="[^"]*iku-own[^"]*" id="node-s06-SETPRES"', html)
    assert "Sekretariat Wakil Presiden" not in html and "Sekretariat Militer" not in html
    assert 'id="form-cancel-cycle"' not in html and 'id="cycle-warnings"' not in html
    assert f"/tasks/item/{own.id}" in html and f"/tasks/item/{other.id}" not in html
    links = set(re.findall(r"/tasks/item/(\d+)", html))
    assert links == {str(own.id)}  # no bureau item to open
    assert 'id="unit-part"' in html and f"/final-submission/{at_step6.id}/new" in html


def test_bureau_cycle_page_unchanged(at_step6, en):
    html = en("kabag").get(f"/cycle/{at_step6.id}").get_data(as_text=True)
    assert 'id="node-s06-SETPRES"' in html and 'id="node-s06-SETWAPRES"' in html
    assert 'id="unit-part"' not in html and 'id="form-cancel-cycle"' in html
    assert 'id="record-final-draft"' in html


def test_liaison_gets_404_on_a_cycle_of_other_units(team, en, db_session):
    others = list(db_session.scalars(select(OrgUnit.id).where(OrgUnit.code == "SETKEMEN")))
    cycle = start_cycle(db_session, team, code="IKU-X", unit_ids=others)
    mine = start_cycle(db_session, team, code="IKU-Y")
    client = en("pengguna1")
    assert client.get(f"/cycle/{cycle.id}").status_code == 404
    assert client.get(f"/final-submission/{cycle.id}/new").status_code == 404
    listed = client.get("/cycleview/list/").get_data(as_text=True)
    assert "IKU-Y" in listed and "IKU-X" not in listed
    assert client.get(f"/cycle/{mine.id}").status_code == 200


def test_liaison_submits_through_the_form_then_sees_it_listed(at_step6, en, db_session):
    client = en("pengguna1")
    page = _submit(client, at_step6.id).get_data(as_text=True)
    assert "The final draft of Sekretariat Presiden was submitted." in page
    saved = db_session.scalars(select(FinalSubmission)).one()
    assert item(db_session, at_step6.id, "s06@SETPRES").status == "done"
    listed = visible(client.get("/finalsubmissionview/list/").get_data(as_text=True))
    assert "Dr. Heru" in listed and "Late" in listed and "No" in listed
    download = client.get(f"/finalsubmissionview/memo/{saved.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 nota"
    assert "Submit the final draft" not in visible(client.get("/").get_data(as_text=True))
    other = en("pengguna2")
    assert other.get(f"/finalsubmissionview/show/{saved.id}").status_code == 404
    assert other.get(f"/finalsubmissionview/memo/{saved.id}").status_code == 404
    assert "Dr. Heru" not in other.get("/finalsubmissionview/list/").get_data(as_text=True)
    kabag = en("kabag").get(f"/cycle/{at_step6.id}").get_data(as_text=True)
    node = kabag[kabag.index('id="node-s06-SETPRES"'):]
    assert "Done" in node[:node.index("</tr>")]


def test_a_bad_file_on_the_form_is_refused_and_keeps_nothing(at_step6, en, db_session):
    page = _submit(en("pengguna1"), at_step6.id,
                   memo=(io.BytesIO(b"teks biasa"), "nota.txt")).get_data(as_text=True)
    assert "The approval memo must be a PDF, DOCX or ODT file." in page
    assert 'value="Dr. Heru"' in page  # what was typed is kept
    assert db_session.scalars(select(FinalSubmission)).first() is None
    assert item(db_session, at_step6.id, "s06@SETPRES").status == "ready"


def test_the_list_in_indonesian_says_terlambat(at_step6, client, login, db_session):
    login(client, "pengguna1")
    _submit(client, at_step6.id)
    listed = visible(client.get("/finalsubmissionview/list/").get_data(as_text=True))
    assert "Terlambat" in listed and "Tidak" in listed


READERS = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor", "pengguna1", "pengguna2"}
ADDERS = READERS - {"auditor"}


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_submission_pages_per_role(at_step6, client, login, username):
    login(client, username)
    assert client.get("/finalsubmissionview/list/").status_code == (
        200 if username in READERS else 403)
    form = client.get(f"/final-submission/{at_step6.id}/new")
    assert form.status_code == (200 if username in ADDERS else 403)


LIAISON_ADMINS = {"admin", "karo", "kabag"}


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_units_without_liaison_per_role(client, login, db_session, username):
    login(client, username)
    page = client.get("/unitliaisonview/list/")
    assert page.status_code == (200 if username in LIAISON_ADMINS | {"auditor"} else 403)
    if page.status_code == 200:
        text = page.get_data(as_text=True)
        assert "Sekretariat Militer Presiden" in text and "Sekretariat Wakil Presiden" not in text
    milpres = db_session.scalars(select(OrgUnit).filter_by(code="SETMILPRES")).one()
    assign = client.get(f"/unitliaisonview/assign/{milpres.id}")
    assert assign.status_code == (200 if username in LIAISON_ADMINS else 403)


def test_kabag_assigns_a_new_liaison_and_sees_its_password_once(at_step6, en, db_session):
    milpres = db_session.scalars(select(OrgUnit).filter_by(code="SETMILPRES")).one()
    client = en("kabag")
    page = client.post(f"/unitliaisonview/assign/{milpres.id}", data={
        "user": "0", "username": "penghubung.milpres", "first_name": "Penghubung",
        "last_name": "Milpres", "email": "milpres@iku.local"}).get_data(as_text=True)
    assert "is now the liaison of Sekretariat Militer Presiden; 1 open item(s)" in page
    password = re.search(r'id="new-password">([^<]+)<', page)[1]
    assert len(password) >= 12
    assert item(db_session, at_step6.id, "s06@SETMILPRES").assignee.username == \
        "penghubung.milpres"
    assert "Sekretariat Militer Presiden" not in client.get(
        "/unitliaisonview/list/").get_data(as_text=True)
    assert client.get(f"/unitliaisonview/assign/{milpres.id}").status_code == 404
    duplicate = db_session.scalars(select(OrgUnit).filter_by(code="ISTANA-BOGOR")).one()
    again = client.post(f"/unitliaisonview/assign/{duplicate.id}", data={
        "user": "0", "username": "penghubung.milpres", "first_name": "X",
        "email": "x@iku.local"}).get_data(as_text=True)
    assert "sudah ada" in again and 'id="new-password"' not in again


def test_a_missing_date_is_refused_in_the_users_language(at_step6, client, login, db_session):
    login(client, "pengguna1")
    page = visible(_submit(client, at_step6.id, approved_on="").get_data(as_text=True))
    assert "Kolom ini wajib diisi." in page and "This field is required." not in page
    assert db_session.scalar(select(FinalSubmission.id)) is None


def test_home_lists_the_units_proposals_and_counts_pending_ones_for_deciders(
        at_step6, en, db_session):
    from app.models.org import IkuUser
    from app.services import proposals
    from app.services.cycles.rules import Attachment

    liaison = db_session.scalar(select(IkuUser).where(IkuUser.username == "pengguna1"))
    proposals.submit_proposal(
        db_session, liaison, org_unit_id=None, start_year=2025, end_year=2029,
        reason="leadership_direction", description="Arahan pimpinan atas sasaran baru.",
        attachment=Attachment("arahan.pdf", b"%PDF-1.4 arahan"))
    page = visible(en("pengguna1").get("/").get_data(as_text=True))
    assert "Change proposals" in page and "Arahan pimpinan" in page and "Submitted" in page
    other = visible(en("pengguna2").get("/").get_data(as_text=True))
    assert "Arahan pimpinan" not in other and "has not proposed any change" in other
    assert "1 change proposal waits for your decision." in visible(
        en("kabag").get("/").get_data(as_text=True))
    assert "waits for your decision" not in visible(en("staf").get("/").get_data(as_text=True))
