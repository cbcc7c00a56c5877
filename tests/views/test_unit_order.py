"""Units are listed as the standard lists them (seed D.2: AK I's seven, then AK II's six), in
the unit list, the select boxes and forms that offer units, and the published standard."""

from __future__ import annotations

import html

from app.models.org import OrgUnit

SEED_ORDER = [
    "Sekretariat Presiden", "Sekretariat Wakil Presiden", "Sekretariat Militer Presiden",
    "Istana Kepresidenan Bogor", "Istana Kepresidenan Yogyakarta", "Istana Kepresidenan Cipanas",
    "Istana Kepresidenan Tampaksiring Bali",
    "Sekretariat Kementerian", "Deputi Bidang Hukum dan Perundang-undangan",
    "Deputi Bidang Hubungan Kelembagaan dan Kemasyarakatan",
    "Deputi Bidang Administrasi Aparatur", "Sekretariat Dewan Pertimbangan Presiden",
    "Sekretariat Kantor Staf Presiden",
]


def _order_in(page: str, names: list[str]) -> list[str]:
    """The names in the order they first appear on the page."""
    page = html.unescape(page)
    found = [(page.find(f">{name}<"), name) for name in names]
    assert all(pos >= 0 for pos, _name in found), [n for p, n in found if p < 0]
    return [name for _pos, name in sorted(found)]


def _add_unit(db_session) -> None:
    db_session.add(OrgUnit(code="AAA-BARU", name="Aaa Unit Baru"))  # first by code and name
    db_session.commit()


def test_the_unit_list_follows_the_standard_and_new_units_come_last(client, login, db_session):
    _add_unit(db_session)
    login(client, "admin")
    page = client.get("/orgunitview/list/?psize_OrgUnitView=25").get_data(as_text=True)
    assert _order_in(page, [*SEED_ORDER, "Aaa Unit Baru"]) == [*SEED_ORDER, "Aaa Unit Baru"]


def test_select_boxes_of_units_follow_the_units_order(client, login, db_session):
    """An administrator moved the last unit to the top: the user form's unit box follows."""
    _add_unit(db_session)
    db_session.query(OrgUnit).filter_by(code="SETKSP").one().sort_order = 0
    db_session.commit()
    login(client, "admin")
    page = client.get("/users/add").get_data(as_text=True)
    expected = [SEED_ORDER[-1], *SEED_ORDER[:-1], "Aaa Unit Baru"]
    assert _order_in(page, expected) == expected


def test_the_start_form_offers_units_in_the_standards_order(client, login):
    login(client, "karo")
    page = client.get("/cycle/start").get_data(as_text=True)
    assert _order_in(page, SEED_ORDER) == SEED_ORDER


def test_the_published_standard_lists_units_in_its_order(client):
    page = client.get("/standar/").get_data(as_text=True)
    assert _order_in(page, SEED_ORDER) == SEED_ORDER
