"""The bottleneck dashboard (Kepala Biro, Kabag): charts from app.services.dashboard, drawn by
the vendored Chart.js, each with its numbers beside it and its data as XLSX."""

from __future__ import annotations

from flask import Response, abort, current_app
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services import dashboard, exports


def number(value) -> str:
    """Numbers as an Indonesian reader writes them: decimal comma, "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",")
    return str(value)


def chart_spec(table: dashboard.Table) -> dict:
    """The chart of a table: its label column against its numeric columns worth plotting."""
    labels = [str(row[0]) for row in table.rows]
    series = {
        "steps": [(2, gettext("p50")), (3, gettext("p90")), (4, gettext("Time standard"))],
        "people": [(3, gettext("On time (%)"))],
        "complaints": [(1, gettext("Complaints"))],
        "survey": [(1, gettext("Index"))],
    }[table.key]
    return {"type": table.kind, "labels": labels, "title": table.title,
            "datasets": [{"label": name, "data": [row[i] for row in table.rows]}
                         for i, name in series]}


class DashboardView(BaseView):
    route_base = "/dasbor"
    default_view = "index"
    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read", "export": "export"}

    def _tables(self):
        max_age = current_app.config.get("IKU_DASHBOARD_CACHE_SECONDS", 300)
        return dashboard.cached_tables(db.session, max_age)

    @expose("/")
    @has_access
    def index(self):
        tables = self._tables()
        return self.render_template(
            "dashboard/index.html", tables=tables,
            charts={t.key: chart_spec(t) for t in tables}, title=gettext("Bottleneck dashboard"))

    @expose("/export/<key>.xlsx")
    @has_access
    def export(self, key: str):
        table = next((t for t in self._tables() if t.key == key), None)
        if table is None:
            abort(404)
        exports.record_export(db.session, entity="Dashboard", fmt="xlsx",
                              filters=[("chart", "eq", key)], row_count=len(table.rows))
        filename = exports.export_filename(table.title, "xlsx")
        return Response(exports.build_xlsx(table.headers, table.rows, title=table.title[:31]),
                        content_type=exports.FORMATS["xlsx"],
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def register(appbuilder) -> None:
    current_app.jinja_env.filters["iku_number"] = number
    appbuilder.add_view(DashboardView(), "Bottleneck dashboard",
                        label=_l("Bottleneck dashboard"), icon="fa-bar-chart",
                        category="Cycles", category_label=_l("Cycles"))
