"""The org pages as an admin uses them: content, validation messages, nothing half-saved."""

import pytest

from app.models.org import OrgUnit, OrgUnitAssignment, Pelaksana, Section

VALID_NIP = "198503152010121001"


@pytest.fixture
def admin(client, login):
    login(client, "admin")
    return client


def _section(db_session, code):
    return db_session.query(Section).filter_by(code=code).one()


def test_unit_list_shows_the_seeded_units_with_their_section(admin):
    page = admin.get("/orgunitview/list/?psize_OrgUnitView=50").get_data(as_text=True)
    assert "Istana Kepresidenan Tampaksiring Bali" in page
    assert "Sekretariat Kantor Staf Presiden" in page
    assert page.count("Bagian Akuntabilitas Kinerja I<") == 7
    assert page.count("Bagian Akuntabilitas Kinerja II<") == 6


def test_unit_search_filters_the_list(admin):
    page = admin.get("/orgunitview/list/?_flt_2_name=Istana").get_data(as_text=True)
    assert "Istana Kepresidenan Bogor" in page
    assert "Sekretariat Presiden<" not in page


def test_pelaksana_with_valid_data_is_saved(admin, db_session):
    section = _section(db_session, "AK1")
    admin.post("/pelaksanaview/add", data={
        "name": "Siti Rahma", "nip": VALID_NIP, "section": section.id,
        "email": "siti@setneg.go.id", "active": "y",
    })
    saved = db_session.query(Pelaksana).filter_by(nip=VALID_NIP).one()
    assert saved.name == "Siti Rahma" and saved.section_id == section.id


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("12345", "NIP harus 18 digit angka."),
        ("198502302010121001", "tanggal lahir yang tidak mungkin"),
        ("198503152010131001", "bulan pengangkatan yang tidak mungkin"),
        ("198503152010123001", "jenis kelamin"),
    ],
)
def test_bad_nip_is_refused_with_a_clear_message(admin, db_session, nip, message):
    response = admin.post("/pelaksanaview/add", data={"name": "X", "nip": nip})
    assert message in response.get_data(as_text=True)
    assert db_session.query(Pelaksana).filter_by(nip=nip).count() == 0


def test_malformed_email_is_refused(admin, db_session):
    response = admin.post("/pelaksanaview/add", data={
        "name": "Budi", "nip": VALID_NIP, "email": "budi(at)setneg",
    })
    assert "Alamat email tidak valid" in response.get_data(as_text=True)
    assert db_session.query(Pelaksana).filter_by(nip=VALID_NIP).count() == 0


def test_duplicate_unit_code_is_refused(admin, db_session):
    before = db_session.query(OrgUnit).count()
    response = admin.post("/orgunitview/add", data={
        "code": "SETPRES", "name": "Duplikat", "kind": "satuan_organisasi",
    })
    body = response.get_data(as_text=True)
    assert "sudah ada" in body.lower() or "already exists" in body.lower()
    assert db_session.query(OrgUnit).count() == before


def test_moving_a_unit_to_the_other_section_keeps_the_history(admin, db_session):
    unit = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    ak2 = _section(db_session, "AK2")
    admin.post(f"/orgunitview/edit/{unit.id}", data={
        "code": unit.code, "name": unit.name, "kind": unit.kind, "section": ak2.id,
        "active": "y",
    })
    db_session.expire_all()
    rows = (db_session.query(OrgUnitAssignment).filter_by(org_unit_id=unit.id)
            .order_by(OrgUnitAssignment.id).all())
    assert [r.section.code for r in rows] == ["AK1", "AK2"]
    assert rows[0].valid_to is not None and rows[1].valid_to is None
    assert rows[1].changed_by == "admin"
    page = admin.get("/orgunitassignmentview/list/").get_data(as_text=True)
    assert "Sekretariat Presiden" in page


