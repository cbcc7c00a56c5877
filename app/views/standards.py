"""Service standard pages: the published standard (public) and its loaded versions (admin).

UU 25/2009 obliges a public service to publish its standard, so /standar/ needs no login and
is generated from the version the system actually runs (the database), never from the file:
what the public reads is what the steps and deadlines are computed from. Admins get a
read-only list of versions with the loader's warnings, because a doubtful standard (times
that do not add up) is something they must see, not something the loader hides.
"""

from __future__ import annotations

import json

from flask import abort
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.extensions import db
from app.models.standards import ServiceStandard, StepDefinition
from app.services import standards as standards_service
from app.views.base import BaseModelView

CATEGORY = "Standards"


class PublicStandardView(BaseView):
    """No @has_access on purpose: these pages are public by law."""

    route_base = "/standar"
    default_view = "index"

    def _render(self, standard: ServiceStandard):
        versions = db.session.query(
            ServiceStandard.version, ServiceStandard.is_current, ServiceStandard.loaded_at
        ).filter(ServiceStandard.code == standard.code).order_by(ServiceStandard.version.desc())
        doc = standard.content
        return self.render_template(
            "standards/public.html",
            standard=standard,
            doc=doc,
            documents={d["code"]: d for d in doc["documents"]},
            versions=versions.all(),
        )

    @expose("/")
    def index(self):
        standards = standards_service.current_standards(db.session)
        if len(standards) == 1:
            return self._render(standards[0])
        return self.render_template("standards/index.html", standards=standards)

    @expose("/<code>")
    def current(self, code: str):
        standard = standards_service.current_standard(db.session, code)
        if standard is None:
            abort(404)
        return self._render(standard)

    @expose("/<code>/v<int:version>")
    def version(self, code: str, version: int):
        standard = standards_service.standard_version(db.session, code, version)
        if standard is None:
            abort(404)
        return self._render(standard)


def _warnings_html(warnings) -> Markup:
    if not warnings:
        return Markup("–")
    rows = "".join(
        f"<li>{escape(w['message'])} <code>{escape(w['path'])}</code></li>" for w in warnings
    )
    return Markup(f"<ul class='list-unstyled'>{rows}</ul>")


def _json_html(value) -> Markup:
    if not value:
        return Markup("–")
    return Markup(f"<pre>{escape(json.dumps(value, ensure_ascii=False, indent=2))}</pre>")


class StepDefinitionView(BaseModelView):
    """Read-only; shares ServiceStandard's permission so whoever reads versions reads steps."""

    datamodel = SQLAInterface(StepDefinition)
    class_permission_name = "ServiceStandard"
    base_permissions = ["can_read"]
    list_title = show_title = _l("Procedure steps")
    # The internal step code (s01) is the engine's; readers know a step by its number 1-15 and
    # the label the standard prints.
    list_columns = ["position", "label", "title", "time_text", "performed_by"]
    show_columns = [
        "standard", "position", "label", "title", "time_text", "actors", "performed_by",
        "relative_deadline", "documents", "substeps",
    ]  # fmt: skip
    order_columns = ["position"]
    base_order = ("position", "asc")
    formatters_columns = {
        key: _json_html for key in ("actors", "relative_deadline", "documents", "substeps")
    }
    label_columns = {
        "standard": _l("Standard"), "position": _l("Step"), "label": _l("Printed number"),
        "code": _l("Code"), "title": _l("Title"), "time_text": _l("Time standard"),
        "actors": _l("Actors"), "performed_by": _l("Performed by"),
        "relative_deadline": _l("Relative deadline"), "documents": _l("Documents"),
        "substeps": _l("Sub-steps"),
    }  # fmt: skip


class ServiceStandardView(BaseModelView):
    """Versions are made by the loader only (`flask iku load-standards`), never by hand."""

    datamodel = SQLAInterface(ServiceStandard)
    base_permissions = ["can_read"]
    list_title = show_title = _l("Standard versions")
    list_columns = [
        "code", "version", "title", "is_current", "warning_count", "source_file", "loaded_at",
    ]  # fmt: skip
    show_columns = [
        "code", "version", "title", "is_current", "source_file", "content_sha256", "loaded_at",
        "warnings",
    ]  # fmt: skip
    search_columns = ["code", "title", "is_current"]
    order_columns = ["code", "version", "is_current", "loaded_at"]
    base_order = ("loaded_at", "desc")
    related_views = [StepDefinitionView]
    formatters_columns = {"warnings": _warnings_html}
    label_columns = {
        "code": _l("Code"), "version": _l("Version"), "title": _l("Title"),
        "is_current": _l("Current"), "warning_count": _l("Warnings"),
        "warnings": _l("Loader warnings"), "source_file": _l("Source file"),
        "content_sha256": _l("Content SHA-256"), "loaded_at": _l("Loaded at"),
    }  # fmt: skip


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PublicStandardView())
    appbuilder.add_view_no_menu(StepDefinitionView)
    appbuilder.add_view(
        ServiceStandardView,
        "Standard versions",
        label=_l("Standard versions"),
        icon="fa-book",
        category=CATEGORY,
        category_label=_l("Standards"),
    )
    appbuilder.add_link(
        "Published standard",
        href="/standar/",
        label=_l("Published standard"),
        icon="fa-globe",
        category=CATEGORY,
        category_label=_l("Standards"),
    )
