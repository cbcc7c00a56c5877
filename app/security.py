"""Who may do what, and on which rows.

Roles are FAB "builtin roles" (FAB_ROLES): regexes over (view, permission) evaluated in memory.
That is FAB's own mechanism for roles defined in code; it keeps the spec reviewable in one place
and spares every page the per-request permission queries of DB-stored roles.

Row-level scope is enforced by ONE filter, UnitScopeFilter, which the base view and base API
classes put in front of every query (list, show, edit, delete, actions, export, REST): a unit
liaison's queries only ever return its own unit's rows, so guessing an id yields 404. The same
filter narrows the choices of every relation (select boxes of search/add/edit forms, the REST
`_info` values) to the related model's rows in scope: see scope_path().
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from flask import current_app, has_request_context, jsonify, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash
from werkzeug.utils import import_string

from app.models.cycles import Cycle
from app.models.org import IkuUser
from app.services import ratelimit  # noqa: F401  (the limiter's db+... storage, registered)
from app.services.passwords import (
    validate_password,
    validate_password_for_fab,
)
from app.sessions import SessionGenerationMixin

ROLE_ADMIN = "Admin"
ROLE_KEPALA_BIRO = "Kepala Biro"
ROLE_KABAG = "Kepala Bagian"
ROLE_KASUBBAG = "Kepala Subbagian"
ROLE_STAF = "Staf"
ROLE_PENGGUNA = "Pengguna"
ROLE_AUDITOR = "Auditor"

# Every logged-in user may see the menu, their own profile and change their own password.
_SELF_SERVICE = [
    ("UserDBModelView$", "can_userinfo$"),
    ("UserInfoEditView$", "can_this_form_(get|post)$"),
    ("ResetMyPasswordView$", "can_this_form_(get|post)$"),
    ("MenuApi$", "can_get$"),
    ("LocaleView$", ".*"),
    # Their own choice of reminder emails (app/views/mail.py), under the Mail menu.
    ("MailSettings$", "can_edit$"),
    ("(Mail|Email settings)$", "menu_access$"),
]
def _any(*names: str) -> str:
    """An anchored alternation: FAB matches builtin-role regexes with re.match, which anchors
    only the start, so "OrgUnit" alone would also grant "OrgUnitAssignment"."""
    return "(" + "|".join(names) + ")$"


_READ = _any("can_read", "can_export")
# The IKU registry (app/views/iku.py): the bureau keeps it, a unit reads its own and edits its
# drafts (app.services.iku refuses a unit's change to anything past draft).
_IKU_VIEWS = _any("Indicator", "IndicatorTarget")
_IKU_MENUS = ("IKU", "Indicators", "Indicator targets", "IKU matrix", "Published IKU",
              "Change proposals")
# Change proposals (app/views/proposals.py): a unit submits and may withdraw its own; bureau
# staff record one a unit sent on paper; the Kepala Biro and the Kabag decide
# (app.services.proposals checks who exactly).
_PROPOSALS_BUREAU = ("ChangeProposal$", _any("can_read", "can_export", "can_add"))
_PROPOSALS_HEADS = ("ChangeProposal$", "can_decide$")
_PROPOSALS_UNIT = ("ChangeProposal$", _any("can_read", "can_export", "can_add", "can_withdraw"))
_IKU_BUREAU = [(_IKU_VIEWS, _any("can_read", "can_export", "can_add", "can_edit")),
               _PROPOSALS_BUREAU, (_any(*_IKU_MENUS), "menu_access$"),
               ("IndicatorImport$", "can_import$"), ("IKU import$", "menu_access$")]
_BUREAU_VIEWS = _any(
    "OrgUnit", "OrgUnitAssignment", "Section", "Position", "Pelaksana", "Competence",
    "CompetenceRecord", "ServiceStandard", "WorkSchedule", "Holiday",
)
_BUREAU_MENUS = _any(
    "Organisation", "Units", "Assignment history", "Sections", "Positions", "Pelaksana",
    "Competences", "Competence records", "Standards", "Standard versions", "Published standard",
    "Calendar",
    "Office hours", "Holidays",
)
_UNIT_VIEWS = _any("OrgUnit", "OrgUnitAssignment", "ServiceStandard", "Indicator", "IndicatorTarget")
# The unit portal: a unit's final draft (app/views/submissions.py), which the unit sends and
# the serving Bagian may record on its behalf (the engine decides who exactly); the units
# without a liaison (app/views/liaisons.py), which the Kepala Biro and the Kabag fill.
_SUBMISSIONS = [("FinalSubmission$", _any("can_read", "can_export", "can_add")),
                ("Final submissions$", "menu_access$")]
_LIAISONS = [("UnitLiaison$", _any("can_read", "can_assign")),
             ("Units without liaison$", "menu_access$")]
_UNIT_MENUS = _any(
    *_IKU_MENUS, "Cycles", "Cycle list",
    "Organisation", "Units", "Assignment history", "Standards", "Standard versions", "Published standard",
)

# Cycles (app/views/cycles*.py, app/api/cycles.py): read lists and pages, start a cycle, act on
# an item (start/complete/return/pause/resume), reassign it; the engine checks who exactly.
_CYCLE_MENUS = ("Cycles", "My tasks", "Reminders", "Open items", "Event history")
_CYCLES_UNIT = [
    ("WorkItem$", _any("can_read", "can_export", "can_act")),
    ("WorkEvent$", _READ),
    ("Reminder$", _any("can_read", "can_edit")),
    (_any(*_CYCLE_MENUS), "menu_access$"),
]
_CYCLES_STAF = [
    ("Cycle$", _READ),
    *_CYCLES_UNIT[:-1],
    (_any(*_CYCLE_MENUS, "Cycle list"), "menu_access$"),
]
_CYCLES_KASUBBAG = [*_CYCLES_STAF, ("WorkItem$", "can_reassign$")]
_CYCLES_HEADS = [
    *_CYCLES_KASUBBAG,
    ("Cycle$", "can_start$"),
    ("SlaBoard$", _READ),
    ("SLA board$", "menu_access$"),
]

# Discussion of step 5 (app/views/discussions, app/api/discussions.py): every bureau role and a
# liaison read (a liaison in its scope); the heads define the groups; every bureau role may
# record a session, and the service lets only the group's lead and members (and the heads) do it.
_DISCUSSION_VIEWS = _any("DiscussionGroup", "DiscussionSession", "DiscussionDecision")
_DISCUSSION_MENUS = _any("Discussion groups", "Discussion sessions", "Discussion decisions")
_DISCUSSION_READ = [(_DISCUSSION_VIEWS, _READ), (_DISCUSSION_MENUS, "menu_access$")]
_DISCUSSION_STAFF = [*_DISCUSSION_READ, ("DiscussionSession$", "can_record$")]
_DISCUSSION_HEADS = [*_DISCUSSION_STAFF, ("DiscussionGroup$", "can_define$")]
# Official documents (app/views/documents, app/api/documents.py): the bureau reads, exports
# and acts (generate, upload a version, finalise, signed scan; the service checks that the user
# may act on the item, as for the item itself); a liaison reads its own unit's documents.
# Templates are the Admin's (the Auditor reads them like everything else).
_DOCUMENT_MENUS = ("Documents", "Document register")
_DOCUMENTS_BUREAU = [("Document$", _any("can_read", "can_export", "can_act")),
                     (_any(*_DOCUMENT_MENUS), "menu_access$")]
_DOCUMENTS_UNIT = [("Document$", _READ), (_any(*_DOCUMENT_MENUS), "menu_access$")]

# Mail (app/views/mail.py): bureau staff send a final document by email (the service checks
# who exactly); the outbox and the local mailbox are the Admin's (the Auditor reads them).
_MAIL_BUREAU = [("MailDispatch$", "can_dispatch$")]

# Complaints (app/views/complaints, app/api/complaints.py): every bureau role and a liaison (in
# its scope) read, file and act; the engine (app.services.complaints) decides who may do what
# exactly. Supervision (app/views/supervision.py): every bureau role reads (scoped to itself and
# the people below it); the superiors record.
_COMPLAINT_MENUS = _any("Complaints", "Complaint list", "File a complaint", "Complaint board",
                        "Complaint report")
_COMPLAINTS = [("Complaint$", _any("can_read", "can_export", "can_add", "can_act")),
               ("ComplaintReport$", "can_read$"), (_COMPLAINT_MENUS, "menu_access$")]
_SUPERVISION_MENUS = _any("Supervision", "Supervision records", "Record supervision")
_SUPERVISION_READ = [("SupervisionRecord$", _READ),
                     (_any("Supervision", "Supervision records"), "menu_access$")]
_SUPERVISION_HEADS = [("SupervisionRecord$", _any("can_read", "can_export", "can_add")),
                      (_SUPERVISION_MENUS, "menu_access$")]
# Yearly evaluation (app/views/evaluation): every bureau role reads the evaluations it gives or
# receives (the list filters them), rates as evaluator and answers as pelaksana (the service
# checks who exactly); opening a year and choosing another evaluator are the Admin's.
_EVALUATION_MENUS = _any("Evaluation", "Evaluations", "Evaluation periods")
_EVALUATION = [("Evaluation$", _any("can_read", "can_export", "can_rate", "can_answer")),
               ("EvaluationPeriod$", _READ), (_EVALUATION_MENUS, "menu_access$")]
# Satisfaction survey (app/views/survey.py): the bureau reads answers and results; a liaison
# answers for its unit and reads its own unit's answers (scope: org_unit).
_SURVEY_BUREAU = [("SurveyResponse$", _READ),
                  (_any("Survey", "Survey results", "Survey answers"), "menu_access$")]
_SURVEY_UNIT = [("SurveyResponse$", _any("can_read", "can_answer")),
                (_any("Survey", "Surveys to answer", "Survey answers"), "menu_access$")]
# The bottleneck dashboard (app/views/dashboard.py): the Kepala Biro and the Kabag.
_DASHBOARD = [("Dashboard$", _READ), ("Bottleneck dashboard$", "menu_access$")]

ROLE_SPEC: dict[str, list[tuple[str, str]]] = {
    ROLE_ADMIN: [(".*", ".*")],
    ROLE_AUDITOR: [
        *_SELF_SERVICE,
        (".*", _any("can_read", "can_export", "can_list", "can_show", "can_get", "can_info")),
        (".*", "menu_access$"),
        ("UserAccessView$", "can_show$"),
        ("UserStatsChartView$", "can_chart$"),  # login statistics: a read like any other
    ],
    ROLE_KEPALA_BIRO: [
        *_SELF_SERVICE,
        *_IKU_BUREAU, _PROPOSALS_HEADS,
        (_BUREAU_VIEWS, _READ),
        ("CompetenceRecord$", _any("can_add", "can_edit")),
        (_BUREAU_MENUS, "menu_access$"),
        *_CYCLES_HEADS, *_SUBMISSIONS, *_LIAISONS, *_DISCUSSION_HEADS,
        *_DOCUMENTS_BUREAU, *_MAIL_BUREAU,
        *_COMPLAINTS, *_SUPERVISION_HEADS, *_EVALUATION, *_SURVEY_BUREAU, *_DASHBOARD,
    ],
    ROLE_KABAG: [
        *_SELF_SERVICE,
        *_IKU_BUREAU, _PROPOSALS_HEADS,
        (_BUREAU_VIEWS, _READ),
        ("CompetenceRecord$", _any("can_add", "can_edit")),
        (_BUREAU_MENUS, "menu_access$"),
        *_CYCLES_HEADS, *_SUBMISSIONS, *_LIAISONS, *_DISCUSSION_HEADS,
        *_DOCUMENTS_BUREAU, *_MAIL_BUREAU,
        *_COMPLAINTS, *_SUPERVISION_HEADS, *_EVALUATION, *_SURVEY_BUREAU, *_DASHBOARD,
    ],
    ROLE_KASUBBAG: [
        *_SELF_SERVICE,
        *_IKU_BUREAU, (_BUREAU_VIEWS, _READ), (_BUREAU_MENUS, "menu_access$"),
        *_CYCLES_KASUBBAG, *_SUBMISSIONS, *_DISCUSSION_STAFF,
        *_DOCUMENTS_BUREAU, *_MAIL_BUREAU,
        *_COMPLAINTS, *_SUPERVISION_HEADS, *_EVALUATION, *_SURVEY_BUREAU,
    ],
    ROLE_STAF: [
        *_SELF_SERVICE,
        *_IKU_BUREAU, (_BUREAU_VIEWS, _READ), (_BUREAU_MENUS, "menu_access$"), *_CYCLES_STAF,
        *_SUBMISSIONS, *_DISCUSSION_STAFF,
        *_DOCUMENTS_BUREAU, *_MAIL_BUREAU,
        *_COMPLAINTS, *_SUPERVISION_READ, *_EVALUATION, *_SURVEY_BUREAU,
    ],
    ROLE_PENGGUNA: [
        *_SELF_SERVICE,
        (_UNIT_VIEWS, _READ),
        ("OrgUnit$", "can_edit$"),
        (_IKU_VIEWS, _any("can_edit", "can_add")),
        _PROPOSALS_UNIT,
        (_UNIT_MENUS, "menu_access$"),
        *_CYCLES_UNIT,
        ("Cycle$", _READ),  # the cycles its unit takes part in (scope: units.org_unit)
        *_SUBMISSIONS, *_DISCUSSION_READ,
        *_DOCUMENTS_UNIT, *_COMPLAINTS, *_SURVEY_UNIT,
    ],
}

# Roles whose holders see every unit's rows; a user holding none of them is scoped to its unit.
UNSCOPED_ROLES = {ROLE_ADMIN, ROLE_AUDITOR, ROLE_KEPALA_BIRO, ROLE_KABAG, ROLE_KASUBBAG, ROLE_STAF}

# FAB names a permission after the view method; these collapse them so that a ModelView and
# the ModelRestApi of the same entity share one set of permissions ("can_read on OrgUnit").
METHOD_PERMISSIONS = {
    "list": "read", "show": "read", "get": "read", "get_list": "read", "info": "read",
    "download": "read", "api": "read", "api_read": "read", "api_get": "read",
    "api_column_add": "add", "api_column_edit": "edit", "api_readvalues": "read",
    "add": "add", "post": "add", "api_create": "add",
    "edit": "edit", "put": "edit", "api_update": "edit",
    "delete": "delete", "api_delete": "delete",
    "action": "edit", "action_post": "edit",
    "export": "export",
}  # fmt: skip

NO_UNIT = -1


def scope_unit_id(user) -> int | None:
    """The unit a user is confined to, None if it sees all units. A liaison without a unit is
    confined to no unit at all (NO_UNIT) rather than, by accident, to every unit."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_UNIT
    role_names = {role.name for role in user.roles}
    if role_names & UNSCOPED_ROLES:
        return None
    return user.org_unit_id or NO_UNIT


