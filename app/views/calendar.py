"""Working calendar pages: office hours per weekday and the holiday list, both plain data that
an admin edits (a new cuti bersama decree, an office closure) and every due date follows."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TimeField
from wtforms.validators import InputRequired

from app.models.calendar import Holiday, HolidayCategory, HolidaySource, WorkSchedule
from app.views.base import BaseModelView
from app.views.display import WEEKDAYS
from app.views.fields import enum_formatter, enum_select

WEEKDAY_CHOICES = list(enumerate(WEEKDAYS))
HOLIDAY_CATEGORIES = {  # the first is what a new row proposes: an admin adds a closure
    HolidayCategory.MANUAL: _l("Set by an admin"),
    HolidayCategory.PUBLIC: _l("National holiday"),
    HolidayCategory.GOVERNMENT: _l("Collective leave (cuti bersama)"),
}
HOLIDAY_SOURCES = {
    HolidaySource.PACKAGE: _l("National calendar"), HolidaySource.ADMIN: _l("Admin"),
}  # fmt: skip


class WorkScheduleView(BaseModelView):
    datamodel = SQLAInterface(WorkSchedule)
    list_title = show_title = _l("Office hours")
    add_title = edit_title = _l("Office hours")
    list_columns = ["weekday", "start_time", "end_time", "note"]
    add_columns = edit_columns = ["weekday", "start_time", "end_time", "note"]
    show_columns = ["weekday", "start_time", "end_time", "note", "updated_at"]
    search_columns = ["weekday", "note"]
    base_order = ("weekday", "asc")
    page_size = 25
    label_columns = {
        "weekday": _l("Day"), "weekday_name": _l("Day"), "start_time": _l("Start"),
        "end_time": _l("End"), "note": _l("Note"), "updated_at": _l("Changed on"),
    }  # fmt: skip
    formatters_columns = {"weekday": enum_formatter(dict(WEEKDAY_CHOICES))}
    # FAB's form converter has no Time type: declare the fields (HH:MM) ourselves.
    add_form_extra_fields = edit_form_extra_fields = {
        "weekday": SelectField(_l("Day"), choices=WEEKDAY_CHOICES, coerce=int,
                               widget=Select2Widget(),
                               description=_l("A day with a break has two rows.")),
        "start_time": TimeField(_l("Start"), format="%H:%M", validators=[InputRequired()],
                                widget=BS3TextFieldWidget(), description="HH:MM"),
        "end_time": TimeField(_l("End"), format="%H:%M", validators=[InputRequired()],
                              widget=BS3TextFieldWidget(), description="HH:MM"),
    }


class HolidayView(BaseModelView):
    datamodel = SQLAInterface(Holiday)
    list_title = show_title = _l("Holidays")
    add_title = edit_title = _l("Holiday")
    list_columns = ["date", "name", "category", "source", "active"]
    add_columns = edit_columns = ["date", "name", "category", "active"]
    show_columns = ["date", "name", "category", "source", "active", "created_at", "updated_at"]
    search_columns = ["date", "name", "category", "source", "active"]
    base_order = ("date", "desc")
    label_columns = {
        "date": _l("Date"), "name": _l("Name"), "category": _l("Category"), "source": _l("Source"),
        "active": _l("Non-working day"), "created_at": _l("Created on"), "updated_at": _l("Changed on"),
    }  # fmt: skip
    description_columns = {
        "active": _l("Untick to make a day from the national calendar a working day again."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "category": enum_select(_l("Category"), HOLIDAY_CATEGORIES),
    }
    formatters_columns = {
        "category": enum_formatter(HOLIDAY_CATEGORIES),
        "source": enum_formatter(HOLIDAY_SOURCES),
    }

    def pre_add(self, item) -> None:
        super().pre_add(item)
        item.source = HolidaySource.ADMIN
        item.category = item.category or HolidayCategory.MANUAL


def register(appbuilder) -> None:
    category, label = "Calendar", _l("Calendar")
    appbuilder.add_view(WorkScheduleView, "Office hours", label=_l("Office hours"), icon="fa-clock",
                        category=category, category_label=label)
    appbuilder.add_view(HolidayView, "Holidays", label=_l("Holidays"), icon="fa-calendar",
                        category=category, category_label=label)
