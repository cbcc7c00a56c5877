

def test_a_refused_edit_on_a_page_flashes_the_words_not_a_fixed_text(app):
    from app.services import db_errors

    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "OrgUnitView")
    with app.test_request_context("/orgunitview/edit/1", method="POST"):
        assert str(view.database_error_message) == "Kesalahan Basis Data"
        db_errors.remember(db_errors.RecordRejectedError("Kode sudah dipakai oleh data lain."))
        assert view.database_error_message == "Kode sudah dipakai oleh data lain."