def current_scope_unit_id() -> int | None:
    """Memoised on the request (not on `g`, which outlives a request when an app context was
    already pushed, as in tests and CLI code): the filter runs on every query of a page."""
    if not has_request_context():
        return None
    if "iku.scope" not in request.environ:
        request.environ["iku.scope"] = scope_unit_id(current_app.appbuilder.sm.current_user)
    return request.environ["iku.scope"]


class UnitScopeFilter(BaseFilter):
    """Confines a query to the current user's unit. The column is the record's path to its
    unit: "id" for OrgUnit itself, "org_unit" (or a dotted path) for everything owned by one."""

    name = "Unit scope"
    arg_name = "unitscope"

    def apply(self, query, value):
        unit_id = current_scope_unit_id()
        if unit_id is None:
            return query
        return query.filter(unit_clause(self.model, self.column_name, unit_id))

    def statement_key(self, _value):
        """All that apply() reads: the unit, afresh on every request. A list's statement
        built under it is kept under it (app/views/kept_statements.py)."""
        return "unit", current_scope_unit_id()


# Who reads personnel matters (a reprimand, an evaluation report) of anyone; everyone else reads
# only those that concern them or that they made.
PERSONNEL_ROLES = {ROLE_ADMIN, ROLE_AUDITOR, ROLE_KEPALA_BIRO, ROLE_KABAG}


