"""Permissions in words: the role pages and "what can this user see and do" read
"Siklus: lihat, ekspor, mulai", never a regex tuple, `can_read` or a class name."""

from __future__ import annotations

import html
import re

import pytest

from app.security import ROLE_SPEC
from app.services import access, permission_words
from tests.conftest import ROLE_USERS

# Lines each role's pages must show (default locale: Indonesian), and words they must not.
EXPECTED = {
    "Admin": ["Peran: lihat, tambah, ubah, hapus, unduh, salin", "Siklus: lihat, ekspor, mulai",
              "Akun pengguna: lihat, tambah, ubah, hapus, unduh, buka kunci, atur ulang kata sandi, "
              "lihat profil sendiri, ubah profil sendiri"],
    "Kepala Biro": ["Siklus: lihat, ekspor, mulai", "Dasbor SLA: lihat, ekspor",
                    "Penilaian kompetensi: lihat, tambah, ubah, ekspor"],
    "Kepala Bagian": ["Siklus: lihat, ekspor, mulai",
                      "Butir kerja: lihat, ekspor, kerjakan, alihkan"],
    "Kepala Subbagian": ["Siklus: lihat, ekspor", "Butir kerja: lihat, ekspor, kerjakan, alihkan",
                         "Kata sandi sendiri: ubah"],
    "Staf": ["Siklus: lihat, ekspor", "Butir kerja: lihat, ekspor, kerjakan",
             "Satuan Organisasi: lihat, ekspor"],
    "Auditor": ["Jejak audit: lihat, ekspor", "Statistik login: lihat", "Siklus: lihat, ekspor",
                "Hak akses pengguna: lihat"],
    "Pengguna": ["Satuan Organisasi: lihat, ubah, ekspor", "Butir kerja: lihat, ekspor, kerjakan"],
}
ABSENT = {
    "Kepala Subbagian": ["mulai"], "Staf": ["alihkan", "mulai"], "Auditor": ["tambah", "hapus"],
    "Pengguna": ["Bagian:", "Dasbor SLA", "Unit tanpa penghubung"],
}
RAW = re.compile(r"can_|menu_access|\$|\||\.\*|\\|\[|\]|\bOrgUnit\b|\bWorkItem\b|ModelView")


def _rows(page: str, table_class: str = "iku-permissions") -> list[str]:
    """"Entity: verbs" lines of the permissions table of a page."""
    table = page.split(f'class="table table-condensed table-striped {table_class}"', 1)[1]
    table = table.split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table)
    return [f"{entity}: {verbs}" for entity, verbs in cells]


@pytest.fixture
def admin(client, login):
    login(client, "admin")
    return client


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("role", list(ROLE_SPEC))
def test_role_show_page_says_what_the_role_may_do_in_words(app, admin, role):
    page = _page(admin, f"/roles/show/{app.appbuilder.sm.find_role(role).id}")
    rows = _rows(page)
    for line in EXPECTED[role]:
        assert line in rows, (line, rows)
    permissions = " ".join(rows)
    assert not RAW.search(permissions), RAW.search(permissions)
    assert not any(word in permissions for word in ABSENT.get(role, []))
    menus = page.split('id="role-menus">', 1)[1].split("</td>", 1)[0]
    assert "Siklus" in menus or role == "Pengguna" and "Satuan Organisasi" in menus
    assert not RAW.search(menus)
    assert "Aplikasi: izinnya bagian dari kode program" in page  # builtin: defined in code


def test_role_list_shows_every_role_in_words(app, admin):
    page = _page(admin, "/roles/list/")
    cells = re.findall(r'<td class="iku-role-permissions">(.*?)</td>', page, re.S)
    assert len(cells) == len(ROLE_SPEC) + 1  # and Public, stored in the database, empty
    text = " ".join(cells)
    assert "Siklus: lihat, ekspor, mulai" in text and "Jejak audit: lihat, ekspor" in text
    assert not RAW.search(text) and "[('" not in page  # FAB prints the spec's tuples


def test_a_builtin_role_cannot_be_edited_but_a_stored_one_in_words(app, admin):
    sm = app.appbuilder.sm
    builtin = sm.find_role("Staf").id
    response = admin.get(f"/roles/edit/{builtin}")
    assert response.status_code == 302 and f"/roles/show/{builtin}" in response.headers["Location"]

    stored = sm.add_role("Pembaca Bagian")
    sm.add_permission_role(stored, sm.find_permission_view_menu("can_read", "Section"))
    page = _page(admin, f"/roles/edit/{stored.id}")
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    assert "Bagian: lihat" in options and "Siklus: ekspor" in options
    assert "Menu: Satuan Organisasi" in options
    assert not any(RAW.search(option) for option in options)
    assert "Bagian: lihat" in _rows(_page(admin, f"/roles/show/{stored.id}"))


@pytest.mark.parametrize("username", list(ROLE_USERS))
def test_access_page_of_each_user_in_words(app, admin, username):
    user = app.appbuilder.sm.find_user(username=username)
    page = _page(admin, f"/users/access/{user.id}")
    rows = _rows(page)
    for line in EXPECTED[ROLE_USERS[username]]:
        assert line in rows, (line, rows)
    menus = page.split('id="access-menus">', 1)[1].split("</p>", 1)[0]
    assert not RAW.search(" ".join(rows) + menus)


def test_every_permission_of_the_app_has_words(app):
    """A new view or permission must be named in app/services/permission_words.py (a menu
    label, ENTITY_WORDS or PERMISSION_VERBS), or its pages would show a class name."""
    verbs = {str(verb) for verb in permission_words.VERBS.values()}
    with app.test_request_context():
        for permission, view in access._all_permission_views(app.appbuilder.sm):
            if permission == permission_words.MENU:
                continue
            assert permission in permission_words.PERMISSION_VERBS, permission
            word = permission_words.entity_word(view)
            assert word != permission_words._spaced(view), view
            assert permission_words.verb_word(permission) in verbs


def test_describe_merges_a_page_and_its_api_and_orders_the_verbs(app):
    pairs = [("Cycle", "can_start"), ("Cycle", "can_export"), ("Cycle", "can_read"),
             ("Cycle", "menu_access"), ("Section", "can_read")]
    with app.test_request_context():
        assert permission_words.as_text(permission_words.describe(pairs)) == [
            "Bagian: lihat", "Siklus: lihat, ekspor, mulai"]


def test_no_menu_leads_to_the_raw_permission_tables(client, login):
    login(client, "admin")
    page = client.get("/").get_data(as_text=True)
    assert "/roles/list/" in page
    for raw in ("/permissions/list/", "/viewmenus/list/", "/permissionviews/list/"):
        assert raw not in page and client.get(raw).status_code == 404


def test_the_public_role_is_builtin_and_empty(app, admin):
    """Anonymous access comes only from the public routes, never from a permission granted on
    the role pages: Public's edit page sends the reader to its show page, like any builtin."""
    public = app.appbuilder.sm.find_role("Public").id
    response = admin.get(f"/roles/edit/{public}")
    assert response.status_code == 302 and f"/roles/show/{public}" in response.headers["Location"]
    page = _page(admin, f"/roles/show/{public}")
    assert "Aplikasi: izinnya bagian dari kode program" in page
    assert "Tidak ada izin" in page and "Tidak ada menu" in page
    assert f"/roles/edit/{public}" not in _page(admin, "/roles/list/")
