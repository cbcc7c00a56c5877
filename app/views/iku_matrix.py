"""The IKU matrix page: choose a period, a unit (or the ministry level, or all of them
consolidated) and the statuses; see the matrix as a table; download it as XLSX. Read and
export permissions are those of the IKU registry ("Indicator"), and a liaison sees only its
own unit's matrix: another unit, or the ministry level, is 404 as any other unit's record."""

from __future__ import annotations

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.iku import IndicatorStatus
from app.security import current_scope_unit_id
from app.services import exports, iku_matrix
from app.services.iku import STATUS_LABELS, number_text


def record_matrix_export(matrix: iku_matrix.Matrix, fmt: str, scope_unit_id: int | None) -> None:
    exports.record_export(
        db.session, entity="IndicatorMatrix", fmt=fmt,
        filters=[("period", "eq", matrix.period), ("unit", "eq", matrix.selection),
                 ("status", "in", list(matrix.statuses))],
        row_count=len(matrix.rows), unit_id=scope_unit_id)


def xlsx_response(matrix: iku_matrix.Matrix) -> Response:
    filename = iku_matrix.matrix_filename(matrix)
    return Response(iku_matrix.matrix_xlsx(matrix), content_type=exports.FORMATS["xlsx"],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class IndicatorMatrixView(BaseView):
    route_base = "/iku-matrix"
    default_view = "index"
    class_permission_name = "Indicator"
    method_permission_name = {"index": "read", "download": "export"}

    def _matrix(self):
        args = request.args
        try:
            return iku_matrix.matrix_for(
                db.session, args.get("period"), args.get("start_year"), args.get("end_year"),
                args.get("unit"), args.getlist("status"), current_scope_unit_id()), None
        except iku_matrix.MatrixUnitNotFoundError:
            abort(404)
        except iku_matrix.MatrixRequestInvalidError as exc:
            return None, str(exc)

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope_unit_id()
        periods = iku_matrix.periods(db.session, scope)
        matrix, error = self._matrix() if periods or request.args else (None, None)
        page = self.render_template(
            "iku/matrix.html", matrix=matrix, error=error, title=_l("IKU matrix"),
            periods=periods, units=iku_matrix.units_in_scope(db.session, scope),
            scoped=scope is not None,
            statuses=[(s.value, STATUS_LABELS[s]) for s in IndicatorStatus],
            chosen=matrix.statuses if matrix else iku_matrix.DEFAULT_STATUSES,
            number=number_text, ALL=iku_matrix.ALL, MINISTRY=iku_matrix.MINISTRY,
            ministry_name=iku_matrix.ministry_name(), query=request.query_string.decode())
        return (page, 400) if error else page

    @expose("/xlsx")
    @has_access
    def download(self):
        matrix, error = self._matrix()
        if error or matrix is None:
            abort(400, description=error)
        record_matrix_export(matrix, "xlsx", current_scope_unit_id())
        return xlsx_response(matrix)


def register(appbuilder) -> None:
    appbuilder.add_view(IndicatorMatrixView, "IKU matrix", label=_l("IKU matrix"),
                        icon="fa-table", category="IKU", category_label=_l("IKU"))
