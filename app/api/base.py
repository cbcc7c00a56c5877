"""The one base class every REST API inherits; the same permissions and unit scope as the
pages (see app/views/base.py), domain errors answered as 422 instead of FAB's 500, and the
query interface of app/views/datamodel.py (cheap count, no N+1 on relation columns).

Importing this module also makes FAB's `q` argument check cheap (see _CachedSchemaValidation).
"""

from __future__ import annotations

import flask_appbuilder.api as fab_api
import jsonschema
from flask_appbuilder import ModelRestApi

from app.security import METHOD_PERMISSIONS, register_scope_path, scope_filters
from app.views.base import enforce_unit_scope
from app.views.datamodel import IkuSQLAInterface


class _CachedSchemaValidation:
    """FAB's @rison decorator calls jsonschema.validate() on every GET, which first validates
    FAB's (constant) schema against the JSON Schema metaschema: ~20 ms, about 40 % of a REST
    list request. This stands in for the `jsonschema` module inside flask_appbuilder.api only:
    each schema is checked once, then its validator is reused; errors are raised exactly as
    jsonschema.validate raises them (best_match of the same validator's errors)."""

    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        self._validators: dict[int, jsonschema.protocols.Validator] = {}

    def validate(self, instance, schema) -> None:
        validator = self._validators.get(id(schema))
        if validator is None or validator.schema is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[id(schema)] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


fab_api.jsonschema = _CachedSchemaValidation()


class BaseModelApi(ModelRestApi):
    scope_column: str | None = None
    extra_base_filters: list = []
    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True

    def __init__(self, **kwargs):
        self.datamodel = IkuSQLAInterface.wrap(self.datamodel)
        self.class_permission_name = self.class_permission_name or self.datamodel.obj.__name__
        self.resource_name = self.resource_name or self.datamodel.obj.__tablename__.replace("_", "-")
        self.base_filters = scope_filters(self.scope_column) + list(self.extra_base_filters)
        register_scope_path(self.datamodel.obj, self.scope_column)
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
