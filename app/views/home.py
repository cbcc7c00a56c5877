"""The landing page after login."""

from flask_appbuilder import IndexView


class HomeIndexView(IndexView):
    index_template = "home/index.html"
