"""The one base class every CRUD page inherits.

Workarounds on top of Flask-AppBuilder live here, once:
- permissions are named after the entity and collapsed to read/add/edit/delete/export, so the
  page and the REST API of an entity share them (FAB names them after each view method);
- the unit scope filter (app.security) is put in front of every query of the view, so list,
  show, edit, delete, actions and export cannot reach another unit's rows;
- a record a liaison adds is pinned to its own unit, and one it edits cannot leave it;
- app.views.editing.EditFormsMixin: per-user read-only columns, and a refused save that keeps
  what was typed;
- app.views.scaled_view.ScaledViewMixin: a cheap count (capped with `count_limit`), no N+1 on
  relation columns, and `search_relation_text` for relations too large for a select box;
- app.views.search_form.IkuSearchWidget: the search form's static fields rendered once;
- app.views.display.DisplayMixin: every value shown as a person reads it (Ya/Tidak, "–",
  WIB DD-MM-YYYY HH:MM) on lists, show pages and exports.
- the same record rules as the API (app.services.validation), and the database's refusal of an
  edit told in words (FAB flashes a fixed "Database error" for it).
"""

from __future__ import annotations

from flask_appbuilder import ModelView
from wtforms import BooleanField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired

from app.security import (
    METHOD_PERMISSIONS,
    current_scope_unit_id,
    register_scope_path,
    scope_filters,
)
from app.services import db_errors, validation
from app.views.display import DisplayMixin, display_value  # noqa: F401  (re-exported)
from app.views.editing import EditFormsMixin
from app.views.lists import ExportMixin
from app.views.scaled_view import ScaledViewMixin
from app.views.search_form import IkuSearchWidget


class ScopeViolationError(ValueError):
    """A liaison tried to put a record into another unit."""


def enforce_unit_scope(item, scope_column: str | None) -> None:
    """Shared by the views and the API: pin a scoped user's new or edited record to its unit."""
    unit_id = current_scope_unit_id()
    if unit_id is None or not scope_column or scope_column == "id" or "." in scope_column:
        return
    attr = f"{scope_column}_id"
    current = getattr(item, attr, None)
    if current is None:
        setattr(item, attr, unit_id)
    elif current != unit_id:
        raise ScopeViolationError("Data ini hanya boleh untuk satuan organisasi Anda sendiri.")


class BaseModelView(EditFormsMixin, DisplayMixin, ExportMixin, ScaledViewMixin, ModelView):
    """scope_column: the record's path to its OrgUnit ("id" for OrgUnit itself), or None for
    records that belong to the bureau rather than to a unit. search_relation_text and
    count_limit: see ScaledViewMixin."""

    scope_column: str | None = None
    extra_base_filters: list = []
    method_permission_name = METHOD_PERMISSIONS
    page_size = 25
    search_widget = IkuSearchWidget
    # The actions a locked row's show page still offers (see locked_rows): an enacted IKU
    # is amended, never moved or edited.
    locked_row_actions: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        self.class_permission_name = self.class_permission_name or self.datamodel.obj.__name__
        self.base_filters = scope_filters(self.scope_column) + list(self.extra_base_filters)
        register_scope_path(self.datamodel.obj, self.scope_column)
        super().__init__(**kwargs)

    def _init_forms(self) -> None:
        """FAB marks a NOT NULL boolean InputRequired, and an unticked checkbox sends no input:
        "active" could never be switched off. A checkbox always has a value; drop the rule."""
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            for name in dir(form):
                field = getattr(form, name, None)
                if isinstance(field, UnboundField) and issubclass(field.field_class, BooleanField):
                    rules = field.kwargs.get("validators") or []
                    field.kwargs["validators"] = [r for r in rules if not isinstance(r, InputRequired)]

    def _locked(self, item) -> bool:
        return bool(self.locked_rows([self.datamodel.get_pk_value(item)]))

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        """A row nobody may change (locked_rows: no edit or delete link on its list row) is
        shown the same way: only its `locked_row_actions`, and its related lists (an enacted
        IKU's targets) offer no "add" (their own rows are locked by their view's hook)."""
        widgets = super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)
        if self._locked(item):
            args = widgets["show"].template_args
            args["actions"] = {name: action for name, action in (args["actions"] or {}).items()
                               if name in self.locked_row_actions}
        return widgets

    def _get_related_view_widget(self, item, related_view, *args, **kwargs):
        widget = super()._get_related_view_widget(item, related_view, *args, **kwargs)
        if widget is not None and self._locked(item):
            widget.template_args["add_locked"] = True
        return widget

    def pre_add(self, item) -> None:
        enforce_unit_scope(item, self.scope_column)
        validation.validate_record(item)

    def pre_update(self, item) -> None:
        enforce_unit_scope(item, self.scope_column)
        validation.validate_record(item)

    @property
    def database_error_message(self):
        """FAB flashes str(error) when an add or delete is refused (our interface raises a
        worded RecordRejectedError) but this fixed text for a refused edit: give the words."""
        refusal = db_errors.last_refusal()
        return str(refusal) if refusal is not None else ModelView.database_error_message
