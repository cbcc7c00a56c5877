"""REST API of documents: the register (scoped: a liaison gets its unit's, 404 for others),
the download of any version as DOCX or PDF, and generate, upload a corrected version, finalise
and upload the signed scan for the bureau (files as multipart `attachment` or base64 JSON).

Same permissions as the pages (Document: read/export/act) and the same service: a refusal is
422 with its message, a document out of scope or unknown is 404.
"""

from __future__ import annotations

import io

from flask import request, send_file
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import path_operation
from app.api.cycles import EngineApi, _iso
from app.extensions import db
from app.models.documents import Document
from app.security import METHOD_PERMISSIONS, PersonalFilter
from app.services import db_errors, documents

COLUMNS = ["id", "code", "title", "kind", "cycle_id", "cycle.code", "work_item_id",
           "step_code", "org_unit.code", "number", "number_manual", "status",
           "superseded_by_id", "created_at", "finalised_at", "signed_at"]
ACTIONS = {"download": "read", "generate": "act", "finalise": "act", "upload": "act",
           "signed_scan": "act"}
_TEXT = {"type": "string"}
_FILE = {"attachment": {"type": "object", "properties": {"filename": _TEXT,
                                                        "content_base64": _TEXT}}}


class DocumentApi(EngineApi):
    datamodel = SQLAInterface(Document)
    resource_name = "document"
    scope_column = "org_unit"
    extra_base_filters = [["pelaksana_id", PersonalFilter, None]]
    include_route_methods = {"get", "get_list", "info", *ACTIONS}
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    list_columns = show_columns = COLUMNS
    search_columns = ["cycle", "code", "kind", "status", "number", "created_at"]
    order_columns = ["number", "status", "created_at", "finalised_at"]
    base_order = ("created_at", "desc")
    openapi_spec_methods = {
        "finalise": {"post": path_operation("Finalise (number, freeze) a document", {
            "item_id": {"type": "integer"}, "number": _TEXT})},
        "upload": {"post": path_operation("Upload a corrected version (DOCX or PDF) of a draft", {
            "item_id": {"type": "integer"}, "note": _TEXT, **_FILE}, (201, 401, 403, 404, 422))},
        "signed_scan": {"post": path_operation("Upload the signed scan (PDF) of a final document", {
            "item_id": {"type": "integer"}, "number": _TEXT, **_FILE}, (201, 401, 403, 404, 422))},
    }

    def _engine(self, call, *args, **kwargs):
        try:
            return call(db.session, self.appbuilder.sm.current_user, *args, **kwargs), None
        except documents.DocumentNotFoundError:
            db.session.rollback()
            return None, self.response_404()
        except ValueError as exc:
            db.session.rollback()
            return None, self.response_422(message=str(exc))

    def _in_scope(self, pk: int) -> bool:
        return self.datamodel.get(pk, self._base_filters) is not None

    @expose("/<int:pk>/download", methods=["GET"])
    @protect()
    def download(self, pk: int):
        """A version's file: ?version=<n> (default the latest) &format=docx|pdf."""
        if not self._in_scope(pk):
            return self.response_404()
        version = request.args.get("version", type=int)
        found, refusal = self._engine(documents.download, pk, version,
                                      request.args.get("format", "docx"))
        if refusal is not None:
            return refusal
        return send_file(io.BytesIO(found.data), mimetype=found.mimetype, as_attachment=True,
                         download_name=found.filename)

    @expose("/generate", methods=["POST"])
    @protect()
    def generate(self):
        """Generate a document at a work item: {item_id, doc_code, fields?, correction?}."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object.")
        item_id = db_errors.as_db_int(body.get("item_id"))
        fields = body.get("fields") or {}
        if item_id is None or not isinstance(body.get("doc_code"), str) \
                or not isinstance(fields, dict):
            return self.response_422(message="item_id, doc_code dan fields (objek) wajib sah.")
        doc, refusal = self._engine(documents.generate, item_id, body["doc_code"], fields,
                                    correction=bool(body.get("correction")))
        if refusal is not None:
            return refusal
        return self.response(201, id=doc.id, result=self._result(doc))

    @expose("/<int:pk>/finalise", methods=["POST"])
    @protect()
    def finalise(self, pk: int):
        """Finalise a document: {item_id, number?} (number: given by hand, decrees)."""
        if not self._in_scope(pk):
            return self.response_404()
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        item_id = db_errors.as_db_int(body.get("item_id"))
        number = body.get("number")
        if item_id is None or (number is not None and not isinstance(number, str)):
            return self.response_422(message="item_id wajib diisi; number berupa teks.")
        doc, refusal = self._engine(documents.finalise, item_id, pk, manual_number=number)
        if refusal is not None:
            return refusal
        return self.response(200, id=doc.id, result=self._result(doc))

    @expose("/<int:pk>/upload", methods=["POST"])
    @protect()
    def upload(self, pk: int):
        """A reviewer's corrected file, a new version of a draft: {item_id, note?, attachment}."""
        return self._file_action(pk, documents.upload_version, "note")

    @expose("/<int:pk>/signed-scan", methods=["POST"])
    @protect()
    def signed_scan(self, pk: int):
        """The scan of the signed paper (PDF): {item_id, number?, attachment}; number is the
        one Biro Tata Usaha gave a decree or regulation numbered by hand."""
        return self._file_action(pk, documents.upload_signed_scan, "number")

    def _file_action(self, pk: int, call, text_field: str):
        if not self._in_scope(pk):
            return self.response_404()
        body = self._body()
        item_id = db_errors.as_db_int(body.get("item_id"))
        text = body.get(text_field)
        try:
            attachment = self._attachment()
        except ValueError as exc:
            return self.response_422(message=str(exc))
        if item_id is None or attachment is None or (text is not None and not isinstance(text, str)):
            return self.response_422(
                message=f"item_id dan attachment (berkas) wajib diisi; {text_field} berupa teks.")
        keyword = {"note": "note", "number": "manual_number"}[text_field]
        version, refusal = self._engine(call, item_id, pk, attachment.filename, attachment.data,
                                        **{keyword: text})
        if refusal is not None:
            return refusal
        doc = db.session.get(Document, pk)
        return self.response(201, id=pk, result={**self._result(doc), "version": version.n,
                                                 "sha256": version.sha256})

    @staticmethod
    def _result(doc: Document) -> dict:
        latest = documents.latest_version(db.session, doc.id)
        return {"code": doc.code, "title": doc.title, "status": doc.status,
                "number": doc.number, "verify_token": doc.verify_token
                if doc.status != "draft" else None,
                "version": latest.n if latest else None,
                "sha256": latest.sha256 if latest else None,
                "finalised_at": _iso(doc.finalised_at)}


def register(appbuilder) -> None:
    appbuilder.add_api(DocumentApi)