def personal_clause(model, user, subject: str = "pelaksana_id", maker: str = "created_by_id"):
    """None when `user` reads every personal record; else the condition "not personal, or
    about me (my pelaksana record), or made by me" over `model`'s `subject` and `maker`."""
    if user is not None and {r.name for r in getattr(user, "roles", ())} & PERSONNEL_ROLES:
        return None
    authenticated = getattr(user, "is_authenticated", False)
    column = getattr(model, subject)
    if not authenticated:
        return column.is_(None)
    clause = column.is_(None) | (getattr(model, maker) == user.id)
    if getattr(user, "pelaksana_id", None):
        clause = clause | (column == user.pelaksana_id)
    return clause


class PersonalFilter(BaseFilter):
    """Hides the personal records (column: the person they concern) of other people from
    anyone outside PERSONNEL_ROLES, in lists, show pages, exports and the API alike."""

    name = "Personal scope"
    arg_name = "personalscope"

    def apply(self, query, value):
        if not has_request_context():
            return query
        clause = personal_clause(self.model, current_app.appbuilder.sm.current_user,
                                 self.column_name)
        return query if clause is None else query.filter(clause)

    def statement_key(self, _value):
        """All that personal_clause() reads of the request: the account, its roles and its
        pelaksana, afresh on every request (app/views/kept_statements.py)."""
        if not has_request_context():
            return "personal", None
        user = current_app.appbuilder.sm.current_user
        if not getattr(user, "is_authenticated", False):
            return "personal", "anonymous"
        return ("personal", user.id, getattr(user, "pelaksana_id", None),
                frozenset(role.name for role in user.roles))


