"""app/views/datamodel.py: the cheaper queries must answer exactly what FAB's answer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_appbuilder.models.sqla.filters import FilterContains
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.widgets import ListWidget
from sqlalchemy import event, select
from wtforms import StringField

from app.extensions import db
from app.models.cycles import WorkItem
from app.models.org import Competence, CompetenceRecord, Pelaksana, Position, Section
from app.views.base import BaseModelView
from app.views.counting import CappedCount, count_cap
from app.views.datamodel import IkuSQLAInterface
from tests.views.test_cycles_support import team_fixture  # noqa: F401


def nip(i: int) -> str:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i)
    return f"{birth:%Y%m%d}{birth.year + 22}01{1 + i % 2}{i % 1000:03d}"


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):  # not BEGIN/SAVEPOINT
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _add_pelaksana(db_session, count: int, start: int = 0, name: str = "Pelaksana") -> None:
    positions, sections = db_session.query(Position).all(), db_session.query(Section).all()
    for i in range(start, start + count):
        db_session.add(Pelaksana(name=f"{name} {i:03d}", nip=nip(900 + i),
                                 position=positions[i % len(positions)],
                                 section=sections[i % len(sections)]))
    db_session.commit()


def test_relation_columns_of_a_list_cost_no_statement_per_row(app, db_session, statements):
    """Many-to-one list columns are joined into the page's SELECT: no lazy load per row (N+1).
    (FAB's list pages hide their N+1 when a search select box has loaded every target first.)"""
    _add_pelaksana(db_session, 25)
    db_session.expunge_all()
    statements.clear()
    count, rows = IkuSQLAInterface(Pelaksana).query(
        page=0, page_size=25, select_columns=["name", "position", "section"])
    assert [str(row.position) and str(row.section) for row in rows]
    assert (count, len(rows), len(statements)) == (25, 25, 2)  # the count and the page


def test_a_list_page_joins_its_relations_on_the_first_pages(app, db_session, statements):
    """A list page's many-to-one columns come with its rows: joined into the page's SELECT
    while it skips fewer than JOINED_OFFSET rows, then one SELECT ... IN per relation (a deep
    OFFSET would join every skipped row too). The same rows either way, no load per row."""
    from app.views.datamodel import JOINED_OFFSET

    _add_pelaksana(db_session, JOINED_OFFSET + 30)
    model = IkuSQLAInterface(Pelaksana, count_limit=1000)
    model.list_relations = ("position", "section")

    def shown(rows) -> list[str]:
        return [f"{row.name}/{row.position}/{row.section}" for row in rows]

    def page(number: int) -> tuple[int, list[str]]:
        db_session.expunge_all()
        statements.clear()
        _count, rows = model.query(model.get_filters(), "name", "asc", page=number,
                                   page_size=25)
        return len(statements), shown(rows)

    def expected(number: int) -> list[str]:
        return shown(db_session.query(Pelaksana).order_by(Pelaksana.name)
                     .offset(25 * number).limit(25))

    first, first_rows = page(0)
    assert first == 1 and len(first_rows) == 25
    assert "JOIN position" in statements[0] and "JOIN section" in statements[0]
    deep_number = JOINED_OFFSET // 25 + 1
    deep, deep_rows = page(deep_number)
    assert deep == 3 and deep_rows
    assert deep_rows == expected(deep_number)
    assert first_rows == expected(0)


def test_count_matches_fab_under_filters_and_order(app, db_session):
    _add_pelaksana(db_session, 12)
    _add_pelaksana(db_session, 3, start=50, name="Budi")
    ours, fab = IkuSQLAInterface(Pelaksana), SQLAInterface(Pelaksana)
    for model in (ours, fab):
        model.filters = model.get_filters(["name"])
        model.filters.add_filter_index("name", 2, "budi")  # 2: "Contains"
    counted = [m.query(m.filters, "name", "asc", page=0, page_size=2,
                       select_columns=["name", "position"])[0] for m in (ours, fab)]
    assert counted == [3, 3]
    assert ours.query_count(db_session.query(Pelaksana)) == db_session.query(Pelaksana).count()


def test_unpaginated_query_counts_its_rows(app, db_session):
    count, rows = IkuSQLAInterface(Section).query()
    assert count == len(rows) == db_session.query(Section).count() > 0


def test_relation_searched_by_text(app, db_session):
    _add_pelaksana(db_session, 2)
    _add_pelaksana(db_session, 1, start=70, name="Budi Santoso")
    target = db_session.query(Pelaksana).filter(Pelaksana.name.like("Budi%")).one()
    competence = Competence(code="X1", description="Uji")
    db_session.add(competence)
    for person in db_session.query(Pelaksana):
        db_session.add(CompetenceRecord(pelaksana=person, competence=competence,
                                        assessed_on=dt.date(2026, 1, 5)))
    db_session.commit()
    model = IkuSQLAInterface(CompetenceRecord, text_relations={"pelaksana": ("name", "nip")})
    for value in ("santoso", target.nip[:12], "50%"):
        filters = model.get_filters(["pelaksana"])
        filters.add_filter_index("pelaksana", 0, value)
        count, rows = model.query(filters, page=0, page_size=25)
        expected = [target] if value != "50%" else []
        assert (count, [row.pelaksana for row in rows]) == (len(expected), expected), value


def test_view_renders_a_text_box_for_a_text_relation(app):
    class RecordView(BaseModelView):
        datamodel = SQLAInterface(CompetenceRecord)
        search_columns = ["pelaksana", "level"]
        search_relation_text = {"pelaksana": ("name", "nip")}

    view = RecordView()
    assert isinstance(view.datamodel, IkuSQLAInterface)
    assert view.search_form.pelaksana.field_class is StringField
    assert [str(f.name) for f in view._filters.get_search_filters()["pelaksana"]] == [
        str(FilterContains.name)]


def test_api_still_refuses_a_bad_query_argument(client, api_token):
    headers = api_token("admin")
    bad = client.get("/api/v1/pelaksana/?q=(page_size:'many')", headers=headers)
    assert bad.status_code == 400
    assert "Not a valid rison schema" in bad.get_json()["message"]
    good = client.get("/api/v1/pelaksana/?q=(page_size:5)", headers=headers)
    assert good.status_code == 200


def test_capped_count_says_more_than_the_limit(app, db_session):
    _add_pelaksana(db_session, 5)
    total = db_session.query(Pelaksana).count()
    capped = IkuSQLAInterface(Pelaksana, count_limit=2)
    count = capped.query(page=0, page_size=1)[0]
    assert (count, count.at_least) == (3, 2)  # "more than 2", and the pager offers page 2
    count = capped.query_count(db_session.query(Pelaksana), cap=count_cap(2, 1, 2))  # rows 3-4
    assert count == min(total, 7) and isinstance(count, CappedCount) == (total > 6)
    assert capped.query_count(db_session.query(Pelaksana)) == total  # exports: exact
    exact = IkuSQLAInterface(Pelaksana, count_limit=total).query(page=0, page_size=2)[0]
    assert exact == total and not isinstance(exact, CappedCount)


@pytest.mark.parametrize(("limit", "page", "page_size", "cap"), [
    (1000, 0, 25, 1000), (1000, 39, 25, 2000), (1000, 199, 25, 6000), (1000, 0, 100, 1000),
    (2, 0, 1, 2), (2, 1, 2, 6), (None, 5, 25, None)])
def test_count_stops_at_a_multiple_of_the_limit_past_the_page(limit, page, page_size, cap):
    assert count_cap(limit, page, page_size) == cap


def test_list_page_shows_a_capped_count(app, client, login, db_session, monkeypatch):
    _add_pelaksana(db_session, 4)
    login(client, "admin")
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "PelaksanaView")
    for limit, shown in ((2, True), (None, False)):
        monkeypatch.setattr(view.datamodel, "count_limit", limit)
        page = client.get("/pelaksanaview/list/?psize_PelaksanaView=1").get_data(as_text=True)
        assert ("&gt; 2" in page, "Pelaksana 000" in page) == (shown, True)
        # the pager offers the page after this one, counted or not
        assert ("page_PelaksanaView=1" in page) is True


