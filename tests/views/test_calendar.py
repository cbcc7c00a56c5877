"""The working calendar as data: an admin changes it, and due dates follow (issue: Cycles 1)."""

import datetime as dt

from click.testing import CliRunner

from app.models.calendar import Holiday


def _due(app, start, duration):
    from app.cli import iku

    runner = CliRunner()
    with app.app_context():
        result = runner.invoke(
            iku, ["due", start, duration], obj=None, standalone_mode=False, catch_exceptions=False
        )
    return result.output.strip()


def test_due_command_follows_the_rules(app):
    assert _due(app, "2026-11-24T10:00", "2 hari") == "2026-11-26T10:00:00+07:00"
    assert _due(app, "2026-11-27T15:00", "2 hari") == "2026-12-01T15:00:00+07:00"
    assert _due(app, "2026-11-23T15:30", "30 menit") == "2026-11-23T16:00:00+07:00"


def test_due_command_skips_cuti_bersama_from_the_holiday_table(app):
    # 2026-12-24 is cuti bersama, 2026-12-25 Christmas: Wed 23 Dec + 1 hari = Mon 28 Dec.
    assert _due(app, "2026-12-23T09:00", "1 hari") == "2026-12-28T09:00:00+07:00"


def test_admin_adds_an_office_closure_and_due_dates_move(app, client, login, db_session):
    login(client, "admin")
    page = client.post(
        "/holidayview/add",
        data={
            "date": "2026-11-25",
            "name": "Penutupan kantor",
            "category": "manual",
            "active": "y",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Data berhasil ditambahkan" in page
    closure = db_session.query(Holiday).filter_by(date=dt.date(2026, 11, 25)).one()
    assert closure.source == "admin"
    assert _due(app, "2026-11-24T10:00", "2 hari") == "2026-11-27T10:00:00+07:00"


def test_admin_reactivates_a_national_holiday_as_a_working_day(app, client, login, db_session):
    christmas = db_session.query(Holiday).filter_by(date=dt.date(2026, 12, 25)).one()
    assert christmas.category == "public"
    login(client, "admin")
    client.post(
        f"/holidayview/edit/{christmas.id}",
        data={
            "date": "2026-12-25",
            "name": christmas.name,
            "category": "public",
        },
    )
    assert _due(app, "2026-12-23T09:00", "1 hari") == "2026-12-25T09:00:00+07:00"


def test_holiday_list_shows_the_source(client, login):
    login(client, "staf")
    page = client.get("/holidayview/list/?_flt_2_name=Natal").get_data(as_text=True)
    assert "Natal" in page and "<td>Kalender nasional</td>" in page
    assert "<td>holidays package</td>" not in page


def test_office_hours_form_offers_named_days_and_saves_hh_mm(client, login, db_session):
    from app.models.calendar import WorkSchedule

    login(client, "admin")
    form = client.get("/workscheduleview/add").get_data(as_text=True)
    assert '<option value="5">Sabtu</option>' in form
    page = client.post("/workscheduleview/add", data={
        "weekday": "5", "start_time": "08:00", "end_time": "12:00", "note": "Piket",
    }, follow_redirects=True).get_data(as_text=True)
    assert "Data berhasil ditambahkan" in page
    row = db_session.query(WorkSchedule).filter_by(weekday=5).one()
    assert (row.start_time, row.end_time) == (dt.time(8, 0), dt.time(12, 0))
    edit = client.get(f"/workscheduleview/edit/{row.id}").get_data(as_text=True)
    assert '<option selected value="5">Sabtu</option>' in edit and 'value="08:00"' in edit
    listed = client.get("/workscheduleview/list/").get_data(as_text=True)
    assert "Sabtu" in listed and "08:00:00" not in listed


def test_holiday_form_shows_and_reads_dd_mm_yyyy(client, login, db_session):
    christmas = db_session.query(Holiday).filter_by(date=dt.date(2026, 12, 25)).one()
    login(client, "admin")
    form = client.get(f"/holidayview/edit/{christmas.id}").get_data(as_text=True)
    assert 'value="25-12-2026"' in form and 'data-date-format="dd-mm-yyyy"' in form
    page = client.post("/holidayview/add", data={
        "date": "27-11-2026", "name": "Penutupan kantor", "category": "manual", "active": "y",
    }, follow_redirects=True).get_data(as_text=True)
    assert "Data berhasil ditambahkan" in page
    assert db_session.query(Holiday).filter_by(name="Penutupan kantor").one().date == (
        dt.date(2026, 11, 27))


def _search_form(page: str) -> str:
    """FAB embeds the search form's fields in the page as JSON."""
    return page.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"')


def test_coded_columns_are_searched_by_label(client, login):
    login(client, "admin")
    hours = _search_form(client.get("/workscheduleview/list/").get_data(as_text=True))
    assert '<option value="4">Jumat</option>' in hours  # the search form's day
    friday = client.get("/workscheduleview/list/?_flt_0_weekday=4").get_data(as_text=True)
    assert "Jumat" in friday and "Senin" not in friday.split("Jumlah Data")[1]
    holidays = _search_form(client.get("/holidayview/list/").get_data(as_text=True))
    assert '<option value="government">Cuti bersama</option>' in holidays


def test_the_date_picker_speaks_the_users_language(client, login):
    login(client, "admin")
    page = client.get("/holidayview/add").get_data(as_text=True)
    assert 'data-date-format="dd-mm-yyyy"' in page and 'data-date-language="id"' in page
    script = client.get("/static/js/bootstrap-datepicker.id.js").get_data(as_text=True)
    assert 'src="/static/js/bootstrap-datepicker.id.js"' in page and '"Januari"' in script
    client.get("/lang/en")
    assert 'data-date-language="en"' in client.get("/holidayview/add").get_data(as_text=True)
