"""The list filters of every BaseModelView and BaseModelApi (IkuSQLAInterface's converter):
FAB's, converted once per interface, and a "Contains" text search for a relation whose target
is too large for a select box (ScaledViewMixin.search_relation_text)."""

from __future__ import annotations

import functools

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
from flask_babel import lazy_gettext
from sqlalchemy import or_

from app.views.kept_statements import value_key


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
        statement_key = staticmethod(value_key)  # its clause: the columns and the value

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
    """FAB's Filters() converts every column of the model each time one is made, and every
    query makes two or three (the inner filters of the page and of its count): a tenth of a
    REST list. The filters of a column are fixed once the interface exists, and FAB already
    shares its views' filter instances between requests: each column is converted once per
    interface (a new list each time, which FAB may extend)."""

    def convert(self, col_name):
        converted = self.datamodel.__dict__.setdefault("_iku_filters", {})
        if col_name not in converted:
            converted[col_name] = self._convert(col_name)
        found = converted[col_name]
        return None if found is None else list(found)

    def _convert(self, col_name):
        columns = getattr(self.datamodel, "text_relations", {}).get(col_name)
        if columns:
            return [relation_text_filter(tuple(columns))(col_name, self.datamodel)]
        return super().convert(col_name)
