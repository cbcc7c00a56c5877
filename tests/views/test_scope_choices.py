"""The filter widgets of a liaison's lists offer only what its scope allows: the search form's
select boxes of the work-item and assignment lists name no other unit and no other account."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models.org import IkuUser, OrgUnit
from tests.conftest import UNIT_A
from tests.views.test_cycles_support import start_cycle, team_fixture  # noqa: F401

LISTS = ["/workitemview/list/", "/orgunitassignmentview/list/", "/workeventview/list/"]
OPTION = re.compile(r'option(?: selected)? value=\\"(\d+)\\"\\u003e([^\\]*)\\u003c')


def _select_options(page: str, name: str) -> dict[int, str]:
    """The <option>s of the search form's select `name` (FAB embeds the form as JSON)."""
    start = page.find(f'name=\\"{name}\\"')
    if start < 0:
        return {}
    end = page.find("/select", start)
    return {int(pk): text for pk, text in OPTION.findall(page[start:end])}


@pytest.fixture
def cycle(team, db_session):
    return start_cycle(db_session, team)


@pytest.mark.parametrize("url", LISTS)
def test_a_liaisons_search_form_names_no_other_unit_or_account(client, login, db_session, cycle,
                                                               url):
    login(client, "pengguna1")
    page = client.get(url).get_data(as_text=True)
    assert "s06@SETWAPRES" not in page
    for unit in db_session.scalars(select(OrgUnit).where(OrgUnit.code != UNIT_A)):
        assert unit.name not in page, unit.name
    for user in db_session.scalars(select(IkuUser).where(IkuUser.username != "pengguna1")):
        assert str(user) not in page, str(user)


def test_the_liaisons_unit_select_holds_only_its_unit(client, login, db_session, cycle):
    own = db_session.scalars(select(OrgUnit).filter_by(code=UNIT_A)).one()
    login(client, "pengguna1")
    for url in LISTS[:2]:
        assert _select_options(client.get(url).get_data(as_text=True), "org_unit") == {
            own.id: own.name}


def test_bureau_lists_still_offer_every_unit(client, login, db_session, cycle):
    login(client, "staf")
    units = _select_options(client.get(LISTS[0]).get_data(as_text=True), "org_unit")
    assert len(units) == db_session.query(OrgUnit).count()
