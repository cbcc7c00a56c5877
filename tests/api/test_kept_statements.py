"""A REST answer's SELECT kept per worker (app/views/kept_statements.py): reused only under the
same columns, order, page, filters with their values, and unit scope; the rows read afresh."""

from __future__ import annotations

import prison
import pytest

from app.models.org import OrgUnit
from app.views import kept_statements
from app.views.datamodel import IkuSQLAInterface
from app.views.kept_statements import UNKEYED, filters_key, value_key
from tests.conftest import UNIT_A, UNIT_B

LIST = "/api/v1/org-unit/"


@pytest.fixture
def built(app, monkeypatch):
    """The models whose statements were built in this test, from an empty keep."""
    monkeypatch.setattr(kept_statements, "_kept", {})
    seen = []
    real = IkuSQLAInterface.records_statement

    def counting(self, *args, **kwargs):
        seen.append(self.obj.__name__)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(IkuSQLAInterface, "records_statement", counting)
    return seen


def _codes(client, headers, url=LIST) -> list[str]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(row["code"] for row in response.get_json()["result"])


def _unit(db_session, code) -> OrgUnit:
    return db_session.query(OrgUnit).filter_by(code=code).one()


def test_the_same_request_builds_its_statement_once(client, api_token, built):
    headers = api_token("karo")
    first = _codes(client, headers)
    assert _codes(client, headers) == first and len(first) > 2
    assert built.count("OrgUnit") == 1


def test_each_liaison_gets_its_own_units_statement(client, api_token, built):
    """The same URL, asked by liaisons of two units and by the bureau, one after the other in
    one worker: each sees its own scope, never the statement kept for another."""
    for _ in range(2):
        assert _codes(client, api_token("pengguna1")) == [UNIT_A]
        assert _codes(client, api_token("pengguna2")) == [UNIT_B]
        everything = _codes(client, api_token("karo"))
        assert UNIT_A in everything and UNIT_B in everything
    assert built.count("OrgUnit") == 3


def test_a_show_is_kept_per_scope_with_the_id_bound(client, api_token, db_session, built):
    mine, other = _unit(db_session, UNIT_A), _unit(db_session, UNIT_B)
    liaison, bureau = api_token("pengguna1"), api_token("karo")
    assert client.get(f"{LIST}{other.id}", headers=bureau).get_json()["result"]["code"] == UNIT_B
    assert client.get(f"{LIST}{other.id}", headers=liaison).status_code == 404
    assert client.get(f"{LIST}{mine.id}", headers=liaison).get_json()["result"]["code"] == UNIT_A
    assert client.get(f"{LIST}{mine.id}", headers=bureau).get_json()["result"]["code"] == UNIT_A
    assert built.count("OrgUnit") == 2  # one per scope, whatever the id


def test_a_filter_value_is_part_of_the_key(client, api_token, built):
    headers = api_token("karo")

    def named(word):
        q = prison.dumps({"filters": [{"col": "code", "opr": "eq", "value": word}]})
        return _codes(client, headers, f"{LIST}?q={q}")

    assert named(UNIT_A) == [UNIT_A]
    assert named(UNIT_B) == [UNIT_B]
    assert named(UNIT_A) == [UNIT_A]
    assert built.count("OrgUnit") == 2


def test_pages_and_orders_are_kept_apart(client, api_token):
    headers = api_token("karo")

    def page(number, direction="asc"):
        q = prison.dumps({"page": number, "page_size": 2, "order_column": "code",
                          "order_direction": direction})
        return [row["code"] for row in client.get(f"{LIST}?q={q}", headers=headers)
                .get_json()["result"]]

    first, second, last = page(0), page(1), page(0, "desc")
    assert len(first) == len(second) == 2 and not set(first) & set(second)
    assert first == sorted(first) and last == sorted(last, reverse=True) and last != first
    assert page(0) == first and page(1) == second


