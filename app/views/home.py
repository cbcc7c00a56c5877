"""The landing page after login, and the favicon browsers ask for at the site's root."""

from flask import current_app, send_from_directory
from flask_appbuilder import IndexView, expose


class HomeIndexView(IndexView):
    index_template = "home/index.html"

    @expose("/favicon.ico")
    def favicon(self):
        """Browsers request /favicon.ico whatever the page links; public, like any asset."""
        return send_from_directory(current_app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)
