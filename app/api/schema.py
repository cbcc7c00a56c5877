"""The marshmallow schemas FAB generates for a REST API, dumped without marshmallow's per-value
indirection.

Marshmallow reads each value of each row through three calls (Field.serialize, get_value,
the schema's accessor) that look for dict keys and dotted paths a model row never has: a
third of a 20-row list's dump, ~5 % of a REST list (bench/README.md). FastDump reads a plain
column with getattr and formats it with the field's own _serialize, so every value comes out
exactly as marshmallow words it (tests/api/test_schema.py compares both on every API).
Anything else (a dotted attribute, a field with a dump default or no attribute of its own, a
row that is a mapping) goes through marshmallow's own Field.serialize.
"""

from __future__ import annotations

from flask_appbuilder.api.convert import Model2SchemaConverter
from marshmallow import missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP


class FastDump:
    """Mixed in front of a generated schema class; replaces only Schema._serialize."""

    def _dump_plan(self) -> list[tuple[str, str, object, bool]]:
        """(key, attribute, field, direct) per dumped field, built once per schema instance
        (FAB builds its schemas once per API and reuses them)."""
        plan = self.__dict__.get("_iku_dump_plan")
        if plan is None:
            plan = self.__dict__["_iku_dump_plan"] = [
                (field.data_key if field.data_key is not None else name,
                 field.attribute or name, field,
                 field._CHECK_ATTRIBUTE and field.dump_default is missing
                 and "." not in (field.attribute or name))
                for name, field in self.dump_fields.items()]
        return plan

    def _serialize(self, obj, *, many: bool = False):
        if many and obj is not None:
            return [self._serialize(item) for item in obj]
        if obj is None or hasattr(type(obj), "__getitem__"):
            return super()._serialize(obj, many=False)
        ret = self.dict_class()
        for key, attr, field, direct in self._dump_plan():
            if direct:
                value = getattr(obj, attr, missing)
                if value is missing:
                    continue
                ret[key] = field._serialize(value, attr, obj)
            else:
                value = field.serialize(attr, obj, accessor=self.get_attribute)
                if value is not missing:
                    ret[key] = value
        return ret


class FastDumpConverter(Model2SchemaConverter):
    """FAB's converter; every schema it makes (lists, show pages, nested relations) is a
    FastDump one, unless it has dump hooks (none of ours has)."""

    def _meta_schema_factory(self, columns, model, class_mixin, parent_schema_name=None):
        schema = super()._meta_schema_factory(columns, model, class_mixin, parent_schema_name)
        if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
            return schema
        return type(schema.__name__, (FastDump, schema), {})
