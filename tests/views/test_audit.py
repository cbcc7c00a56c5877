"""The audit trail through the UI: changes made on the pages land with their actor, and only
Admin and Auditor can read the trail."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.org import OrgUnit, Pelaksana, Section
from app.services import audit
from app.views.cycles import format as fmt
from tests.conftest import ROLE_USERS
from tests.views.test_cycles_support import start_cycle, team_fixture  # noqa: F401

NIP = "198503152010121001"
READERS = {"admin", "auditor"}


def _entries_after(db_session, after_id, **filters):
    query = db_session.query(AuditEntry).filter(AuditEntry.id > after_id).filter_by(**filters)
    return query.order_by(AuditEntry.id).all()


def _last_id(db_session):
    return db_session.query(db.func.max(AuditEntry.id)).scalar() or 0


def _denied(response) -> bool:
    return response.status_code in (302, 403, 404) or "Access is Denied" in response.get_data(as_text=True)


def test_add_edit_delete_on_the_pages_are_audited_with_the_actor(client, login, db_session):
    login(client, "admin")
    ak1 = db_session.query(Section).filter_by(code="AK1").one()
    ak2 = db_session.query(Section).filter_by(code="AK2").one()
    start = _last_id(db_session)
    client.post(
        "/pelaksanaview/add",
        data={
            "name": "Siti Rahma",
            "nip": NIP,
            "section": ak1.id,
            "email": "siti@setneg.go.id",
            "active": "y",
        },
    )
    person = db_session.query(Pelaksana).filter_by(nip=NIP).one()
    client.post(
        f"/pelaksanaview/edit/{person.id}",
        data={
            "name": "Siti Rahmawati",
            "nip": NIP,
            "section": ak2.id,
            "email": "siti@setneg.go.id",
            "active": "y",
        },
    )
    client.post(f"/pelaksanaview/delete/{person.id}")

    entries = _entries_after(db_session, start, entity="pelaksana", entity_id=str(person.id))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.actor == "admin" and e.actor_ip == "127.0.0.1" for e in entries)
    created, updated, deleted = entries
    assert created.changes["name"] == [None, "Siti Rahma"]
    assert updated.changes == {
        "name": ["Siti Rahma", "Siti Rahmawati"],
        "section": [str(ak1), str(ak2)],
        "section_id": [ak1.id, ak2.id],
    }
    assert deleted.changes["nip"] == [NIP, None]
    assert audit.verify_chain(db_session) is None


def test_a_refused_form_leaves_no_entry(client, login, db_session):
    login(client, "admin")
    start = _last_id(db_session)
    client.post("/pelaksanaview/add", data={"name": "X", "nip": "12345"})
    assert _entries_after(db_session, start) == []


@pytest.mark.parametrize("username", list(ROLE_USERS))
@pytest.mark.parametrize("url", ["/audittimelineview/list/", "/auditentryview/list/"])
def test_only_admin_and_auditor_reach_the_trail(client, login, username, url):
    login(client, username)
    response = client.get(url)
    if username in READERS:
        assert response.status_code == 200
        assert "Audit trail" in response.get_data(as_text=True) or "Jejak audit" in response.get_data(
            as_text=True
        )
    else:
        assert _denied(response)


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_the_menu_entry_follows_the_permission(client, login, username):
    login(client, username)
    page = client.get("/").get_data(as_text=True)
    assert ("/audittimelineview/list/" in page) == (username in READERS)


def test_nobody_can_edit_or_delete_an_entry_through_the_pages(client, login, db_session):
    entry_id = audit.log_event(db_session, "export", "x", details={"n": 1})
    db_session.commit()
    login(client, "admin")
    assert client.get(f"/auditentryview/edit/{entry_id}").status_code in (403, 404, 405)
    client.post(f"/auditentryview/delete/{entry_id}")
    assert db_session.get(AuditEntry, entry_id) is not None


def test_show_page_lists_old_and_new_values_escaped(client, login, db_session):
    entry_id = audit.log_event(
        db_session,
        "update",
        "pelaksana",
        entity_id=7,
        details={
            "name": ["Lama <b>", "Baru"],
        },
    )
    db_session.commit()
    login(client, "auditor")
    page = client.get(f"/auditentryview/show/{entry_id}").get_data(as_text=True)
    assert "Lama &lt;b&gt;" in page and "Lama <b>" not in page
    assert "&rarr;" in page and "Baru" in page


def test_filters_by_actor_entity_and_date_range(client, login, db_session):
    with audit.acting_as("penguji-filter"):
        audit.log_event(db_session, "export", "entitas_filter", entity_id=42)
    audit.log_event(db_session, "export", "lain_filter")
    db_session.commit()
    login(client, "auditor")
    page = client.get("/auditentryview/list/?_flt_3_actor=penguji-filter").get_data(as_text=True)
    assert "entitas_filter" in page and "lain_filter" not in page
    page = client.get("/auditentryview/list/?_flt_3_entity=entitas_filter&_flt_3_entity_id=42")
    assert "penguji-filter" in page.get_data(as_text=True)
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    page = client.get(
        f"/auditentryview/list/?_flt_1_occurred_at={since}&_flt_2_occurred_at={until}"
    ).get_data(as_text=True)
    assert "entitas_filter" in page and "lain_filter" in page
    page = client.get(f"/auditentryview/list/?_flt_2_occurred_at={since}").get_data(as_text=True)
    assert "entitas_filter" not in page


def test_newest_entry_comes_first(client, login, db_session):
    audit.log_event(db_session, "export", "yang_lama")
    audit.log_event(db_session, "export", "yang_baru")
    db_session.commit()
    login(client, "admin")
    page = client.get("/auditentryview/list/").get_data(as_text=True)
    assert page.index("yang_baru") < page.index("yang_lama")


def test_an_api_change_is_audited_with_the_token_user(client, api_token, db_session):
    person = Pelaksana(name="Lewat API", nip=NIP)
    db_session.add(person)
    db_session.commit()
    start = _last_id(db_session)
    response = client.put(
        f"/api/v1/pelaksana/{person.id}", json={"name": "Diubah API"}, headers=api_token("admin")
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    (entry,) = _entries_after(db_session, start)
    assert (entry.actor, entry.changes) == ("admin", {"name": ["Lewat API", "Diubah API"]})


# --- the trail as an auditor reads it ------------------------------------------------------


def _text(html: str) -> str:
    """What a reader sees: the page without its tags, scripts and attribute values."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def happenings(client, login, db_session, team):
    """A unit edited on its page by the admin, a cycle started by the Kepala Biro, and an
    export from the command line."""
    login(client, "admin")
    unit = db_session.query(OrgUnit).filter_by(code="SETPRES").one()
    client.post(f"/orgunitview/edit/{unit.id}", data={
        "code": unit.code, "name": unit.name, "kind": unit.kind, "section": unit.section_id,
        "head_name": "Dr. Kepala Audit", "active": "y",
    })
    client.get("/logout/")
    cycle = start_cycle(db_session, team, code="IKU-AUDIT")
    with audit.acting_as("cli:unknown"):
        audit.log_event(db_session, "export", "OrgUnit", details={"format": "csv", "row_count": 3})
    db_session.commit()
    change = (db_session.query(AuditEntry).filter_by(entity="org_unit", action="update")
              .order_by(AuditEntry.id.desc()).first())
    return {"change": change, "cycle": cycle}


