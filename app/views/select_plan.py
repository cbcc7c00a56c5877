"""The SELECT plan of a column list (joins, aliases, loader options), built once, not per call.

FAB's SQLAInterface.apply_inner_select_joins rebuilds it on every REST list and show: a new
aliased() class per joined relation and two loader options per dotted column ("item.code"),
each added by its own .options() call that copies the query. That was 8 ms of a 26 ms REST
list of work events, and a new alias per request also made every statement a miss of
SQLAlchemy's compiled-statement cache (bench/README.md). Aliases and loader options are
immutable and bound to no session, so one plan per (interface, columns) serves every request.

The plan is FAB's own construction, step for step, with one addition: a many-to-one relation
listed whole ("user", not "user.username") is joined into the same SELECT (FAB leaves it to
one lazy load per row), unless a to-many column makes FAB select the page's keys first.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from flask_appbuilder.utils.base import (
    get_column_leaf,
    get_column_root_relation,
    is_column_dotted,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.hybrid import HybridExtensionType
from sqlalchemy.orm import Load, aliased, contains_eager, joinedload
from sqlalchemy.sql.elements import BinaryExpression


@dataclass(frozen=True)
class JoinedRelation:
    """One relation of a dotted column: the joins that reach it and the entity it is read as
    (an alias, or the model itself when FAB's join is a custom one and not aliased)."""

    name: str
    joins: tuple[tuple[Any, Any], ...]
    entity: Any
    aliased: bool


@dataclass(frozen=True)
class SelectPlan:
    relations: tuple[JoinedRelation, ...]
    options: tuple


class CachedSelectMixin:
    """Mixed in before FAB's SQLAInterface (app.views.datamodel.IkuSQLAInterface)."""

    def apply_inner_select_joins(self, query, select_columns=None, aliases_mapping=None):
        if not select_columns:
            return query
        if aliases_mapping is None:
            # FAB joins an alias but reads the plain model then (its count path): keep its way.
            return super().apply_inner_select_joins(query, select_columns, aliases_mapping)
        plan = self._select_plan(tuple(select_columns))
        for relation in plan.relations:
            for target, onclause in relation.joins:
                query = query.join(target, onclause, isouter=True)
            query = query.add_entity(relation.entity)
            if relation.aliased:
                aliases_mapping[relation.name] = relation.entity
        return query.options(*plan.options) if plan.options else query

    def _select_plan(self, columns: tuple[str, ...]) -> SelectPlan:
        plans = self.__dict__.setdefault("_select_plans", {})
        plan = plans.get(columns)
        if plan is None:
            plan = plans[columns] = self._build_select_plan(columns)
        return plan

    def _build_select_plan(self, columns: tuple[str, ...]) -> SelectPlan:
        relations: dict[str, JoinedRelation] = {}
        options: list = []
        for column in columns:
            if not is_column_dotted(column):
                if not self.is_relation(column) and not self.is_property_or_function(column):
                    options.append(Load(self.obj).load_only(getattr(self.obj, column)))
                continue
            root, leaf = get_column_root_relation(column), get_column_leaf(column)
            if not (self.is_relation_many_to_one(root)
                    or self.is_relation_many_to_many_special(root)):
                continue
            relation = getattr(self.obj, root)
            if root not in relations:
                relations[root] = self._joined_relation(root)
                if hasattr(relation, "property"):  # the foreign keys: no N+1 (FAB's comment)
                    options += [Load(self.obj).load_only(getattr(self.obj, fk.name))
                                for fk in relation.property.local_columns]
            entity = relations[root].entity
            options.append(contains_eager(relation.of_type(entity))
                           .load_only(getattr(entity, leaf)))
            options.append(Load(entity).load_only(getattr(entity, leaf)))
        if not self.exists_col_to_many(list(columns)):
            options += [joinedload(getattr(self.obj, column)) for column in columns
                        if not is_column_dotted(column) and self.is_relation_many_to_one(column)]
        return SelectPlan(tuple(relations.values()), tuple(options))

    def _joined_relation(self, root: str) -> JoinedRelation:
        """FAB's _query_join_relation, kept as data: each step aliased under the relation's
        name unless it is a custom join; the entity is the last alias made."""
        joins, alias = [], None
        for target, onclause in self.get_related_model_and_join(root):
            if not hasattr(onclause, "clauses"):
                target = alias = aliased(target, name=root)
                key = self.get_pk(target)
                side = onclause.left if onclause.left.foreign_keys else onclause.right
                onclause = BinaryExpression(side, key, onclause.operator)
            joins.append((target, onclause))
        entity = alias if alias is not None else self.get_related_model(root)
        return JoinedRelation(root, tuple(joins), entity, alias is not None)


@dataclass(frozen=True)
class RecordsPlan:
    """A REST answer's columns read as plain rows: the SELECT list (the key first, then per
    joined relation its key and the leaves shown) and how a row becomes a record."""

    relations: tuple[JoinedRelation, ...]
    expressions: tuple
    plain: tuple[tuple[str, int], ...]
    nested: tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...]
    # the same SELECT list without joins: each relation's key is the foreign key, each leaf a
    # correlated scalar subquery (None when a relation's join is not one foreign key)
    correlated: tuple | None = None

    def records(self, rows, counted: bool) -> tuple[list[SimpleNamespace], int | None]:
        """The rows as records and, when the SELECT `counted`, the count its last column
        carries (None when the page is empty)."""
        return [self.record(row) for row in rows], (rows[0][-1] if rows and counted else None)

    def record(self, row) -> SimpleNamespace:
        """What the schema reads of a model row, attribute by attribute; a relation the outer
        join did not find is None, as on the model."""
        values = {name: row[index] for name, index in self.plain}
        for root, key_index, leaves in self.nested:
            values[root] = None if row[key_index] is None else SimpleNamespace(
                **{leaf: row[index] for leaf, index in leaves})
        return SimpleNamespace(**values)