def unit_clause(model, path: str, unit_id: int):
    """`path` as nested EXISTS subqueries (relationship.has, or .any for a collection such as
    a cycle's units), never as JOINs: a JOIN would be ambiguous as soon as the list itself joins
    the same table (e.g. work_item.parent_id)."""
    head, _, rest = path.partition(".")
    attr = getattr(model, head)
    prop = getattr(attr, "property", None)
    target = getattr(prop, "mapper", None)
    if target is None:
        return attr == unit_id
    exists = attr.any if prop.uselist else attr.has
    if not rest:
        return exists(id=unit_id)
    return exists(unit_clause(target.class_, rest, unit_id))


def scope_filters(column: str | None) -> list:
    """The base_filters entry that scopes a view or API; empty for bureau-only entities."""
    return [[column, UnitScopeFilter, None]] if column else []


# Each model's path to its unit, for the choices of relations pointing at it. The base view and
# API classes register their scope_column; these models have no scoped page of their own but
# must not be listed whole to a liaison: accounts (a liaison sees its own unit's) and cycles
# (those its unit takes part in). Bureau reference data (sections, positions) stays unscoped.
_SCOPE_PATHS: dict[type, str] = {IkuUser: "org_unit", Cycle: "units.org_unit"}


def register_scope_path(model: type, path: str | None) -> None:
    if path:
        _SCOPE_PATHS.setdefault(model, path)


