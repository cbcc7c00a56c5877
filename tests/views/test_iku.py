"""The IKU registry pages per role, the unit scope, the checks, versions and the public page."""

import pytest

from app.models.iku import Indicator, IndicatorTarget
from app.models.org import OrgUnit
from app.services.iku_demo import load_demo_iku
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import at_step4_fixture, team_fixture  # noqa: F401


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


def _unit(db_session, code):
    return db_session.query(OrgUnit).filter_by(code=code).one()


def _form(db_session, **fields):
    data = {"org_unit": _unit(db_session, "SETPRES").id, "start_year": "2025",
            "end_year": "2029", "sasaran_code": "SS1",
            "sasaran_text": "Meningkatnya kualitas dukungan", "code": "IKU-1.9",
            "name": "Persentase surat yang dijawab tepat waktu", "calculation_type": "persentase",
            "satuan": "%", "numerator": "Surat dijawab tepat waktu", "denominator": "Semua surat",
            "data_source": "Aplikasi persuratan"}
    data.update(fields)
    return data


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_list_per_role_and_liaison_scope(client, login, demo, username):
    login(client, username)
    page = client.get("/indicatorview/list/?psize_IndicatorView=100").get_data(as_text=True)
    if username == "pengguna1":
        assert "Persentase dukungan kegiatan Presiden" in page
        assert "benda cagar budaya" not in page and "Nilai SAKIP" not in page
    elif username == "pengguna2":
        assert "Indeks kepuasan Wakil Presiden" in page and "kegiatan Presiden" not in page
    else:
        assert "benda cagar budaya" in page and "Nilai SAKIP Kementerian" in page
        assert "Ditetapkan" in page and "Draf" in page


def test_liaison_gets_404_on_another_units_iku(client, login, demo):
    login(client, "pengguna1")
    other = demo["IKU-4.1v1"]
    assert client.get(f"/indicatorview/show/{other.id}").status_code == 404
    assert client.get(f"/indicatorview/compare/{other.id}").status_code == 404
    own = demo["IKU-1.1v1"]
    assert "Persentase dukungan kegiatan Presiden" in client.get(
        f"/indicatorview/show/{own.id}").get_data(as_text=True)


@pytest.mark.parametrize("username", ["auditor"])
def test_auditor_reads_but_does_not_add(client, login, db_session, username):
    login(client, username)
    client.post("/indicatorview/add", data=_form(db_session))
    assert db_session.query(Indicator).filter_by(code="IKU-1.9").count() == 0


def test_staff_adds_an_iku_and_is_warned_of_a_missing_source(client, login, db_session):
    login(client, "staf")
    page = client.post("/indicatorview/add", data=_form(db_session, data_source=""),
                       follow_redirects=True).get_data(as_text=True)
    saved = db_session.query(Indicator).filter_by(code="IKU-1.9").one()
    assert saved.org_unit.code == "SETPRES" and saved.status == "draft"
    assert "Belum ada sumber data" in page


def test_duplicate_code_is_refused_in_words_and_nothing_saved(client, login, db_session, demo):
    login(client, "kabag")
    page = client.post("/indicatorview/add", data=_form(db_session, code="IKU-1.1"),
                       follow_redirects=True).get_data(as_text=True)
    assert "Kode indikator IKU-1.1 sudah digunakan" in page
    assert db_session.query(Indicator).filter_by(code="IKU-1.1").count() == 1


def test_percentage_target_over_100_is_refused(client, login, db_session, demo):
    login(client, "staf")
    draft = demo["IKU-1.2v1"]
    page = client.post("/indicatortargetview/add", data={
        "indicator": draft.id, "year": "2025", "value": "120"}, follow_redirects=True)
    assert "antara 0 dan 100" in page.get_data(as_text=True)
    assert db_session.query(IndicatorTarget).filter_by(indicator_id=draft.id, year=2025).count() == 1


def test_enacted_iku_edit_is_refused(client, login, db_session, demo):
    login(client, "kabag")
    enacted = demo["IKU-1.1v1"]
    page = client.post(f"/indicatorview/edit/{enacted.id}", data=_form(
        db_session, code="IKU-1.1", name="Diubah diam-diam"), follow_redirects=True)
    assert "tidak pernah diubah" in page.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Indicator, enacted.id).name.startswith("Persentase dukungan")


def test_list_offers_no_edit_or_delete_link_on_an_enacted_iku(client, login, demo):
    """Not offered, rather than offered and refused (issue 6, "forms that do not trick")."""
    login(client, "admin")
    page = client.get("/indicatorview/list/?_oc_IndicatorView=id").get_data(as_text=True)
    enacted, draft = demo["IKU-1.1v1"], demo["IKU-1.2v1"]
    assert f"/indicatorview/show/{enacted.id}" in page
    assert f"/indicatorview/edit/{enacted.id}" not in page
    assert f"/indicatorview/delete/{enacted.id}" not in page
    assert f"/indicatorview/edit/{draft.id}" in page
    targets = client.get("/indicatortargetview/list/?psize_IndicatorTargetView=100").get_data(
        as_text=True)
    locked, open_ = enacted.targets[0], draft.targets[0]
    assert f"/indicatortargetview/edit/{locked.id}" not in targets
    assert f"/indicatortargetview/edit/{open_.id}" in targets


