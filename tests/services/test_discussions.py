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


def test_decisions_are_checked_then_move_kept_and_changed_drafts_under_discussion(
        db_session, grouped):
    team, ind = grouped.team, grouped.indicators
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    with pytest.raises(discussions.DiscussionRecordInvalidError,
                       match="IKU-SP-1 diputuskan diubah: tuliskan perubahannya"):
        discussions.record_decisions(db_session, team["kasubbag"], first.id, [
            (ind["SETPRES2"].id, "kept", ""), (ind["SETPRES"].id, "changed", "  ")])
    db_session.rollback()
    with pytest.raises(discussions.DiscussionRecordInvalidError,
                       match="IKU-SK-1 bukan milik satuan organisasi Kelompok 1"):
        discussions.record_decisions(db_session, team["kasubbag"], first.id, [
            (ind["SETKEMEN"].id, "kept", "")])
    db_session.rollback()
    with pytest.raises(discussions.DiscussionRecordInvalidError, match="tidak dikenal"):
        discussions.record_decisions(db_session, team["kasubbag"], first.id, [
            (ind["SETPRES"].id, "maybe", "")])
    db_session.rollback()
    db_session.expire_all()
    assert not first.decisions and item(db_session, grouped.cycle.id,
                                        "s05#1.b.g1").status == "ready"  # nothing half-saved
    discussions.record_decisions(db_session, team["staf"], first.id, [
        (ind["SETPRES"].id, "changed", "Target 2027 menjadi 90%"),
        (ind["SETPRES2"].id, "dropped", ""), (ind["SETWAPRES"].id, "kept", None)])
    db_session.expire_all()
    status = {code: db_session.get(Indicator, ind[code].id).status
              for code in ("SETPRES", "SETPRES2", "SETWAPRES", "SETKEMEN")}
    assert status == {"SETPRES": "dibahas", "SETPRES2": "draft", "SETWAPRES": "dibahas",
                      "SETKEMEN": "draft"}
    rows = {d.indicator.code: (d.decision, d.change) for d in first.decisions}
    assert rows == {"IKU-SP-1": ("changed", "Target 2027 menjadi 90%"),
                    "IKU-SP-2": ("dropped", None), "IKU-SW-1": ("kept", None)}
    event = db_session.scalars(select(WorkEvent).where(
        WorkEvent.action == "discussion").order_by(WorkEvent.id.desc())).first()
    assert event.user_id == team["staf"].id
    assert event.details["decisions"] == {"IKU-SP-1": "diubah", "IKU-SP-2": "dihapus",
                                          "IKU-SW-1": "tetap"}
    assert sorted(event.details["under_discussion"]) == ["IKU-SP-1", "IKU-SW-1"]
    # a second record updates the decision instead of adding one
    discussions.record_decisions(db_session, team["kasubbag"], first.id, [
        (ind["SETPRES2"].id, "kept", "")])
    db_session.expire_all()
    assert len(first.decisions) == 3
    assert db_session.get(Indicator, ind["SETPRES2"].id).status == "dibahas"


