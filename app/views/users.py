"""User administration and the login page, as FAB views the security manager plugs in.

IkuViewsSecurityManager (below) sets these classes in place of FAB's (userdbmodelview, authdbview, the two
reset-password views), so FAB's own menu entries, URLs and permission names stay as they are:
the role spec grants "UserDBModelView" and "ResetMyPasswordView", not names of our invention.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, Select2ManyWidget
from flask_appbuilder.security.forms import ResetPasswordForm, roles_or_groups_required
from flask_appbuilder.security.sqla.models import PermissionView
from flask_appbuilder.security.views import (
    AuthDBView,
    ResetMyPasswordView,
    ResetPasswordView,
    RoleModelView,
    UserDBModelView,
)
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import PasswordField
from wtforms.validators import DataRequired, StopValidation

from app.security import IkuSecurityManager
from app.services import access, permission_words
from app.services.passwords import POLICY_HINT, validate_password
from app.views.display import DisplayMixin
from app.views.fields import email_validator
from app.views.scaled_view import ScaledViewMixin

LOCKED_MESSAGE = _l(
    "Account locked after too many failed logins. Please contact the administrator to "
    "unlock it."
)


class IkuAuthDBView(AuthDBView):
    """FAB's login page; FAB flashes `invalid_login_message` on any refusal, so the lock (which
    the security manager flags on the request) only changes which message that is."""

    @property
    def invalid_login_message(self):
        if access.login_was_locked():
            return LOCKED_MESSAGE
        return AuthDBView.invalid_login_message


def _policy_password() -> PasswordField:
    """FAB's field says "this application does not check this for you": it does, so say how."""
    return PasswordField(
        _l("Password"),
        description=POLICY_HINT,
        validators=[DataRequired(), PasswordComplexityValidator()],
        widget=BS3PasswordFieldWidget(),
    )


class PolicyPasswordForm(ResetPasswordForm):
    password = _policy_password()


class IkuResetPasswordView(ResetPasswordView):
    class_permission_name = "ResetPasswordView"
    form = PolicyPasswordForm


class IkuResetMyPasswordView(ResetMyPasswordView):
    class_permission_name = "ResetMyPasswordView"
    form = PolicyPasswordForm


def unit_for_pengguna(form, field) -> None:
    """A form-level rule: the error lands beside the unit field and nothing is saved. Stops the
    chain: FAB appends Optional() to a nullable field, which would erase a plain error."""
    role_names = [role.name for role in (form.roles.data or [])]
    if access.lacks_unit(role_names, field.data.id if field.data else None):
        raise StopValidation(access.PENGGUNA_NEEDS_UNIT)


_PERSONAL = ["first_name", "last_name", "username", "active", "email", "roles", "groups"]
_LINKS = ["pelaksana", "org_unit"]


class IkuUserDBModelView(DisplayMixin, ScaledViewMixin, UserDBModelView):
    """FAB's user admin with the account's links (pelaksana, unit), its lock and an unlock
    action. class_permission_name keeps FAB's name, which the role spec refers to."""

    class_permission_name = "UserDBModelView"
    show_template = "appbuilder/iku/user_show.html"
    list_columns = ["first_name", "last_name", "username", "email", "active", "roles",
                    "org_unit", "locked_at"]
    add_columns = [*_PERSONAL, *_LINKS, "password", "conf_password"]
    edit_columns = [*_PERSONAL, *_LINKS]
    search_columns = [*UserDBModelView.search_columns, *_LINKS, "locked_at"]
    search_relation_text = {"pelaksana": ("name", "nip")}
    label_columns = {
        **UserDBModelView.label_columns,
        "pelaksana": _l("Pelaksana"),
        "org_unit": _l("Unit"),
        "locked_at": _l("Locked at"),
    }
    description_columns = {
        **UserDBModelView.description_columns,
        "pelaksana": _l("The bureau staff member who uses this account."),
        "org_unit": _l("Required for the role Pengguna: the only unit whose records it sees."),
    }
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields,
                             "password": _policy_password()}
    validators_columns = {
        "roles": [roles_or_groups_required],
        "groups": [roles_or_groups_required],
        "org_unit": [unit_for_pengguna],
        "email": [email_validator],
    }
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "pelaksana", "org_unit"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"],
                               "expanded": True}),
        (_l("Login"), {"fields": ["locked_at", "fail_login_count", "login_count",
                                  "last_login"], "expanded": True}),
        (_l("Audit Info"), {"fields": ["created_on", "created_by", "changed_on", "changed_by"],
                            "expanded": False}),
    ]

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """FAB's show offers only "reset password"; the unlock action belongs there too."""
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        actions = {name: self.actions[name] for name in ("resetpasswords", "unlock")}
        widgets = self._get_show_widget(pk, item, actions=actions)
        self.update_redirect()
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=widgets, appbuilder=self.appbuilder,
                                    related_views=self._related_views)

    @action("unlock", _l("Unlock"), _l("Unlock the selected accounts?"), "fa-unlock")
    def unlock(self, items):
        users = [user for user in (items if isinstance(items, list) else [items]) if user]
        for user in users:
            access.unlock(user)
        flash(gettext("Unlocked: %(names)s", names=", ".join(u.username for u in users)),
              "success")
        return redirect(self.get_redirect())

    def pre_add(self, item) -> None:
        validate_password(item.password)  # the form checked it too; this guards the hashing
        super().pre_add(item)

    def pre_update(self, item) -> None:
        access.check_admin_kept(item)  # FAB flashes the refusal and saves nothing
        super().pre_update(item)

    def pre_delete(self, item) -> None:
        access.check_admin_kept(item, deleting=True)
        super().pre_delete(item)


