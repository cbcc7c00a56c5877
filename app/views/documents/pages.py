"""The documents of a work item's page: generate (values first, free text editable), upload a
corrected version, finalise, upload the signed scan; and the download of any version.

Every POST calls the service once and flashes its answer; the service decides who may act
(the person who may act on the item) and in which state. Downloads go through the service too:
a liaison gets only its unit's documents (404 otherwise), and every download is logged.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models.cycles import WorkItem
from app.security import current_scope_unit_id
from app.services import documents
from app.services.cycles.errors import CycleError
from app.services.documents import render as doc_render
from app.views.documents.forms import (
    FinaliseForm,
    SignedScanForm,
    UploadVersionForm,
    generate_form,
)


def current_user():
    from flask import current_app

    return current_app.appbuilder.sm.current_user


def run_service(call, *args, **kwargs):
    """Call the service; a refusal is flashed in its own words (it rolled back already)."""
    try:
        return call(db.session, current_user(), *args, **kwargs)
    except (documents.DocumentError, CycleError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return None


def _upload(form):
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, None
    return upload.filename, upload.read()


def preview_rows(context: dict) -> list[tuple[str, str]]:
    """The values a document will show, as lines a person reads before generating."""
    rows = []
    for key, value in context.items():
        if isinstance(value, list):
            if value and all(isinstance(v, dict) for v in value):
                text = gettext("%(n)d row(s)", n=len(value))
            else:
                text = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            text = "; ".join(f"{k}: {v}" for k, v in value.items() if not isinstance(v, list | dict))
        else:
            text = "" if value is None else str(value)
        rows.append((key, text[:500] or "–"))
    return rows


class DocumentActionView(BaseView):
    route_base = "/documents"
    default_view = "download"
    class_permission_name = "Document"
    method_permission_name = {"new": "act", "upload": "act", "finalise": "act",
                              "signed": "act", "download": "read"}

    def _item(self, item_id: int) -> WorkItem:
        item = db.session.get(WorkItem, item_id)
        unit = current_scope_unit_id()
        if item is None or (unit is not None and item.org_unit_id != unit):
            abort(404)
        return item

    def _back(self, item_id: int):
        return redirect(url_for("TasksView.item", item_id=item_id) + "#documents")

    @expose("/item/<int:item_id>/new/<code>", methods=["GET", "POST"])
    @has_access
    def new(self, item_id: int, code: str):
        self._item(item_id)
        anchor, slots = documents.item_documents(db.session, item_id)
        slot = next((s for s in slots if s.code == code), None)
        if anchor is None or slot is None:
            abort(404)
        try:
            fields = doc_render.editable_fields(code)
        except documents.DocumentError as exc:
            flash(str(exc), "danger")
            return self._back(item_id)
        values = {}
        if slot.current is not None and slot.current.versions:
            values = (slot.current.versions[-1].context or {}).get("fields") or {}
        form = generate_form(fields, values, request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            typed = {name: getattr(form, f"f_{name}").data or "" for name, _label in fields}
            if "preview" not in request.form:
                doc = run_service(documents.generate, item_id, code, typed,
                                  correction=bool(form.correction.data))
                if doc is not None:
                    flash(gettext("The document was generated as a new draft version."),
                          "success")
                    return self._back(item_id)
            values = typed
        try:
            context = doc_render.build_context(db.session, code, anchor.id, None, values)
        except documents.DocumentError as exc:
            flash(str(exc), "danger")
            context = {}
        return self.render_template(
            "documents/generate.html", item_id=item_id, slot=slot, form=form,
            rows=preview_rows(context), title=gettext("Generate: %(t)s", t=slot.title))

    @expose("/item/<int:item_id>/<int:document_id>/upload", methods=["POST"])
    @has_access
    def upload(self, item_id: int, document_id: int):
        self._item(item_id)
        form = UploadVersionForm()
        name, data = _upload(form)
        if not form.validate_on_submit() or data is None:
            flash(gettext("Choose a file to upload."), "danger")
        elif run_service(documents.upload_version, item_id, document_id, name, data,
                         note=form.note.data) is not None:
            flash(gettext("The corrected file was kept as a new version."), "success")
        return self._back(item_id)

    @expose("/item/<int:item_id>/<int:document_id>/finalise", methods=["POST"])
    @has_access
    def finalise(self, item_id: int, document_id: int):
        self._item(item_id)
        form = FinaliseForm()
        if not form.validate_on_submit():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "danger")
            return self._back(item_id)
        doc = run_service(documents.finalise, item_id, document_id,
                          manual_number=form.number.data or None)
        if doc is not None:
            flash(gettext("The document is final: %(number)s.",
                          number=doc.number or gettext("number to be given by Biro Tata Usaha")),
                  "success")
        return self._back(item_id)

    @expose("/item/<int:item_id>/<int:document_id>/signed", methods=["POST"])
    @has_access
    def signed(self, item_id: int, document_id: int):
        self._item(item_id)
        form = SignedScanForm()
        name, data = _upload(form)
        if not form.validate_on_submit() or data is None:
            flash(gettext("Choose a file to upload."), "danger")
        elif run_service(documents.upload_signed_scan, item_id, document_id, name, data,
                         manual_number=form.number.data or None) is not None:
            flash(gettext("The signed scan was kept; the document is signed."), "success")
        return self._back(item_id)

    @expose("/<int:document_id>/download")
    @has_access
    def download(self, document_id: int):
        version = request.args.get("version", type=int)
        file_format = request.args.get("format", "docx")
        try:
            found = documents.download(db.session, current_user(), document_id, version,
                                       file_format)
        except documents.DocumentNotFoundError:
            db.session.rollback()
            abort(404)
        except documents.DocumentError as exc:
            db.session.rollback()
            flash(str(exc), "warning")
            return redirect(request.referrer or url_for("DocumentView.list"))
        return send_file(io.BytesIO(found.data), mimetype=found.mimetype, as_attachment=True,
                         download_name=found.filename)


def item_section(item_id: int):
    """For templates/cycles/item.html: the item's document slots and the forms, or None."""
    from flask import current_app

    sm = current_app.appbuilder.sm
    if not sm.has_access("can_read", "Document"):
        return None
    anchor, slots = documents.item_documents(db.session, item_id)
    if anchor is None:
        return None
    unit = current_scope_unit_id()
    if unit is not None:  # a liaison: only its unit's documents
        for slot in slots:
            slot.documents[:] = [d for d in slot.documents if d.org_unit_id == unit]
    return {"anchor": anchor, "slots": slots, "can_act": sm.has_access("can_act", "Document"),
            "pdf": documents.pdf_available(), "upload": UploadVersionForm(formdata=None),
            "finalise": FinaliseForm(formdata=None), "signed": SignedScanForm(formdata=None)}


def document_in_scope(document_id):
    """For the register's show page: the document with its versions, if the user sees it."""
    try:
        return documents.visible(db.session, current_user(), int(document_id))
    except (documents.DocumentError, TypeError, ValueError):
        return None


def register_item_section(app) -> None:
    app.jinja_env.globals["iku_item_documents"] = item_section
    app.jinja_env.globals["iku_document"] = document_in_scope
    app.jinja_env.globals["iku_pdf_available"] = documents.pdf_available
