"""The discussion pages: a cycle's groups, a group's session (schedule, attendance, minutes,
decisions), the lists, the cycle page and Tugas saya, for every role; a liaison only in scope."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.models.discussions import DiscussionDecision, DiscussionGroup
from app.models.iku import Indicator
from tests.conftest import ROLE_USERS
from tests.services.test_discussions_support import (  # noqa: F401
    at_step5_fixture,
    grouped_fixture,
    item,
    session_of,
    team_fixture,
    unit_id,
)
from tests.views.test_cycles_support import en_fixture, visible  # noqa: F401

READERS = {"admin", "karo", "kabag", "kasubbag", "staf", "auditor", "pengguna1", "pengguna2"}
DEFINERS = {"admin", "karo", "kabag"}


def _as(client, login, username):
    """Logged in, Indonesian (the default locale)."""
    client.get("/logout/")
    login(client, username)
    return client


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_groups_page_per_role(grouped, client, login, username):
    page = _as(client, login, username).get(f"/discussion/cycle/{grouped.cycle.id}")
    assert page.status_code == 200
    text = visible(page.get_data(as_text=True))
    assert "Kelompok pembahasan" in text and "Kelompok 1" in text
    assert "Sekretariat Presiden" in text and "Sesi 1" in text and "Sesi 2" in text
    if username.startswith("pengguna"):  # SETPRES and SETWAPRES both sit in Kelompok 1
        assert "Kelompok 2" not in text and "Sekretariat Kementerian" not in text
    else:
        assert "Kelompok 2" in text and "Sekretariat Kementerian" in text
    assert ('id="form-group"' in page.get_data(as_text=True)) == (username in DEFINERS)


def test_kabag_defines_a_group_through_the_form(at_step5, client, login, db_session):
    cycle, team = at_step5.cycle, at_step5.team
    client = _as(client, login, "kabag")
    blank = client.get(f"/discussion/cycle/{cycle.id}").get_data(as_text=True)
    assert "Belum ada kelompok pembahasan." in visible(blank)
    assert "Satuan organisasi yang belum masuk kelompok" in visible(blank)
    form = {"name": "Kelompok 1", "units": [unit_id(db_session, "SETPRES"),
                                            unit_id(db_session, "SETWAPRES")],
            "lead": team["kasubbag"].id, "members": [team["staf"].id]}
    done = client.post(f"/discussion/cycle/{cycle.id}/save", data=form, follow_redirects=True)
    text = visible(done.get_data(as_text=True))
    assert "Kelompok Kelompok 1 disimpan" in text
    assert item(db_session, cycle.id, "s05#1.b.g1").assignee_user_id == team["kasubbag"].id
    refused = client.post(f"/discussion/cycle/{cycle.id}/save", data={
        **form, "name": "Kelompok 2", "units": [unit_id(db_session, "SETPRES")]})
    assert "Sekretariat Presiden sudah termasuk dalam Kelompok 1" in visible(
        refused.get_data(as_text=True))
    assert db_session.scalar(select(func.count(DiscussionGroup.id))) == 1
    overview = visible(client.get(f"/cycle/{cycle.id}").get_data(as_text=True))
    assert "Kelompok 1 – Pembahasan sesi 1: Sekretariat Presiden, Sekretariat Wakil Presiden" \
        in overview
    assert "Kasubbag Uji" in overview  # the group item's own assignee, the lead
    page = client.get(f"/cycle/{cycle.id}").get_data(as_text=True)
    assert f'href="/discussion/cycle/{cycle.id}"' in page  # the step-5 row leads to its groups
    assert page.count("Catatan sesi") == 2  # each group item leads to its session
    group = db_session.scalars(select(DiscussionGroup)).one()
    edit = client.get(f"/discussion/cycle/{cycle.id}?edit={group.id}").get_data(as_text=True)
    assert "Ubah Kelompok 1" in visible(edit)
    deleted = client.post(f"/discussion/group/{group.id}/delete", follow_redirects=True)
    assert "Kelompok Kelompok 1 dihapus" in visible(deleted.get_data(as_text=True))
    assert item(db_session, cycle.id, "s05#1.b").is_leaf


@pytest.mark.parametrize("username", ["kasubbag", "staf", "auditor", "pengguna1"])
def test_others_cannot_define_groups(at_step5, client, login, db_session, username):
    client = _as(client, login, username)
    response = client.post(f"/discussion/cycle/{at_step5.cycle.id}/save", data={
        "name": "K", "units": [unit_id(db_session, "SETPRES")],
        "lead": at_step5.team["staf"].id})
    assert response.status_code == 403
    assert db_session.scalar(select(func.count(DiscussionGroup.id))) == 0


def test_a_member_records_the_session_and_the_lead_completes_it(grouped, client, login,
                                                                db_session, tmp_path):
    team, ind = grouped.team, grouped.indicators
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    client = _as(client, login, "kasubbag")
    url = f"/discussion/session/{first.id}"
    # completing the group's item before the minutes: refused, in words
    g1 = item(db_session, grouped.cycle.id, "s05#1.b.g1")
    tasks = visible(client.get("/tasks/").get_data(as_text=True))
    assert "Langkah 5 sesi 1 b — Kelompok 1" in tasks
    refused = client.post(f"/tasks/item/{g1.id}/complete", data={
        "complete-version": g1.version_id}, follow_redirects=True)
    assert "Notulen Kelompok 1 sesi 1 belum dicatat" in visible(refused.get_data(as_text=True))
    item_page = client.get(f"/tasks/item/{g1.id}").get_data(as_text=True)
    assert f'href="{url}"' in item_page
    client = _as(client, login, "staf")  # a member
    page = client.get(url).get_data(as_text=True)
    assert 'id="form-minutes"' in page and 'id="form-decisions"' in page
    client.post(f"{url}/schedule", data={"scheduled_at": "01-02-2027 09:00",
                                         "place": "Ruang Rapat Lantai 2"})
    bad = client.post(f"{url}/schedule", data={"scheduled_at": "2027-02-01"},
                      follow_redirects=True)
    assert "Tuliskan tanggal dan jam sebagai DD-MM-YYYY HH:MM." in visible(
        bad.get_data(as_text=True))
    client.post(f"{url}/attendance", data={"person": team["kasubbag"].id, "present": "y",
                                           "position": "Kepala Subbagian"})
    client.post(f"{url}/attendance", data={"name": "Budi Santoso", "position": "Kabag Renja",
                                           "unit": unit_id(db_session, "SETPRES")})
    client.post(f"{url}/minutes", data={
        "text": "Dua IKU Setpres dibahas.", "file": (io.BytesIO(b"%PDF notulen"), "notulen.pdf")},
        content_type="multipart/form-data")
    refused = client.post(f"{url}/decisions", data={
        f"decision-{ind['SETPRES'].id}": "changed", f"change-{ind['SETPRES'].id}": ""},
        follow_redirects=True)
    assert "IKU-SP-1 diputuskan diubah: tuliskan perubahannya." in visible(
        refused.get_data(as_text=True))
    client.post(f"{url}/decisions", data={
        f"decision-{ind['SETPRES'].id}": "changed",
        f"change-{ind['SETPRES'].id}": "Target 2027 menjadi 90%",
        f"decision-{ind['SETWAPRES'].id}": "kept", f"decision-{ind['SETPRES2'].id}": ""})
    html = client.get(url).get_data(as_text=True)
    text = visible(html)
    assert "01-02-2027 09:00 WIB" in text and "Ruang Rapat Lantai 2" in text
    assert "Pelaksana Kasubbag" in text and "Budi Santoso" in text
    assert "Dua IKU Setpres dibahas." in text and "notulen.pdf" in text
    assert 'value="Target 2027 menjadi 90%"' in html and "Dibahas" in text
    assert '<option value="changed" selected>Diubah</option>' in html
    db_session.expire_all()
    assert db_session.get(Indicator, ind["SETPRES"].id).status == "dibahas"
    download = client.get(f"{url}/minutes-file")
    assert download.status_code == 200 and download.data == b"%PDF notulen"
    client = _as(client, login, "kasubbag")
    done = client.post(f"/tasks/item/{g1.id}/complete", data={
        "complete-version": item(db_session, grouped.cycle.id, "s05#1.b.g1").version_id},
        follow_redirects=True)
    assert done.status_code == 200
    assert item(db_session, grouped.cycle.id, "s05#1.b.g1").status == "done"


@pytest.mark.parametrize("username", ["kasubbag2", "staf2", "auditor"])
def test_non_members_only_read_a_session(grouped, en, db_session, username):
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    client = en(username)
    page = client.get(f"/discussion/session/{first.id}").get_data(as_text=True)
    assert "Kelompok 1" in page and 'id="form-minutes"' not in page
    assert 'id="form-decisions"' not in page and "IKU-SP-1" in page
    response = client.post(f"/discussion/session/{first.id}/minutes", data={"text": "x"},
                           follow_redirects=True)
    if username == "auditor":
        assert response.status_code == 403
    else:
        assert "Hanya ketua dan anggota Kelompok 1" in response.get_data(as_text=True)
    db_session.expire_all()
    assert first.minutes is None


def test_a_liaison_reads_its_own_group_and_its_own_indicators_only(grouped, client, login,
                                                                   db_session):
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    other = session_of(db_session, grouped, "Kelompok 2", 1)
    ind = grouped.indicators
    from app.services import discussions
    discussions.record_decisions(db_session, grouped.team["kasubbag"], first.id, [
        (ind["SETPRES"].id, "kept", ""), (ind["SETWAPRES"].id, "dropped", "")])
    client = _as(client, login, "pengguna1")
    page = client.get(f"/discussion/session/{first.id}")
    text = visible(page.get_data(as_text=True))
    assert page.status_code == 200 and "IKU-SP-1" in text and "Tetap" in text
    assert "IKU-SW-1" not in text and 'id="form-minutes"' not in page.get_data(as_text=True)
    assert client.get(f"/discussion/session/{other.id}").status_code == 404
    assert client.get(f"/discussion/session/{other.id}/minutes-file").status_code == 404
    assert client.post(f"/discussion/session/{first.id}/minutes",
                       data={"text": "x"}).status_code == 403
    listing = visible(client.get("/discussiondecisionview/list/").get_data(as_text=True))
    assert "IKU-SP-1" in listing and "IKU-SW-1" not in listing
    groups = visible(client.get("/discussiongroupview/list/").get_data(as_text=True))
    assert "Kelompok 1" in groups and "Kelompok 2" not in groups
    sessions = client.get("/discussionsessionview/list/").get_data(as_text=True)
    assert "Kelompok 2" not in visible(sessions)
    group2 = db_session.scalars(select(DiscussionGroup).filter_by(name="Kelompok 2")).one()
    assert client.get(f"/discussiongroupview/show/{group2.id}").status_code == 404
    assert client.get(f"/discussionsessionview/show/{other.id}").status_code == 404


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_lists_per_role(grouped, client, login, db_session, username):
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    from app.services import discussions
    discussions.record_decisions(db_session, grouped.team["kasubbag"], first.id, [
        (grouped.indicators["SETPRES"].id, "dropped", "")])
    client = _as(client, login, username)
    own = username != "pengguna2"  # the decision is about a SETPRES indicator
    for path, expected in (("/discussiongroupview/list/", "Kelompok 1"),
                           ("/discussionsessionview/list/", "Kelompok 1"),
                           ("/discussiondecisionview/list/", "Dihapus" if own else
                            "Data tidak ditemukan")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in visible(response.get_data(as_text=True)), path
    searched = client.get("/discussiongroupview/list/?_flt_0_name=Kelompok 2")
    assert ("Sekretariat Kementerian" in visible(searched.get_data(as_text=True))) == (
        not username.startswith("pengguna"))
    decided = client.get("/discussiondecisionview/list/?_flt_0_decision=dropped")
    assert ("IKU-SP-1" in visible(decided.get_data(as_text=True))) == own
    assert db_session.scalar(select(func.count(DiscussionDecision.id))) == 1
