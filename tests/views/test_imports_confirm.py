"""The confirm page applies what the admin saw: a record changed since the preview is not
overwritten; the admin gets the new preview and confirms again."""

from __future__ import annotations

from app.models.org import OrgUnit
from tests.services.test_imports import UNIT_HEADERS, xlsx
from tests.views.test_imports import TOKEN_RE, admin, browser, import_dir, upload  # noqa: F401


def test_a_changed_record_gets_a_new_preview_not_an_overwrite(admin, db_session, import_dir):  # noqa: F811
    content = xlsx(UNIT_HEADERS, ["SETPRES", "Sekretariat Presiden", None, None, "Pratikno"])
    token = TOKEN_RE.search(upload(admin, "units", content).get_data(as_text=True)).group(1)
    unit = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    unit.head_name = OTHER = "Kepala Pilihan Admin Lain"  # saved by someone else meanwhile
    db_session.commit()

    response = admin.post("/import/apply", data={"token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Data berubah sejak pratinjau" in page
    assert page.count('class="iku-import-row"') == 1 and 'class="warning">Pratikno<' in page
    assert TOKEN_RE.search(page).group(1) == token  # the same file, confirmable again
    db_session.expire_all()
    assert db_session.query(OrgUnit).filter_by(code="SETPRES").one().head_name == OTHER
    assert [p.name for p in import_dir.iterdir()] == [f"{token}.xlsx"]

    confirmed = admin.post("/import/apply", data={"token": token})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/orgunitview/list/")
    db_session.expire_all()
    assert db_session.query(OrgUnit).filter_by(code="SETPRES").one().head_name == "Pratikno"
    assert list(import_dir.iterdir()) == []
