"""Columns a list, a show page and an export compute from the row instead of printing a stored
value: a code as its label, an item by its name, a cycle by its code, an SLA status. Shared by
the cycle, document, mail, audit and discussion views.

FAB reads every such value through its interface's _get_attr_value (where IkuSQLAInterface
already turns datetimes into WIB wall-clock times), so the computed columns live there too.
"""

from __future__ import annotations

from app.views.cycles import format as fmt
from app.views.datamodel import IkuSQLAInterface


class DisplayInterface(IkuSQLAInterface):
    """`virtual` names the columns computed from the row. Installed on a view's own datamodel
    object (see computed_columns), so the filters and forms FAB built around it keep working."""

    virtual: dict = {}

    def _get_attr_value(self, item, col):
        if col in self.virtual:
            return self.virtual[col](item)
        return super()._get_attr_value(item, col)


def computed_columns(view, on_page=None, **virtual) -> None:
    """A view's computed columns (`virtual`, read by list, show page and export alike) and
    what its list loads for a whole page before showing it (`on_page`, see IkuSQLAInterface)."""
    view.datamodel.__class__ = DisplayInterface
    view.datamodel.virtual = virtual
    view.datamodel.on_page = on_page


def labelled(column: str, mapping):
    """A stored code as its label, for the list and the export alike."""
    return lambda item: fmt.label(mapping, getattr(item, column))
