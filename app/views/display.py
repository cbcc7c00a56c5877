"""How a value reads on a page and in an export: the one presentation rule of the app.

A civil servant reads Ya/Tidak, "–" for nothing, labels instead of codes, and every time on
the office's wall clock (WIB) as DD-MM-YYYY HH:MM. Times are stored in naive UTC; they become
wall-clock times in exactly one place, where FAB reads a row's values for a list, a show page
or an export (app.views.datamodel.IkuSQLAInterface._get_attr_value, via `to_local`). From there
on a naive datetime IS a wall-clock time, and the helpers below only word it.

DisplayMixin (in front of every CRUD view: BaseModelView, the user admin) installs
`display_value` as the formatter of every column a list or show page shows, unless the view
words that column itself: FAB applies formatters_columns on its list widget and its show
widget alike (appbuilder/general/widgets/{list,show}.html), and the export uses them too
(app.views.lists). In forms it types dates as DD-MM-YYYY, names the empty choice "–", and
offers a coded column's labels (labels_formatter) in the list's search form.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from zoneinfo import ZoneInfo

from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField
from wtforms.fields.core import UnboundField
from wtforms.widgets import html_params

from app.services.working_time import DEFAULT_TZ
from app.views.search_form import label_select

ZONE = ZoneInfo(DEFAULT_TZ)
NOTHING = "–"
DAY_INPUTS = ["%d-%m-%Y", "%Y-%m-%d"]  # a form shows the first; ISO still accepted
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?)?")
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
            _l("Saturday"), _l("Sunday"))


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) or aware datetime as the office's wall clock, naive: what a
    person in the office reads, and what a spreadsheet cell can hold."""
    if value is None:
        return None
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return aware.astimezone(ZONE).replace(tzinfo=None)


def when(value: dt.datetime | None) -> str:
    """DD-MM-YYYY HH:MM. A naive value is already a wall-clock time (see the module's
    docstring); an aware one is converted to WIB first."""
    if value is None:
        return NOTHING
    if value.tzinfo is not None:
        value = value.astimezone(ZONE)
    return f"{value:%d-%m-%Y %H:%M}"


def when_utc(value: dt.datetime | None) -> str:
    """A stored naive-UTC time, read straight from a model (not through a list or show page)."""
    return when(to_local(value))


def day(value: dt.date | None) -> str:
    """DD-MM-YYYY; of a datetime, its (wall-clock) date."""
    if value is None:
        return NOTHING
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(ZONE)
    return f"{value:%d-%m-%Y}"


def clock(value: dt.time | None) -> str:
    """Office hours are wall-clock times of day: 07:30, never 07:30:00."""
    return NOTHING if value is None else f"{value:%H:%M}"


def yes_no(value) -> str:
    if value is None:
        return NOTHING
    return gettext("Yes") if value else gettext("No")


def display_value(value):
    """Any value as a page shows it, by its type; nothing (None, or empty text such as the
    item of a cycle's own event) as "–"; anything else (text, numbers, Markup) as it is.
    Related records by their str(), several of them comma-separated: FAB would print
    a list as Python does ("[Admin]")."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return when(value)
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, dt.time):
        return clock(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(display_value(item)) for item in value) or NOTHING
    return value


def stored_text(value):
    """A date or time kept as ISO text (a JSON record such as an audit entry's changes, written
    in UTC like every stored time) as a page shows it; any other value as it is."""
    if not isinstance(value, str) or not ISO_MOMENT.fullmatch(value):
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) == 10:
        return day(moment.date())
    return when(to_local(moment))


def labels_formatter(labels: dict):
    """The label of a stored code (a StrEnum's value, a weekday's number), the code itself
    if unknown. DisplayMixin also offers these labels in the list's search form."""
    by_value = {str(value): text for value, text in labels.items()}

    def label(value):
        return NOTHING if value is None else by_value.get(str(value), value)

    label.labels = labels
    return label


def shown_columns(view) -> set[str]:
    """Every column a list or show page of the view prints, fieldsets included (the user
    admin's profile page has its own, user_show_fieldsets)."""
    columns = set(view.list_columns or []) | set(view.show_columns or [])
    for attr in ("show_fieldsets", "user_show_fieldsets"):
        for _title, fieldset in getattr(view, attr, None) or []:
            columns.update(fieldset.get("fields", []))
    return columns


def register_filters(app) -> None:
    """For pages that read a model directly (its datetimes still stored UTC):
    `iku_when_utc`, or `iku_local` to make one a wall-clock time that `iku_day` words."""
    app.jinja_env.filters.update({
        "iku_local": to_local, "iku_when": when, "iku_when_utc": when_utc, "iku_day": day,
        "iku_clock": clock, "iku_value": display_value,
    })


class DayPickerWidget:
    """FAB's date picker (bootstrap-datepicker, vendored by FAB) in DD-MM-YYYY. FAB's own
    widget prints the date object itself (ISO) whatever the field's format, and its ab.js
    forces yyyy-mm-dd on the class it uses; this one renders the field's own text and
    configures the picker through data attributes."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        kwargs.setdefault("class", "form-control")
        params = html_params(type="text", value=field._value(), autocomplete="off", **kwargs)
        return Markup(
            '<div class="input-group date" data-provide="datepicker" '
            'data-date-format="dd-mm-yyyy" data-date-autoclose="true" '
            f'data-date-language="{"id" if str(get_locale()) == "id" else "en"}">'
            '<span class="input-group-addon"><i class="fa fa-calendar cursor-hand"></i></span>'
            f"<input {params} /></div>"
        )


class DisplayMixin:
    """Mixed in before FAB's ModelView (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # after FAB's __init__: it fills list/show columns a view leaves undeclared
        explicit = dict(self.formatters_columns or {})
        self.formatters_columns = {
            **{column: display_value for column in shown_columns(self)},
            **explicit,
        }

    def _init_forms(self) -> None:
        """WTForms prints an option's value when its label is empty, and FAB's blank choice
        of an optional relation is ("__None", ""): the select showed "__None", also in the
        search form. A date is typed and shown as DD-MM-YYYY (DayPickerWidget)."""
        super()._init_forms()
        for form in (self.add_form, self.edit_form, self.search_form):
            for name in dir(form):
                field = getattr(form, name, None)
                if not isinstance(field, UnboundField):
                    continue
                if (issubclass(field.field_class, QuerySelectField)
                        and not issubclass(field.field_class, QuerySelectMultipleField)
                        and not field.kwargs.get("blank_text")):
                    field.kwargs["blank_text"] = NOTHING
                elif field.field_class is DateField and form is not self.search_form:
                    field.kwargs.update(format=DAY_INPUTS, widget=DayPickerWidget())
        self._init_label_search()

    def _init_label_search(self) -> None:
        """A column worded by labels_formatter is searched by picking a label, not by
        typing its stored code ("satuan_kerja", 0 for Monday)."""
        for name, formatter in (self.formatters_columns or {}).items():
            labels = getattr(formatter, "labels", None)
            if labels and name in (self.search_columns or []):
                setattr(self.search_form, name,
                        label_select(self.label_columns.get(name, name), labels))
