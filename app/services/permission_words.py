"""Permissions in words: "Siklus: lihat, ekspor" instead of ("Cycle", "can_export") or a regex.

FAB names a permission after a view class and a method; a person reads the page they know from
the menu and what they may do on it. One mapping serves every page that shows permissions (the
role pages and "what can this user see and do"): an entity is named by the menu entry of its
view (the label the person clicks), or by ENTITY_WORDS for views without one of their own (FAB's
security pages and APIs, self-service forms); a permission by one verb of VERBS.
"""

from __future__ import annotations

import re
from collections import defaultdict

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

# The verbs, in the order a person reads them.
VERBS = {
    "view": _l("view"), "add": _l("add"), "edit": _l("edit"), "delete": _l("delete"),
    "export": _l("export"), "import": _l("import"), "download": _l("download"),
    "start": _l("start"), "act": _l("work on"), "reassign": _l("reassign"),
    "assign": _l("assign"), "define": _l("define groups"), "record": _l("record"),
    "unlock": _l("unlock"), "reset_password": _l("reset password"), "copy": _l("copy"),
    "own_profile": _l("view own profile"), "edit_own_profile": _l("edit own profile"),
    "decide": _l("decide"), "withdraw": _l("withdraw"), "resend": _l("resend"),
    "dispatch": _l("send by email"),
    "rate": _l("rate"), "answer": _l("answer"), "manage": _l("manage"),
}  # fmt: skip

PERMISSION_VERBS = {
    "can_read": "view", "can_list": "view", "can_show": "view", "can_get": "view",
    "can_info": "view", "can_chart": "view", "can_list_role_permissions": "view",
    "can_add": "add", "can_post": "add",
    "can_edit": "edit", "can_put": "edit", "can_this_form_get": "edit",
    "can_this_form_post": "edit", "can_add_role_permissions": "edit",
    "can_update_role_users": "edit", "can_update_role_groups": "edit",
    "can_delete": "delete", "can_export": "export", "can_import": "import",
    "can_download": "download", "can_start": "start", "can_act": "act",
    "can_reassign": "reassign", "can_assign": "assign", "can_define": "define",
    "can_record": "record", "unlock": "unlock", "resetpasswords": "reset_password",
    "copyrole": "copy", "can_userinfo": "own_profile", "userinfoedit": "edit_own_profile",
    "resetmypassword": "edit", "can_decide": "decide", "can_withdraw": "withdraw",
    "can_resend": "resend", "can_dispatch": "dispatch",
    "can_rate": "rate", "can_answer": "answer", "can_manage": "manage",
}  # fmt: skip

# Views that share an entity with another (a page and its API) or have no menu entry of their
# own. FAB's security APIs keep a name apart from their pages: they are separate permissions.
ENTITY_WORDS = {
    "WorkItem": _l("Work items"),
    "UserDBModelView": _l("User accounts"), "User": _l("User accounts (API)"),
    "RoleModelView": _l("Roles"), "Role": _l("Roles (API)"),
    "UserGroupModelView": _l("Groups"), "Group": _l("Groups (API)"),
    "UserStatsChartView": _l("Login statistics"),
    "PermissionModelView": _l("Base Permissions"), "Permission": _l("Base Permissions (API)"),
    "ViewMenuModelView": _l("Views/Menus"), "ViewMenu": _l("Views/Menus (API)"),
    "PermissionViewModelView": _l("Permission on Views/Menus"),
    "PermissionViewMenu": _l("Permission on Views/Menus (API)"),
    "ResetMyPasswordView": _l("Own password"), "ResetPasswordView": _l("Users' passwords"),
    "UserInfoEditView": _l("Own profile"), "UserAccessView": _l("Users' access"),
    "MenuApi": _l("Menu"), "OpenApi": _l("API specification"),
    "SwaggerView": _l("API documentation page"), "LocaleView": _l("Language"),
    "MailDispatch": _l("Documents sent by email"),
}  # fmt: skip

MENU = "menu_access"


def _menu_items():
    stack = list(current_app.appbuilder.menu.get_list())
    while stack:
        item = stack.pop(0)
        yield item
        stack.extend(item.childs)


def entity_word(view_name: str) -> str:
    """The name a person knows a view by: its menu label, else ENTITY_WORDS."""
    if view_name in ENTITY_WORDS:
        return str(ENTITY_WORDS[view_name])
    for item in _menu_items():
        if item.name == view_name or (
            item.baseview is not None
            and getattr(item.baseview, "class_permission_name", None) == view_name
        ):
            return gettext(str(item.label))
    return _spaced(view_name)


def verb_word(permission: str) -> str:
    key = PERMISSION_VERBS.get(permission)
    if key is not None:
        return str(VERBS[key])
    return permission.removeprefix("can_").replace("_", " ")


def _spaced(name: str) -> str:
    """Last resort for a view nobody named: "SomeView" -> "some view", never the class name."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _verb_order(word: str) -> int:
    words = [str(verb) for verb in VERBS.values()]
    return words.index(word) if word in words else len(words)


def describe(pairs) -> list[tuple[str, list[str]]]:
    """[(entity, [verbs])] for (view, permission) pairs, menu entries left out; views that
    name the same entity (a page and its API) are merged, verbs said once, in VERBS order."""
    by_entity: dict[str, set[str]] = defaultdict(set)
    for view, permission in pairs:
        if permission != MENU:
            by_entity[entity_word(view)].add(verb_word(permission))
    return [(entity, sorted(verbs, key=lambda w: (_verb_order(w), w)))
            for entity, verbs in sorted(by_entity.items(), key=lambda kv: kv[0].lower())]


def menu_words(pairs) -> list[str]:
    """The menu entries among (view, permission) pairs, by their labels, in menu order."""
    names = {view for view, permission in pairs if permission == MENU}
    ordered = [item for item in _menu_items() if item.name in names and item.name != "-"]
    return list(dict.fromkeys(gettext(str(item.label)) for item in ordered))


def as_text(described: list[tuple[str, list[str]]]) -> list[str]:
    """"Siklus: lihat, ekspor" lines."""
    return [f"{entity}: {', '.join(verbs)}" for entity, verbs in described]
