"""REST API of final-draft submissions: read (scoped: another unit's answers 404) and create
through the same service as the form (app.services.submissions). The memo comes as in the
cycle API's attachments: JSON {"memo": {"filename", "content_base64"}} or a multipart upload
`memo` with the other fields as form fields."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from flask import request
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import BaseModelApi
from app.api.cycles import _iso
from app.extensions import db
from app.models.submissions import FinalSubmission
from app.security import current_scope_unit_id
from app.services import submissions as service
from app.services.cycles import Attachment

COLUMNS = ["id", "cycle_id", "cycle.code", "org_unit_id", "org_unit.code", "org_unit.name",
           "work_item_id", "approver_name", "approver_position", "approved_on", "memo_name",
           "memo_sha256", "memo_size", "note", "submitted_by.username", "submitted_at",
           "due_at", "late"]


class FinalSubmissionApi(BaseModelApi):
    datamodel = SQLAInterface(FinalSubmission)
    resource_name = "final-submission"
    scope_column = "org_unit"
    include_route_methods = {"get", "get_list", "info", "post"}
    list_columns = show_columns = COLUMNS
    add_columns = ["cycle_id", "org_unit_id", "approver_name", "approver_position",
                   "approved_on", "note"]
    search_columns = ["cycle", "org_unit", "approver_name", "approved_on", "submitted_at",
                      "late"]
    order_columns = ["approved_on", "submitted_at", "due_at", "late"]
    base_order = ("submitted_at", "desc")

    def post_headless(self):
        """Submit a unit's final draft: {cycle_id, org_unit_id? (bureau), approver_name,
        approver_position, approved_on (YYYY-MM-DD), note?, memo: {filename, content_base64}}
        or the same as multipart form fields with a `memo` file."""
        body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object.")
        errors = {}
        cycle_id = _int(body.get("cycle_id"))
        if cycle_id is None:
            errors["cycle_id"] = ["Wajib diisi: id siklus."]
        unit_id = _int(body.get("org_unit_id"))
        if body.get("org_unit_id") not in (None, "") and unit_id is None:
            errors["org_unit_id"] = ["Harus berupa id satuan organisasi."]
        try:
            approved_on = dt.date.fromisoformat(str(body.get("approved_on") or ""))
        except ValueError:
            approved_on = None
            errors["approved_on"] = ["Tanggal persetujuan wajib diisi (YYYY-MM-DD)."]
        texts = {}
        for name in ("approver_name", "approver_position", "note"):
            value = body.get(name)
            if value is not None and not isinstance(value, str):
                errors[name] = ["Harus berupa teks."]
            texts[name] = value
        try:
            memo = _memo(body)
        except ValueError as exc:
            errors["memo"] = [str(exc)]
            memo = None
        if errors:
            return self.response_422(message=errors)
        scope = current_scope_unit_id()
        if scope is not None and unit_id not in (None, scope):
            return self.response_404()
        try:
            saved = service.submit_final_draft(
                db.session, self.appbuilder.sm.current_user, cycle_id,
                approver_name=texts["approver_name"], approver_position=texts["approver_position"],
                approved_on=approved_on, memo=memo, note=texts["note"], org_unit_id=unit_id)
        except ValueError as exc:
            db.session.rollback()
            messages = getattr(exc, "as_messages", None)
            return self.response_422(message=messages() if messages else str(exc))
        return self.response(201, id=saved.id, result={
            "cycle_id": saved.cycle_id, "org_unit_id": saved.org_unit_id,
            "work_item_id": saved.work_item_id, "memo_sha256": saved.memo_sha256,
            "submitted_at": _iso(saved.submitted_at), "due_at": _iso(saved.due_at),
            "late": saved.late})


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _memo(body: dict) -> Attachment | None:
    upload = request.files.get("memo")
    if upload is not None and upload.filename:
        return Attachment(upload.filename, upload.read())
    spec = body.get("memo")
    if not spec:
        return None
    if not isinstance(spec, dict):
        raise ValueError("memo harus berupa objek {filename, content_base64}.")
    try:
        content = base64.b64decode(spec.get("content_base64") or "", validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise ValueError("Memo harus berupa base64 yang sah.") from exc
    filename = spec.get("filename") or ""
    if not isinstance(filename, str):
        raise ValueError("filename harus berupa teks.")
    return Attachment(filename, content)


def register(appbuilder) -> None:
    appbuilder.add_api(FinalSubmissionApi)
