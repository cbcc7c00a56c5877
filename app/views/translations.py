"""The templates' `_()`, finding the request's translations once instead of on every call.

Flask-Babel's template gettext looks the translations up on each call: three reads of its
per-request namespace on `g` through werkzeug proxies, and as many again in get_locale(),
~20 us a call on the bench machine; a list page calls `_()` ~60 times, Tugas saya ~500
(bench/README.md). The translations are kept on that same namespace next to the locale they
belong to: force_locale() and refresh() replace the locale, and so the translations.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_translations


def _translations():
    try:
        babel = g.get("_flask_babel")
    except RuntimeError:  # no app context
        return get_translations()
    locale = getattr(babel, "babel_locale", None)
    if locale is None:  # the request's first: Flask-Babel chooses the locale
        return get_translations()
    kept = getattr(babel, "iku_translations", None)
    if kept is None or kept[0] is not locale:
        kept = babel.iku_translations = (locale, get_translations())
    return kept[1]


def install(app: Flask) -> None:
    """Replaces the callables Flask-Babel installed in the Jinja environment (same texts)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