def test_who_may_record_and_when(db_session, grouped):
    team = grouped.team
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    for outsider in ("staf2", "kasubbag2", "staf1b"):  # bureau, not in Kelompok 1
        with pytest.raises(discussions.DiscussionForbiddenError, match="Kelompok 1"):
            discussions.record_minutes(db_session, team[outsider], first.id, text="x")
        db_session.rollback()
    with pytest.raises(discussions.DiscussionForbiddenError):
        discussions.add_attendance(db_session, team["pengguna1"], first.id, name="A")
    db_session.rollback()
    later = session_of(db_session, grouped, "Kelompok 1", 2)
    with pytest.raises(discussions.DiscussionLockedError, match="belum tiba gilirannya"):
        discussions.record_minutes(db_session, team["kasubbag"], later.id, text="x")
    db_session.rollback()
    # scheduling is planning: allowed ahead, no event, by a head as well
    import datetime as dt
    when = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    discussions.schedule_session(db_session, team["kabag"], later.id, scheduled_at=when,
                                 place="Ruang Rapat Biro OTLAK")
    assert later.scheduled_at == dt.datetime(2027, 2, 1, 2, 0) and later.place.startswith("Ruang")
    row = discussions.add_attendance(db_session, team["karo"], first.id, name="",
                                     user_id=team["staf"].id, position="Staf AK I")
    assert row.name == "Pelaksana Staf" and row.present
    guest = discussions.add_attendance(
        db_session, team["kasubbag"], first.id, name="Budi Santoso", present=False,
        position="Kepala Bagian Perencanaan", org_unit_id=unit_id(db_session, "SETPRES"))
    with pytest.raises(discussions.DiscussionRecordInvalidError, match="satuan organisasi"):
        discussions.add_attendance(db_session, team["kasubbag"], first.id, name="X",
                                   org_unit_id=unit_id(db_session, "SETKEMEN"))
    db_session.rollback()
    discussions.remove_attendance(db_session, team["kasubbag"], guest.id)
    db_session.expire_all()
    assert [a.name for a in first.attendance] == ["Pelaksana Staf"]
    discussions.record_minutes(db_session, team["kasubbag"], first.id, text="Notulen.")
    act(db_session, team, grouped.cycle.id, "complete", "s05#1.b.g1")
    with pytest.raises(discussions.DiscussionLockedError, match="sudah selesai"):
        discussions.record_minutes(db_session, team["kasubbag"], first.id, text="lagi")


def test_minutes_file_is_stored_by_its_hash(db_session, grouped, tmp_path):
    first = session_of(db_session, grouped, "Kelompok 1", 1)
    discussions.record_minutes(db_session, grouped.team["kasubbag"], first.id, text="",
                               attachment=cycles.Attachment("notulen.pdf", b"%PDF-1.4 isi"),
                               attachments=tmp_path / "attachments")
    assert first.minutes is None and first.minutes_file_name == "notulen.pdf"
    assert (tmp_path / first.minutes_file_path).read_bytes() == b"%PDF-1.4 isi"
    assert first.has_minutes
    with pytest.raises(discussions.DiscussionRecordInvalidError, match="notulen"):
        second = session_of(db_session, grouped, "Kelompok 2", 1)
        discussions.record_minutes(db_session, grouped.team["kasubbag2"], second.id, text=" ")


def test_group_rules_when_defining(db_session, at_step5):
    team, cycle = at_step5.team, at_step5.cycle
    for user in ("kasubbag", "staf", "auditor", "pengguna1"):
        with pytest.raises(discussions.DiscussionForbiddenError, match="Kepala Biro"):
            discussions.save_group(db_session, team[user], cycle.id, name="K",
                                   unit_ids=[unit_id(db_session, "SETPRES")],
                                   lead_id=team["staf"].id)
        db_session.rollback()
    cases = [
        ({"name": " "}, "Nama kelompok wajib diisi"),
        ({"unit_ids": []}, "sedikitnya satu satuan organisasi"),
        ({"unit_ids": [unit_id(db_session, "ISTANA-BOGOR")]}, "tidak termasuk dalam siklus"),
        ({"lead_id": team["pengguna1"].id}, "Ketua kelompok wajib dipilih"),
        ({"member_ids": [team["auditor"].id]}, "Anggota kelompok"),
    ]
    for change, message in cases:
        args = {"name": "Kelompok A", "unit_ids": [unit_id(db_session, "SETPRES")],
                "lead_id": team["staf"].id, "member_ids": [], **change}
        with pytest.raises(discussions.DiscussionGroupInvalidError, match=message):
            discussions.save_group(db_session, team["karo"], cycle.id, **args)
        db_session.rollback()
    define_two_groups(db_session, at_step5, user="admin")
    with pytest.raises(discussions.DiscussionGroupInvalidError,
                       match="Sekretariat Presiden sudah termasuk dalam Kelompok 1"):
        discussions.save_group(db_session, team["kabag"], cycle.id, name="Kelompok 3",
                               unit_ids=[unit_id(db_session, "SETPRES")],
                               lead_id=team["staf1b"].id)
    db_session.rollback()
    with pytest.raises(discussions.DiscussionGroupInvalidError, match="sudah dipakai"):
        discussions.save_group(db_session, team["kabag"], cycle.id, name="Kelompok 2",
                               unit_ids=[unit_id(db_session, "SETWAPRES")],
                               lead_id=team["staf1b"].id)


