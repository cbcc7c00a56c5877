"""A REST list's SELECT plan is built once per column list (app/views/select_plan.py) and reads
the same rows as FAB's own construction; a column's filters are converted once."""

from __future__ import annotations

from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla import interface as fab_interface
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.models.org import Pelaksana, Section
from app.views import select_plan
from app.views.datamodel import IkuSQLAInterface
from app.views.filters import IkuFilterConverter
from tests.views.test_datamodel import _add_pelaksana, statements  # noqa: F401

COLUMNS = ["id", "name", "nip", "position.name", "section.name", "email", "active"]


def _listed(rows, columns=("name", "nip")) -> list:
    return [(*(getattr(row, c) for c in columns), row.position.name, row.section.name)
            for row in rows]


def test_rest_list_reads_what_fabs_own_select_reads(app, db_session):
    _add_pelaksana(db_session, 7)
    for order in ("section.name", "name", ""):
        db_session.expunge_all()
        fab = SQLAInterface(Pelaksana).query(order_column=order, order_direction="desc",
                                             page=0, page_size=5, select_columns=COLUMNS)
        db_session.expunge_all()
        ours = IkuSQLAInterface(Pelaksana).query(order_column=order, order_direction="desc",
                                                 page=0, page_size=5, select_columns=COLUMNS)
        assert fab[0] == ours[0]
        assert _listed(fab[1]) == _listed(ours[1]) and len(ours[1]) == 5


def test_second_query_reuses_the_plan_and_its_statement(app, db_session, statements,  # noqa: F811
                                                        monkeypatch):
    """No new alias on a later request: FAB made one per joined relation per request, and a
    new alias makes a new statement for SQLAlchemy's compiled cache."""
    _add_pelaksana(db_session, 3)
    model = IkuSQLAInterface(Pelaksana)
    model.query(page=0, page_size=25, select_columns=COLUMNS, order_column="section.name",
                order_direction="asc")
    made = []
    for module in (select_plan, fab_interface):
        monkeypatch.setattr(module, "aliased", lambda *a, **k: made.append(a))
    statements.clear()
    count, rows = model.query(page=0, page_size=25, select_columns=COLUMNS,
                              order_column="section.name", order_direction="asc")
    assert made == [] and len(statements) == 2  # the page and the count
    assert 'JOIN section AS section ON pelaksana.section_id = section.id' in statements[0]
    assert [row.section.name for row in rows] == sorted(row.section.name for row in rows)
    assert count >= 3 and all(row.position.name for row in rows)


def test_rest_list_of_pelaksana_shows_the_related_names(app, client, api_token, db_session):
    _add_pelaksana(db_session, 3, name="Wulan")
    headers = api_token("admin")
    for _ in range(2):  # the second request goes through the cached plan
        body = client.get("/api/v1/pelaksana/?q=(filters:!((col:name,opr:ct,value:Wulan)),"
                          "order_column:name,order_direction:asc)", headers=headers).get_json()
        expected = [(p.name, p.position.name, p.section.name) for p in
                    db_session.query(Pelaksana).filter(Pelaksana.name.like("Wulan%"))
                    .order_by(Pelaksana.name)]
        assert [(r["name"], r["position"]["name"], r["section"]["name"])
                for r in body["result"]] == expected
        assert body["count"] == 3


def test_a_column_is_converted_to_filters_once(app, monkeypatch):
    """FAB's Filters() converts every column of the model each time one is made (two or
    three per query); the converted filters are kept, and a caller extending the list it got
    (FAB does, for a view's search_filters) does not change what the next caller gets."""
    calls = []
    original = SQLAFilterConverter.convert
    monkeypatch.setattr(SQLAFilterConverter, "convert",
                        lambda self, col: calls.append(col) or original(self, col))
    model = IkuSQLAInterface(Section)
    first = Filters(IkuFilterConverter, model, ["name"], {"name": ["extra"]})
    converted = len(calls)
    second = Filters(IkuFilterConverter, model, ["name"])
    assert converted and len(calls) == converted  # nothing converted again
    assert first.get_search_filters()["name"][-1] == "extra"
    assert "extra" not in second.get_search_filters()["name"]
    assert [type(f) for f in second.get_search_filters()["name"]] == [
        type(f) for f in SQLAFilterConverter(SQLAInterface(Section)).convert("name")]
