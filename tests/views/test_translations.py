"""Every gettext (templates' `_()`, Python's gettext, lazy labels) finds the request's
translations once (app/views/translations.py) and still follows the page's language, a
language switch and force_locale()."""

from __future__ import annotations

import flask_babel
from flask import render_template_string
from flask_babel import force_locale

from tests.views.test_cycles_support import en_fixture  # noqa: F401

TEMPLATE = "{{ _('Item') }}|{{ _('Status') }}|{{ ngettext('%(num)d item', '%(num)d items', 2) }}"


def test_templates_follow_the_language_and_force_locale(app):
    with app.test_request_context("/"):
        indonesian = render_template_string(TEMPLATE)
        with force_locale("en"):
            english = render_template_string(TEMPLATE)
            with force_locale("id"):
                nested = render_template_string(TEMPLATE)
            back = render_template_string(TEMPLATE)
        after = render_template_string(TEMPLATE)
    assert english == "Item|Status|2 items" and back == english
    assert indonesian.split("|")[0] == "Butir kerja" and nested == after == indonesian


def test_a_page_looks_its_translations_up_once(app, monkeypatch):
    calls = []
    original = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations",
                        lambda self: calls.append(1) or original(self))
    with app.test_request_context("/"):
        rendered = render_template_string("{% for i in range(50) %}{{ _('Item') }}{% endfor %}")
    assert rendered == "Butir kerja" * 50  # Indonesian unless the reader chose English
    assert len(calls) <= 2  # the first (which sets the locale up) and the kept one


def test_lazy_labels_and_python_gettext_follow_force_locale(app, monkeypatch):
    calls = []
    original = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations",
                        lambda self: calls.append(1) or original(self))
    label = flask_babel.lazy_gettext("Item")
    with app.test_request_context("/"):
        words = [str(label) for _ in range(20)]
        with force_locale("en"):
            english = (str(label), flask_babel.gettext("Item"))
        after = (str(label), flask_babel.gettext("Item"))
    assert words == ["Butir kerja"] * 20 and english == ("Item", "Item")
    assert after == ("Butir kerja", "Butir kerja")
    assert len(calls) <= 4  # once per locale switch, not once per label


def test_pages_in_both_languages(client, login, en):
    login(client, "karo")
    page = client.get("/sla/").get_data(as_text=True)
    assert '<label for="f-org_unit_id">Satuan Organisasi</label>' in page
    page = en("karo").get("/sla/").get_data(as_text=True)
    assert '<label for="f-org_unit_id">Organisation unit</label>' in page
    assert "Satuan Organisasi" not in page


def test_a_lazy_label_is_worded_once_per_request_and_language(app, monkeypatch):
    from app.views.translations import worded

    label = flask_babel.lazy_gettext("Item")
    calls = []
    original = flask_babel.Domain.gettext
    monkeypatch.setattr(flask_babel.Domain, "gettext",
                        lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    with app.test_request_context("/"):
        first = [worded(label) for _ in range(5)]
        with force_locale("en"):
            english = [worded(label) for _ in range(5)]
        again = worded(label)
    assert first == ["Butir kerja"] * 5 and english == ["Item"] * 5 and again == "Butir kerja"
    assert len(calls) == 3  # once per language switch, never once per use


def test_the_confirm_dialog_of_every_page_follows_the_language(client, login, en):
    """The dialog a delete asks in: FAB's layout wrote its "Cancel" in English on every page."""
    login(client, "karo")
    page = client.get("/workeventview/list/").get_data(as_text=True)
    dialog = page[page.index('id="modal-confirm"'):page.index('id="modal-alert"')]
    assert 'data-dismiss="modal">Batal</button>' in dialog and "Cancel" not in dialog
    page = en("karo").get("/workeventview/list/").get_data(as_text=True)
    assert 'data-dismiss="modal">Cancel</button>' in page
