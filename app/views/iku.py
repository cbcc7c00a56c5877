"""IKU registry pages: indicators with their targets, status steps, amendment, version
comparison, and the public registry of enacted IKU at /iku/ (seed J.3)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.iku import Indicator, IndicatorStatus, IndicatorTarget
from app.models.org import OrgUnit
from app.security import METHOD_PERMISSIONS
from app.services import iku as iku_service
from app.views.base import BaseModelView
from app.views.fields import enum_formatter, enum_select

CATEGORY = "IKU"
LABELS = {
    "org_unit": _l("Organisation unit"), "start_year": _l("Period from"),
    "end_year": _l("Period until"), "period": _l("Period"), "version": _l("Version"),
    "previous": _l("Amends version"), "targets": _l("Targets"),
    **iku_service.COMPARED_FIELDS,
}  # fmt: skip
_FIELDS = [
    "org_unit", "start_year", "end_year", "sasaran_code", "sasaran_text", "code", "name",
    "definition", "rationale", "numerator", "denominator", "calculation_type", "satuan",
    "baseline", "data_source", "responsible",
]  # fmt: skip


class IndicatorTargetView(BaseModelView):
    datamodel = SQLAInterface(IndicatorTarget)
    scope_column = "indicator.org_unit"
    list_title = show_title = _l("IKU targets")
    add_title = edit_title = _l("IKU target")
    list_columns = ["indicator", "year", "value"]
    search_columns = ["indicator", "year", "value"]
    add_columns = edit_columns = show_columns = ["indicator", "year", "value"]
    base_order = ("year", "asc")
    label_columns = {"indicator": _l("Indicator"), "year": _l("Year"), "value": _l("Target")}
    formatters_columns = {"value": iku_service.number_text}

    def pre_delete(self, item) -> None:
        iku_service.check_delete(item)

    def locked_rows(self, pks: list) -> set:
        """The targets of an enacted IKU change only through a new version."""
        if not pks:
            return set()
        return set(db.session.scalars(
            select(IndicatorTarget.id).join(Indicator, IndicatorTarget.indicator_id == Indicator.id)
            .where(IndicatorTarget.id.in_(pks), Indicator.status == IndicatorStatus.DITETAPKAN)))


class IndicatorView(BaseModelView):
    """Status moves by the actions (one step at a time), never by the form; an enacted IKU is
    amended by the "amend" action, which makes the new draft version."""

    datamodel = SQLAInterface(Indicator)
    scope_column = "org_unit"
    method_permission_name = {**METHOD_PERMISSIONS, "advance": "edit", "send_back": "edit",
                              "amend": "add", "compare": "read"}
    show_template = "iku/indicator_show.html"
    locked_row_actions = ("amend",)
    list_template = "iku/indicator_list.html"
    list_title = show_title = _l("IKU")
    add_title = edit_title = _l("IKU")
    list_columns = ["org_unit", "period", "sasaran_code", "code", "name", "satuan", "status",
                    "version"]
    search_columns = ["org_unit", "start_year", "end_year", "sasaran_code", "code", "name",
                      "status", "calculation_type", "version"]
    order_columns = ["start_year", "sasaran_code", "code", "name", "status", "version"]
    add_columns = edit_columns = [*_FIELDS, "enactment_number", "enactment_date"]
    show_columns = [*_FIELDS, "status", "enactment_number", "enactment_date", "version",
                    "previous"]
    base_order = ("code", "asc")
    related_views = [IndicatorTargetView]
    label_columns = LABELS
    description_columns = {
        "org_unit": _l("Empty for the ministry-level IKU."),
        "enactment_number": _l("Filled in when the IKU is final, before its enactment."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "calculation_type": enum_select(_l("Calculation type"), iku_service.CALCULATION_LABELS),
    }
    formatters_columns = {
        "status": enum_formatter(iku_service.STATUS_LABELS),
        "calculation_type": enum_formatter(iku_service.CALCULATION_LABELS),
    }

    def render_template(self, template, **kwargs):
        """The show page also tells what a reader of the matrix would miss (warnings) and
        which versions exist to compare."""
        if template == self.show_template and "pk" in kwargs:
            item = self.datamodel.get(kwargs["pk"], self._base_filters)
            if item is not None:
                kwargs["iku_warnings"] = iku_service.warnings(item)
                kwargs["iku_versions"] = iku_service.versions(db.session, item)
        return super().render_template(template, **kwargs)

    def _scoped(self, items) -> list[Indicator]:
        """FAB's action handler loads the item without the view's filters: load it again in
        scope, so that an id of another unit's IKU does nothing."""
        items = items if isinstance(items, list) else [items]
        found = [self.datamodel.get(item.id, self._base_filters) for item in items if item]
        return [item for item in found if item is not None]

    def _step(self, items, forward: bool):
        for item in self._scoped(items):
            here = iku_service.STATUS_ORDER.index(IndicatorStatus(item.status))
            index = here + 1 if forward else here - 1
            try:
                if not 0 <= index < len(iku_service.STATUS_ORDER):
                    raise iku_service.IndicatorRefusedError(gettext(
                        "From %(current)s the status can only move to the next or the previous step.",
                        current=iku_service.STATUS_LABELS[item.status]))
                iku_service.set_status(item, iku_service.STATUS_ORDER[index])
                db.session.commit()
                flash(gettext("%(item)s: %(status)s.", item=item,
                              status=iku_service.STATUS_LABELS[item.status]), "success")
            except ValueError as exc:
                db.session.rollback()
                flash(f"{item.code}: {exc}", "danger")
        return redirect(self.get_redirect())

    @action("advance", _l("Next status"), _l("Move the selected IKU to the next status?"),
            "fa-forward")
    def advance(self, items):
        return self._step(items, forward=True)

    @action("send_back", _l("Previous status"), _l("Move the selected IKU back one status?"),
            "fa-backward")
    def send_back(self, items):
        return self._step(items, forward=False)

    @action("amend", _l("Amend (new version)"), _l("Make a new draft version of this IKU?"),
            "fa-code-fork", multiple=False)
    def amend(self, item):
        found = self._scoped(item)
        if not found:
            abort(404)
        try:
            copy = iku_service.amend_indicator(db.session, found[0])
            db.session.commit()
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(self.get_redirect())
        flash(gettext("New draft version %(version)s made.", version=copy.version), "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=copy.id))

    @expose("/compare/<int:pk>")
    @has_access
    def compare(self, pk: int):
        """This version beside another of the same indicator (by default the one it amends)."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        versions = iku_service.versions(db.session, item)
        other_id = request.args.get("other", type=int)
        other = next((v for v in versions if v.id == other_id), None) or item.previous
        rows = iku_service.compare(other, item) if other is not None else []
        return self.render_template("iku/compare.html", item=item, other=other, rows=rows,
                                    versions=versions, title=gettext("Compare versions"),
                                    status_labels=iku_service.STATUS_LABELS)

    def pre_add(self, item) -> None:
        super().pre_add(item)
        for text in iku_service.warnings(item):
            flash(text, "warning")

    def pre_update(self, item) -> None:
        super().pre_update(item)
        for text in iku_service.warnings(item):
            flash(text, "warning")

    def pre_delete(self, item) -> None:
        iku_service.check_delete(item)

    def locked_rows(self, pks: list) -> set:
        """An enacted IKU is amended as a new version, never edited or deleted."""
        if not pks:
            return set()
        return set(db.session.scalars(select(Indicator.id).where(
            Indicator.id.in_(pks), Indicator.status == IndicatorStatus.DITETAPKAN)))


class PublicIkuView(BaseView):
    """No @has_access on purpose: enacted IKU are public (seed J.3)."""

    route_base = "/iku"
    default_view = "index"

    @expose("/")
    def index(self):
        unit_arg = request.args.get("unit", "")
        year = request.args.get("year", type=int)
        text = request.args.get("q", "").strip()[:200]
        ministry = unit_arg == "kementerian"
        unit_id = int(unit_arg) if unit_arg.isdigit() else None
        items = iku_service.enacted(db.session, unit_id=unit_id, year=year, text=text,
                                    ministry=ministry)
        units = db.session.query(OrgUnit).filter(OrgUnit.active.is_(True)).order_by(
            OrgUnit.sort_order, OrgUnit.name).all()
        return self.render_template(
            "iku/public.html", items=items, units=units, unit_arg=unit_arg, year=year, text=text,
            calc_labels=iku_service.CALCULATION_LABELS, number=iku_service.number_text)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PublicIkuView())
    appbuilder.add_view(IndicatorView, "Indicators", label=_l("IKU registry"), icon="fa-bullseye",
                        category=CATEGORY, category_label=_l("IKU"))
    appbuilder.add_view(IndicatorTargetView, "Indicator targets", label=_l("IKU targets"),
                        icon="fa-line-chart", category=CATEGORY, category_label=_l("IKU"))
    appbuilder.add_link("Published IKU", href="/iku/", label=_l("Published IKU"),
                        icon="fa-globe", category=CATEGORY, category_label=_l("IKU"))
