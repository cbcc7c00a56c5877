"""REST API of the IKU registry, mirroring app/views/iku.py: the same unit scope (a liaison's
token reads and writes only its unit's IKU; another unit's answers 404) and the same rules."""

import datetime as dt

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import BaseModelApi, path_operation
from app.extensions import db
from app.models.iku import Indicator, IndicatorTarget
from app.security import METHOD_PERMISSIONS, current_scope_unit_id
from app.services import iku as iku_service
from app.services import iku_matrix
from app.views.iku_matrix import record_matrix_export, xlsx_response

_FIELDS = ["org_unit", "start_year", "end_year", "sasaran_code", "sasaran_text", "code", "name",
           "definition", "rationale", "numerator", "denominator", "calculation_type", "satuan",
           "baseline", "data_source", "responsible", "enactment_number", "enactment_date"]


def _matrix_operation(summary: str) -> dict:
    text = {"type": "string", "maxLength": 100}
    return {"summary": summary, "parameters": [
        {"in": "query", "name": "start_year", "schema": {"type": "integer"}},
        {"in": "query", "name": "end_year", "schema": {"type": "integer"}},
        {"in": "query", "name": "unit", "schema": text,
         "description": "a unit code, 'kementerian' (ministry level) or 'semua' (all)"},
        {"in": "query", "name": "status", "schema": {"type": "array", "items": text},
         "description": "statuses to include; default final and ditetapkan"},
    ], "responses": {str(code): {"description": phrase} for code, phrase in (
        (200, "OK"), (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
        (404, "Not Found"))}}


class IndicatorApi(BaseModelApi):
    datamodel = SQLAInterface(Indicator)
    scope_column = "org_unit"
    method_permission_name = {**METHOD_PERMISSIONS, "set_status": "edit", "amend": "add",
                              "matrix": "read", "matrix_xlsx": "export"}
    list_columns = ["id", "org_unit.name", "start_year", "end_year", "sasaran_code", "code",
                    "name", "satuan", "status", "version"]
    show_columns = ["id", "org_unit.id", "org_unit.name", *_FIELDS[1:], "status", "version",
                    "previous_id", "targets.year", "targets.value"]
    add_columns = edit_columns = _FIELDS
    search_columns = ["org_unit", "start_year", "end_year", "sasaran_code", "code", "name",
                      "status", "version"]
    openapi_spec_methods = {
        "set_status": {"post": path_operation(
            "Move an IKU to the next or previous status",
            {"status": {"type": "string"}, "enactment_number": {"type": "string"},
             "enactment_date": {"type": "string", "format": "date"}})},
        "amend": {"post": path_operation("Make a new draft version of an enacted IKU")},
        "matrix": {"get": _matrix_operation("The IKU matrix as rows")},
        "matrix_xlsx": {"get": _matrix_operation("The IKU matrix as a printable XLSX file")},
    }

    def _get_scoped(self, pk):
        return self.datamodel.get(pk, self._base_filters)

    @expose("/<int:pk>/status", methods=["POST"])
    @protect()
    @safe
    def set_status(self, pk):
        """Move the IKU one status step (enactment with its Permensesneg number and date)."""
        item = self._get_scoped(pk)
        if item is None:
            return self.response_404()
        body = request.get_json(silent=True) or {}
        if not isinstance(body, dict):
            return self.response_400(message="JSON object expected")
        number, when = body.get("enactment_number"), body.get("enactment_date")
        try:
            when = dt.date.fromisoformat(when) if isinstance(when, str) and when else None
            iku_service.set_status(item, str(body.get("status") or ""),
                                   number=None if number is None else str(number), date=when)
            db.session.commit()
        except ValueError as exc:
            db.session.rollback()
            return self.response_422(message=str(exc))
        return self.response(200, id=item.id, status=item.status)

    @expose("/<int:pk>/amend", methods=["POST"])
    @protect()
    @safe
    def amend(self, pk):
        """A new draft version of an enacted IKU, with its targets."""
        item = self._get_scoped(pk)
        if item is None:
            return self.response_404()
        try:
            copy = iku_service.amend_indicator(db.session, item)
            db.session.commit()
        except ValueError as exc:
            db.session.rollback()
            return self.response_422(message=str(exc))
        return self.response(201, id=copy.id, version=copy.version)

    def _matrix(self):
        args = request.args
        return iku_matrix.matrix_for(
            db.session, None, args.get("start_year"), args.get("end_year"), args.get("unit"),
            args.getlist("status"), current_scope_unit_id())

    @expose("/matrix", methods=["GET"])
    @protect()
    @safe
    def matrix(self):
        """The IKU matrix rows within the token's unit scope (another unit: 404)."""
        try:
            return self.response(200, **iku_matrix.matrix_json(self._matrix()))
        except iku_matrix.MatrixUnitNotFoundError:
            return self.response_404()
        except iku_matrix.MatrixRequestInvalidError as exc:
            return self.response_400(message=str(exc))

    @expose("/matrix/xlsx", methods=["GET"])
    @protect()
    @safe
    def matrix_xlsx(self):
        """The same matrix as the page's XLSX download, recorded in the audit trail."""
        try:
            matrix = self._matrix()
        except iku_matrix.MatrixUnitNotFoundError:
            return self.response_404()
        except iku_matrix.MatrixRequestInvalidError as exc:
            return self.response_400(message=str(exc))
        record_matrix_export(matrix, "xlsx", current_scope_unit_id())
        return xlsx_response(matrix)

    def pre_delete(self, item) -> None:
        iku_service.check_delete(item)


class IndicatorTargetApi(BaseModelApi):
    datamodel = SQLAInterface(IndicatorTarget)
    scope_column = "indicator.org_unit"
    list_columns = ["id", "indicator.id", "indicator.code", "year", "value"]
    add_columns = edit_columns = ["indicator", "year", "value"]

    def pre_delete(self, item) -> None:
        iku_service.check_delete(item)


def register(appbuilder) -> None:
    appbuilder.add_api(IndicatorApi)
    appbuilder.add_api(IndicatorTargetApi)
