"""The search form of every list, rendered once per process but for what a request changes.

FAB's SearchWidget renders every search column's form field to HTML on each list request (its
JavaScript clones them when a filter is added), then the whole form with the fields, labels
and filter names as JSON: ~10 % of a list page. A field whose HTML cannot change while the
app runs (text, number, date, yes/no, a select of labels fixed in code) is kept per (list,
column, language) on the app, as the menu is (app.views.navbar), with its label and the names
of its filters (translated lazily, each costly to word); a select box of database rows
(QuerySelectField: sections, units, the choices a liaison's scope narrows) is rendered each
time, as FAB does. The form itself is FAB's template rendered once per (list, columns,
language) with a token where each request's own parts go (the select boxes of rows, the
active filters, the CSP nonce), which are put in, JSON-encoded as the template's tojson does.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.widgets import SearchWidget
from flask_babel import get_locale
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from wtforms import SelectField

TOKEN = "iku-search-{}-token"


class IkuSearchWidget(SearchWidget):
    def __call__(self, **kwargs):
        """FAB's SearchWidget.__call__ over the kept form: only a request's own parts rendered."""
        form, route = self.template_args["form"], self.template_args.get("route_base", "")
        locale, rendered = str(get_locale()), current_app.extensions.setdefault("iku_search", {})
        labels, fields, filters = {}, {}, {}
        for col in self.template_args["include_cols"]:
            key = (route, col, locale)
            static = rendered.get(key)
            if static is None:
                field = form[col]
                static = rendered[key] = (
                    str(field.label.text),
                    None if isinstance(field, QuerySelectField) else field(),
                    [str(flt.name) for flt in self.filters.get_search_filters()[col]])
            labels[col], html, filters[col] = static
            fields[col] = html
        nonce = current_app.jinja_env.globals.get("csp_nonce", lambda: "")()
        key = ("form", route, tuple(labels), locale, bool(nonce))
        form_html = rendered.get(key)
        if form_html is None:
            kwargs.update(label_columns=labels, search_filters=filters,
                          form_fields={col: TOKEN.format(col) if html is None else html
                                       for col, html in fields.items()},
                          active_filters=TOKEN.format("active"))
            form_html = str(super(SearchWidget, self).__call__(**kwargs))
            form_html = rendered[key] = form_html.replace(nonce, TOKEN.format("nonce")) \
                if nonce else form_html
        if nonce:  # first: what is put in next is data, in which the token is just text
            form_html = form_html.replace(TOKEN.format("nonce"), nonce)
        for col, html in fields.items():
            if html is None:  # a quoted token: within a JSON string a quote is escaped
                form_html = form_html.replace(f'"{TOKEN.format(col)}"', _json(str(form[col]())))
        return Markup(form_html.replace(f'"{TOKEN.format("active")}"',
                                        _json(self.filters.get_filters_values_tojson())))


def _json(value) -> str:
    """As the template's tojson filter writes `value`."""
    policies = current_app.jinja_env.policies
    return htmlsafe_json_dumps(value, dumps=policies["json.dumps_function"],
                               **policies["json.dumps_kwargs"])


def label_select(label, labels: dict) -> SelectField:
    """A search field picking a stored code by its label (code -> label)."""
    return SelectField(label, choices=[(str(code), text) for code, text in labels.items()],
                       render_kw={"class": "form-control"})


class ChoiceSearchMixin:
    """A stored code is searched by picking its label, not by typing "in_progress": the
    search form's field becomes a select of `search_choices[column]` (code -> label)."""

    search_choices: dict = {}

    def _init_forms(self) -> None:
        super()._init_forms()
        for name, mapping in self.search_choices.items():
            if name in self.search_columns:
                setattr(self.search_form, name,
                        label_select(self.label_columns.get(name, name), mapping))