class RecordsMixin:
    """REST lists and show answers read as rows of their columns, not as model objects.

    A REST answer is the dump of a few columns, but FAB selects model objects: the ORM then
    builds each row's identity, state and relation objects (joined aliases included) only for
    the schema to read a dozen attributes back, a fifth to a third of a REST answer's
    instructions (bench/README.md, fourth step). With `records` on (BaseModelApi, when every
    answered column is a column), a column list of plain columns and many-to-one leaves
    ("cycle.code") is selected as such, with FAB's own filters, order and pagination (a leaf
    as a correlated subquery, or through FAB's join when the order is a relation's column),
    and each row becomes a record the schema reads like the model. Anything else (a to-many
    column, a property, a deeper path) is selected as FAB selects it."""

    records = False

    def records_plan(self, columns) -> RecordsPlan | None:
        if not (self.records and columns):
            return None
        plans = self.__dict__.setdefault("_records_plans", {})
        key = tuple(columns)
        if key not in plans:
            plans[key] = self._build_records_plan(key)
        return plans[key]

    def records_statement(self, plan: RecordsPlan, query, filters, order_column="",
                          order_direction="", page=None, page_size=None, counter=None):
        """FAB's _apply_inner_all over `query` with the plan's joins, as a SELECT of the plan's
        columns; with `counter` (a scalar subquery) also its value, last.

        Unless the order is a relation's column, the relations are not joined but read by
        correlated subqueries: PostgreSQL plans every outer join afresh on each request
        (plan_cache_mode = force_custom_plan), 0.76 ms for the work-item list's four joins,
        against 0.09 ms for four one-row subqueries that run 0.04 ms longer (EXPLAIN ANALYZE,
        bench/README.md "Seventh step")."""
        aliases, expressions = {}, plan.expressions
        if plan.correlated is not None and not is_column_dotted(order_column or ""):
            expressions = plan.correlated
        else:
            for relation in plan.relations:
                for target, onclause in relation.joins:
                    query = query.join(target, onclause, isouter=True)
                if relation.aliased:
                    aliases[relation.name] = relation.entity
        query = self.apply_filters(query, self.get_inner_filters(filters))
        query = self.apply_engine_specific_hack(query, page, page_size, order_column)
        query = self.apply_order_by(query, order_column, order_direction,
                                    aliases_mapping=aliases, bypass_many_to_many=True,
                                    add_pk=True)
        query = self.apply_pagination(query, page, page_size)
        extra = () if counter is None else (counter,)
        return query.with_entities(*expressions, *extra).statement

    def _build_records_plan(self, columns: tuple[str, ...]) -> RecordsPlan | None:
        key = self.get_pk_name()
        if not isinstance(key, str) or self.exists_col_to_many(list(columns)):
            return None
        expressions, plain, nested, relations = [], [], {}, {}
        for column in (key, *(name for name in columns if name != key)):
            root, _, leaf = column.partition(".")
            if not leaf:
                if not selectable(self.obj, root):
                    return None
                plain.append((root, len(expressions)))
                expressions.append(getattr(self.obj, root))
                continue
            if "." in leaf or not self.is_relation_many_to_one(root) \
                    or not selectable(self.get_related_model(root), leaf):
                return None
            if root not in relations:
                relation = relations[root] = self._joined_relation(root)
                target_key = self._get_pk_name(self.get_related_model(root))
                if not isinstance(target_key, str):
                    return None
                nested[root] = (len(expressions), [])
                expressions.append(getattr(relation.entity, target_key))
            nested[root][1].append((leaf, len(expressions)))
            expressions.append(getattr(relations[root].entity, leaf))
        return RecordsPlan(tuple(relations.values()), tuple(expressions), tuple(plain),
                           tuple((root, index, tuple(leaves))
                                 for root, (index, leaves) in nested.items()),
                           correlated(expressions, nested, relations))


def correlated(expressions: list, nested: dict, relations: dict) -> tuple | None:
    """The SELECT list with no join: each relation's key is the listed model's foreign key,
    each of its leaves a correlated subquery over the relation's one join; None when a
    relation is reached otherwise (several steps, a custom join)."""
    swapped = list(expressions)
    for root, (key_index, leaves) in nested.items():
        relation = relations[root]
        swapped[key_index] = foreign_key(relation)
        if swapped[key_index] is None:
            return None
        for _leaf, index in leaves:
            swapped[index] = (select(expressions[index]).where(relation.joins[0][1])
                              .scalar_subquery())
    return tuple(swapped)


def foreign_key(relation: JoinedRelation):
    """The listed model's column a relation's one aliased join compares with the target's
    key (work_item.cycle_id), or None for a join of several steps or conditions."""
    if not relation.aliased or len(relation.joins) != 1:
        return None
    onclause = relation.joins[0][1]
    side = getattr(onclause, "left", None)
    return side if getattr(side, "foreign_keys", None) else None


def selectable(model, name: str) -> bool:
    """What a SELECT can read: a mapped column attribute (a column or a column_property) or a
    hybrid property (its SQL expression); not a relation or a plain Python property."""
    mapper = sa_inspect(model)
    if name in mapper.column_attrs:
        return True
    descriptor = mapper.all_orm_descriptors.get(name)
    return getattr(descriptor, "extension_type", None) is HybridExtensionType.HYBRID_PROPERTY
