"""Complaint and supervision reports of a year: complaints by month, unit, kind and status;
time to verify and to respond against the limits; supervision findings by kind. Each table is
downloadable as XLSX (the same rows as the page). A liaison's counts are its own unit's."""

from __future__ import annotations

import datetime as dt

from flask import Response, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.security import current_scope_unit_id
from app.services import exports, supervision
from app.services.calendar import load_schedule, shortest_workday_minutes
from app.services.complaints import reports
from app.services.complaints.words import KIND_LABELS, STATUS_LABELS
from app.views.cycles.format import sla_label
from app.views.display import NOTHING

SUPERVISION_LABELS = {"supervisi": "Supervisi", "teguran_lisan": "Teguran lisan",
                      "teguran_tertulis": "Teguran tertulis", "sanksi": "Sanksi"}


def _tables(year: int):
    unit_id = current_scope_unit_id()
    now = dt.datetime.now(dt.UTC)
    schedule = load_schedule(db.session)
    counts = [[r.month, r.unit, str(KIND_LABELS.get(r.kind, r.kind)),
               str(STATUS_LABELS.get(r.status, r.status)), r.count]
              for r in reports.counts(db.session, year, unit_id)]
    times = [[r.ticket, r.unit, str(KIND_LABELS.get(r.kind, r.kind)),
              NOTHING if r.verify_days is None else r.verify_days, sla_label(r.verify_status),
              NOTHING if r.respond_days is None else r.respond_days, sla_label(r.respond_status)]
             for r in reports.timeliness(db.session, year, now, schedule,
                                         shortest_workday_minutes(schedule), unit_id)]
    tables = {
        "counts": (gettext("Complaints by month, unit, kind and status"),
                   [gettext("Month"), gettext("Organisation unit"), gettext("Kind"),
                    gettext("Status"), gettext("Count")], counts),
        "times": (gettext("Time to verify and to respond"),
                  [gettext("Ticket"), gettext("Organisation unit"), gettext("Kind"),
                   gettext("Working days to verify"), gettext("Verification"),
                   gettext("Working days to respond"), gettext("Follow-up")], times),
    }
    if unit_id is None:
        tables["supervision"] = (
            gettext("Supervision findings by kind"), [gettext("Kind"), gettext("Count")],
            [[SUPERVISION_LABELS[k], n] for k, n in supervision.findings_by_kind(db.session, year)])
    return tables


class ComplaintReportView(BaseView):
    route_base = "/complaint-report"
    default_view = "report"
    class_permission_name = "ComplaintReport"
    method_permission_name = {"report": "read", "download": "read"}

    def _year(self) -> int:
        try:
            return int(request.args.get("year", ""))
        except ValueError:
            return dt.date.today().year

    @expose("/")
    @has_access
    def report(self):
        year = self._year()
        return self.render_template("complaints/report.html", year=year, tables=_tables(year),
                                    title=gettext("Complaint report"))

    @expose("/<name>.xlsx")
    @has_access
    def download(self, name: str):
        year = self._year()
        tables = _tables(year)
        if name not in tables:
            return Response(status=404)
        title, headers, rows = tables[name]
        filename = exports.export_filename(f"{title} {year}", "xlsx")
        return Response(exports.build_xlsx(headers, rows, title=title[:31]),
                        content_type=exports.FORMATS["xlsx"],
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