def test_amend_action_then_compare_versions(client, login, db_session, demo):
    login(client, "kabag")
    enacted = demo["IKU-1.1v1"]
    client.post(f"/indicatorview/action/amend/{enacted.id}")
    copy = db_session.query(Indicator).filter_by(code="IKU-1.1", version=2).one()
    assert copy.status == "draft" and copy.previous_id == enacted.id
    page = client.get(f"/indicatorview/compare/{demo['IKU-4.1v2'].id}").get_data(as_text=True)
    assert "Bandingkan versi" in page and "iku-changed" in page
    assert "koleksi istana" in page and "Target 2029" in page


def test_advance_action_moves_a_draft_and_liaison_cannot(client, login, db_session, demo):
    draft = demo["IKU-1.2v1"]
    login(client, "pengguna1")
    client.post(f"/indicatorview/action/advance/{draft.id}")
    db_session.expire_all()
    assert db_session.get(Indicator, draft.id).status == "draft"
    client.get("/logout/")
    login(client, "kabag")
    client.post(f"/indicatorview/action/advance/{draft.id}")
    db_session.expire_all()
    assert db_session.get(Indicator, draft.id).status == "dibahas"


def test_liaison_cannot_edit_its_iku_once_past_draft(client, login, db_session, demo):
    draft = demo["IKU-1.2v1"]
    draft.status = "dibahas"
    db_session.commit()
    login(client, "pengguna1")
    page = client.post(f"/indicatorview/edit/{draft.id}", data=_form(
        db_session, code="IKU-1.2", name="Diubah unit"), follow_redirects=True)
    assert "hanya dapat mengubah IKU yang masih berstatus draf" in page.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Indicator, draft.id).name.startswith("Persentase rekomendasi")


def test_liaison_adds_to_its_own_unit_and_edits_its_draft(client, login, db_session, demo, at_step4):
    login(client, "pengguna1")
    client.post("/indicatorview/add", data=_form(
        db_session, org_unit=_unit(db_session, "SETWAPRES").id))
    assert db_session.query(Indicator).filter_by(code="IKU-1.9").count() == 0
    client.post("/indicatorview/add", data=_form(db_session))
    added = db_session.query(Indicator).filter_by(code="IKU-1.9").one()
    assert added.org_unit.code == "SETPRES"
    client.post(f"/indicatorview/edit/{added.id}", data=_form(db_session, name="Nama unit"))
    db_session.expire_all()
    assert db_session.get(Indicator, added.id).name == "Nama unit"


def test_public_page_without_login_shows_only_enacted_iku(client, demo, db_session):
    assert 'href="/iku/"' in client.get("/").get_data(as_text=True)
    page = client.get("/iku/").get_data(as_text=True)
    assert "Persentase dukungan kegiatan Presiden yang terlaksana tepat waktu" in page
    assert "Jumlah kegiatan Presiden yang didukung tepat waktu" in page  # formula
    assert "Permensesneg Nomor 3 Tahun 2025" in page and "Tingkat Kementerian" in page
    assert "<td>3,45</td>" in page and "<td>97</td>" in page  # targets as written
    assert "rekomendasi kebijakan yang ditindaklanjuti" not in page  # a draft
    assert "koleksi istana" not in page  # amendment still in draft
    bogor = _unit(db_session, "ISTANA-BOGOR")
    page = client.get(f"/iku/?unit={bogor.id}&year=2027").get_data(as_text=True)
    assert "benda cagar budaya" in page and "kegiatan Presiden" not in page
    page = client.get("/iku/?q=SAKIP").get_data(as_text=True)
    assert "Nilai SAKIP" in page and "cagar budaya" not in page
    assert "Tidak ada IKU" in client.get("/iku/?year=2040").get_data(as_text=True)


def test_liaison_export_holds_only_its_units_iku_in_words(client, login, demo):
    login(client, "pengguna1")
    text = client.get("/indicatorview/export/csv").get_data(as_text=True)
    assert "Persentase dukungan kegiatan Presiden" in text and "Ditetapkan" in text
    assert "cagar budaya" not in text and "SAKIP" not in text


def test_show_page_offers_targets_versions_and_warnings(client, login, demo):
    login(client, "kabag")
    page = client.get(f"/indicatorview/show/{demo['IKU-4.1v2'].id}").get_data(as_text=True)
    assert "koleksi istana" in page and "Inventarisasi benda cagar budaya" in page
    assert "/indicatorview/compare/" in page and "Bandingkan versi" in page
    assert "Target IKU" in page and "/indicatorview/action/advance/" in page
    draft = client.get(f"/indicatorview/show/{demo['IKU-1.2v1'].id}").get_data(as_text=True)
    assert "Belum ada sumber data" in draft and "Bandingkan versi" not in draft


def test_admin_cannot_delete_an_enacted_iku_or_its_target(client, login, db_session, demo):
    login(client, "admin")
    enacted = demo["IKU-1.1v1"]
    page = client.post(f"/indicatorview/delete/{enacted.id}", follow_redirects=True)
    assert "tidak pernah diubah" in page.get_data(as_text=True)
    client.post(f"/indicatortargetview/delete/{enacted.targets[0].id}")
    db_session.expire_all()
    assert len(db_session.get(Indicator, enacted.id).targets) == 5
