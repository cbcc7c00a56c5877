"""The one base class every REST API inherits; the same permissions and unit scope as the
pages (see app/views/base.py), domain errors answered as 422 instead of FAB's 500, and the
query interface of app/views/datamodel.py (cheap count, no N+1 on relation columns).

Importing this module also makes FAB's `q` argument check cheap (see _CachedSchemaValidation)
and its parsing safe (see _StrictRison).
"""

from __future__ import annotations

from http import HTTPStatus

import flask_appbuilder.api as fab_api
import jsonschema
import prison
from flask import request
from flask_appbuilder import ModelRestApi
from flask_babel import get_locale, gettext
from sqlalchemy.exc import SQLAlchemyError

from app.api.schema import FastDumpConverter
from app.security import METHOD_PERMISSIONS, register_scope_path, scope_filters
from app.services import db_errors, validation
from app.views.base import enforce_unit_scope
from app.views.counting import CappedCount
from app.views.datamodel import IkuSQLAInterface
from app.views.select_plan import selectable


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


class _StrictRison:
    """FAB answers 400 to a `q` that prison cannot parse only when prison raises its
    ParserException; on some input (`q=-1e+291`: "could not convert string to float") it
    raises ValueError and FAB answered 500. Stands in for `prison` inside flask_appbuilder.api:
    every parse failure is a ParserException, hence FAB's own 400."""

    decoder = prison.decoder

    @staticmethod
    def loads(value, *args, **kwargs):
        try:
            return prison.loads(value, *args, **kwargs)
        except prison.decoder.ParserException:
            raise
        except (ValueError, TypeError, IndexError, KeyError, RecursionError) as exc:
            raise prison.decoder.ParserException(str(exc)) from None

    dumps = staticmethod(prison.dumps)


fab_api.prison = _StrictRison()


def path_operation(summary: str, body: dict[str, dict] | None = None,
                   responses: tuple[int, ...] = (200, 401, 403, 404, 422)) -> dict:
    """The OpenAPI operation of an endpoint on one record (`/<int:pk>/...`): its `pk`, a JSON
    body with `body` properties, and its answers, so that clients and the fuzzer see it."""
    operation: dict = {
        "summary": summary,
        "parameters": [{"in": "path", "name": "pk", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "responses": {str(code): {"description": HTTPStatus(code).phrase} for code in responses},
    }
    if body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": {
            "type": "object", "properties": body}}}}
    return operation


