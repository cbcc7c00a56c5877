"""Discussion groups of step 5 in the cycle engine: group items under each session's 5b, their
people, order and clocks; minutes before completion; decisions; when groups may change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.audit import AuditEntry
from app.models.cycles import WorkEvent, WorkItem
from app.models.discussions import DiscussionGroup, DiscussionSession
from app.models.iku import Indicator
from app.services import cycles, discussions
from app.services.cycles.flow import Tree
from app.services.cycles.naming import load_cycle_family
from tests.services.test_discussions_support import (  # noqa: F401
    at_step5_fixture,
    define_two_groups,
    grouped_fixture,
    item,
    session_of,
    team_fixture,
    unit_id,
)
from tests.views.test_cycles_support import act


def _items(db_session, cycle_id) -> list[WorkItem]:
    db_session.expire_all()
    return list(db_session.scalars(select(WorkItem).where(WorkItem.cycle_id == cycle_id)))


def assert_preorder(db_session, cycle_id) -> None:
    """Positions are 1..n without gaps and follow the tree's pre-order."""
    items = _items(db_session, cycle_id)
    tree = Tree(items)
    walk: list[int] = []

    def visit(node):
        walk.append(node.id)
        for kid in tree.children(node):
            visit(kid)

    for step in tree.steps:
        visit(step)
    ordered = sorted(items, key=lambda i: i.position)
    assert [i.position for i in ordered] == list(range(1, len(items) + 1))
    assert [i.id for i in ordered] == walk
    for row in items:
        if row.parent_id is not None:
            assert row.depth == tree.by_id[row.parent_id].depth + 1


def test_each_session_b_gets_one_item_per_group_with_its_own_people(db_session, at_step5):
    team, cycle = at_step5.team, at_step5.cycle
    define_two_groups(db_session, at_step5)
    for number in (1, 2):
        b = item(db_session, cycle.id, f"s05#{number}.b")
        assert not b.is_leaf and b.parallel
        kids = sorted((i for i in _items(db_session, cycle.id) if i.parent_id == b.id),
                      key=lambda i: i.position)
        assert [k.code for k in kids] == [f"s05#{number}.b.g1", f"s05#{number}.b.g2"]
        assert [k.kind for k in kids] == ["group", "group"]
        assert [k.assignee_user_id for k in kids] == [team["kasubbag"].id, team["kasubbag2"].id]
        assert kids[0].participants == ["Pelaksana Kasubbag", "Pelaksana Staf"]
        assert kids[1].participants == ["Pelaksana Kasubbag2", "Pelaksana Staf2"]
        assert kids[0].section.code == "AK1-PPK" and kids[1].section.code == "AK2-PPK"
        assert all(k.org_unit_id is None and k.is_leaf for k in kids)
        assert kids[0].title.startswith(f"Kelompok 1 – Pembahasan sesi {number}:")
        assert "Sekretariat Presiden" in kids[0].title
        assert all((k.planned_start, k.planned_due) == (b.planned_start, b.planned_due)
                   for k in kids)
        assert all(k.status == "waiting" for k in kids)  # 5a is still open
    assert_preorder(db_session, cycle.id)
    family = load_cycle_family(db_session, cycle.id)
    g1 = item(db_session, cycle.id, "s05#1.b.g1")
    assert family.name(g1.id) == "Langkah 5 sesi 1 b — Kelompok 1"
    assert family.ref(g1.id).short == "Kelompok 1"
    sessions = db_session.scalars(select(DiscussionSession).join(DiscussionGroup).where(
        DiscussionGroup.cycle_id == cycle.id).order_by(DiscussionGroup.number,
                                                       DiscussionSession.number)).all()
    assert [(s.group.name, s.number, s.work_item.code) for s in sessions] == [
        ("Kelompok 1", 1, "s05#1.b.g1"), ("Kelompok 1", 2, "s05#2.b.g1"),
        ("Kelompok 2", 1, "s05#1.b.g2"), ("Kelompok 2", 2, "s05#2.b.g2")]
    event = db_session.scalars(select(WorkEvent).where(
        WorkEvent.cycle_id == cycle.id, WorkEvent.action == "groups")).all()[-1]
    assert event.user_id == team["kabag"].id and event.note == "Kelompok 2 disimpan."
    assert [g["name"] for g in event.details["groups"]] == ["Kelompok 1", "Kelompok 2"]
    assert db_session.scalar(select(AuditEntry.id).where(
        AuditEntry.entity == "discussion_group")) is not None


def test_group_items_open_with_b_and_the_leads_see_them_in_their_tasks(db_session, grouped):
    team, cycle = grouped.team, grouped.cycle
    g1, g2 = (item(db_session, cycle.id, f"s05#1.b.g{n}") for n in (1, 2))
    b = item(db_session, cycle.id, "s05#1.b")
    assert b.status == "ready" and g1.status == "ready" and g2.status == "ready"
    assert g1.due_at == b.due_at is not None  # the step's clock, shared
    mine = cycles.my_tasks(db_session, team["kasubbag"]).all
    assert [row.code for row in mine] == ["s05#1.b.g1"]
    assert str(mine[0].ref) == "Langkah 5 sesi 1 b — Kelompok 1"
    assert [r.code for r in cycles.my_tasks(db_session, team["kasubbag2"]).all] == ["s05#1.b.g2"]
    assert item(db_session, cycle.id, "s05#2.b.g1").status == "waiting"


def test_completing_needs_the_minutes_and_b_waits_for_every_group(db_session, grouped):
    team, cycle = grouped.team, grouped.cycle
    with pytest.raises(discussions.MinutesRequiredError, match="Notulen Kelompok 1 sesi 1"):
        act(db_session, team, cycle.id, "complete", "s05#1.b.g1")
    db_session.rollback()
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    discussions.record_minutes(db_session, team["staf"], first.id,
                               text="Draf IKU Setpres dibahas; dua IKU tetap.")
    assert item(db_session, cycle.id, "s05#1.b.g1").status == "in_progress"  # started by it
    act(db_session, team, cycle.id, "complete", "s05#1.b.g1")
    assert item(db_session, cycle.id, "s05#1.b").status == "in_progress"
    assert item(db_session, cycle.id, "s05#1.c").status == "waiting"
    second = session_of(db_session, grouped, "Kelompok 2", 1)
    discussions.record_minutes(db_session, team["kasubbag2"], second.id, text="Dibahas.")
    act(db_session, team, cycle.id, "complete", "s05#1.b.g2")
    assert item(db_session, cycle.id, "s05#1.b").status == "done"
    assert item(db_session, cycle.id, "s05#1.c").status == "ready"
