"""Every value a person reads, as a person reads it: every list, show page and form of every
CRUD view the app registers, and every CSV export, scanned for raw Python values and UTC
timestamps, with demo-like data (a running cycle with history, a cancelled one, an
assessment, a locked account, holidays, office hours, the audit trail)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from flask import url_for
from flask_appbuilder import ModelView
from openpyxl import load_workbook
from sqlalchemy import select

from app.models.audit import AuditEntry
from app.models.org import Competence, CompetenceLevel, CompetenceRecord, IkuUser, Pelaksana
from app.services import access, cycles
from tests.views.test_cycles_support import (  # noqa: F401
    finish,
    start_cycle,
    team_fixture,
)

RAW = re.compile(
    r"\bTrue\b|\bFalse\b|\bNone\b|__None|\[<Role|\[Admin\]"
    r"|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|:\d\d\.\d|\+00:00|\b\d{2}:\d{2}:\d{2}\b"
)
# Words this layer writes in Indonesian, which English mode must not show.
INDONESIAN = re.compile(
    r"\bYa\b|\bTidak\b|\bSenin\b|\bSelasa\b|\bRabu\b|\bKamis\b|\bJumat\b|\bSabtu\b|\bMinggu\b"
    r"|Libur nasional|Ditetapkan admin|Kalender nasional"
)
SHOWS_PER_VIEW = 3


def report(problems: dict) -> str:
    return "\n".join(f"{url}: {found}" for url, found in problems.items())


def visible(page: str) -> str:
    """What a reader sees: no scripts, styles or tags, entities decoded."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def raw_values(text: str, pattern=RAW) -> list[str]:
    return [text[max(0, m.start() - 50): m.end() + 30] for m in pattern.finditer(text)]


@pytest.fixture
def demo(db_session, team):
    """A running cycle whose first step is done, a cancelled cycle, an assessment with a
    date, a locked account: every kind of column (datetime, date, time, bool, enum code,
    relation list, empty) holds a value somewhere."""
    running = start_cycle(db_session, team)
    finish(db_session, team, running.id, "s01")
    stopped = start_cycle(db_session, team, code="IKU-2028", period="2028")
    cycles.cancel_cycle(db_session, team["karo"], stopped.id, reason="Uji tampilan")
    person = db_session.scalars(select(Pelaksana).order_by(Pelaksana.id)).first()
    competence = db_session.scalars(select(Competence)).first()
    db_session.add(CompetenceRecord(pelaksana=person, competence=competence,
                                    level=CompetenceLevel.MET, assessed_on=dt.date(2026, 11, 2)))
    locked = db_session.scalars(select(IkuUser).filter_by(username="pengguna2")).one()
    locked.locked_at = dt.datetime(2026, 11, 30, 14, 7, 5, 123456)
    db_session.commit()
    return running


def crud_views(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelView)]


def _pages(app, client, view) -> list[tuple[str, str]]:
    """(url, visible text) of the view's list, its first show pages, its add and edit form."""
    with app.test_request_context():
        list_url = url_for(f"{view.endpoint}.list")
        add_url = url_for(f"{view.endpoint}.add")
    response = client.get(list_url)
    assert response.status_code == 200, list_url
    page = response.get_data(as_text=True)
    base = re.escape(list_url.rsplit("/list", 1)[0])
    shows = list(dict.fromkeys(re.findall(base + r"/show/[^\"'?&]+", page)))[:SHOWS_PER_VIEW]
    edits = list(dict.fromkeys(re.findall(base + r"/edit/[^\"'?&]+", page)))[:1]
    pages = [(list_url, visible(page))]
    for url in [*shows, *edits, add_url]:
        response = client.get(url, follow_redirects=True)
        if response.status_code == 403 and url == add_url:
            continue  # a read-only view
        assert response.status_code == 200, url
        pages.append((url, visible(response.get_data(as_text=True))))
    return pages


def test_every_list_show_page_and_form_reads_without_raw_values(app, client, login, demo):
    login(client, "admin")
    problems, seen = {}, 0
    for view in crud_views(app):
        for url, text in _pages(app, client, view):
            seen += 1
            found = raw_values(text)
            if found:
                problems[url] = found[:3]
    assert seen > 40  # every view, with rows to show
    assert not problems, report(problems)


def test_every_export_reads_as_the_list(app, client, login, demo):
    login(client, "admin")
    problems, exported = {}, []
    for view in crud_views(app):
        if not hasattr(view, "export"):
            continue
        with app.test_request_context():
            url = url_for(f"{view.endpoint}.export", fmt="csv")
        response = client.get(url)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        exported.append(view.__class__.__name__)
        found = raw_values(text) + raw_values(text, re.compile(r"\bperiodic\b|\bpublic\b"))
        if found:
            problems[url] = found[:3]
        workbook = client.get(url.replace("/csv", "/xlsx"))
        cells = [str(c) for row in load_workbook(io.BytesIO(workbook.data)).active.iter_rows(
            values_only=True) for c in row if isinstance(c, (str, bool))]
        found = raw_values(" | ".join(cells))
        if found:
            problems[url.replace("/csv", "/xlsx")] = found[:3]
    assert {"CycleView", "WorkEventView", "HolidayView", "WorkScheduleView",
            "OrgUnitAssignmentView", "AuditEntryView"} <= set(exported)
    assert not problems, report(problems)


