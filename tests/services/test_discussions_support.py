"""Shared fixtures of the discussion tests (services, pages, API; no tests here).

A cycle for three units (SETPRES and SETWAPRES served by AK I, SETKEMEN by AK II) walked to
step 5 by the bureau of tests/views/test_cycles_support (karo, kabag, kasubbag, staf, staf1b in
AK I; kabag2, kasubbag2, staf2 in AK II), with draft IKU for SETPRES, SETWAPRES and SETKEMEN.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.models.cycles import Cycle, WorkItem
from app.models.iku import Indicator
from app.models.org import OrgUnit
from app.services import discussions
from tests.views.test_cycles_support import finish, start_cycle, team_fixture  # noqa: F401

UNITS = ("SETPRES", "SETWAPRES", "SETKEMEN")


def unit_id(session, code: str) -> int:
    return session.scalars(select(OrgUnit.id).filter_by(code=code)).one()


def item(session, cycle_id: int, code: str) -> WorkItem:
    session.expire_all()
    return session.scalars(select(WorkItem).filter_by(cycle_id=cycle_id, code=code)).one()


def add_indicator(session, unit: str, code: str, name: str) -> Indicator:
    row = Indicator(org_unit_id=unit_id(session, unit), start_year=2025, end_year=2029,
                    sasaran_code="SS1", sasaran_text="Meningkatnya kualitas dukungan",
                    code=code, name=name, satuan="%", status="draft")
    session.add(row)
    session.flush()
    return row


@dataclass
class Setting:
    cycle: Cycle
    team: dict
    indicators: dict[str, Indicator]


@pytest.fixture(name="at_step5")
def at_step5_fixture(db_session, team) -> Setting:
    """Steps 1-4 done: 5a (the Kabag's assignment) is open, no group yet."""
    cycle = start_cycle(db_session, team, unit_ids=[unit_id(db_session, u) for u in UNITS])
    for step in ("s01", "s02", "s03", "s04"):
        finish(db_session, team, cycle.id, step)
    indicators = {
        "SETPRES": add_indicator(db_session, "SETPRES", "IKU-SP-1",
                                 "Persentase dukungan kebijakan yang tepat waktu"),
        "SETPRES2": add_indicator(db_session, "SETPRES", "IKU-SP-2",
                                  "Indeks kepuasan layanan kepresidenan"),
        "SETWAPRES": add_indicator(db_session, "SETWAPRES", "IKU-SW-1",
                                   "Persentase rekomendasi kebijakan wakil presiden"),
        "SETKEMEN": add_indicator(db_session, "SETKEMEN", "IKU-SK-1",
                                  "Nilai SAKIP Kementerian Sekretariat Negara"),
    }
    db_session.commit()
    return Setting(cycle, team, indicators)


def define_two_groups(session, setting: Setting, user="kabag"):
    """Kelompok 1: SETPRES + SETWAPRES, led by kasubbag with staf; Kelompok 2: SETKEMEN, led by
    kasubbag2 with staf2."""
    team = setting.team
    first = discussions.save_group(
        session, team[user], setting.cycle.id, name="Kelompok 1",
        unit_ids=[unit_id(session, "SETPRES"), unit_id(session, "SETWAPRES")],
        lead_id=team["kasubbag"].id, member_ids=[team["staf"].id])
    second = discussions.save_group(
        session, team[user], setting.cycle.id, name="Kelompok 2",
        unit_ids=[unit_id(session, "SETKEMEN")], lead_id=team["kasubbag2"].id,
        member_ids=[team["staf2"].id])
    return first, second


@pytest.fixture(name="grouped")
def grouped_fixture(db_session, at_step5) -> Setting:
    """Two groups defined, 5a done: every group's share of session 1's 5b is ready."""
    define_two_groups(db_session, at_step5)
    finish(db_session, at_step5.team, at_step5.cycle.id, "s05#1.a")
    return at_step5


def session_of(session, setting: Setting, group_name: str, number: int):
    from app.models.discussions import DiscussionGroup, DiscussionSession

    return session.scalars(select(DiscussionSession).join(DiscussionGroup).where(
        DiscussionGroup.cycle_id == setting.cycle.id, DiscussionGroup.name == group_name,
        DiscussionSession.number == number)).one()
