"""An import applies what was previewed: when the records it would touch (or the file) change
between the dry run and the confirm, the apply saves nothing and hands back the new preview."""

from __future__ import annotations

import pytest

from app.models.org import OrgUnit
from app.services import imports
from tests.services.test_imports import UNIT_HEADERS, xlsx

CONTENT = xlsx(
    UNIT_HEADERS,
    ["SETPRES", "Sekretariat Presiden", None, None, "Pratikno", None, None, None],
    ["DEP-BARU", "Deputi Baru", None, "AK2", None, None, None, None],
)


def _setpres(session):
    return session.query(OrgUnit).filter_by(code="SETPRES").one()


def test_unchanged_records_apply_as_previewed(db_session):
    preview = imports.preview_import("units", CONTENT, db_session)
    assert len(preview.fingerprint) == 64
    assert imports.apply_import("units", CONTENT, db_session, preview.fingerprint) == (1, 1)
    assert _setpres(db_session).head_name == "Pratikno"


def test_a_record_edited_since_the_preview_is_not_overwritten(db_session):
    preview = imports.preview_import("units", CONTENT, db_session)
    _setpres(db_session).head_title = "Menteri Sekretaris Negara"  # another admin, meanwhile
    db_session.commit()
    with pytest.raises(imports.ImportChangedError) as refused:
        imports.apply_import("units", CONTENT, db_session, preview.fingerprint)
    db_session.expire_all()
    assert _setpres(db_session).head_name != "Pratikno"
    assert db_session.query(OrgUnit).filter_by(code="DEP-BARU").count() == 0
    fresh = refused.value.preview
    assert fresh.fingerprint != preview.fingerprint
    assert fresh.rows[0].values["Jabatan Pimpinan"] == "Menteri Sekretaris Negara"
    assert imports.apply_import("units", CONTENT, db_session, fresh.fingerprint) == (1, 1)
    assert (_setpres(db_session).head_name, _setpres(db_session).head_title) == (
        "Pratikno", "Menteri Sekretaris Negara")


def test_a_row_created_elsewhere_since_the_preview_turns_the_create_into_an_update(db_session):
    preview = imports.preview_import("units", CONTENT, db_session)
    assert [row.action for row in preview.rows] == ["update", "create"]
    db_session.add(OrgUnit(code="DEP-BARU", name="Deputi Lain"))
    db_session.commit()
    with pytest.raises(imports.ImportChangedError) as refused:
        imports.apply_import("units", CONTENT, db_session, preview.fingerprint)
    assert [row.action for row in refused.value.preview.rows] == ["update", "update"]
    assert db_session.query(OrgUnit).filter_by(code="DEP-BARU").one().name == "Deputi Lain"


def test_a_different_file_under_the_previewed_fingerprint_is_refused(db_session):
    preview = imports.preview_import("units", CONTENT, db_session)
    other = xlsx(UNIT_HEADERS, ["SETPRES", "Sekretariat Presiden", None, None, "Penyusup"])
    with pytest.raises(imports.ImportChangedError):
        imports.apply_import("units", other, db_session, preview.fingerprint)
    assert _setpres(db_session).head_name != "Penyusup"
