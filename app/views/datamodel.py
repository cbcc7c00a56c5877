"""FAB's SQLAInterface, made to cost what a list page needs at scale (see bench/README.md).

Every page and REST API goes through BaseModelView/BaseModelApi, which swap the view's
SQLAInterface for this one (app.views.scaled_view.ScaledViewMixin, usable on any FAB
ModelView), so the fixes apply everywhere without touching a view:

- the count: FAB counts `SELECT count(*) FROM (SELECT <every column> ... ORDER BY ...)` with
  the list's load options; here it is `SELECT count(pk) FROM <table> WHERE <filters>`, and
  with `count_limit` it stops a little past the page (count_cap; a log that only grows),
  and a page carries it in its own SELECT (a scalar subquery), not in a statement of its own;
- an unpaginated query (the choices of a relation's select box on search, add and edit forms)
  is counted by len() of its result, instead of by a second, identical scan;
- many-to-one columns shown in a list are joined into the page's own SELECT: FAB leaves them
  to lazy loads, one statement per row unless the identity map happens to hold the target;
- the columns a model names in `list_unloaded` (JSON a list never shows, such as a work
  item's plan) are not read by a list page, of its rows or of their joined relations, unless
  the list shows them: decoding them was most of the cost of reading a row;
- a relation named in `text_relations` is searched by text ("Contains" over the target's
  columns) instead of FAB's select box of EVERY target row, which renders thousands of
  <option>s into each list page once the target table is large (pelaksana, users, ...);
- a list's statement (a REST answer's SELECT, run on the request's connection; a page's
  Query) is built once per worker for each set of what shapes it (app/views/kept_statements.py);
- a datetime read for a list, a show page or an export is the office's wall-clock time
  (app.views.display): the one place where stored UTC becomes WIB.
- the interface of a relation's target (get_related_interface: the choices of every select
  box and of the REST `_info` values) puts the target's unit scope in front of its queries,
  so a liaison is never offered another unit's units, accounts or work items.
- what the database refuses is the client's error, not the server's: an id out of the
  column's range is "no such row" (404), a filter value it cannot compare is a 400, and a
  refused write is a RecordRejectedError naming the field (app/services/db_errors.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools

from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from sqlalchemy import BigInteger, Integer, bindparam
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import defer, joinedload, selectinload
from werkzeug.exceptions import BadRequest

from app.security import UnitScopeFilter, scope_filters, scope_path
from app.services import db_errors
from app.views.counting import CountingMixin, capped, count_cap
from app.views.display import to_local
from app.views.filters import IkuFilterConverter
from app.views.kept_statements import KeptStatementsMixin, filters_key
from app.views.select_plan import CachedSelectMixin, RecordsMixin

# A list page skipping fewer rows than this joins its rows' relations into its SELECT.
JOINED_OFFSET = 100


class IkuSQLAInterface(CountingMixin, KeptStatementsMixin, RecordsMixin, CachedSelectMixin,
                       SQLAInterface):
    filter_converter_class = IkuFilterConverter

    def __init__(self, obj, session=None, text_relations: dict | None = None,
                 count_limit: int | None = None) -> None:
        self.text_relations = dict(text_relations or {})
        self.count_limit = count_limit
        # many-to-one relations a list page shows, and what it shows (set by ScaledViewMixin
        # from list_columns)
        self.list_relations: tuple[str, ...] = ()
        self.listed: frozenset[str] = frozenset()
        # called with a list page's rows before they are shown: a view loads in one query
        # what its formatters would otherwise look up row by row
        self.on_page = None
        super().__init__(obj, session)

    scope_path: str | None = None  # set on a relation's target interface only

    def get_related_interface(self, col_name: str):
        """The interface of a relation's target, kept per column: FAB builds one (inspecting
        the mapper) on every call, and a select box calls once per option for its key (the
        open-items page: 22 a request). Nothing FAB or the app does mutates it. Its scope path
        is looked up on each call: the first call comes while views are still registering."""
        kept = self.__dict__.setdefault("_related_interfaces", {})
        related = kept.get(col_name)
        if related is None:
            related = kept[col_name] = super().get_related_interface(col_name)
        related.scope_path = scope_path(related.obj)
        return related

    def _in_scope(self, filters):
        """`filters` plus the unit scope, as a new Filters: FAB builds a form's filters once and
        reuses them on every request, so they must not be extended in place."""
        if not self.scope_path:
            return filters
        scope = self.get_filters().add_filter_list(scope_filters(self.scope_path))
        return scope if filters is None else filters.get_joined_filters(scope)

    def get_inner_filters(self, filters):
        """FAB silently drops a dotted filter over a to-many relation (it would need a join),
        e.g. a cycle's scope "units.org_unit"; the unit scope is EXISTS-based: always kept."""
        inner = super().get_inner_filters(filters)
        kept = {(flt.column_name, type(flt)) for flt in inner.filters}
        for flt, value in zip(filters.filters, filters.values, strict=True) if filters else ():
            if isinstance(flt, UnitScopeFilter) and (flt.column_name, type(flt)) not in kept:
                inner.add_filter(flt.column_name, type(flt), value)
        return inner


    @classmethod
    def wrap(cls, datamodel: SQLAInterface, text_relations: dict | None = None,
             count_limit: int | None = None):
        """The same model and session under this interface; views declare FAB's own class."""
        interface = cls(datamodel.obj, datamodel._session, text_relations, count_limit)
        interface.keeps_statements = True
        return interface

    def query(self, filters=None, order_column="", order_direction="", page=None,
              page_size=None, select_columns=None, outer_default_load=False):
        """FAB's query(), but an unpaginated result (a select box's choices) is counted by
        len() instead of a second scan, a page's count may be capped (count_limit), and a
        model's `default_order`, else its key, applies when no order is asked for."""
        filters = self._in_scope(filters)
        # built only when a statement is: a kept REST statement needs none
        base = functools.cache(
            lambda: self._base_query(order_column, page, page_size, select_columns))
        with self._refused_as_bad_request():
            plan = self.records_plan(select_columns)
            paged = page is not None or page_size is not None
            cap = count_cap(self.count_limit, page, page_size) if paged else None
            # the capped count rides in the page's own SELECT, one statement less; not beside
            # a REST column list through FAB's path (a to-many column selects keys first)
            counting = bool(cap and self.get_pk() is not None
                            and (plan is not None or select_columns is None))

            def counter():
                return self._capped_count(base(), filters, cap).scalar_subquery() \
                    if counting else None

            counted = None
            if plan is not None:
                def build():
                    return self.records_statement(plan, base(), filters, order_column,
                                                  order_direction, page, page_size, counter())

                keyed = filters_key(filters)
                key = None if keyed is None else (
                    "list", tuple(select_columns), keyed, order_column, order_direction, page,
                    page_size, cap)
                rows = self.run_statement(self.kept_statement(key, build))
                result, counted = plan.records(rows, counting)
            else:
                def build():
                    query = self.apply_all(base(), filters, order_column, order_direction,
                                           page, page_size, select_columns,
                                           outer_default_load)
                    return query.add_columns(counter()) if counting else query

                # a list page's query, kept as a Query: it loads objects exactly as before
                keyed = filters_key(filters) if select_columns is None and paged else None
                key = None if keyed is None else (
                    "objects", keyed, order_column, order_direction, page, page_size, cap,
                    outer_default_load)
                rows = self.kept_statement(key, build).with_session(self.session).all()
                if rows and counting:
                    counted = rows[0][-1]
                name = self.obj.__name__
                result = [getattr(row, name) if hasattr(row, name) else row for row in rows]
            if paged:
                count = (capped(counted, cap) if counted is not None
                         else self.query_count(base(), filters, select_columns, cap=cap))
                if self.on_page is not None and select_columns is None:
                    self.on_page(result)
            elif select_columns and self.exists_col_to_many(select_columns):
                count = self.query_count(base(), filters, select_columns)  # joined rows repeat
            else:
                count = len(result)
        return count, result

    def _base_query(self, order_column, page, page_size, select_columns):
        base = self.session.query(self.obj)
        if not order_column and getattr(self.obj, "default_order", None):
            # A model's own order (e.g. units as the standard lists them) where FAB has none:
            # the select boxes of relation fields and lists without a base_order.
            base = base.order_by(*(getattr(self.obj, name) for name in self.obj.default_order))
        elif not order_column and isinstance(self.get_pk_name(), str):
            # else by key: without any ORDER BY the database returns rows in whatever order
            # its plan yields, and consecutive pages could repeat or skip rows
            base = base.order_by(self.get_pk())
        if select_columns is None and page_size:
            base = base.options(*self._unloaded(self.obj, self.listed))
        if select_columns is None and page_size and self.list_relations:
            # A list page's rows read their relations (an event's item and user, formatted by
            # the view), loaded with the page, not one by one per row: joined into the page's
            # SELECT on the first pages (a SELECT ... IN per relation cost ~0.5 ms of the app's
            # CPU each, bench/README.md "Seventh step"); beyond them one SELECT ... IN per
            # relation, as PostgreSQL joins the rows an OFFSET skips too (event history page
            # 200: 3 ms -> 11 ms).
            loader = joinedload if (page or 0) * page_size < JOINED_OFFSET else selectinload
            base = base.options(*(
                loader(getattr(self.obj, name)).options(
                    *self._unloaded(self.get_related_model(name), ()))
                for name in self.list_relations))
        return base

    @staticmethod
    def _unloaded(model, listed) -> list:
        """Deferred-column options for what `model` says no list reads (list_unloaded) and
        the page does not list: read on first use, as any deferred column."""
        return [defer(getattr(model, name)) for name in getattr(model, "list_unloaded", ())
                if name not in listed]

    @contextlib.contextmanager
    def _refused_as_bad_request(self):
        """A filter value the database cannot compare (2**40 against an INTEGER column, a NUL
        byte on PostgreSQL): FAB's API answers BadRequest with 400, the pages show 400."""
        try:
            yield
        except (SQLAlchemyError, OverflowError) as exc:  # SQLite: past 64 bits, unwrapped
            if not db_errors.is_input_error(exc):
                raise
            self.session.rollback()
            db_errors.log.info("Refused filter value: %s", exc)
            raise BadRequest(gettext("A search value is not valid.")) from None

    def _int_max(self, column) -> int | None:
        """The largest id an integer column holds; None for other types (no check)."""
        kind = getattr(column, "type", None)
        if isinstance(kind, BigInteger):
            return db_errors.BIGINT_MAX
        return db_errors.INT_MAX if isinstance(kind, Integer) else None

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """An id out of the key column's range is simply not there (404 on page and API)."""
        if not self.is_pk_composite():
            maximum = self._int_max(self.list_columns.get(self.get_pk_name()))
            if maximum is not None and db_errors.as_db_int(id, maximum) is None:
                return None
        with self._refused_as_bad_request():
            plan = self.records_plan(select_columns)
            if plan is None:
                return super().get(id, self._in_scope(filters), select_columns,
                                   outer_default_load)
            scoped = self._in_scope(filters)
            key_column = self.list_columns.get(self.get_pk_name())
            keyed = filters_key(scoped)
            if keyed is not None and isinstance(getattr(key_column, "type", None), Integer):
                def build():
                    return self.records_statement(
                        plan, self.session.query(self.obj), scoped
                    ).where(key_column == bindparam("iku_key"))

                statement = self.kept_statement(("show", tuple(select_columns), keyed), build)
                rows = self.run_statement(statement, {"iku_key": int(id)})  # checked above
            else:
                by_key = scoped.copy() if scoped else self.get_filters()
                by_key.add_filter(self.get_pk_name(), self.FilterEqual, id)
                rows = self.run_statement(self.records_statement(
                    plan, self.session.query(self.obj), by_key))
            records, _ = plan.records(rows, counted=False)
            return records[0] if records else None

    def get_related_obj(self, col_name, value):
        """FAB looks up a relation filter's value by id; an impossible id matches nothing."""
        if db_errors.as_db_int(value) is None:
            return None
        return super().get_related_obj(col_name, value)

    def _write(self, operation, item) -> None:
        try:
            operation(item)
        except (SQLAlchemyError, OverflowError) as exc:
            self.session.rollback()
            raise db_errors.remember(db_errors.explain(exc)) from None
        except DatabaseException as exc:  # FAB wraps edit/delete errors; the cause tells
            self.session.rollback()
            cause = exc.__cause__
            if isinstance(cause, SQLAlchemyError):
                raise db_errors.remember(db_errors.explain(cause)) from None
            raise

    def add(self, item, commit: bool = True) -> None:
        self._write(functools.partial(super().add, commit=commit), item)

    def edit(self, item, commit: bool = True) -> None:
        self._write(functools.partial(super().edit, commit=commit), item)

    def delete(self, item, commit: bool = True) -> None:
        self._write(functools.partial(super().delete, commit=commit), item)

    def _get_attr_value(self, item, col):
        """FAB reads every value of a list, a show page (and our export) through here, and
        reads each attribute three times to do it (hasattr, callable?, the value): once here,
        with FAB's own answers (a method is called, an enum gives its value, a dotted path
        or a failing attribute goes FAB's way)."""
        try:
            value = getattr(item, col)
        except AttributeError:
            value = super()._get_attr_value(item, col)
        else:
            if callable(value):
                value = value()
            elif isinstance(value, enum.Enum):
                value = value.value
        return to_local(value) if isinstance(value, dt.datetime) else value