class BaseModelApi(ModelRestApi):
    """count_limit: a list's `count` stops a little past the page asked for (count_cap: the
    first multiple of count_limit past its last row, plus one; the answer then carries
    `"count_capped": true`): counting a million work events exactly was most of a request,
    and a client pages with filters, not to page 40,000."""

    scope_column: str | None = None
    extra_base_filters: list = []
    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True
    count_limit: int | None = 1_000
    model2schemaconverter = FastDumpConverter

    def __init__(self, **kwargs):
        self.datamodel = IkuSQLAInterface.wrap(self.datamodel, count_limit=self.count_limit)
        self.class_permission_name = self.class_permission_name or self.datamodel.obj.__name__
        self.resource_name = self.resource_name or self.datamodel.obj.__tablename__.replace("_", "-")
        self.base_filters = scope_filters(self.scope_column) + list(self.extra_base_filters)
        register_scope_path(self.datamodel.obj, self.scope_column)
        super().__init__(**kwargs)
        # answers read as rows of their columns (RecordsMixin), unless one is computed
        self.datamodel.records = not self._select_what_computed_columns_read()

    def _select_what_computed_columns_read(self) -> bool:
        """FAB's list query loads only the listed columns; a computed one (a Python property
        of the model) reads others, which then arrive by one lazy SELECT per row. With such
        a column, the list loads whole rows. A hybrid property (a complaint's complainant,
        "dirahasiakan" when confidential) is no such column: it is selected as its SQL."""
        model = self.datamodel
        computed = [name for name in self.list_select_columns
                    if "." not in name and not model.is_relation(name)
                    and name not in model.list_columns and not selectable(model.obj, name)]
        if computed:
            kept = [name for name in self.list_select_columns if name not in computed]
            self.list_select_columns = kept + [name for name in model.list_columns
                                               if name not in kept]
        return bool(computed)

    def pre_get_list(self, data: dict) -> None:
        if isinstance(data.get("count"), CappedCount):
            data["count"], data["count_capped"] = int(data["count"]), True

    def post_headless(self):
        refusal = self._refuse_bad_relation_ids(self.add_columns)
        return refusal or self._domain_errors_as_422(super().post_headless)

    def put_headless(self, pk):
        refusal = self._refuse_bad_relation_ids(self.edit_columns)
        return refusal or self._domain_errors_as_422(super().put_headless, pk)

    def _refuse_bad_relation_ids(self, columns):
        """A relation is given by the id of an existing record. marshmallow-sqlalchemy would
        also take an object and construct a new related record from its keys (TypeError, 500,
        on an unknown key), or look up a float or a 2**70."""
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            return None
        errors = {}
        for name in columns or []:
            if name not in body or not self.datamodel.is_relation(name):
                continue
            value = body[name]
            values = value if self.datamodel.is_relation_many_to_many(name) else [value]
            if not isinstance(values, list) or any(
                    item is not None and db_errors.as_db_int(item) != item for item in values):
                errors[name] = [gettext("Give the id of an existing record.")]
        return self.response_422(message=errors) if errors else None

    def delete_headless(self, pk):
        return self._domain_errors_as_422(super().delete_headless, pk)

    def _domain_errors_as_422(self, handler, *args):
        """Domain rules and refused writes raise ValueError subclasses with a user-facing
        message (field errors as {field: [message]}, like a schema error); FAB's @safe would
        answer 500 and leave the half-applied item in the session. A value the database cannot
        take while the body is read (an id of 2**40 for a relation, a NUL byte) is the same."""
        try:
            return handler(*args)
        except ValueError as exc:
            self.datamodel.session.rollback()
            messages = getattr(exc, "as_messages", None)
            return self.response_422(message=messages() if messages else str(exc))
        except (SQLAlchemyError, OverflowError) as exc:
            self.datamodel.session.rollback()
            if not db_errors.is_input_error(exc):
                raise
            return self.response_422(message=str(db_errors.explain(exc)))

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        """FAB merges `openapi_spec_methods` only into a method whose docstring carries YAML;
        our own endpoints declare their spec there (see path_operation), docstrings stay prose."""
        super().operation_helper(path=path, operations=operations, methods=methods, func=func,
                                 **kwargs)
        declared = self.openapi_spec_methods.get(func.__name__, {})
        for method in methods or []:
            spec = declared.get(method.lower())
            if spec and not operations.get(method.lower()):
                operations[method.lower()] = {**spec, "security": [{"jwt": []}]}

    def _label_columns_json(self, cols=None):
        """FAB words every label of a list or show answer again on each request (a gettext per
        column and a scan of all labels per column): kept per language for the view's own
        column lists; a client's own choice of columns is worded as FAB words it."""
        return self._worded(super()._label_columns_json, cols)

    def _description_columns_json(self, cols=None):
        return self._worded(super()._description_columns_json, cols)

    def _worded(self, word, cols):
        if not any(cols is own for own in (self.list_columns, self.show_columns,
                                            self.description_columns)):
            return word(cols)
        kept = self.__dict__.setdefault("_iku_worded", {})
        key = (word.__name__, tuple(cols), str(get_locale()))
        if key not in kept:
            kept[key] = word(cols)
        return dict(kept[key])

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        """FAB passes a missing description through gettext(""), which answers with the
        catalog's header ("Project-Id-Version: ..."): no description is an empty one."""
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        if not self.description_columns.get(field.name):
            info["description"] = ""
        return info

    def pre_add(self, item) -> None:
        enforce_unit_scope(item, self.scope_column)
        validation.validate_record(item)

    def pre_update(self, item) -> None:
        enforce_unit_scope(item, self.scope_column)
        validation.validate_record(item)
