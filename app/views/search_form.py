"""The search form of every list, with its static fields rendered once per process.

FAB's SearchWidget renders every search column's form field to HTML on each list request (its
JavaScript clones them when a filter is added): ~10 % of a list page. A field whose HTML cannot
change while the app runs (text, number, date, yes/no, a select of labels fixed in code) is
kept per (list, column, language) on the app, as the menu is (app.views.navbar), with its
label and the names of its filters (translated lazily, each costly to word); a select box
of database rows (QuerySelectField: sections, units, the choices a liaison's scope narrows) is
rendered each time, as FAB does.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.widgets import SearchWidget
from flask_babel import get_locale
from wtforms import SelectField


class IkuSearchWidget(SearchWidget):
    def __call__(self, **kwargs):
        """FAB's SearchWidget.__call__, but with a field's HTML from the cache when static."""
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
            fields[col] = html if html is not None else form[col]()
        kwargs.update(label_columns=labels, form_fields=fields, search_filters=filters,
                      active_filters=self.filters.get_filters_values_tojson())
        return super(SearchWidget, self).__call__(**kwargs)


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
