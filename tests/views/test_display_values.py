"""The presentation helpers alone: one value in, the text a person reads out."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from markupsafe import Markup

from app.models.calendar import HolidayCategory
from app.models.org import OrgUnitKind
from app.views import display
from app.views.calendar import HOLIDAY_CATEGORIES

UTC_1407 = dt.datetime(2026, 11, 30, 14, 7, 31, 123456)


def test_a_stored_utc_time_reads_as_wib():
    local = display.to_local(UTC_1407)
    assert local == dt.datetime(2026, 11, 30, 21, 7, 31, 123456) and local.tzinfo is None
    assert display.when(local) == "30-11-2026 21:07"
    assert display.when_utc(UTC_1407) == "30-11-2026 21:07"
    assert display.when(UTC_1407.replace(tzinfo=dt.UTC)) == "30-11-2026 21:07"
    paris = dt.datetime(2026, 11, 30, 15, 7, tzinfo=ZoneInfo("Europe/Paris"))
    assert display.when(paris) == "30-11-2026 21:07"
    assert display.when_utc(dt.datetime(2026, 12, 31, 17, 30)) == "01-01-2027 00:30"


def test_dates_times_and_nothing():
    assert display.day(dt.date(2026, 8, 17)) == "17-08-2026"
    assert display.day(dt.datetime(2026, 8, 17, 23, 59)) == "17-08-2026"
    assert display.clock(dt.time(7, 30)) == "07:30"
    assert display.clock(dt.time(16, 0, 59)) == "16:00"
    for helper in (display.when, display.day, display.clock, display.yes_no):
        assert helper(None) == "–"


def test_display_value_by_type(app):
    class Role:
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return self.name

    with app.test_request_context(), force_locale("id"):
        assert display.display_value(True) == "Ya"
        assert display.display_value(False) == "Tidak"
        assert display.display_value(None) == "–"
        assert display.display_value([Role("Admin"), Role("Auditor")]) == "Admin, Auditor"
        assert display.display_value([]) == "–"
        assert display.display_value(dt.datetime(2026, 11, 30, 21, 7, 5)) == "30-11-2026 21:07"
        assert display.display_value(dt.date(2026, 11, 30)) == "30-11-2026"
        assert display.display_value(dt.time(7, 30)) == "07:30"
        assert display.display_value(OrgUnitKind.SATKER) == "satuan_kerja"
        assert display.display_value(0) == 0 and display.display_value("x") == "x"
        html = Markup("<b>x</b>")
        assert display.display_value(html) is html
    with app.test_request_context(), force_locale("en"):
        assert display.display_value(True) == "Yes"


def test_weekdays_and_labels_in_both_languages(app):
    with app.test_request_context():
        weekday = display.labels_formatter(dict(enumerate(display.WEEKDAYS)))
        with force_locale("id"):
            assert weekday(0) == "Senin" and weekday(6) == "Minggu"
            assert str(display.labels_formatter(HOLIDAY_CATEGORIES)("public")) == "Libur nasional"
        with force_locale("en"):
            assert weekday(4) == "Friday" and weekday(7) == 7
            formatter = display.labels_formatter(HOLIDAY_CATEGORIES)
            assert str(formatter(HolidayCategory.GOVERNMENT.value)) == "Collective leave (cuti bersama)"
            assert formatter("unknown") == "unknown" and formatter(None) == "–"


def test_stored_iso_text_reads_as_wib():
    assert display.stored_text("2026-11-30T14:07:05.123456") == "30-11-2026 21:07"
    assert display.stored_text("2026-11-30 14:07") == "30-11-2026 21:07"
    assert display.stored_text("2026-11-30T21:07:00+07:00") == "30-11-2026 21:07"
    assert display.stored_text("2026-11-30") == "30-11-2026"
    assert display.stored_text("2026-13-45") == "2026-13-45"
    assert display.stored_text("IKU-2027") == "IKU-2027"
    assert display.stored_text(7) == 7
