"""A list's statement, built once per worker for each set of everything that shapes it.

Building a REST list's statement through FAB (its filters, joins, order, pagination, the
capped count as a subquery) and running it through the ORM session was a fifth to a third of
the answer's work, every time, for a statement that comes out the same for the same request
(bench/README.md, "Sixth step"). The built statement is kept, keyed by the columns, order,
page, page size, count cap and every filter with its value: a REST answer's SELECT runs on
the request's connection, a list page's query (which loads model objects) on the request's
session. The rows are read from the database on every request; only the statement is
reused. A REST show keeps one statement per interface and scope, its key bound.

The key must hold everything a filter reads when it builds its clause. FAB's filters on a
column read only their value; the unit scope reads the current user's unit and the personal
scope the account, its roles and pelaksana, computed afresh on every request and put in the
key (their statement_key). A filter that reads anything else (the time, a row looked up by
id: FAB's relation filters, the supervision scope's hierarchy, a function's value) has no
key, and its statement is built as before on every request. A statement is never shared
across keys, so a kept one can never widen or narrow what a request may see.
"""

from __future__ import annotations

from flask_appbuilder.models.sqla import filters as fab

# per worker, all interfaces together; past it they are all forgotten. A statement with its
# joins and count subquery holds ~35 KB (a REST work-item list, measured): ~35 MB at most.
STATEMENTS_KEPT = 1000
_kept: dict = {}

# FAB's filters whose clause is a function of the column and the value alone.
_VALUE_ONLY = frozenset({
    fab.FilterStartsWith, fab.FilterNotStartsWith, fab.FilterEndsWith, fab.FilterNotEndsWith,
    fab.FilterContains, fab.FilterNotContains, fab.FilterEqual, fab.FilterNotEqual,
    fab.FilterGreater, fab.FilterSmaller, fab.FilterIn, fab.FilterNotIn,
})

UNKEYED = object()


def value_key(value):
    """A filter value as a key; its type included, since 1, 1.0 and True are equal in
    Python but not to every column's conversion. UNKEYED for anything but plain data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return type(value), value
    if isinstance(value, (list, tuple)):
        items = tuple(value_key(item) for item in value)
        return UNKEYED if any(item is UNKEYED for item in items) else (list, items)
    return UNKEYED


def filters_key(filters) -> tuple | None:
    """Every filter's column, class and key, in order; None when one of them has no key."""
    if filters is None:
        return ()
    parts = []
    for flt, value in zip(filters.filters, filters.values, strict=True):
        keyed = getattr(flt, "statement_key", None)
        if keyed is not None:
            part = keyed(value)
        elif type(flt) in _VALUE_ONLY:
            part = value_key(value)
        else:
            return None
        if part is UNKEYED:
            return None
        parts.append((flt.column_name, type(flt), part))
    return tuple(parts)


class ConstantClauseFilter:
    """Mixed into a filter whose clause holds only constants (it reads neither its value nor
    the request): one kept statement serves every request."""

    def statement_key(self, _value):
        return type(self).__name__


class KeptStatementsMixin:
    """Mixed in before FAB's SQLAInterface (app.views.datamodel.IkuSQLAInterface).
    `keeps_statements`: set on a view's or API's own interface, whose lists were measured. A
    relation's interface (select boxes, the API's related-field lookups) keeps none: keeping
    the open-items page's two select boxes' statements saved nothing measurable (2.49 vs
    2.51 ms of CPU; the cost is running them and loading the rows, bench/README.md "Eighth
    step")."""

    keeps_statements = False

    def kept_statement(self, key, build):
        """The statement kept under `key`, built by `build()` the first time; built every
        time when `key` is None."""
        if key is None or not self.keeps_statements:
            return build()
        key = (self, key)  # the interface itself: its model, scope path and relations
        statement = _kept.get(key)
        if statement is None:
            if len(_kept) >= STATEMENTS_KEPT:
                _kept.clear()
            statement = _kept[key] = build()
        return statement

    def run_statement(self, statement, params=None):
        """On the request's connection, after what the session holds unsaved is flushed (as
        the ORM's autoflush would before a query)."""
        self.session.flush()
        return self.session.connection().execute(statement, params or {}).all()