def test_every_list_and_rest_list_is_capped_by_default(app):
    """The cap is the base classes' default, so a table that grows later is covered too."""
    from app.api.base import BaseModelApi
    from app.views.base import BaseModelView

    views = [v for v in app.appbuilder.baseviews if isinstance(v, BaseModelView | BaseModelApi)]
    assert len(views) > 40
    assert all(v.datamodel.count_limit == 1_000 for v in views)


def test_rest_list_says_when_its_count_is_capped(app, client, api_token, db_session,
                                                 monkeypatch):
    _add_pelaksana(db_session, 4)
    api = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "PelaksanaApi")
    headers = api_token("admin")
    total = db_session.query(Pelaksana).count()
    for limit, count, capped in ((1, 4, True), (None, total, False)):
        monkeypatch.setattr(api.datamodel, "count_limit", limit)
        body = client.get("/api/v1/pelaksana/?q=(page_size:2)", headers=headers).get_json()
        assert (body["count"], body.get("count_capped", False), len(body["ids"])) == (
            count, capped, 2)
    # the count rides in the page's SELECT; a page past the end has no row to carry it
    beyond = f"/api/v1/pelaksana/?q=(page:{total},page_size:2,order_column:name)"
    for limit in (None, 1000):
        monkeypatch.setattr(api.datamodel, "count_limit", limit)
        body = client.get(beyond, headers=headers).get_json()
        assert (body["count"], body["ids"]) == (total, [])


