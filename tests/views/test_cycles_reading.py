"""What a reader sees on the cycle pages: one SLA truth on the home page, Tugas saya and the
SLA board; items named by their step's number, never by their code; the two dues explained;
"send back" offered only where it has somewhere to go; the timeline's labels whole."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from app.models.cycles import WorkEvent, WorkItem
from app.services.calendar import load_schedule
from app.services.cycles.flow import to_db
from app.services.working_time import Duration, add_duration
from tests.views.test_cycles_support import (  # noqa: F401
    act,
    ago,
    at_step6_fixture,
    en_fixture,
    finish,
    item,
    start_cycle,
    team_fixture,
    visible,
)

HEADINGS = {"overdue": "Overdue", "at_risk": "At risk", "on_track": "On track"}
CODE = re.compile(r"\bs\d\d(?:[.#@][\w.#@-]*)?\b")  # s06@SETMILPRES, s13.g, s05#1.a, s02


@pytest.fixture
def three_states(team, db_session):
    """Step 1 a (the Kepala Biro's) overdue in IKU-LATE, at risk in IKU-RISK (270 of 300
    working minutes used), on track in IKU-FINE (started now, 30 minutes allowed)."""
    start_cycle(db_session, team, code="IKU-LATE", period="2026", now=ago(days=10))
    risky = start_cycle(db_session, team, code="IKU-RISK", period="2027")
    start_cycle(db_session, team, code="IKU-FINE", period="2028")
    target = item(db_session, risky.id, "s01.a")
    now = ago(seconds=0)
    target.allowed_minutes = 300
    target.due_at = to_db(add_duration(now, Duration(30, "menit"), load_schedule(db_session)))
    db_session.commit()
    return {"overdue": "IKU-LATE", "at_risk": "IKU-RISK", "on_track": "IKU-FINE"}


def _section(page: str, start_marker: str, end_markers: tuple[str, ...]) -> str:
    start = page.find(start_marker)
    assert start >= 0, start_marker
    ends = [i for i in (page.find(m, start + len(start_marker)) for m in end_markers) if i > 0]
    return page[start:min(ends) if ends else None]


def _assert_grouped(section: str, status: str, cycles: dict[str, str]) -> None:
    """Under the heading of `status`: its row, and only rows showing that status."""
    assert HEADINGS[status] in visible(section)[:80], visible(section)[:80]
    assert cycles[status] in section and "Step 1 a" in visible(section)
    assert set(re.findall(r"iku-sla-(\w+)", section)) == {status}
    assert not any(code in section for s, code in cycles.items() if s != status)


def test_one_sla_truth_on_home_tasks_and_board(three_states, en):
    client = en("karo")
    tasks = client.get("/tasks/").get_data(as_text=True)
    board = client.get("/sla/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    for status in HEADINGS:
        _assert_grouped(_section(tasks, f'id="tasks-{status}"', ('id="tasks-', 'id="due-legend"')),
                        status, three_states)
        _assert_grouped(_section(board, f'id="board-{status}"', ('id="board-',)),
                        status, three_states)
        _assert_grouped(_section(home, f'id="home-{status}"', ('id="home-', "panel-footer")),
                        status, three_states)
    assert "Due soon" not in tasks and "Due soon" not in home
    assert "Overdue: 1" in home and "At risk: 1" in home and "On track: 1" in home


def test_the_same_truth_in_indonesian(three_states, client, login):
    login(client, "karo")
    client.get("/lang/id")
    tasks = visible(client.get("/tasks/").get_data(as_text=True))
    assert "Mendekati tenggat" not in tasks
    at_risk = tasks[tasks.index("Berisiko"):]
    assert at_risk.index("IKU-RISK") < at_risk.index("Sesuai jadwal")


def test_no_internal_code_reaches_a_reader(at_step6, en, db_session):
    client = en("karo")
    cycle_page = client.get(f"/cycle/{at_step6.id}").get_data(as_text=True)
    text = visible(cycle_page)
    assert not CODE.findall(text), CODE.findall(text)[:5]
    assert "Step 6 — Sekretariat Militer Presiden: belum ada pelaksana" not in text  # assigned
    assert re.search(r'id="cycle-standard">Standar Pelayanan Pengoordinasian Penyusunan '
                     r"Indikator Kinerja Utama [^<]*, version 1<", cycle_page)
    warnings = visible(cycle_page[cycle_page.index('id="cycle-warnings"'):])
    assert "Langkah 6 — Sekretariat Kementerian: belum ada pelaksana yang ditugaskan." in warnings
    share = item(db_session, at_step6.id, "s06@SETMILPRES")
    page = client.get(f"/tasks/item/{share.id}").get_data(as_text=True)
    assert re.search(r'id="item-name">Step 6 — Sekretariat Militer Presiden', page)
    assert not CODE.findall(visible(page))
    history = item(db_session, at_step6.id, "s05#2.c")
    page = client.get(f"/tasks/item/{history.id}").get_data(as_text=True)
    assert "Step 5 session 2 c" in visible(page) and not CODE.findall(visible(page))
    for url in ("/tasks/", "/sla/", "/workitemview/list/", "/workeventview/list/",
                "/cycleview/list/"):
        text = visible(client.get(url).get_data(as_text=True))
        assert not CODE.findall(text), (url, CODE.findall(text)[:5])
    for url in ("/sla/export/csv", "/workitemview/export/csv", "/workeventview/export/csv",
                "/cycleview/export/csv"):
        body = client.get(url).get_data(as_text=True)
        cells = [c for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for c in row]
        assert not [c for c in cells if CODE.fullmatch(c)], url
        assert "periodic" not in cells, url
    events = visible(client.get("/workeventview/list/").get_data(as_text=True))
    assert "Step 5 session 2 c" in events


def test_an_event_without_an_item_shows_the_placeholder(team, en, db_session):
    """The cycle's own events (started, groups set) have no item: their cell reads "–" like
    every empty cell, not blank."""
    cycle = start_cycle(db_session, team)
    started = db_session.scalars(select(WorkEvent).where(
        WorkEvent.cycle_id == cycle.id, WorkEvent.action == "cycle_start")).one()
    page = en("karo").get("/workeventview/list/").get_data(as_text=True)
    row = page[page.index(f"/workeventview/show/{started.id}"):]
    cells = re.findall(r"<td>(.*?)</td>", row[:row.index("</tr>")], re.S)
    assert cells[1:3] == [cycle.code, "–"], cells


def test_event_details_in_words(team, en, db_session):
    cycle = start_cycle(db_session, team)
    finish(db_session, team, cycle.id, "s01")
    act(db_session, team, cycle.id, "complete", "s02.a.1")
    act(db_session, team, cycle.id, "return", "s02.a.2", reason="ulang")
    client = en("karo")
    shown = {}
    for event in db_session.scalars(select(WorkEvent).filter(
            WorkEvent.action.in_(("cycle_start", "return")))):
        shown[event.action] = visible(client.get(f"/workeventview/show/{event.id}")
                                      .get_data(as_text=True))
    start = shown["cycle_start"]
    assert "Reason: Penyusunan IKU berkala sesuai periode perencanaan" in start
    assert "Units: Sekretariat Presiden, Sekretariat Wakil Presiden" in start
    assert "periodic" not in start and "SETPRES" not in start
    assert "Item Step 2 a 2)" in shown["return"] and "Reopened: Step 2 a 1)" in shown["return"]
    assert not CODE.findall(shown["return"])


def test_step_numbers_are_the_sequence_with_the_printed_label_beside(team, en, db_session):
    cycle = start_cycle(db_session, team)
    page = en("karo").get(f"/cycle/{cycle.id}").get_data(as_text=True)
    procedure = page[page.index('id="procedure"'):]
    numbers = re.findall(r'class="iku-node iku-depth-0[^>]*>\s*<td[^>]*>\s*(?:<a[^>]*>|<span[^>]*>)'
                         r"([^<]+)<", procedure)
    assert numbers == ["1", "2", "3", "4", "5", "6", "7", "8", "9 (7)", "10 (8)", "11 (9)",
                       "12 (10)", "13 (11)", "14 (12)", "15 (13)"]
    timeline = page[page.index('id="timeline"'):page.index('id="procedure"')]
    labels = re.findall(r'<span class="iku-tl-no">([^<]+)</span>', timeline)
    assert labels[7:10] == ["8.", "9 (7).", "10 (8)."]
    assert 'title="Step 9 (7). Sebelum diajukan' in timeline  # the whole title on hover
    share = item(db_session, cycle.id, "s13.g")
    assert "Step 13 (11) g" in en("karo").get(f"/tasks/item/{share.id}").get_data(as_text=True)


def test_planned_due_and_due_are_explained(three_states, en, db_session):
    client = en("karo")
    target = db_session.scalars(select(WorkItem).filter_by(code="s01.a")).first()
    for url in (f"/cycle/{target.cycle_id}", f"/tasks/item/{target.id}", "/tasks/", "/sla/"):
        legend = visible(_section(client.get(url).get_data(as_text=True), 'id="due-legend"',
                                  ("</p>",)))
        assert "Planned due: the due fixed in the plan when the cycle started" in legend, url
        assert "Due: the due that counts now" in legend and "paused" in legend, url
    client.get("/lang/id")
    legend = visible(client.get(f"/tasks/item/{target.id}").get_data(as_text=True))
    assert "Rencana tenggat: tenggat menurut rencana" in legend
    assert "Tenggat: tenggat yang berlaku sekarang" in legend


def test_send_back_is_not_offered_where_nothing_comes_before(team, en, db_session):
    cycle = start_cycle(db_session, team)
    first = item(db_session, cycle.id, "s01.a")
    page = en("karo").get(f"/tasks/item/{first.id}").get_data(as_text=True)
    assert 'id="form-complete"' in page and 'id="form-return"' not in page
    assert "Send back" not in visible(page)
    finish(db_session, team, cycle.id, "s01.a")
    second = item(db_session, cycle.id, "s01.b")
    page = en("kabag").get(f"/tasks/item/{second.id}").get_data(as_text=True)
    assert 'id="form-return"' in page


def test_public_standard_table_numbers_steps_by_sequence(client, db_session):
    from pathlib import Path

    from app.services.standards import load_standard

    load_standard(db_session, Path(__file__).resolve().parents[2] / "app/standards/iku.yaml")
    page = client.get("/standar/").get_data(as_text=True)
    numbers = re.findall(r'<td><a href="#s\d\d">([^<]+)</a></td>', page)
    assert numbers[7:11] == ["8", "9 (7)", "10 (8)", "11 (9)"] and len(numbers) == 15
