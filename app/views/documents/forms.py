"""The forms of the document pages (Flask-WTF: every POST carries the CSRF token). They check
only what a form can; whether the action is allowed is the service's answer."""

from __future__ import annotations

from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.views.cycles.forms import CONFIRM


class UploadVersionForm(DynamicForm):
    file = FileField(_l("Corrected file (DOCX or PDF)"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class FinaliseForm(DynamicForm):
    number = StringField(_l("Number given by Biro Tata Usaha"),
                         validators=[Optional(), Length(max=60)],
                         description=_l("e.g. 12 or NOMOR 12 TAHUN 2027"))
    confirm = BooleanField(_l("I confirm: the document becomes final and can no longer be "
                              "changed."), validators=[InputRequired(message=CONFIRM)])


class SignedScanForm(DynamicForm):
    file = FileField(_l("Scan of the signed document (PDF)"))
    number = StringField(_l("Number given by Biro Tata Usaha"),
                         validators=[Optional(), Length(max=60)],
                         description=_l("e.g. 12 or NOMOR 12 TAHUN 2027"))


class VerifyFileForm(DynamicForm):
    file = FileField(_l("File to check"))


class TemplateUploadForm(DynamicForm):
    code = SelectField(_l("Document type"), validators=[DataRequired()])
    file = FileField(_l("Template (DOCX)"))


def generate_form(fields: list[tuple[str, str]], values: dict, formdata=None):
    """The generate form of one document type: its free-text parts, prefilled."""

    class GenerateForm(DynamicForm):
        correction = BooleanField(_l("Correction: supersede the final document"))

    for name, label in fields:
        setattr(GenerateForm, f"f_{name}", TextAreaField(label, validators=[Optional()]))
    form = GenerateForm(formdata=formdata)
    if formdata is None:
        for name, _label in fields:
            getattr(form, f"f_{name}").data = values.get(name, "")
    return form
