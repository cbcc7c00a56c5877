"""The SLA board: every open item of the active cycles, grouped by SLA status, filterable,
and exportable as filtered (CSV/XLSX, audited like every list export).

A custom page rather than a ModelView because the status is computed in working time (see
app.services.cycles.sla), not stored: a filter on it cannot be a SQL filter. The export reads
the same request arguments as the page, so the file holds exactly what the board shows.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, flash, redirect, request, stream_with_context, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.services import cycles, dashboard, exports
from app.services.cycles import inbox as cycles_inbox
from app.services.cycles.queries import BOARD_ORDER
from app.views.cycles import format as fmt

INT_FILTERS = ("cycle_id", "section_id", "assignee_user_id", "org_unit_id")
SHOWN = 25  # rows per SLA status on the page, as a list page; 1,000 active cycles hold ~10,000


def board_filters(args) -> dict:
    """Request arguments -> sla_board filters; anything malformed is ignored, not an error."""
    filters: dict = {}
    for key in INT_FILTERS:
        try:
            filters[key] = int(args.get(key, ""))
        except ValueError:
            continue
    wanted = [s for s in args.getlist("status") if s in {b.value for b in BOARD_ORDER}]
    if wanted:
        filters["status"] = wanted
    if args.get("steps") in ("1", "y", "on"):
        filters["steps"] = True
    return filters


def export_headers() -> list[str]:
    return [gettext("SLA"), gettext("Cycle"), gettext("Item"), gettext("Step"),
            gettext("Title"), gettext("Status"), gettext("Bagian"), gettext("Organisation unit"),
            gettext("Assignee"), gettext("On behalf of"), gettext("Due"),
            gettext("Working time used"), gettext("Working time allowed"), gettext("Used")]


def export_rows(board):
    for status, rows in board.groups.items():
        for row in rows:
            yield [fmt.sla_label(status), row.cycle_code, fmt.item_name(row.ref),
                   row.ref.step if row.ref else "–", row.title,
                   fmt.label(fmt.ITEM_STATUS_LABELS, row.status), row.section, row.org_unit,
                   row.assignee, row.on_behalf_of, fmt.to_local(row.due_at),
                   fmt.work_time(row.sla.used_minutes),
                   fmt.work_time(row.sla.allowed_minutes), fmt.percent(row.sla)]


class SlaBoardView(BaseView):
    route_base = "/sla"
    default_view = "index"
    class_permission_name = "SlaBoard"
    method_permission_name = {"index": "read", "export": "export"}

    @expose("/")
    @has_access
    def index(self):
        """Each status shows its SHOWN most urgent items (the counts are of all of them);
        `all=1` shows every row, the export always holds every row."""
        filters = board_filters(request.args)
        every = request.args.get("all") == "1"
        board = cycles.sla_board(db.session, dt.datetime.now(dt.UTC), filters,
                                 shown=None if every else SHOWN)
        return self.render_template(
            "cycles/sla_board.html", board=board, filters=filters,
            all_url=None if every else url_for(
                "SlaBoardView.index", **{**request.args.to_dict(flat=False), "all": "1"}),
            done=dashboard.done_work(db.session, filters),
            choices=cycles_inbox.board_choices(db.session),
            statuses=[(s.value, fmt.sla_label(s)) for s in BOARD_ORDER],
            query=request.query_string.decode("utf-8", "replace"),
            title=gettext("SLA board"),
        )

    @expose("/export/<fmt_name>")
    @has_access
    def export(self, fmt_name: str):
        if fmt_name not in exports.FORMATS:
            flash(gettext("Unknown export format."), "warning")
            return redirect(url_for("SlaBoardView.index", **request.args.to_dict(flat=False)))
        filters = board_filters(request.args)
        board = cycles.sla_board(db.session, dt.datetime.now(dt.UTC), filters)
        count = sum(board.counts.values())
        exports.record_export(
            db.session, entity="SlaBoard", fmt=fmt_name,
            filters=[(key, "eq", value) for key, value in sorted(filters.items())],
            row_count=count,
        )
        filename = exports.export_filename(gettext("SLA board"), fmt_name)
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        rows = list(export_rows(board))
        if fmt_name == "csv":
            delimiter = current_app.config.get("IKU_EXPORT_CSV_DELIMITER", ",")
            body = stream_with_context(exports.iter_csv(export_headers(), rows, delimiter))
        else:
            body = exports.build_xlsx(export_headers(), rows, title=gettext("SLA board"))
        return Response(body, content_type=exports.FORMATS[fmt_name], headers=headers)
