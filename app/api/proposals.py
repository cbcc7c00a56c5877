"""REST API of change proposals (usulan perubahan IKU), mirroring app/views/proposals.py: the
same unit scope (a liaison's token reads only its unit's proposals; another unit's answers
404), the same verbs of app.services.proposals and their refusals as 422 in Indonesian.

POST / takes JSON {org_unit?, start_year, end_year, reason, description, indicators?: [id],
attachment: {filename, content_base64}} or multipart form fields with an `attachment` file,
as the cycle API's completion does."""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

from flask import current_app, request, send_file
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select

from app.api.base import BaseModelApi, path_operation
from app.extensions import db
from app.models.org import IkuUser
from app.models.proposals import ChangeProposal
from app.security import METHOD_PERMISSIONS
from app.services import db_errors
from app.services import proposals as service
from app.services.cycles.rules import Attachment

COLUMNS = ["id", "org_unit.id", "org_unit.name", "start_year", "end_year", "reason",
           "description", "status", "attachment_name", "attachment_size", "attachment_sha256",
           "submitted_at", "submitted_by.username", "decision_note", "decided_at",
           "decided_by_id", "cycle_id", "indicators.id", "indicators.code"]
_TEXT = {"type": "string"}
VERBS = {"decision": "decide", "withdraw": "withdraw", "attachment": "read"}


class ChangeProposalApi(BaseModelApi):
    datamodel = SQLAInterface(ChangeProposal)
    resource_name = "change-proposal"
    scope_column = "org_unit"
    include_route_methods = {"get", "get_list", "info", "post", *VERBS}
    method_permission_name = {**METHOD_PERMISSIONS, **VERBS}
    list_columns = show_columns = COLUMNS
    add_columns = ["org_unit", "start_year", "end_year", "reason", "description", "indicators"]
    search_columns = ["org_unit", "reason", "status", "start_year", "end_year", "submitted_at",
                      "decided_at"]
    order_columns = ["submitted_at", "decided_at", "status", "start_year"]
    base_order = ("submitted_at", "desc")
    openapi_spec_methods = {
        "decision": {"post": path_operation("Accept or reject a change proposal", {
            "decision": {"type": "string", "enum": ["accepted", "rejected"]}, "note": _TEXT})},
        "withdraw": {"post": path_operation("Withdraw the unit's change proposal")},
        "attachment": {"get": path_operation("Download the supporting document",
                                             responses=(200, 401, 403, 404))},
    }

    # Who decided is added by name after the query: a second nested account schema beside
    # submitted_by would collide in the OpenAPI document (both named "...IkuUser").
    def pre_get(self, data: dict) -> None:
        self._decider_names([data.get("result") or {}])

    def pre_get_list(self, data: dict) -> None:
        super().pre_get_list(data)
        self._decider_names(data.get("result") or [])

    @staticmethod
    def _decider_names(rows: list[dict]) -> None:
        ids = {row.get("decided_by_id") for row in rows} - {None}
        names = dict(db.session.execute(select(IkuUser.id, IkuUser.username).where(
            IkuUser.id.in_(ids))).all()) if ids else {}
        for row in rows:
            if "decided_by_id" in row:
                row["decided_by"] = {"username": names.get(row["decided_by_id"])}

    def _scoped(self, pk: int) -> ChangeProposal | None:
        return self.datamodel.get(pk, self._base_filters)

    def _result(self, item: ChangeProposal, status: int = 200):
        return self.response(status, id=item.id, result={
            "org_unit": item.org_unit_id, "period": item.period, "reason": item.reason,
            "reason_text": item.reason_text, "status": item.status,
            "decision_note": item.decision_note, "attachment_sha256": item.attachment_sha256})

    def _verb(self, call, *args, **kwargs):
        try:
            item = call(db.session, self.appbuilder.sm.current_user, *args, **kwargs)
        except ValueError as exc:
            db.session.rollback()
            messages = getattr(exc, "as_messages", None)
            return None, self.response_422(message=messages() if messages else str(exc))
        return item, None

    def post_headless(self):
        """Submit a proposal through the service (the form's rules, the file stored)."""
        body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object.")
        try:
            attachment = self._attachment(body)
            ids = body.get("indicators") or []
            if not request.is_json:
                ids = request.form.getlist("indicators")
            if not isinstance(ids, list):
                raise ValueError("indicators harus berupa daftar id.")
            ids = [db_errors.as_db_int(i) for i in ids]
            unit, start, end = (db_errors.as_db_int(body.get(k))
                                for k in ("org_unit", "start_year", "end_year"))
            if None in ids:
                raise ValueError("indicators harus berupa daftar id.")
            for key in ("reason", "description"):
                if body.get(key) is not None and not isinstance(body[key], str):
                    raise ValueError(f"{key} harus berupa teks.")
        except ValueError as exc:
            return self.response_422(message=str(exc))
        item, refusal = self._verb(
            service.submit_proposal, org_unit_id=unit, start_year=start, end_year=end,
            reason=body.get("reason") or "", description=body.get("description") or "",
            attachment=attachment, indicator_ids=ids)
        return refusal or self._result(item, 201)

    @staticmethod
    def _attachment(body: dict) -> Attachment | None:
        upload = request.files.get("attachment")
        if upload is not None and upload.filename:
            return Attachment(upload.filename, upload.read())
        spec = body.get("attachment")
        if not spec:
            return None
        if not isinstance(spec, dict):
            raise ValueError("Lampiran harus berupa objek {filename, content_base64}.")
        try:
            content = base64.b64decode(spec.get("content_base64") or "", validate=True)
        except (binascii.Error, TypeError, ValueError) as exc:
            raise ValueError("Lampiran harus berupa base64 yang sah.") from exc
        filename = spec.get("filename") or ""
        if not isinstance(filename, str):
            raise ValueError("filename harus berupa teks.")
        return Attachment(filename, content)

    @expose("/<int:pk>/decision", methods=["POST"])
    @protect()
    @safe
    def decision(self, pk: int):
        """Accept or reject: {decision: accepted|rejected, note (required to reject)}."""
        if self._scoped(pk) is None:
            return self.response_404()
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        decision, note = body.get("decision"), body.get("note")
        if not isinstance(decision, str | None) or not isinstance(note, str | None):
            return self.response_422(message="decision dan note harus berupa teks.")
        item, refusal = self._verb(service.decide_proposal, pk, decision=decision or "",
                                   note=note)
        return refusal or self._result(item)

    @expose("/<int:pk>/withdraw", methods=["POST"])
    @protect()
    @safe
    def withdraw(self, pk: int):
        """The proposing unit's liaison takes its proposal back while it waits."""
        if self._scoped(pk) is None:
            return self.response_404()
        item, refusal = self._verb(service.withdraw_proposal, pk)
        return refusal or self._result(item)

    @expose("/<int:pk>/attachment", methods=["GET"])
    @protect()
    @safe
    def attachment(self, pk: int):
        """The supporting document, in scope only, checked against its recorded SHA-256."""
        item = self._scoped(pk)
        if item is None:
            return self.response_404()
        root = Path(current_app.instance_path).resolve()
        path = (root / item.attachment_path).resolve()
        if root not in path.parents or not path.is_file():
            return self.response_404()
        if hashlib.sha256(path.read_bytes()).hexdigest() != item.attachment_sha256:
            return self.response(409, message="Berkas tersimpan tidak cocok dengan sidik SHA-256.")
        return send_file(path, as_attachment=True, download_name=item.attachment_name,
                         mimetype="application/octet-stream")


def register(appbuilder) -> None:
    appbuilder.add_api(ChangeProposalApi)
