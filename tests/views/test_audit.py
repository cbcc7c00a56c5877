"""The audit trail through the UI: changes made on the pages land with their actor, and only
Admin and Auditor can read the trail."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.org import Pelaksana, Section
from app.services import audit
from tests.conftest import ROLE_USERS

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
def test_only_admin_and_auditor_reach_the_trail(client, login, username):
    login(client, username)
    response = client.get("/auditentryview/list/")
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
    assert ("/auditentryview/list/" in page) == (username in READERS)


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