def test_unit_kind_is_a_labelled_choice_not_a_raw_code(admin):
    form = admin.get("/orgunitview/add").get_data(as_text=True)
    assert '<select' in form and 'value="satuan_kerja"' in form
    page = admin.get("/orgunitview/list/").get_data(as_text=True)
    assert "<td>satuan_organisasi</td>" not in page


def _edit_form(client, unit) -> str:
    return client.get(f"/orgunitview/edit/{unit.id}").get_data(as_text=True)


def test_liaison_sees_what_it_may_not_change_as_text_not_as_inputs(client, login, db_session):
    own = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    login(client, "pengguna1")
    form = _edit_form(client, own)
    for name in ("code", "name", "kind", "section", "active"):
        assert f'name="{name}"' not in form, name
    assert f'<p class="form-control-static" id="code">{own.code}</p>' in form
    assert f'<p class="form-control-static" id="section">{own.section.name}</p>' in form
    assert 'id="kind">Satuan Organisasi</p>' in form  # the label, not "satuan_organisasi"
    for name in ("head_name", "head_title", "head_email"):
        assert f'name="{name}"' in form, name


def test_liaison_save_changes_the_contacts_and_nothing_else(client, login, db_session):
    own = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    code, name, section_id = own.code, own.name, own.section_id
    other = db_session.query(Section).filter(Section.id != section_id).first()
    login(client, "pengguna1")
    client.post(f"/orgunitview/edit/{own.id}", data={
        "code": "DIBAJAK", "name": "Nama lain", "kind": "satuan_kerja", "section": other.id,
        "head_name": "Dr. Kepala Baru", "head_title": "Sekretaris", "head_email": "kb@setneg.go.id",
    })
    db_session.expire_all()
    saved = db_session.get(OrgUnit, own.id)
    assert (saved.code, saved.name, saved.kind, saved.section_id, saved.active) == (
        code, name, "satuan_organisasi", section_id, True)
    assert (saved.head_name, saved.head_email) == ("Dr. Kepala Baru", "kb@setneg.go.id")


def test_refused_save_keeps_what_was_typed_and_names_the_field_by_its_label(
    client, login, db_session, monkeypatch
):
    from app.services import org as org_service

    def refuse(_unit):
        raise org_service.UnitEditForbiddenError("internal head_email", ["head_email"])

    monkeypatch.setattr(org_service, "check_liaison_unit_edit", refuse)
    own = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    before = own.head_name
    login(client, "pengguna1")
    response = client.post(f"/orgunitview/edit/{own.id}", data={
        "head_name": "Nama Yang Diketik", "head_title": "Jabatan Diketik",
        "head_email": "diketik@setneg.go.id",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Nama Yang Diketik"' in page and 'value="diketik@setneg.go.id"' in page
    assert "Email kepala" in page and "tidak boleh mengubah" in page
    assert "internal head_email" not in page
    assert f'<p class="form-control-static" id="code">{own.code}</p>' in page
    db_session.expire_all()
    assert db_session.get(OrgUnit, own.id).head_name == before


def test_admin_edits_every_field_of_a_unit(admin, db_session):
    own = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    form = _edit_form(admin, own)
    for name in ("code", "name", "kind", "section", "head_name", "head_email", "active"):
        assert f'name="{name}"' in form, name
    assert "form-control-static" not in form


def test_an_address_of_the_organisations_own_domain_is_accepted_in_the_form(admin, db_session):
    admin.post("/pelaksanaview/add", data={
        "name": "Siti Lokal", "nip": VALID_NIP, "email": "Siti@IKU.local", "active": "y",
    })
    assert db_session.query(Pelaksana).filter_by(nip=VALID_NIP).one().email == "Siti@iku.local"
    page = admin.post("/pelaksanaview/add", data={
        "name": "Orang Asing", "nip": "199001012015031002", "email": "x@lain.local",
    }).get_data(as_text=True)
    assert "Alamat email tidak valid" in page
    assert db_session.query(Pelaksana).filter_by(name="Orang Asing").count() == 0
