"""The document register (every document, filterable, exportable; a liaison sees its unit's),
the template versions with the admin's upload form, and the Documents menu. The item page's
document section is app/views/documents/pages.py; the public verification page verify.py."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.documents import Document, DocumentTemplate
from app.security import PersonalFilter
from app.services import documents
from app.views.base import BaseModelView
from app.views.computed import computed_columns, labelled
from app.views.cycles import format as fmt
from app.views.cycles.display import item_name, name_page_items
from app.views.documents.forms import TemplateUploadForm
from app.views.search_form import ChoiceSearchMixin

STATUS_LABELS = {"draft": _l("Draft"), "final": _l("Final"), "signed": _l("Signed")}
KIND_LABELS = {"memorandum": _l("Memorandum"), "surat": _l("Letter"),
               "keputusan": _l("Decree"), "peraturan": _l("Regulation"),
               "salinan": _l("Certified copy"), "teguran": _l("Written reprimand"),
               "laporan": _l("Evaluation report")}
VERSION_KIND_LABELS = {"generated": _l("Generated"), "uploaded": _l("Uploaded correction"),
                       "signed_scan": _l("Signed scan")}


class DocumentView(ChoiceSearchMixin, BaseModelView):
    """The register: numbers, titles, cycles, statuses; a liaison sees only its unit's."""

    datamodel = SQLAInterface(Document)
    scope_column = "org_unit"
    extra_base_filters = [["pelaksana_id", PersonalFilter, None]]
    base_permissions = ["can_read", "can_export"]
    show_template = "documents/document_show.html"
    list_title = show_title = _l("Document register")
    list_columns = ["number", "title", "cycle", "work_item", "kind", "status", "org_unit",
                    "created_at", "finalised_at"]
    show_columns = ["number", "title", "cycle", "work_item", "kind", "status", "org_unit",
                    "pelaksana", "created_by", "created_at", "finalised_by", "finalised_at",
                    "signed_at", "superseded_by"]
    search_columns = ["cycle", "code", "kind", "status", "number", "title", "created_at",
                      "finalised_at"]
    order_columns = ["number", "status", "created_at", "finalised_at"]
    base_order = ("created_at", "desc")
    search_choices = {"status": STATUS_LABELS, "kind": KIND_LABELS}
    label_columns = {
        "number": _l("Number"), "title": _l("Title"), "code": _l("Document type"),
        "cycle": _l("Cycle"), "work_item": _l("Step"), "kind": _l("Kind"),
        "status": _l("Status"), "org_unit": _l("Organisation unit"),
        "pelaksana": _l("Concerns (pelaksana)"), "created_by": _l("Created by"),
        "created_at": _l("Created on"),
        "finalised_by": _l("Finalised by"), "finalised_at": _l("Finalised"),
        "signed_at": _l("Signed"), "superseded_by": _l("Superseded by"),
        # read in the audit trail only: how the number was given, the step, the QR code's key
        "number_manual": _l("Number entered by hand"), "number_seq": _l("Sequence number"),
        "number_series": _l("Numbering series"), "number_year": _l("Number's year"),
        "step_code": _l("Step"), "verify_token": _l("Verification code"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, on_page=lambda docs: name_page_items([d.work_item for d in docs]),
                 status=labelled("status", STATUS_LABELS),
                 kind=labelled("kind", KIND_LABELS),
                 cycle=lambda doc: doc.cycle.code if doc.cycle else None,
                 work_item=lambda doc: item_name(doc.work_item) if doc.work_item else None)


class DocumentTemplateView(BaseModelView):
    """Template versions (read-only rows: a version's bytes never change) and the upload."""

    datamodel = SQLAInterface(DocumentTemplate)
    base_permissions = ["can_read", "can_export", "can_add"]
    list_title = _l("Document templates")
    list_columns = ["code", "version", "original_name", "size", "sha256", "active",
                    "uploaded_by", "uploaded_at"]
    search_columns = ["code", "version", "active", "uploaded_at"]
    order_columns = ["code", "version", "uploaded_at"]
    base_order = ("uploaded_at", "desc")
    label_columns = {
        "code": _l("Document type"), "version": _l("Version"),
        "original_name": _l("File name"), "size": _l("Size (bytes)"), "sha256": _l("SHA-256"),
        "active": _l("Active"), "uploaded_by": _l("Uploaded by"),
        "uploaded_at": _l("Uploaded"),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        computed_columns(self, code=lambda row: documents.document_types(db.session).get(row.code,
                                                                                 row.code))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = TemplateUploadForm()
        form.code.choices = sorted(documents.document_types(db.session).items(),
                                   key=lambda pair: pair[0])
        problems = []
        if request.method == "POST" and form.validate_on_submit():
            upload = form.file.data
            data = upload.read() if upload is not None and upload.filename else b""
            try:
                row = documents.upload_template(db.session, self.appbuilder.sm.current_user,
                                                form.code.data, getattr(upload, "filename", ""),
                                                data)
            except documents.TemplateInvalidError as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                flash(gettext("Template %(code)s version %(v)d is active.", code=row.code,
                              v=row.version), "success")
                return redirect(url_for("DocumentTemplateView.list"))
        return self.render_template("documents/template_upload.html", form=form,
                                    problems=problems, title=gettext("Upload a template"))


def register(appbuilder) -> None:
    from app.views.documents import pages, verify

    app = current_app
    app.jinja_env.filters.update({
        "iku_doc_status": lambda s: fmt.label(STATUS_LABELS, s),
        "iku_doc_kind": lambda s: fmt.label(KIND_LABELS, s),
        "iku_doc_version_kind": lambda s: fmt.label(VERSION_KIND_LABELS, s),
    })
    pages.register_item_section(app)
    label = _l("Documents")
    appbuilder.add_view(DocumentView, "Document register", label=_l("Document register"),
                        icon="fa-file-text", category="Documents", category_label=label)
    appbuilder.add_view(DocumentTemplateView, "Document templates",
                        label=_l("Document templates"), icon="fa-file-word-o",
                        category="Documents", category_label=label)
    appbuilder.add_view_no_menu(pages.DocumentActionView())
    appbuilder.add_view_no_menu(verify.PublicVerifyView())
    verify.limit_checks(app)
