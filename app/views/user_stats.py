"""FAB's "Statistik Pengguna" drawn with the vendored Chart.js instead of Google Charts loaded
from the internet (blank offline), in Indonesian. Registered the FAB way: the security
manager's `userstatschartview` (app.security.IkuSecurityManager)."""

from __future__ import annotations

from flask_appbuilder.security.views import UserStatsChartView
from flask_appbuilder.widgets import RenderTemplateWidget
from flask_babel import lazy_gettext as _l


class ChartJsWidget(RenderTemplateWidget):
    """Reads FAB's chart data (Google's {cols, rows} JSON) and hands it to Chart.js."""

    template = "charts/fab_chart.html"


class IkuUserStatsChartView(UserStatsChartView):
    route_base = "/userstatschartview"  # FAB's address and permission name, kept
    class_permission_name = "UserStatsChartView"
    chart_widget = ChartJsWidget
    chart_template = "charts/user_stats.html"
    chart_title = _l("User statistics")
    chart_type = "bar"
    group_by_label = _l("Show")
    label_columns = {"username": _l("User name"), "login_count": _l("Login count"),
                     "fail_login_count": _l("Failed login count")}
    definitions = [
        {"label": _l("Login count"), "group": "username", "series": ["login_count"]},
        {"label": _l("Failed login count"), "group": "username",
         "series": ["fail_login_count"]},
    ]