def _table(page: str) -> str:
    start = page.index('<div class="table-responsive">')
    table = page[start:page.index("</table>", start)]
    return re.sub(r"\s+", " ", re.sub(r'nonce="[^"]*"', "", table)).replace("> <", "><")


@pytest.mark.parametrize("path", ["/pelaksanaview/list/", "/orgunitview/list/?_flt_0_code=SET"])
def test_list_widget_renders_the_rows_as_fab_does(app, client, login, db_session, monkeypatch,
                                                   path):
    _add_pelaksana(db_session, 3)
    login(client, "admin")
    ours = _table(client.get(path).get_data(as_text=True))
    for view in app.appbuilder.baseviews:
        if isinstance(view, BaseModelView):
            monkeypatch.setattr(view, "list_widget", ListWidget)
    fabs = _table(client.get(path).get_data(as_text=True))
    assert "btn-delete-/" in ours and ours == fabs


def test_list_rows_with_actions_and_locked_rows(app, client, login, db_session, monkeypatch):
    """The IKU list has actions (a checkbox per row) and rows nobody may change (enacted):
    FAB's HTML when nothing is locked; a locked row keeps only its show link."""
    from app.models.iku import Indicator
    from app.services.iku_demo import load_demo_iku

    load_demo_iku()
    login(client, "admin")
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "IndicatorView")
    monkeypatch.setattr(view, "locked_rows", lambda pks: set())
    ours = _table(client.get("/indicatorview/list/").get_data(as_text=True))
    monkeypatch.setattr(view, "list_widget", ListWidget)
    fabs = _table(client.get("/indicatorview/list/").get_data(as_text=True))
    assert 'class="action_check"' in ours and "btn-delete-/" in ours and ours == fabs
    monkeypatch.undo()
    first = db_session.query(Indicator).order_by(Indicator.id).first()
    monkeypatch.setattr(view, "locked_rows", lambda pks: {first.id} & set(pks))
    page = client.get("/indicatorview/list/?psize_IndicatorView=100").get_data(as_text=True)
    links = set(re.findall(r'/indicatorview/(show|edit|delete)/(\d+)["?]', page))
    assert ("show", str(first.id)) in links and ("edit", str(first.id)) not in links
    assert ("delete", str(first.id)) not in links and ("edit", str(first.id + 1)) in links


def test_postgresql_pages_run_without_jit_or_parallel_workers(app, db_session):
    """A list over a million rows is estimated costly enough for JIT, whose compilation was
    most of the audit trail's time, and for parallel workers, whose start made a liaison's
    first page of events ten times slower (app/__init__.py)."""
    from sqlalchemy import text

    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db_session.execute(text("SHOW jit")).scalar() == "off"
    assert db_session.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"


def test_audit_trail_names_its_records_with_one_query_per_type(app, client, login, db_session,
                                                               statements):
    """Each row names its record ("Pelaksana: Sari 003"): looked up for the page at once,
    not once per row (33 statements for a page of 25 before)."""
    login(client, "auditor")

    def page_statements(expected_name: str) -> int:
        statements.clear()
        page = client.get("/audittimelineview/list/").get_data(as_text=True)
        assert expected_name in page
        return len(statements)

    _add_pelaksana(db_session, 23, name="Sari")
    page_statements("Sari 022")  # the first page of a session loads the person's settings
    assert page_statements("Sari 022") < 25  # a page of 25 named rows: fewer statements


