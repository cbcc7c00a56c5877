"""REST API of the IKU registry, mirroring app/views/iku.py: the same unit scope (a liaison's
token reads and writes only its unit's IKU; another unit's answers 404) and the same rules."""

import datetime as dt

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import BaseModelApi, path_operation
from app.extensions import db
from app.models.iku import Indicator, IndicatorTarget
from app.security import METHOD_PERMISSIONS
from app.services import iku as iku_service

_FIELDS = ["org_unit", "start_year", "end_year", "sasaran_code", "sasaran_text", "code", "name",
           "definition", "rationale", "numerator", "denominator", "calculation_type", "satuan",
           "baseline", "data_source", "responsible", "enactment_number", "enactment_date"]


class IndicatorApi(BaseModelApi):
    datamodel = SQLAInterface(Indicator)
    scope_column = "org_unit"
    method_permission_name = {**METHOD_PERMISSIONS, "set_status": "edit", "amend": "add"}
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
