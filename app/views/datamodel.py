"""FAB's SQLAInterface, made to cost what a list page needs at scale (see bench/README.md).

Every page and REST API goes through BaseModelView/BaseModelApi, which swap the view's
SQLAInterface for this one, so the fixes apply everywhere without touching a view:

- the count: FAB counts `SELECT count(*) FROM (SELECT <every column> ... ORDER BY ...)` with
  the list's load options; here it is `SELECT count(pk) FROM <table> WHERE <filters>`;
- an unpaginated query (the choices of a relation's select box on search, add and edit forms)
  is counted by len() of its result, instead of by a second, identical scan;
- many-to-one columns shown in a list are joined into the page's own SELECT: FAB leaves them
  to lazy loads, one statement per row unless the identity map happens to hold the target;
- a relation named in `text_relations` is searched by text ("Contains" over the target's
  columns) instead of FAB's select box of EVERY target row, which renders thousands of
  <option>s into each list page once the target table is large (pelaksana, users, ...).
"""

from __future__ import annotations

import functools

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import is_column_dotted
from flask_babel import lazy_gettext
from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@functools.cache
def relation_text_filter(columns: tuple[str, ...]) -> type[BaseFilter]:
    """A "Contains" filter on a many-to-one relation, matched against `columns` of the target
    (EXISTS, so it composes with the unit scope and other filters). No arg_name: FAB would
    register it globally for the REST API under a name several such classes would share."""

    class FilterRelationTextContains(BaseFilter):
        name = lazy_gettext("Contains")
        arg_name = None

        def apply(self, query, value):
            if not value:
                return query
            relation = getattr(self.model, self.column_name)
            target = relation.property.mapper.class_
            pattern = _like_pattern(str(value))
            matches = [getattr(target, col).ilike(pattern, escape="\\") for col in columns]
            return query.filter(relation.has(or_(*matches)))

    return FilterRelationTextContains


class IkuFilterConverter(SQLAFilterConverter):
    def convert(self, col_name):
        columns = getattr(self.datamodel, "text_relations", {}).get(col_name)
        if columns:
            return [relation_text_filter(tuple(columns))(col_name, self.datamodel)]
        return super().convert(col_name)


class IkuSQLAInterface(SQLAInterface):
    filter_converter_class = IkuFilterConverter

    def __init__(self, obj, session=None, text_relations: dict | None = None) -> None:
        self.text_relations = dict(text_relations or {})
        super().__init__(obj, session)

    @classmethod
    def wrap(cls, datamodel: SQLAInterface, text_relations: dict | None = None):
        """The same model and session under this interface; views declare FAB's own class."""
        return cls(datamodel.obj, datamodel._session, text_relations)

    def query_count(self, query, filters=None, select_columns=None) -> int:
        pk = self.get_pk()
        if pk is None:  # composite key: FAB's generic count
            return super().query_count(query, filters, select_columns)
        query = self.apply_filters(query, self.get_inner_filters(filters))
        return query.with_entities(func.count(pk)).order_by(None).scalar()

    def query(self, filters=None, order_column="", order_direction="", page=None,
              page_size=None, select_columns=None, outer_default_load=False):
        paginated = page is not None or page_size is not None
        to_many = bool(select_columns) and self.exists_col_to_many(select_columns)
        if paginated or to_many:
            return super().query(filters, order_column, order_direction, page, page_size,
                                 select_columns, outer_default_load)
        query = self.apply_all(self.session.query(self.obj), filters, order_column,
                               order_direction, select_columns=select_columns)
        rows = query.all()
        name = self.obj.__name__
        result = [getattr(row, name) if hasattr(row, name) else row for row in rows]
        return len(result), result

    def apply_inner_select_joins(self, query, select_columns=None, aliases_mapping=None):
        query = super().apply_inner_select_joins(query, select_columns, aliases_mapping)
        if not select_columns or self.exists_col_to_many(select_columns):
            return query  # FAB re-selects only the pk of this query for its outer query
        for column in select_columns:
            if not is_column_dotted(column) and self.is_relation_many_to_one(column):
                query = query.options(joinedload(getattr(self.obj, column)))
        return query
