"""The navigation menu, rendered once per set of roles and language.

FAB renders the menu on every page by asking has_access for each entry and each category
(~150 checks, a quarter of a list page's time). Which entries a person sees depends only on
their roles (FAB_ROLES, fixed in code when the app starts: app.security) and the language of
the labels, so the rendered menu is kept per (roles, locale) for the life of the process. A
change of a person's roles changes the key; nothing else can change the answer.
"""

from __future__ import annotations

import re

from flask import current_app, render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

TEMPLATE = "appbuilder/iku/navbar_menu_items.html"


def _roles_key() -> tuple[str, ...]:
    sm = current_app.appbuilder.sm
    roles = sm.get_user_roles(current_user)  # the public role when nobody is logged in
    return tuple(sorted(role.name for role in roles if role is not None))


def _render() -> Markup:
    """Runs of white space folded to one (as the browser shows them): FAB's indentation was
    half of the menu's 15 KB, sent with every page."""
    html = render_template(TEMPLATE, menu=current_app.appbuilder.menu)
    return Markup(re.sub(r"\s+", " ", html).strip())


def navbar_menu() -> Markup:
    if current_user.is_authenticated and not current_user.is_active:
        return _render()  # FAB grants an inactive account nothing: no key to share
    cache = current_app.extensions.setdefault("iku_navbar_menu", {})
    key = (_roles_key(), str(get_locale()))
    html = cache.get(key)
    if html is None:
        html = cache[key] = _render()
    return html


def register(app) -> None:
    app.jinja_env.globals["iku_navbar_menu"] = navbar_menu