def test_english_mode_leaves_no_indonesian_of_ours(app, client, login, demo):
    login(client, "admin")
    client.get("/lang/en")
    problems = {}
    for view in crud_views(app):
        for url, text in _pages(app, client, view):
            found = raw_values(text) + raw_values(text, INDONESIAN)
            if found:
                problems[url] = found[:3]
    assert not problems, report(problems)


def test_lists_show_the_offices_wall_clock(client, login, demo, db_session):
    locked = db_session.scalars(select(IkuUser).filter_by(username="pengguna2")).one()
    access.unlock(locked)  # audited with the lock's time, stored as UTC text
    db_session.commit()
    entry = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    wib = f"{entry.occurred_at + dt.timedelta(hours=7):%d-%m-%Y %H:%M}"
    login(client, "admin")
    listed = visible(client.get("/auditentryview/list/").get_data(as_text=True))
    shown = visible(client.get(f"/auditentryview/show/{entry.id}").get_data(as_text=True))
    assert wib in listed and wib in shown
    assert "30-11-2026 21:07 → –" in shown  # the lock's time, kept as UTC text in the entry
    hours = visible(client.get("/workscheduleview/list/").get_data(as_text=True))
    assert "Senin 07:30 12:00" in hours
    users = visible(client.get("/users/list/").get_data(as_text=True))
    assert "Pengguna2 Uji pengguna2 pengguna2@iku.test Ya Pengguna" in users


def test_a_lock_time_is_wib(client, login, demo, db_session):
    login(client, "admin")
    users = visible(client.get("/users/list/").get_data(as_text=True))
    assert "Sekretariat Wakil Presiden 30-11-2026 21:07" in users


def test_user_show_page_names_roles_and_says_yes(client, login, demo, db_session):
    login(client, "admin")
    admin = db_session.scalars(select(IkuUser).filter_by(username="admin")).one()
    text = visible(client.get(f"/users/show/{admin.id}").get_data(as_text=True))
    assert re.search(r"Peran Admin\b", text) and re.search(r"Aktif\? Ya\b", text)


def test_profile_page_formats_its_own_fieldsets(app):
    view = next(v for v in app.appbuilder.baseviews if v.__class__.__name__ == "IkuUserDBModelView")
    fields = {f for _title, fs in view.user_show_fieldsets for f in fs["fields"]}
    assert fields <= set(view.formatters_columns)


def test_cycle_csv_words_the_reason_and_the_time(client, login, demo, db_session):
    login(client, "admin")
    rows = client.get("/cycleview/export/csv").get_data(as_text=True).splitlines()
    started = f"{demo.started_at + dt.timedelta(hours=7):%d-%m-%Y %H:%M}"  # WIB = UTC+7
    row = next(r for r in rows if r.startswith("IKU-2027,"))
    assert started in row and ",periodic," not in row
    assert re.search(r",Aktif,", row)


def test_xlsx_holds_real_wib_datetimes(client, login, demo, db_session):
    login(client, "admin")
    response = client.get("/cycleview/export/xlsx")
    assert re.fullmatch(r'attachment; filename="siklus_\d{2}-\d{2}-\d{4}_\d{4}\.xlsx"',
                        response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "IKU-2027")
    cell = row[header.index("Dimulai")]
    assert abs(cell.value - (demo.started_at + dt.timedelta(hours=7))) < dt.timedelta(seconds=1)
    assert cell.number_format == "dd-mm-yyyy hh:mm"


def test_export_file_names_are_indonesian_and_local(client, login, demo):
    login(client, "admin")
    disposition = client.get("/orgunitview/export/csv").headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="satuan-organisasi_\d{2}-\d{2}-\d{4}_\d{4}\.csv"',
                        disposition)
    board = client.get("/sla/export/csv")
    assert re.fullmatch(r'attachment; filename="dasbor-sla_\d{2}-\d{2}-\d{4}_\d{4}\.csv"',
                        board.headers["Content-Disposition"])
    assert raw_values(board.get_data(as_text=True)) == []


def test_pages_reading_models_directly_show_wib(client, login, demo, db_session):
    login(client, "admin")
    locked = db_session.scalars(select(IkuUser).filter_by(username="pengguna2")).one()
    page = visible(client.get(f"/users/access/{locked.id}").get_data(as_text=True))
    assert "30-11-2026 21:07" in page and raw_values(page) == []
    public = visible(client.get("/standar/").get_data(as_text=True))
    assert re.search(r"\d{2}-\d{2}-\d{4}\.", public) and raw_values(public) == []


def test_export_carries_whole_what_the_page_shortens(client, login, demo, db_session):
    from app.models.cycles import WorkItem

    item = db_session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == demo.id, WorkItem.status == "ready")).first()
    item.title = "Penyusunan " + "sangat panjang " * 12 + "ujung-judul-uji"
    db_session.commit()
    login(client, "admin")
    listed = client.get("/workitemview/list/").get_data(as_text=True)
    assert "ujung-judul-uji" not in listed and "…" in listed
    assert item.title in client.get("/workitemview/export/csv").get_data(as_text=True)