def test_the_rows_are_read_afresh(client, api_token, db_session):
    headers = api_token("karo")
    before = _codes(client, headers)
    unit = _unit(db_session, UNIT_B)
    unit.code = "ZZTEST"
    db_session.commit()
    after = _codes(client, headers)
    assert "ZZTEST" in after and UNIT_B not in after and len(after) == len(before)


def test_values_that_python_finds_equal_are_kept_apart():
    assert value_key(1) != value_key(True) != value_key(1.0)
    assert value_key([1, "a"]) == value_key((1, "a"))
    assert value_key({"a": 1}) is UNKEYED and value_key([1, {"a": 1}]) is UNKEYED
    assert filters_key(None) == ()


def test_a_filter_that_reads_more_than_its_value_is_never_kept(app):
    """FAB's relation filters look a row up by id: such a list is built on every request."""
    from flask_appbuilder.models.sqla.filters import FilterRelationOneToManyEqual

    interface = next(view.datamodel for view in app.appbuilder.baseviews
                     if type(view).__name__ == "OrgUnitAssignmentApi")
    filters = interface.get_filters()
    filters.add_filter("org_unit", FilterRelationOneToManyEqual, 1)
    assert filters_key(filters) is None


def test_what_is_kept_is_bounded(client, api_token, monkeypatch):
    monkeypatch.setattr(kept_statements, "_kept", {})
    monkeypatch.setattr(kept_statements, "STATEMENTS_KEPT", 3)
    headers = api_token("karo")
    for word in ("A", "B", "C", "D", "E"):
        q = prison.dumps({"filters": [{"col": "code", "opr": "ct", "value": word}]})
        assert client.get(f"{LIST}?q={q}", headers=headers).status_code == 200
        assert 1 <= len(kept_statements._kept) <= 3  # kept, and no more than the bound


def test_only_a_views_own_interface_keeps_statements(app, client, api_token, monkeypatch):
    """A relation's interface (the choices of a field) is kept per column but keeps no
    statement: its filters come from the field, the form or the API's _info."""
    monkeypatch.setattr(kept_statements, "_kept", {})
    api = next(view for view in app.appbuilder.baseviews
               if type(view).__name__ == "OrgUnitAssignmentApi")
    related = api.datamodel.get_related_interface("org_unit")
    assert api.datamodel.get_related_interface("org_unit") is related
    assert api.datamodel.keeps_statements and not related.keeps_statements
    with app.test_request_context():
        related.query(page=0, page_size=5)
    assert kept_statements._kept == {}


def test_a_kept_relation_interface_follows_the_scope_registered_later(app, monkeypatch):
    """A form's select box may ask for its relation's interface before the target's own view
    has registered its unit scope: the kept interface takes the scope when it is there."""
    from app import security
    from app.models.cycles import WorkItem
    from app.models.org import OrgUnit

    monkeypatch.setattr(security, "_SCOPE_PATHS", {})
    items = IkuSQLAInterface(WorkItem)
    assert items.get_related_interface("org_unit").scope_path is None
    security.register_scope_path(OrgUnit, "id")
    assert items.get_related_interface("org_unit").scope_path == "id"


def test_a_list_page_keeps_its_query_per_scope(app, client, login, monkeypatch):
    """The open-items page: its own base filter reads nothing of the request, the unit scope
    reads the unit; the bureau's query and a liaison's are kept apart."""
    monkeypatch.setattr(kept_statements, "_kept", {})
    built = []
    real = IkuSQLAInterface.apply_all
    monkeypatch.setattr(IkuSQLAInterface, "apply_all", lambda self, *a, **kw: (
        built.append(self.obj.__name__), real(self, *a, **kw))[1])
    for username in ("karo", "pengguna1", "karo", "pengguna1"):
        login(client, username)
        assert client.get("/workitemview/list/").status_code == 200
        client.get("/logout/")
    assert built.count("WorkItem") == 2
