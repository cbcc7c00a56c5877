"""The mixin that gives any FAB ModelView the interface of app.views.datamodel: its list
widget, its capped count, text search over large relations, locked rows, and action endpoints
that refuse unknown actions and rows out of scope."""

from __future__ import annotations

from flask import abort, request
from flask_appbuilder import expose
from flask_appbuilder.utils.base import is_column_dotted
from wtforms import StringField

from app.views.counting import CappedCount
from app.views.datamodel import IkuSQLAInterface
from app.views.list_widget import IkuListWidget


class ScaledViewMixin:
    """Mixed in before FAB's ModelView: app.views.datamodel's interface, plus

    search_relation_text: {relation: (target columns)} for relations searched by typing
    instead of picking from a select box, e.g. {"pelaksana": ("name", "nip")}. FAB's box holds
    every target row and is rendered into every list page: 5,000 pelaksana cost ~240 ms,
    1,000 cycles 70 % of the open-items list. A model whose table grows without bound says
    so once with `search_text = (columns)`, and every list searching a relation to it types.
    count_limit: count a list page's rows only up to the first multiple of this many past the
    page (None: always exactly, see count_cap); the page says "> N".
    """

    search_relation_text: dict[str, tuple[str, ...]] = {}
    count_limit: int | None = 1_000
    list_widget = IkuListWidget

    def __init__(self, **kwargs):
        self.search_relation_text = self._text_relations()
        self.datamodel = IkuSQLAInterface.wrap(self.datamodel, self.search_relation_text,
                                               self.count_limit)
        super().__init__(**kwargs)
        self.datamodel.listed = frozenset(self.list_columns)
        self.datamodel.list_relations = tuple(
            name for name in self.list_columns
            if not is_column_dotted(name) and self.datamodel.is_relation_many_to_one(name))

    def _text_relations(self) -> dict[str, tuple[str, ...]]:
        found = dict(self.search_relation_text)
        for name in self.search_columns or ():
            if name not in found and self.datamodel.is_relation_many_to_one(name):
                columns = getattr(self.datamodel.get_related_model(name), "search_text", None)
                if columns:
                    found[name] = tuple(columns)
        return found

    def _init_forms(self) -> None:
        super()._init_forms()
        for name in self.search_relation_text:
            if name in self.search_columns:
                setattr(self.search_form, name, StringField(
                    self.label_columns.get(name, name), render_kw={"class": "form-control"}))

    def locked_rows(self, pks: list) -> set:
        """The rows of a list page that nobody may edit or delete whatever the permission (an
        enacted IKU): the list offers them no edit or delete link, instead of a refused save."""
        return set()

    def _get_list_widget(self, *args, **kwargs):
        widgets = super()._get_list_widget(*args, **kwargs)
        listing = widgets["list"].template_args
        count = listing.get("count")
        listing["count_capped"] = count.at_least if isinstance(count, CappedCount) else None
        listing["locked_pks"] = self.locked_rows(listing["pks"])
        return widgets

    # FAB's action endpoints call `self.actions.get(name).func(...)`: an unknown action name
    # was an AttributeError (500), and a row that does not exist reached the action as None.
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions or self.datamodel.get(pk, self._base_filters) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        rows = request.form.getlist("rowid")
        if name not in self.actions:
            abort(400)
        if any(self.datamodel.get(pk, self._base_filters) is None for pk in rows):
            abort(404)
        return super().action_post()
