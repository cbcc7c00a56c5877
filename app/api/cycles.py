"""REST API of cycles: read cycles, items and events; start a cycle; act on an item.

Same permissions as the pages (Cycle: read/export/start; WorkItem: read/export/act/reassign;
WorkEvent: read/export) and the same engine: a refusal is 422 with the engine's message, an
item changed by someone else since `expected_version` (or in a lost race) is 409, an item
outside a liaison's unit is 404 exactly as on the pages.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt

from flask import request
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.exc import SQLAlchemyError

from app.api.base import BaseModelApi, path_operation
from app.extensions import db
from app.models.cycles import Cycle, WorkEvent, WorkItem
from app.security import METHOD_PERMISSIONS
from app.services import cycles, db_errors
from app.services import standards as standards_service
from app.services.cycles import inbox as cycles_inbox
from app.services.cycles.errors import WorkItemConflictError
from app.services.cycles.flow import from_db

CYCLE_COLUMNS = ["id", "code", "title", "period", "reason", "reason_note", "status",
                 "standard.code", "standard.version", "started_at", "planned_end",
                 "completed_at", "cancelled_at"]
ITEM_COLUMNS = ["id", "cycle_id", "cycle.code", "parent_id", "position", "code", "step_code",
                "label", "title", "kind", "status", "is_leaf", "actor_name", "on_behalf_of",
                "section.name", "org_unit.code", "org_unit.name", "assignee_user_id",
                "assignee.username", "time_text", "planned_start", "planned_due", "ready_at",
                "due_at", "started_at", "completed_at", "version_id"]
EVENT_COLUMNS = ["id", "cycle_id", "item_id", "item.code", "action", "user.username",
                 "on_behalf_of", "note", "attachment_name", "attachment_sha256",
                 "attachment_size", "details", "occurred_at"]


def _iso(value: dt.datetime | None) -> str | None:
    return from_db(value).isoformat() if value is not None else None


_TEXT = {"type": "string"}
_VERSION = {"expected_version": {"type": "integer"}}


class EngineApi(BaseModelApi):
    def engine(self, call, *args, **kwargs):
        """The engine's answer as HTTP: its refusals are the client's to fix (422), a lost
        race or a stale expected_version is a conflict (409)."""
        try:
            return call(db.session, self.appbuilder.sm.current_user, *args, **kwargs), None
        except WorkItemConflictError as exc:
            db.session.rollback()
            return None, self.response(409, message=str(exc))
        except ValueError as exc:
            db.session.rollback()
            return None, self.response_422(message=str(exc))
        except (SQLAlchemyError, OverflowError) as exc:
            db.session.rollback()
            if not db_errors.is_input_error(exc):
                raise
            return None, self.response_422(message=str(db_errors.explain(exc)))

    @staticmethod
    def _body() -> dict:
        """The request's fields: a JSON object, or the form fields of a multipart upload."""
        if request.is_json:
            body = request.get_json(silent=True)
            return body if isinstance(body, dict) else {}
        body = request.form.to_dict()
        if "expected_version" in body:
            with contextlib.suppress(ValueError):
                body["expected_version"] = int(body["expected_version"])
        return body

    @staticmethod
    def _attachment():
        """The uploaded file: multipart `attachment`, or JSON {attachment: {filename,
        content_base64}} for clients that only speak JSON."""
        upload = request.files.get("attachment")
        if upload is not None and upload.filename:
            return cycles.Attachment(upload.filename, upload.read())
        data = request.get_json(silent=True) if request.is_json else None
        spec = data.get("attachment") if isinstance(data, dict) else None
        if not spec:
            return None
        try:
            content = base64.b64decode(spec.get("content_base64") or "", validate=True)
        except (binascii.Error, AttributeError, TypeError) as exc:
            raise ValueError("Lampiran harus berupa base64 yang sah.") from exc
        filename = spec.get("filename") or ""
        if not isinstance(filename, str):
            raise ValueError("filename harus berupa teks.")
        return cycles.Attachment(filename, content)


