"""Forms that do not trick: what a user may not change is shown as text, and a refused save
comes back with what was typed.

Flask-AppBuilder builds one add and one edit form per view, at start, for every user alike; its
documented read-only field (a text input with a `readonly` attribute) is the same for everyone
and still posts a value that populate_obj writes. It also answers a save refused by pre_add /
pre_update with a redirect to an empty form. Both are replaced here, once, for every page:

- `readonly_edit_columns()` names the edit columns the current user sees but may not change
  (by default, for a unit-scoped user, every column not in `scoped_editable_columns`); the edit
  form is then a subclass of FAB's form where those fields are ReadOnlyField: rendered as text,
  never read from the request, never written to the record;
- `_add`/`_edit` are FAB's, except that a refusal raised by pre_add/pre_update rolls the change
  back and re-renders the form as posted, the reason beside the field it concerns, named by its
  label. An error may name its fields with a `fields` attribute (attribute names).
"""

from __future__ import annotations

from flask import abort, flash, request
from flask_appbuilder.urltools import (
    get_filter_args,
    get_order_args,
    get_page_args,
    get_page_size_args,
)
from flask_babel import gettext
from markupsafe import Markup, escape
from wtforms import Field

from app.security import current_scope_unit_id


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    return str(value)


class ReadOnlyWidget:
    """The value as plain text (Bootstrap 3's static form control), not an input."""

    def __call__(self, field, **_kwargs) -> Markup:
        return Markup('<p class="form-control-static" id="{}">{}</p>').format(
            field.id, escape(_shown(field.formatter(field.data)))
        )


class ReadOnlyField(Field):
    """Shown, never taken: whatever a request posts under its name is ignored, and saving the
    form leaves the record's attribute as it is."""

    widget = ReadOnlyWidget()

    def __init__(self, label=None, formatter=None, **kwargs):
        super().__init__(label, **kwargs)
        self.formatter = formatter or (lambda value: value)

    def process_formdata(self, valuelist) -> None:
        return None

    def populate_obj(self, obj, name) -> None:
        return None


class EditFormsMixin:
    """For BaseModelView: per-user read-only columns and refusals that keep the typed form."""

    # Columns a unit-scoped user (a liaison) may change; None: the view has no such rule.
    scoped_editable_columns: list[str] | None = None

    def readonly_edit_columns(self) -> set[str]:
        """Edit columns the current user sees but may not change. Override for other rules."""
        if self.scoped_editable_columns is None or current_scope_unit_id() is None:
            return set()
        return set(self.edit_columns) - set(self.scoped_editable_columns)

    def _edit_form_class(self):
        readonly = frozenset(self.readonly_edit_columns())
        if not readonly:
            return self.edit_form
        cache = self.__dict__.setdefault("_readonly_edit_forms", {})
        if readonly not in cache:
            fields = {
                name: ReadOnlyField(self.label_columns.get(name, name),
                                    formatter=(self.formatters_columns or {}).get(name))
                for name in readonly
            }
            cache[readonly] = type(f"{type(self).__name__}ReadOnlyForm", (self.edit_form,), fields)
        return cache[readonly]

    def _refused(self, form, exc: Exception) -> None:
        """Undo what populate_obj wrote, and tell why beside the fields concerned."""
        self.datamodel.session.rollback()
        names = [name for name in getattr(exc, "fields", None) or () if name in form]
        if not names:
            flash(str(exc), "danger")
            return
        labels = ", ".join(str(form[name].label.text) for name in names)
        message = gettext("This change was not saved: you may not change %(fields)s.",
                          fields=labels)
        for name in names:
            form[name].errors = [*form[name].errors, message]
        flash(message, "danger")

    def _add(self):
        """FAB's _add; a refusal by pre_add re-renders the form as posted."""
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                try:
                    form.populate_obj(item)
                    self.pre_add(item)
                except Exception as exc:  # FAB's contract: pre_add refuses by raising
                    self._refused(form, exc)
                    return self._get_add_widget(form=form, exclude_cols=exclude_cols)
                try:
                    self.datamodel.add(item)
                    self.post_add(item)
                    flash(self.add_row_message, "success")
                except Exception as exc:
                    flash(str(exc), "danger")
                return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        """FAB's _edit, with the per-user form; a refusal by pre_update re-renders the form
        as posted, the read-only fields showing the stored values."""
        pages, page_sizes, orders = get_page_args(), get_page_size_args(), get_order_args()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        form_class = self._edit_form_class()
        if request.method == "POST":
            form = form_class.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk  # FAB's trick to pass its unique validators
            if form.validate():
                self.process_form(form, False)
                try:
                    form.populate_obj(item)
                    self.pre_update(item)
                except Exception as exc:  # FAB's contract: pre_update refuses by raising
                    self._refused(form, exc)
                else:
                    try:
                        self.datamodel.edit(item)
                        self.post_update(item)
                        flash(self.edit_row_message, "success")
                    except Exception:
                        flash(self.database_error_message, "danger")
                    return None
            self._show_stored(form, item)
        else:
            form = form_class.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item, filters={}, orders=orders, pages=pages, page_sizes=page_sizes, widgets=widgets
        )

    def _show_stored(self, form, item) -> None:
        """A re-rendered form shows the read-only fields' stored values (they are not posted)."""
        for field in form:
            if isinstance(field, ReadOnlyField):
                field.data = getattr(item, field.name, None)