def test_rest_list_loads_what_a_computed_column_reads(app, client, api_token, db_session, team,
                                                     statements):
    """A complaint's complainant is listed as a computed column ("dirahasiakan" when
    confidential): the list query loads the name it reads, not one lazy SELECT per row."""
    from app.models.complaints import HIDDEN
    from app.services import complaints

    for i, confidential in enumerate((False, False, True)):
        complaints.file_complaint(db_session, team["pengguna1"], kind="pengaduan",
                                  subject=f"Aduan {i}", description="Uraian.",
                                  complainant_name=f"Pengadu {i}", confidential=confidential)
    headers = api_token("karo")
    client.get("/api/v1/complaint/", headers=headers)
    statements.clear()
    rows = client.get("/api/v1/complaint/", headers=headers).get_json()["result"]
    listed = {row["subject"]: row["complainant_listed"] for row in rows}
    assert listed == {"Aduan 0": "Pengadu 0", "Aduan 1": "Pengadu 1", "Aduan 2": HIDDEN}
    assert not [s for s in statements if "complaint.complainant_name \nFROM complaint" in s]
    assert len(statements) <= 4  # the account, the page, the count


def test_search_form_keeps_static_fields_and_rerenders_database_choices(app, client, login,
                                                                         db_session,
                                                                         monkeypatch):
    """The search form is FAB's, byte for byte, with the request's active filters and nonce;
    a select box of database rows (sections) shows a section added since, while text and
    fixed-choice fields come from the cache."""
    from flask_appbuilder.widgets import SearchWidget

    login(client, "admin")
    section = db_session.scalars(select(Section).order_by(Section.id)).first()

    def search_form(query: str = "") -> str:
        response = client.get(f"/pelaksanaview/list/{query}")
        page = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        start = page.index('<form id="filter_form"')
        form = page[start:page.index("</script>", start)]
        assert f'<script nonce="{nonce.group(1)}">' in form
        return form.replace(nonce.group(1), "N")

    filtered = f"?_flt_0_name=Budi&_flt_0_section={section.id}"
    ours = [search_form(), search_form(filtered), search_form()]
    # what a user types is shown as typed, even the form's own placeholders
    typed = search_form("?_flt_0_name=iku-search-nonce-token&_flt_1_name=iku-search-active-token")
    assert '["iku-search-nonce-token"]' in typed and '["iku-search-active-token"]' in typed
    assert "__None\\u003c" not in ours[0]  # the blank choice of a relation reads "–"
    assert '[[\"name\", \"Starts with\", \"Budi\"]' not in ours[0]
    assert '"Budi"' in ours[1] and '"Budi"' not in ours[2]
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "PelaksanaView")
    monkeypatch.setattr(view, "search_widget", SearchWidget)
    assert [search_form(), search_form(filtered), search_form()] == ours
    monkeypatch.undo()
    db_session.add(Section(code="BARU-UJI", name="Bagian Baru Uji", kind="bagian"))
    db_session.commit()
    assert "Bagian Baru Uji" in search_form()


def test_a_rest_call_reads_no_public_role_from_the_database(app, client, api_token, statements):
    """FAB asks "is this public?" before every REST call; the answer is in memory."""
    headers = api_token("admin")
    client.get("/api/v1/pelaksana/?q=(page_size:1)", headers=headers)
    statements.clear()
    assert client.get("/api/v1/pelaksana/?q=(page_size:1)", headers=headers).status_code == 200
    assert not [s for s in statements if "ab_role.name" in s or "ab_permission_view_role" in s]
    with app.test_request_context():
        assert not app.appbuilder.sm.is_item_public("can_read", "Pelaksana")


def test_a_list_page_leaves_what_its_model_says_no_list_reads(app, db_session, statements,
                                                            team, client, login):
    """A work item's plan (JSON) is not read by a list page, of its rows or of its events'
    items, unless the list shows it; an item's page still reads it, and the lists show the
    same rows with no statement per row."""
    from tests.views.test_cycles_support import start_cycle

    cycle = start_cycle(db_session, team)
    login(client, "karo")
    for url in ("/workitemview/list/", "/workeventview/list/"):
        client.get(url)
        statements.clear()
        page = client.get(url).get_data(as_text=True)
        assert f"<td>{cycle.code}</td>" in page and "Jumlah Data:</strong> 0" not in page
        pages = [s for s in statements if "LIMIT" in s and "FROM work_" in s]
        assert len(pages) == 1 and len(statements) <= 7, statements
        assert not [s for s in statements
                    if "relative_deadline" in s or "participants" in s or ".details" in s]
    item = db_session.scalars(select(WorkItem).where(WorkItem.documents.is_not(None))
                              .order_by(WorkItem.position)).first()
    statements.clear()
    assert client.get(f"/tasks/item/{item.id}").status_code == 200
    assert [s for s in statements if "work_item.documents" in s]

    # a list that shows one of them reads it
    assert len(IkuSQLAInterface._unloaded(WorkItem, frozenset({"documents"}))) == 2
    assert len(IkuSQLAInterface._unloaded(WorkItem, frozenset())) == 3