def test_the_trail_reads_in_words_for_an_auditor(client, login, happenings):
    login(client, "auditor")
    text = _text(client.get("/audittimelineview/list/").get_data(as_text=True))
    change = happenings["change"]
    assert "Waktu (WIB)" in text and fmt.when(fmt.to_local(change.occurred_at)) in text
    assert "Perubahan data" in text and "Ubah" in text
    assert "Satuan Organisasi: Sekretariat Presiden" in text
    assert "Kolom: Kepala" in text  # head_name, by the unit page's own label
    assert "Admin Uji (admin)" in text  # the person's name, not only the account
    assert "Tindakan siklus" in text and "Siklus dimulai" in text and "IKU-AUDIT" in text
    assert "Karo Uji (karo)" in text
    assert "Baris perintah" in text and "CSV, 3 baris" in text
    for code in ("org_unit", "head_name", "cli:unknown", "work_item", "cycle_start", "update",
                 "OrgUnit", "None", "UTC"):
        assert code not in text, code


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        ("data", "Satuan Organisasi: Sekretariat Presiden", "IKU-AUDIT"),
        ("cycle", "IKU-AUDIT", "Satuan Organisasi: Sekretariat Presiden"),
        ("export", "Baris perintah", "IKU-AUDIT"),
    ],
)
def test_the_trail_filters_by_kind(client, login, happenings, kind, present, absent):
    login(client, "auditor")
    page = client.get(f"/audittimelineview/list/?_flt_3_kind={kind}").get_data(as_text=True)
    text = _text(page)
    assert present in text and absent not in text
    assert f'href="/audittimelineview/list/?_flt_3_kind={kind}"' in page  # the kind's own tab