class CycleApi(EngineApi):
    datamodel = SQLAInterface(Cycle)
    resource_name = "cycle"
    scope_column = "units.org_unit"  # a liaison reads the cycles its unit takes part in
    include_route_methods = {"get", "get_list", "info", "post", "cancel"}
    method_permission_name = {**METHOD_PERMISSIONS, "post": "start", "cancel": "start"}
    list_columns = show_columns = CYCLE_COLUMNS
    add_columns = ["code", "period", "reason", "title", "reason_note"]
    search_columns = ["code", "period", "reason", "status", "started_at"]
    order_columns = ["code", "period", "status", "started_at", "planned_end"]
    base_order = ("started_at", "desc")
    openapi_spec_methods = {
        "cancel": {"post": path_operation("Cancel a cycle for good", {"reason": _TEXT})},
    }

    def post_headless(self):
        """Start a cycle: {standard_code?, code, period, reason, title?, reason_note?,
        unit_codes? | unit_ids?} (no units: all active units)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object.")
        standard = body.get("standard_code")
        if not standard:
            current = standards_service.current_standards(db.session)
            if len(current) != 1:
                return self.response_422(message="standard_code wajib diisi.")
            standard = current[0].code
        units = body.get("unit_ids")
        try:
            if body.get("unit_codes") is not None:
                units = cycles_inbox.unit_ids_for_codes(db.session, list(body["unit_codes"]))
            elif units is not None:
                units = [int(u) for u in units]
        except (TypeError, ValueError) as exc:
            return self.response_422(message=str(exc))
        cycle, refusal = self.engine(
            cycles.start_cycle, standard_code=standard, code=str(body.get("code") or ""),
            period=str(body.get("period") or ""), reason=str(body.get("reason") or ""),
            title=body.get("title"), reason_note=body.get("reason_note"), unit_ids=units,
        )
        if refusal is not None:
            return refusal
        return self.response(201, id=cycle.id, result={
            "code": cycle.code, "title": cycle.title, "period": cycle.period,
            "reason": cycle.reason, "status": cycle.status,
            "started_at": _iso(cycle.started_at), "planned_end": _iso(cycle.planned_end),
        })

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    def cancel(self, pk: int):
        """Cancel a cycle for good: {reason}."""
        body = request.get_json(silent=True)
        reason = body.get("reason") if isinstance(body, dict) else None
        if reason is not None and not isinstance(reason, str):
            return self.response_422(message="reason harus berupa teks.")
        cycle, refusal = self.engine(cycles.cancel_cycle, pk, reason=reason or "")
        if refusal is not None:
            return refusal
        return self.response(200, id=cycle.id, result={
            "code": cycle.code, "status": cycle.status,
            "cancelled_at": _iso(cycle.cancelled_at)})


ACTIONS = {"act_start": "act", "act_complete": "act", "act_return": "act", "act_pause": "act",
           "act_resume": "act", "act_reassign": "reassign"}


class WorkItemApi(EngineApi):
    datamodel = SQLAInterface(WorkItem)
    resource_name = "work-item"
    scope_column = "org_unit"
    include_route_methods = {"get", "get_list", "info", *ACTIONS}
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    list_columns = show_columns = ITEM_COLUMNS
    search_columns = ["cycle", "code", "step_code", "kind", "status", "section", "org_unit",
                      "assignee", "due_at", "is_leaf"]
    order_columns = ["position", "code", "status", "due_at"]
    base_order = ("position", "asc")
    openapi_spec_methods = {
        "act_start": {"post": path_operation("Start work on an item", {"note": _TEXT, **_VERSION})},
        "act_complete": {"post": path_operation("Complete an item", {
            "note": _TEXT, **_VERSION, "attachment": {"type": "object", "properties": {
                "filename": _TEXT, "content_base64": _TEXT}}})},
        "act_return": {"post": path_operation("Send an item back", {"reason": _TEXT, **_VERSION})},
        "act_pause": {"post": path_operation("Stop an item's clock", {"reason": _TEXT, **_VERSION})},
        "act_resume": {"post": path_operation("Restart an item's clock", {"note": _TEXT, **_VERSION})},
        "act_reassign": {"post": path_operation("Give an item to someone else", {
            "user_id": {"type": "integer"}, "note": _TEXT, **_VERSION})},
    }  # fmt: skip

    def _act(self, pk: int, call, *args, **kwargs):
        if self.datamodel.get(pk, self._base_filters) is None:
            return self.response_404()
        for name in ("note", "reason"):
            if kwargs.get(name) is not None and not isinstance(kwargs[name], str):
                return self.response_422(message=f"{name} harus berupa teks.")
        body = self._body()
        version = body.get("expected_version")
        if version is not None and not isinstance(version, int):
            return self.response_422(message="expected_version harus bilangan bulat.")
        item, refusal = self.engine(call, pk, *args, expected_version=version, **kwargs)
        if refusal is not None:
            return refusal
        return self.response(200, id=item.id, result={
            "code": item.code, "status": item.status, "version_id": item.version_id,
            "assignee_user_id": item.assignee_user_id, "due_at": _iso(item.due_at),
        })

    @expose("/<int:pk>/start", methods=["POST"])
    @protect()
    def act_start(self, pk: int):
        """Start work on an item: {note?, expected_version?}."""
        return self._act(pk, cycles.start_item, note=self._body().get("note"))

    @expose("/<int:pk>/complete", methods=["POST"])
    @protect()
    def act_complete(self, pk: int):
        """Complete an item: JSON {note?, expected_version?, attachment?: {filename,
        content_base64}} or multipart with an `attachment` file."""
        try:
            attachment = self._attachment()
        except ValueError as exc:
            return self.response_422(message=str(exc))
        return self._act(pk, cycles.complete_item, note=self._body().get("note"),
                         attachment=attachment)

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    def act_return(self, pk: int):
        """Send an item back to the previous one of its chain: {reason, expected_version?}."""
        return self._act(pk, cycles.return_item, reason=self._body().get("reason") or "")

    @expose("/<int:pk>/pause", methods=["POST"])
    @protect()
    def act_pause(self, pk: int):
        """Stop an item's clock: {reason, expected_version?}."""
        return self._act(pk, cycles.pause_item, reason=self._body().get("reason") or "")

    @expose("/<int:pk>/resume", methods=["POST"])
    @protect()
    def act_resume(self, pk: int):
        """Restart a paused item's clock: {note?, expected_version?}."""
        return self._act(pk, cycles.resume_item, note=self._body().get("note"))

    @expose("/<int:pk>/reassign", methods=["POST"])
    @protect()
    def act_reassign(self, pk: int):
        """Give an item to someone else: {user_id, note?, expected_version?}."""
        body = self._body()
        to_user = db_errors.as_db_int(body.get("user_id"))
        if to_user is None:
            return self.response_422(message="user_id wajib diisi.")
        return self._act(pk, cycles.reassign_item, to_user, note=body.get("note"))


class WorkEventApi(BaseModelApi):
    datamodel = SQLAInterface(WorkEvent)
    resource_name = "work-event"
    scope_column = "org_unit"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = EVENT_COLUMNS
    search_columns = ["cycle_id", "item", "action", "user", "occurred_at"]
    order_columns = ["occurred_at", "action"]
    base_order = ("occurred_at", "desc")


APIS = [CycleApi, WorkItemApi, WorkEventApi]


def register(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
