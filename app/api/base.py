"""The one base class every REST API inherits; the same permissions and unit scope as the
pages (see app/views/base.py), and domain errors answered as 422 instead of FAB's 500."""

from __future__ import annotations

from flask_appbuilder import ModelRestApi

from app.security import METHOD_PERMISSIONS, scope_filters
from app.views.base import enforce_unit_scope


class BaseModelApi(ModelRestApi):
    scope_column: str | None = None
    extra_base_filters: list = []
    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True

    def __init__(self, **kwargs):
        self.class_permission_name = self.class_permission_name or self.datamodel.obj.__name__
        self.resource_name = self.resource_name or self.datamodel.obj.__tablename__.replace("_", "-")
        self.base_filters = scope_filters(self.scope_column) + list(self.extra_base_filters)
        super().__init__(**kwargs)

    def post_headless(self):
        return self._domain_errors_as_422(super().post_headless)

    def put_headless(self, pk):
        return self._domain_errors_as_422(super().put_headless, pk)

    def _domain_errors_as_422(self, handler, *args):
        """Domain rules raise ValueError subclasses with a user-facing message; FAB's @safe
        would answer 500 and leave the half-applied item in the session."""
        try:
            return handler(*args)
        except ValueError as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=str(exc))

    def pre_add(self, item) -> None:
        enforce_unit_scope(item, self.scope_column)

    def pre_update(self, item) -> None:
        enforce_unit_scope(item, self.scope_column)