def scope_path(model: type) -> str | None:
    return _SCOPE_PATHS.get(model)


class IkuSecurityManager(SessionGenerationMixin, SecurityManager):
    """FAB's manager, hardened where FAB leaves a gap (see DESIGN.md, "Known facts and traps"):

    - lockout: FAB only counts failures; here the IKU_LOCKOUT_THRESHOLD-th consecutive failure
      sets locked_at, and a locked account is refused with the right password too (form and
      API share auth_user_db). Unknown names get the same treatment from a counter in the
      rate-limit storage, so "locked" never tells an attacker that a name exists;
    - the API login, which FAB never rate-limits, gets the form login's limit;
    - the password policy is checked in add_user/reset_password (CLI, FAB's own commands, the
      reset forms), and FAB's validator config cannot be switched off (FAB's users REST API,
      which would hash passwords itself, is off: FAB_ADD_SECURITY_API);
    - builtin-role regexes must match the WHOLE view and permission name (FAB's re.match
      anchors only the start): a spec entry that forgets its "$" still cannot grant
      "OrgUnitAssignment" through "OrgUnit".
    """

    user_model = IkuUser

    @property
    def userstatschartview(self):
        """Statistik Pengguna drawn offline with the vendored Chart.js (FAB's own loads Google
        Charts from the internet). A property: app.views imports this module."""
        from app.views.user_stats import IkuUserStatsChartView

        return IkuUserStatsChartView

    def __init__(self, appbuilder):
        self._builtin_answers: dict[tuple[str, str, str], bool] = {}
        config = current_app.config
        validator = config.get("FAB_PASSWORD_COMPLEXITY_VALIDATOR")
        if isinstance(validator, str):  # FAB calls it as is: a dotted path would crash forms
            validator = import_string(validator)
        config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = validator or validate_password_for_fab
        config["FAB_PASSWORD_COMPLEXITY_ENABLED"] = True
        super().__init__(appbuilder)

    def register_views(self) -> None:
        super().register_views()
        endpoint = f"{self.security_api.__name__}.login"
        view_functions = current_app.view_functions
        if self.is_auth_limited and endpoint in view_functions:
            view_functions[endpoint] = self.limiter.limit(self.auth_rate_limit, methods=["POST"])(
                view_functions[endpoint]
            )

    def create_jwt_manager(self, app):
        """flask-jwt-extended answers a malformed or badly signed bearer token with 422; it is
        a failed authentication like a missing or expired one: 401."""
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.invalid_token_loader(lambda reason: (jsonify(msg=reason), 401))
        return jwt_manager

    @staticmethod
    def _match(pattern: str, name: str) -> bool:
        return re.fullmatch(pattern, name) is not None

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        """Every permission check and every menu entry of every page lands here; the roles
        are FAB_ROLES, fixed when the app starts, so each answer is computed once per process
        (a page's menu asked ~150 regex scans per request)."""
        key = (role.name, permission_name, view_name)
        allowed = self._builtin_answers.get(key)
        if allowed is None:
            allowed = self._builtin_answers[key] = any(
                self._match(view, view_name) and self._match(perm, permission_name)
                for view, perm in self.builtin_roles.get(role.name, [])
            )
        return allowed

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """Nothing is public through FAB's permissions (the public pages, /standar/, /iku/,
        /verifikasi/, /pengaduan/status, are routes of their own): the Public role is builtin
        with an empty spec (create_app) and answered in memory. FAB read it from the database
        twice on every REST call, a fifth of a REST list's time, and an Admin could have
        granted anonymous access to a page from the role pages."""
        public = SimpleNamespace(name=self.auth_role_public)
        return self._has_access_builtin_roles(public, permission_name, view_name)

    def add_permissions_view(self, base_permissions, view_menu):
        """FAB deletes the stored permissions of a view name that the view being registered
        lacks; a page and its API share one name here (METHOD_PERMISSIONS), so each would delete
        the other's (the page's can_export): register what every view of that name offers."""
        offered = set(base_permissions)
        for view in self.appbuilder.baseviews:
            if view.class_permission_name == view_menu:
                offered.update(view.base_permissions)
        super().add_permissions_view(sorted(offered), view_menu)

    # --- menus -------------------------------------------------------------------------------
    # FAB shows a menu entry to whoever holds "menu_access" on its name, whether or not the page
    # behind it lets them in: a role granted every menu (the Auditor's read-everything spec)
    # would be offered pages that answer 403. Here an entry also needs the permission of its
    # view's landing page, and a category needs at least one such entry. The navbar
    # (is_menu_visible) and the menu API (get_user_menu_access) both go through these two.

    def has_access(self, permission_name: str, view_name: str) -> bool:
        allowed = super().has_access(permission_name, view_name)
        if allowed and permission_name == "menu_access":
            return self._menu_usable(view_name)
        return allowed

    def get_user_menu_access(self, menu_names=None) -> set[str]:
        return {name for name in super().get_user_menu_access(menu_names)
                if self._menu_usable(name)}

    def _menu_usable(self, name: str) -> bool:
        item = self.appbuilder.menu.find(name)
        if item is None:
            return True
        if item.childs:
            return any(child.name != "-" and self.has_access("menu_access", child.name)
                       for child in item.childs)
        view = item.baseview
        if view is None or not view.default_view:
            return True  # a plain link (add_link): its target checks access itself
        permission = f"can_{view.get_method_permission(view.default_view)}"
        return permission in view.base_permissions and super().has_access(
            permission, view.class_permission_name)

    # --- passwords ---------------------------------------------------------------------------

    def add_user(self, username, first_name, last_name, email, role=None, password="",
                 hashed_password="", groups=None, commit=True):
        if password and not hashed_password:
            validate_password(password)
        return super().add_user(username, first_name, last_name, email, role, password,
                                hashed_password, groups, commit)

    def reset_password(self, userid, password):
        """A new password ends the account's other sessions and tokens (IkuUser's generation);
        the person changing their own password stays logged in here."""
        validate_password(password)
        super().reset_password(userid, password)
        if has_request_context() and getattr(current_user, "id", None) == userid:
            login_user(self.get_user_by_id(userid))

    # --- lockout -----------------------------------------------------------------------------

    def auth_user_db(self, username, password):
        from app.services import access

        account = None
        if username:
            account = self.find_user(username=username) or self.find_user(email=username)
        if access.login_locked(account, username):
            # Spend what a password check costs, so timing does not tell "locked" apart.
            check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "x")
            access.flag_locked_login()
            return None
        user = super().auth_user_db(username, password)
        if user is None and username and access.after_failed_login(account, username):
            access.flag_locked_login()
        return user

    def update_user_auth_stat(self, user, success=True):
        from app.services import access

        if not success:
            access.count_failure(user)  # may lock; committed with FAB's counter below
        super().update_user_auth_stat(user, success)
