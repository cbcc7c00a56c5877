"""REST API of complaints: read (scoped like the pages: another unit's answers 404; the
complainant as `complainant_listed`, "dirahasiakan" when confidential) and file one through
the same service as the form; the answer carries the ticket and, once, the secret code."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import BaseModelApi, path_operation
from app.api.submissions import _int
from app.extensions import db
from app.models.complaints import Complaint
from app.models.supervision import SupervisionRecord
from app.security import METHOD_PERMISSIONS
from app.services import complaints as service
from app.services.supervision import SupervisionScopeFilter

COLUMNS = ["id", "ticket", "kind", "channel", "subject", "description", "org_unit_id",
           "org_unit.name", "complainant_listed", "confidential", "status", "received_at",
           "verify_due_at", "verified_at", "follow_up_due_at", "responded_at", "response",
           "reason", "cycle_id", "pelaksana_id"]


class ComplaintApi(BaseModelApi):
    datamodel = SQLAInterface(Complaint)
    resource_name = "complaint"
    scope_column = "org_unit"
    include_route_methods = {"get", "get_list", "info", "post", "act"}
    method_permission_name = {**METHOD_PERMISSIONS, "act": "act"}
    openapi_spec_methods = {"act": {"post": path_operation(
        "Act on a complaint (verb: verify, reject, archive, assign, draft, return, send, "
        "reopen, pause, resume, comment)", {
            "note": {"type": "string"}, "response": {"type": "string"},
            "user_id": {"type": "integer"}, "expected_version": {"type": "integer"}})}}
    list_columns = show_columns = COLUMNS
    add_columns = ["kind", "subject", "description"]
    search_columns = ["ticket", "kind", "status", "org_unit", "received_at"]
    order_columns = ["received_at", "ticket", "status"]
    base_order = ("received_at", "desc")

    def post_headless(self):
        """File a complaint: {kind, subject, description, complainant_name?, complainant_contact?,
        complainant_email?, confidential?, channel? (bureau), org_unit_id? (bureau), cycle_id?, work_item_id?
        (a step of that cycle), pelaksana_id?}."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object.")
        texts = {}
        for name in ("kind", "subject", "description", "complainant_name", "complainant_contact",
                     "complainant_email", "channel"):
            value = body.get(name)
            if value is not None and not isinstance(value, str):
                return self.response_422(message={name: ["Harus berupa teks."]})
            texts[name] = value
        try:
            filed = service.file_complaint(
                db.session, self.appbuilder.sm.current_user, **texts,
                confidential=bool(body.get("confidential")),
                org_unit_id=_int(body.get("org_unit_id")), cycle_id=_int(body.get("cycle_id")),
                work_item_id=_int(body.get("work_item_id")),
                pelaksana_id=_int(body.get("pelaksana_id")))
        except ValueError as exc:
            db.session.rollback()
            messages = getattr(exc, "as_messages", None)
            return self.response_422(message=messages() if messages else str(exc))
        c = filed.complaint
        return self.response(201, id=c.id, result={
            "ticket": c.ticket, "secret_code": filed.secret_code, "status": c.status,
            "org_unit_id": c.org_unit_id})


    @expose("/<int:pk>/act/<verb>", methods=["POST"])
    @protect()
    def act(self, pk: int, verb: str):
        """Act on a complaint: {note?, response?, user_id? (verify: the Kabag; assign: the
        handler), expected_version?}; the engine decides whether this user may."""
        if self.datamodel.get(pk, self._base_filters) is None or verb not in service.VERB_NAMES:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            body = {}
        for name in ("note", "response"):
            if body.get(name) is not None and not isinstance(body[name], str):
                return self.response_422(message={name: ["Harus berupa teks."]})
        version = body.get("expected_version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            return self.response_422(message={"expected_version": ["Harus bilangan bulat."]})
        try:
            c = service.perform(db.session, self.appbuilder.sm.current_user, pk, verb,
                                note=body.get("note"), response=body.get("response"),
                                target_user_id=_int(body.get("user_id")), version=version)
        except ValueError as exc:
            db.session.rollback()
            messages = getattr(exc, "as_messages", None)
            return self.response_422(message=messages() if messages else str(exc))
        return self.response(200, id=c.id, result={
            "status": c.status, "version_id": c.version_id,
            "delegated_to_id": c.delegated_to_id, "handler_id": c.handler_id})


class SupervisionRecordApi(BaseModelApi):
    datamodel = SQLAInterface(SupervisionRecord)
    resource_name = "supervision-record"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id", "kind", "pelaksana_id", "pelaksana.name",
                                   "supervisor_id", "held_on", "finding", "work_item_ids",
                                   "complaint_ids", "follow_up", "follow_up_due",
                                   "follow_up_done_at", "document_id"]
    order_columns = ["held_on"]
    base_order = ("held_on", "desc")

    def __init__(self, **kwargs):
        self.extra_base_filters = [["id", SupervisionScopeFilter, None]]
        super().__init__(**kwargs)


def register(appbuilder) -> None:
    appbuilder.add_api(ComplaintApi)
    appbuilder.add_api(SupervisionRecordApi)
