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
from typing import Any

from flask_appbuilder.utils.base import (
    get_column_leaf,
    get_column_root_relation,
    is_column_dotted,
)
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
