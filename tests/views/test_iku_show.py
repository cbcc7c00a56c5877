"""The show page of an IKU offers what its list row offers: an enacted IKU (locked_rows) and
its targets no edit, delete, status step or new target; only the amendment."""

import pytest

from app.models.iku import Indicator
from app.services.iku_demo import load_demo_iku


@pytest.fixture
def demo(db_session):
    load_demo_iku()
    return {i.code + f"v{i.version}": i for i in db_session.query(Indicator)}


@pytest.mark.parametrize("username", ["admin", "kabag", "staf"])
def test_enacted_iku_show_page_offers_no_change_but_the_amendment(client, login, demo, username):
    login(client, username)
    enacted = demo["IKU-1.1v1"]
    page = client.get(f"/indicatorview/show/{enacted.id}").get_data(as_text=True)
    assert "Persentase dukungan kegiatan Presiden" in page
    for refused in (f"/indicatorview/edit/{enacted.id}", f"/indicatorview/delete/{enacted.id}",
                    f"/indicatorview/action/advance/{enacted.id}",
                    f"/indicatorview/action/send_back/{enacted.id}",
                    "/indicatortargetview/add", "/indicatortargetview/edit/",
                    "/indicatortargetview/delete/"):
        assert refused not in page, refused
    assert f"/indicatorview/action/amend/{enacted.id}" in page
    assert f"/indicatortargetview/show/{enacted.targets[0].id}" in page
    target = client.get(f"/indicatortargetview/show/{enacted.targets[0].id}").get_data(as_text=True)
    assert "/indicatortargetview/edit/" not in target and "/indicatortargetview/delete/" not in target


def test_draft_iku_show_page_still_offers_its_steps_and_new_targets(client, login, demo):
    login(client, "kabag")
    draft = demo["IKU-1.2v1"]
    page = client.get(f"/indicatorview/show/{draft.id}").get_data(as_text=True)
    assert f"/indicatorview/action/advance/{draft.id}" in page
    assert f"/indicatortargetview/add?_flt_0_indicator={draft.id}" in page
    assert f"/indicatortargetview/edit/{draft.targets[0].id}" in page


def test_liaison_sees_its_enacted_iku_without_change_links(client, login, demo):
    login(client, "pengguna1")
    enacted = demo["IKU-1.1v1"]
    page = client.get(f"/indicatorview/show/{enacted.id}").get_data(as_text=True)
    assert "Persentase dukungan kegiatan Presiden" in page
    assert "/indicatortargetview/add" not in page and "/action/advance/" not in page
