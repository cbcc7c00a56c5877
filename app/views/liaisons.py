"""Units without a liaison (Kepala Biro, Kabag, Admin): the list, and the form that gives a
unit its liaison, an existing Pengguna account without a unit or a new account whose
generated password is shown once. The work of app.services.liaisons; this page only asks."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.extensions import db
from app.models.org import OrgUnit
from app.security import METHOD_PERMISSIONS
from app.services import liaisons as service
from app.services.cycles.people import user_name
from app.views.base import BaseModelView
from app.views.cycles.tasks import current_user
from app.views.kept_statements import ConstantClauseFilter


class NoLiaisonFilter(ConstantClauseFilter, BaseFilter):
    """Active units with no active Pengguna account linked to them. Applied, never offered."""

    name = "Without liaison"
    arg_name = None

    def apply(self, query, value):
        return query.filter(OrgUnit.active.is_(True), ~service.has_liaison_clause())


class AssignLiaisonForm(DynamicForm):
    user = SelectField(_l("Existing account"), coerce=int, validators=[Optional()],
                       description=_l("An active account with the role Pengguna and no unit."))
    username = StringField(_l("User Name"), validators=[Optional(), Length(max=64)])
    first_name = StringField(_l("First Name"), validators=[Optional(), Length(max=64)])
    last_name = StringField(_l("Last Name"), validators=[Optional(), Length(max=64)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=320)])


class UnitLiaisonView(BaseModelView):
    datamodel = SQLAInterface(OrgUnit)
    class_permission_name = "UnitLiaison"
    method_permission_name = {**METHOD_PERMISSIONS, "assign": "assign"}
    base_permissions = ["can_read", "can_assign"]
    extra_base_filters = [["id", NoLiaisonFilter, None]]
    list_title = _l("Units without liaison")
    list_columns = ["code", "name", "section", "head_name", "head_email"]
    search_columns = ["code", "name", "section", "head_name"]
    order_columns = ["code", "name"]
    base_order = ("sort_order", "asc")
    label_columns = {"code": _l("Code"), "name": _l("Name"), "section": _l("Served by section"),
                     "head_name": _l("Head"), "head_email": _l("Head's email")}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for("UnitLiaisonView.assign", pk=pk))

    @expose("/assign/<int:pk>", methods=["GET", "POST"])
    @has_access
    def assign(self, pk: int):
        unit = self.datamodel.get(pk, self._base_filters)
        if unit is None:
            abort(404)
        form = AssignLiaisonForm()
        form.user.choices = [(0, gettext("– new account –"))] + [
            (u.id, f"{user_name(u)} ({u.username})") for u in service.free_liaisons(db.session)]
        if form.validate_on_submit():
            done = self._assign(unit, form)
            if done is not None:
                flash(gettext("%(user)s is now the liaison of %(unit)s; %(n)d open item(s) of "
                              "the unit were given to the liaison.", user=user_name(done.user),
                              unit=unit.name, n=done.items_moved), "success")
                if done.password:
                    return self.render_template(
                        "liaisons/created.html", unit=unit, user=done.user,
                        password=done.password, title=gettext("New liaison account"))
                return redirect(url_for("UnitLiaisonView.list"))
        return self.render_template("liaisons/assign.html", unit=unit, form=form,
                                    title=gettext("Assign a liaison"))

    @staticmethod
    def _assign(unit, form):
        new = None if form.user.data else {
            key: getattr(form, key).data for key in ("username", "first_name", "last_name",
                                                     "email")}
        try:
            return service.assign_liaison(db.session, current_user(), unit.id,
                                          user_id=form.user.data or None, new_account=new)
        except ValueError as exc:
            db.session.rollback()
            field = getattr(form, getattr(exc, "field", None) or "", None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, str(exc)]
            flash(str(exc), "danger")
            return None


def register(appbuilder) -> None:
    appbuilder.add_view(UnitLiaisonView, "Units without liaison",
                        label=_l("Units without liaison"), icon="fa-user-plus",
                        category="Organisation", category_label=_l("Organisation"))