def test_groups_change_until_a_group_starts_then_never(db_session, at_step5):
    team, cycle = at_step5.team, at_step5.cycle
    first, second = define_two_groups(db_session, at_step5)
    # move SETWAPRES to a third group led by staf1b; Kelompok 1 keeps SETPRES
    discussions.save_group(db_session, team["kabag"], cycle.id, group_id=first.id,
                           name="Kelompok 1", unit_ids=[unit_id(db_session, "SETPRES")],
                           lead_id=team["staf"].id, member_ids=[team["kasubbag"].id])
    third = discussions.save_group(db_session, team["kabag"], cycle.id, name="Kelompok 3",
                                   unit_ids=[unit_id(db_session, "SETWAPRES")],
                                   lead_id=team["staf1b"].id)
    assert third.number == 3
    g1 = item(db_session, cycle.id, "s05#1.b.g1")
    assert g1.assignee_user_id == team["staf"].id and "Sekretariat Wakil" not in g1.title
    assert item(db_session, cycle.id, "s05#2.b.g3").assignee_user_id == team["staf1b"].id
    discussions.delete_group(db_session, team["kabag"], second.id)
    codes = [i.code for i in sorted(_items(db_session, cycle.id), key=lambda i: i.position)
             if i.code.startswith("s05#1.b")]
    assert codes == ["s05#1.b", "s05#1.b.g1", "s05#1.b.g3"]
    assert_preorder(db_session, cycle.id)
    assert db_session.get(DiscussionGroup, second.id) is None
    # 5a done: the groups' items open; once one starts, the groups are fixed
    from tests.views.test_cycles_support import finish
    finish(db_session, team, cycle.id, "s05#1.a")
    assert item(db_session, cycle.id, "s05#1.b.g3").status == "ready"
    discussions.save_group(db_session, team["kabag"], cycle.id, group_id=third.id,
                           name="Kelompok Tiga", unit_ids=[unit_id(db_session, "SETWAPRES")],
                           lead_id=team["staf1b"].id)  # still nothing started: allowed
    act(db_session, team, cycle.id, "start", "s05#1.b.g3")
    with pytest.raises(discussions.DiscussionLockedError, match="sudah dimulai"):
        discussions.save_group(db_session, team["kabag"], cycle.id, name="Kelompok 4",
                               unit_ids=[unit_id(db_session, "SETKEMEN")],
                               lead_id=team["staf2"].id)
    db_session.rollback()
    with pytest.raises(discussions.DiscussionLockedError, match="sudah dimulai"):
        discussions.delete_group(db_session, team["kabag"], first.id)
    db_session.rollback()
    assert item(db_session, cycle.id, "s05#1.b.g1").status == "ready"


def test_groups_added_after_b_was_handed_over_open_at_once(db_session, at_step5):
    team, cycle = at_step5.team, at_step5.cycle
    from tests.views.test_cycles_support import finish
    finish(db_session, team, cycle.id, "s05#1.a")
    b = item(db_session, cycle.id, "s05#1.b")
    assert b.status == "ready" and b.is_leaf
    define_two_groups(db_session, at_step5)
    b = item(db_session, cycle.id, "s05#1.b")
    kids = [item(db_session, cycle.id, f"s05#1.b.g{n}") for n in (1, 2)]
    assert not b.is_leaf and all(k.status == "ready" and k.due_at == b.due_at for k in kids)
    with pytest.raises(cycles.errors.WorkItemNotLeafError):
        cycles.complete_item(db_session, db_session.get(type(team["staf"]), b.assignee_user_id),
                             b.id)
    assert_preorder(db_session, cycle.id)


def test_a_started_b_cannot_be_split(db_session, at_step5):
    team, cycle = at_step5.team, at_step5.cycle
    from tests.views.test_cycles_support import finish
    finish(db_session, team, cycle.id, "s05#1.a")
    act(db_session, team, cycle.id, "start", "s05#1.b")
    with pytest.raises(discussions.DiscussionLockedError, match="sudah dimulai"):
        define_two_groups(db_session, at_step5)
