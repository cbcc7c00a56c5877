"""Translations found once per request instead of on every gettext.

Flask-Babel's Domain.get_translations looks the translations up on each call: three reads of
its per-request namespace on `g` through werkzeug proxies, as many again in get_locale(), and
str(locale) to key its cache: ~20 us a call on the bench machine. A list page words ~60 lazy
labels (a status on every row), a REST list translates every column label, Tugas saya calls
`_()` ~500 times (bench/README.md). RequestDomain keeps the translations on that same
namespace next to the locale they belong to: force_locale() and refresh() replace the locale,
and so the translations. It becomes the app's default domain (Flask-Babel's own extension
point: every gettext, lazy_gettext and template `_()` goes through it).
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import Domain


def worded(text) -> str:
    """A lazy label (lazy_gettext) worded once per request and language: pages word the same
    few labels on every row (a status per list row, a thousand events on a cycle's page), and
    each str() of a lazy text runs a gettext. The words are kept on Flask-Babel's per-request
    namespace beside the locale, like the translations below (force_locale switches them)."""
    try:
        babel = g.get("_flask_babel")
    except RuntimeError:  # no app context (a script): nothing to keep them in
        return str(text)
    locale = getattr(babel, "babel_locale", None)
    if locale is None:  # the request's first: Flask-Babel chooses the locale
        return str(text)
    kept = getattr(babel, "iku_words", None)
    if kept is None or kept[0] is not locale:
        kept = babel.iku_words = (locale, {})
    found = kept[1].get(id(text))
    # the lazy text itself is kept and compared: a temporary one freed and another allocated
    # at the same address would otherwise be worded as the first
    if found is None or found[0] is not text:
        found = kept[1][id(text)] = (text, str(text))
    return found[1]


class RequestDomain(Domain):
    def get_translations(self):
        try:
            babel = g.get("_flask_babel")
        except RuntimeError:  # no app context: Flask-Babel's NullTranslations
            return super().get_translations()
        locale = getattr(babel, "babel_locale", None)
        if locale is None:  # the request's first: Flask-Babel chooses the locale
            return super().get_translations()
        kept = getattr(babel, "iku_translations", None)
        if kept is None or kept[0] is not locale or kept[1] is not self:
            kept = babel.iku_translations = (locale, self, super().get_translations())
        return kept[2]


def install(app: Flask) -> None:
    """The app's default domain becomes a RequestDomain of the same name and directories, and
    the templates' gettext callables use it directly (same texts)."""
    config = app.extensions["babel"]
    domain = config.instance.domain_instance = RequestDomain(domain=config.default_domain)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