class RoleWordsListWidget(ListWidget):
    template = "appbuilder/iku/role_list.html"

    def __init__(self, **kwargs):
        kwargs.update(appbuilder=current_app.appbuilder, role_words=_role_lines)
        super().__init__(**kwargs)


class RoleWordsShowWidget(ShowWidget):
    template = "appbuilder/iku/role_show.html"

    def __init__(self, **kwargs):
        kwargs.update(appbuilder=current_app.appbuilder,
                      role_menus=lambda name: access.role_access(name)["menu_words"],
                      role_permissions=lambda name: access.role_access(name)["permission_words"])
        super().__init__(**kwargs)


def _role_lines(name: str) -> list[str]:
    return permission_words.as_text(access.role_access(name)["permission_words"])


def _permission_label(permission_view) -> str:
    """An option of the role form: "Siklus: ekspor" rather than "can export on Cycle"."""
    view, permission = permission_view.view_menu.name, permission_view.permission.name
    if permission == permission_words.MENU:
        return f"{gettext('Menu')}: {permission_words.entity_word(view)}"
    return f"{permission_words.entity_word(view)}: {permission_words.verb_word(permission)}"


def _permission_options() -> list:
    query = current_app.appbuilder.sm.session.query(PermissionView).options(
        joinedload(PermissionView.view_menu), joinedload(PermissionView.permission))
    return sorted(query, key=_permission_label)


class IkuRoleModelView(RoleModelView):
    """FAB's role pages with permissions in words; the Admin role can be neither renamed nor
    deleted (app.services.permission_words): FAB prints a
    builtin role's spec as regex tuples and a stored role's as "can read on OrgUnit". A builtin
    role is defined in code (app.security.ROLE_SPEC), so its edit page, which could only store
    permissions FAB never reads for it, sends the reader to its show page instead."""

    class_permission_name = "RoleModelView"
    list_widget = RoleWordsListWidget
    show_widget = RoleWordsShowWidget
    add_form_extra_fields = edit_form_extra_fields = {
        "permissions": QuerySelectMultipleField(
            _l("Permissions"),
            query_func=_permission_options,
            get_pk_func=lambda permission_view: permission_view.id,
            get_label=_permission_label,
            widget=Select2ManyWidget(),
        )
    }

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        role = self.datamodel.get(pk)
        if role is not None and role.name in self.appbuilder.sm.builtin_roles:
            flash(gettext("This role is defined by the application; its permissions cannot be "
                          "changed here."), "info")
            return redirect(url_for(f"{self.endpoint}.show", pk=pk))
        return super().edit(pk)

    def pre_update(self, item) -> None:
        access.check_admin_role_kept(item)
        super().pre_update(item)

    def pre_delete(self, item) -> None:
        access.check_admin_role_kept(item, deleting=True)
        super().pre_delete(item)


class UserAccessView(BaseView):
    """What a user can see and do, computed by the same checks FAB runs on each request: the
    answer to "why can (not) this person open that page" without reading regexes."""

    route_base = "/users/access"
    class_permission_name = "UserAccessView"
    default_view = "show"

    @expose("/<int:user_id>")
    @has_access
    def show(self, user_id: int):
        user = self.appbuilder.sm.get_user_by_id(user_id)
        if user is None:
            abort(404)
        result = access.effective_access(user)
        return self.render_template("appbuilder/iku/user_access.html", user=user,
                                    access=result, permission_words=result["permission_words"],
                                    no_unit=access.NO_UNIT)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(UserAccessView())


class IkuViewsSecurityManager(IkuSecurityManager):
    """The security manager with the app's own account pages (config FAB_SECURITY_MANAGER_CLASS).

    FAB takes its account pages as class attributes of the security manager; they live here
    because arrows run views -> security, never back: app.security stays free of views.
    """

    userdbmodelview = IkuUserDBModelView
    rolemodelview = IkuRoleModelView
    authdbview = IkuAuthDBView
    resetpasswordview = IkuResetPasswordView
    resetmypasswordview = IkuResetMyPasswordView
