"""List mechanisms every CRUD page inherits: export of the list exactly as the user filtered it.

The export rebuilds the list's query from the same request arguments FAB's list page reads
(`_flt_<n>_<col>` filters, `_oc_/_od_<View>` order) and joins the view's base filters, which
carry the unit scope: a liaison can no more export another unit's rows than list them, and
hand-made filter arguments can only narrow what the scope already allows.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, flash, redirect, request, stream_with_context, url_for
from flask_appbuilder import expose
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext
from markupsafe import Markup

from app.security import current_scope_unit_id
from app.services import exports
from app.views.display import NOTHING

DEFAULT_MAX_ROWS = 50000
YIELD_PER = 500


class ExportMixin:
    """Mixed in before ModelView. `list_template` adds the export buttons to FAB's own list
    page; a view with its own list template should extend "lists/list.html" to keep them."""

    list_template = "lists/list.html"
    # columns a page shortens for the screen but a file should carry whole (a long title)
    export_verbatim: tuple[str, ...] = ()

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt: str):
        if fmt not in exports.FORMATS:
            flash(gettext("Unknown export format."), "warning")
            return redirect(self._export_back_url())
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters)
        order = self._export_order()
        joined = filters.get_joined_filters(self._base_filters)
        session = self.datamodel.session
        try:
            count = self.datamodel.query_count(session.query(self.datamodel.obj), joined)
            max_rows = current_app.config.get("IKU_EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
            exports.check_size(count, max_rows)
        except exports.ExportTooLargeError as exc:
            flash(str(exc), "warning")
            return redirect(self._export_back_url())
        except FABException as exc:
            flash(gettext("The filters could not be applied: %(error)s", error=exc), "warning")
            return redirect(self._export_back_url())
        exports.record_export(
            session,
            entity=self.class_permission_name,
            fmt=fmt,
            filters=[(flt.column_name, flt.arg_name, value) for flt, value in filters.get_filters_values()],
            row_count=count,
            order=order,
            unit_id=current_scope_unit_id(),
        )
        query = self.datamodel.apply_all(session.query(self.datamodel.obj), joined, *order)
        headers = [str(self.label_columns.get(col, col)) for col in self.list_columns]
        return self._export_response(fmt, headers, self._export_rows(query))

    def _export_rows(self, query):
        """Rows fetched YIELD_PER at a time. A streamed CSV is read after Flask's teardown has
        closed the request's session once; the query reopens it, so close it again here or its
        connection stays checked out until garbage collection."""
        try:
            for item in query.yield_per(YIELD_PER):
                values = self.datamodel.get_values_item(item, self.list_columns)
                yield [self._export_cell(col, value)
                       for col, value in zip(self.list_columns, values, strict=True)]
        finally:
            query.session.close()

    def _export_cell(self, column: str, value):
        """A cell worded as the list words it (the view's formatters: labels, Ya/Tidak), but
        a date or time stays one (a spreadsheet sorts and computes with it; the datamodel
        already made it a WIB wall-clock time) and nothing stays empty, not "–"."""
        if value is None or isinstance(value, (dt.date, dt.time)):
            return value
        formatter = (self.formatters_columns or {}).get(column)
        if formatter is None or column in self.export_verbatim:
            return value
        shown = formatter(value)
        if isinstance(shown, Markup):
            shown = shown.striptags()
        return None if shown == NOTHING else str(shown)

    def _export_order(self) -> tuple[str, str]:
        """The list's order when it is one the page offers, else the view's default: an
        arbitrary `_oc_` column would be a free ORDER BY on anything the model has."""
        column, direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if column in (self.order_columns or []) and direction in ("asc", "desc"):
            return column, direction
        return tuple(self.base_order) if self.base_order else ("", "")

    def _export_response(self, fmt: str, headers, rows) -> Response:
        entity = self.datamodel.obj.__tablename__.replace("_", "-")
        filename = exports.export_filename(str(getattr(self, "list_title", "") or entity), fmt)
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if fmt == "csv":
            delimiter = current_app.config.get("IKU_EXPORT_CSV_DELIMITER", ",")
            body = stream_with_context(exports.iter_csv(headers, rows, delimiter=delimiter))
        else:
            title = str(getattr(self, "list_title", "") or entity)
            body = exports.build_xlsx(headers, rows, title=title)
        return Response(body, content_type=exports.FORMATS[fmt], headers=disposition)

    def _export_back_url(self) -> str:
        args = request.args.to_dict(flat=False)
        return url_for(f"{self.endpoint}.list", **args)
