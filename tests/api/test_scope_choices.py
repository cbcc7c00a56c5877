"""No one sees what is not theirs, not even in a select box: a liaison's REST `_info` offers as
related values only the units, accounts and work items in its scope (the same UnitScopeFilter
as the rows), while bureau roles still get every choice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.cycles import WorkItem
from app.models.org import IkuUser, OrgUnit
from tests.conftest import UNIT_A
from tests.views.test_cycles_support import finish, start_cycle, team_fixture  # noqa: F401

RESOURCES = ["work-item", "work-event", "org-unit-assignment"]


@pytest.fixture
def cycle(team, db_session):
    started = start_cycle(db_session, team)
    finish(db_session, team, started.id, "s01")  # events by bureau staff
    return started


def _related_values(body: dict) -> dict[str, list[dict]]:
    values = {}
    for key in ("add_columns", "edit_columns"):
        for column in body.get(key) or []:
            if "values" in column:
                values.setdefault(column["name"], []).extend(column["values"])
    return values


def _others(db_session):
    units = db_session.scalars(select(OrgUnit).where(OrgUnit.code != UNIT_A)).all()
    users = db_session.scalars(select(IkuUser).where(IkuUser.username != "pengguna1")).all()
    return [u.name for u in units] + [u.code for u in units], [str(u) for u in users]


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_liaisons_info_offers_only_its_own_units_choices(client, api_token, db_session, cycle,
                                                           resource):
    own = db_session.scalars(select(OrgUnit).filter_by(code=UNIT_A)).one()
    me = db_session.scalars(select(IkuUser).filter_by(username="pengguna1")).one()
    own_items = set(db_session.scalars(select(WorkItem.id).where(WorkItem.org_unit_id == own.id)))
    response = client.get(f"/api/v1/{resource}/_info", headers=api_token("pengguna1"))
    assert response.status_code == 200
    values = _related_values(response.get_json())
    assert values, "the resource offers related fields"
    text = response.get_data(as_text=True)
    unit_words, user_names = _others(db_session)
    assert [w for w in unit_words if w in text] == []
    assert [n for n in user_names if n in text] == []
    ids = {name: {v["id"] for v in vals} for name, vals in values.items()}
    assert ids.get("org_unit", {own.id}) <= {own.id}
    assert ids.get("user", set()) | ids.get("assignee", set()) <= {me.id}
    assert ids.get("item", set()) | ids.get("parent", set()) <= own_items


def test_bureau_roles_still_get_every_choice(client, api_token, db_session, cycle):
    body = client.get("/api/v1/work-item/_info", headers=api_token("staf")).get_json()
    units = {v["value"] for v in _related_values(body)["org_unit"]}
    assert {"Sekretariat Presiden", "Sekretariat Wakil Presiden"} <= units
    body = client.get("/api/v1/work-event/_info", headers=api_token("auditor")).get_json()
    assert "Pengguna2 Uji" in {v["value"] for v in _related_values(body)["user"]}


def test_a_liaisons_cycle_choices_are_the_cycles_its_unit_takes_part_in(client, api_token,
                                                                         db_session, team):
    own = db_session.scalars(select(OrgUnit).filter_by(code=UNIT_A)).one()
    other = db_session.scalars(select(OrgUnit).filter_by(code="SETWAPRES")).one()
    start_cycle(db_session, team, code="IKU-MINE", unit_ids=[own.id])
    start_cycle(db_session, team, code="IKU-OTHER", unit_ids=[other.id])
    text = client.get("/api/v1/work-item/_info", headers=api_token("pengguna1")).get_data(as_text=True)
    assert "IKU-MINE" in text and "IKU-OTHER" not in text