def test_a_trail_row_opens_its_source(client, login, happenings, db_session):
    login(client, "auditor")
    change = happenings["change"]
    response = client.get(f"/audittimelineview/show/a{change.id}")
    assert response.headers["Location"].endswith(f"/auditentryview/show/{change.id}")
    assert client.get("/audittimelineview/show/x1").status_code == 404


def test_an_entry_names_record_and_fields_by_their_labels(client, login, db_session):
    entry_id = audit.log_event(db_session, "update", "ab_user", entity_id=7, details={
        "org_unit_id": [1, 2], "org_unit": ["Sekretariat Presiden", "Sekretariat Wakil Presiden"],
        "password": ["***", "***"],
    })
    db_session.commit()
    login(client, "auditor")
    text = _text(client.get(f"/auditentryview/show/{entry_id}").get_data(as_text=True))
    assert "Pengguna aplikasi" in text and "Satuan Organisasi" in text and "Ubah" in text
    assert "Sekretariat Presiden → Sekretariat Wakil Presiden" in text
    assert "(disembunyikan)" in text
    for code in ("ab_user", "org_unit_id", "org_unit ", "password", "update"):
        assert code not in text, code


def test_a_change_names_every_field_in_indonesian(client, login, db_session):
    """Fields only the trail shows (an evaluation's ratings, a supervision record's people, a
    document's numbering) read in the reader's words, and a "<relation>_id" as its relation,
    never FAB's English column name ("Recorded By Id")."""
    entry_id = audit.log_event(db_session, "update", "supervision_record", entity_id=3, details={
        "recorded_by_id": [None, 1], "supervisor_id": [None, 2]})
    evaluation_id = audit.log_event(db_session, "update", "evaluation", entity_id=4, details={
        "evaluator_overridden": [False, True], "behaviour_service": [None, "above"],
        "rated_by_id": [None, 1], "report_id": [None, 9]})
    document_id = audit.log_event(db_session, "update", "document", entity_id=5, details={
        "verify_token": [None, "***"], "number_series": [None, "B"]})
    db_session.commit()
    login(client, "auditor")
    text = " ".join(_text(client.get(f"/auditentryview/show/{pk}").get_data(as_text=True))
                    for pk in (entry_id, evaluation_id, document_id))
    for words in ("Dicatat oleh", "Atasan", "Penilai ditetapkan oleh biro",
                  "Berorientasi Pelayanan", "Dinilai oleh", "Laporan", "Kode verifikasi",
                  "Seri penomoran"):
        assert words in text, words
    for english in ("Recorded By", "Supervisor Id", "Evaluator Overridden", "Verify Token",
                    "recorded_by", "behaviour_service"):
        assert english not in text, english


def test_no_relation_key_reads_as_an_id(app):
    """Every audited model's "<relation>_id" column is named by a label of its own or by its
    relation's, in the trail's words: none reads "... Id"."""
    from flask_babel import force_locale

    from app.views import audit_labels

    with app.test_request_context(), force_locale("id"):
        for table, (model, _label, _fields) in audit_labels._registry().items():
            if table in ("audit_timeline", "audit_entry") or \
                    table != getattr(model, "__tablename__", None):
                continue  # the trail itself is never changed, only read
            for column in model.__table__.columns:
                if column.name.endswith("_id"):
                    label = audit_labels.field_label(table, column.name)
                    assert not label.endswith((" Id", " id", "_id")), (table, column.name, label)


def test_the_trail_exports_what_the_page_shows(client, login, happenings):
    login(client, "auditor")
    response = client.get("/audittimelineview/export/csv?_flt_3_kind=cycle")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Siklus dimulai" in body and "IKU-AUDIT" in body
    assert "Karo Uji (karo)" in body and "Sekretariat Presiden" not in body
    assert "cycle_start" not in body and "work_item" not in body


def test_the_trail_in_english_has_no_indonesian_left(client, login, happenings):
    login(client, "auditor")
    client.get("/lang/en")
    text = _text(client.get("/audittimelineview/list/").get_data(as_text=True))
    assert "Data change" in text and "Changed" in text and "Cycle started" in text
    assert "Organisation unit: Sekretariat Presiden" in text and "Command line" in text
    assert "Time (WIB)" in text and "CSV, 3 rows" in text
    for word in ("Perubahan data", "Ubah", "Baris perintah", "Kolom:", "baris"):
        assert word not in text, word
