"""CRUD pages of the organisation: units, sections, positions, pelaksana, competences."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional, ValidationError

from app.models.org import (
    Competence,
    CompetenceLevel,
    CompetenceRecord,
    NipInvalidError,
    OrgUnit,
    OrgUnitAssignment,
    OrgUnitKind,
    Pelaksana,
    Position,
    Section,
    SectionKind,
    parse_nip,
)
from app.services import org as org_service
from app.views.base import BaseModelView
from app.views.fields import email_validator, enum_formatter, enum_select

UNIT_KINDS = {
    OrgUnitKind.KEMENTERIAN: _l("Ministry"),
    OrgUnitKind.SATORG: _l("Organisation unit"),
    OrgUnitKind.SATKER: _l("Work unit"),
}
SECTION_KINDS = {
    SectionKind.BIRO: _l("Bureau"), SectionKind.BAGIAN: _l("Section (Bagian)"),
    SectionKind.SUBBAGIAN: _l("Subsection (Subbagian)"),
}  # fmt: skip
COMPETENCE_LEVELS = {
    CompetenceLevel.NOT_MET: _l("Not yet met"), CompetenceLevel.MET: _l("Met"),
    CompetenceLevel.EXCEEDS: _l("Exceeds"),
}  # fmt: skip


def nip_validator(_form, field) -> None:
    try:
        parse_nip(field.data or "")
    except NipInvalidError as exc:
        raise ValidationError(str(exc)) from None


EMAIL = [Optional(), email_validator]


class OrgUnitView(BaseModelView):
    datamodel = SQLAInterface(OrgUnit)
    scope_column = "id"
    scoped_editable_columns = sorted(org_service.LIAISON_EDITABLE)
    list_title = show_title = _l("Organisation units")
    add_title = edit_title = _l("Organisation unit")
    list_columns = ["code", "name", "kind", "section", "head_name", "head_email", "active"]
    search_columns = ["code", "name", "kind", "section", "head_name", "active"]
    add_columns = edit_columns = [
        "code", "name", "kind", "section", "head_name", "head_title", "head_email", "active",
    ]  # fmt: skip
    show_columns = add_columns
    order_columns = ["code", "name", "kind", "active"]
    base_order = ("sort_order", "asc")  # as the standard lists the units
    label_columns = {
        "code": _l("Code"), "name": _l("Name"), "kind": _l("Kind"),
        "section": _l("Served by section"), "head_name": _l("Head"),
        "head_title": _l("Head's title"), "head_email": _l("Head's email"), "active": _l("Active"),
        "sort_order": _l("Order"),
    }  # fmt: skip
    validators_columns = {"head_email": EMAIL}
    add_form_extra_fields = edit_form_extra_fields = {"kind": enum_select(_l("Kind"), UNIT_KINDS)}
    formatters_columns = {"kind": enum_formatter(UNIT_KINDS)}

    def pre_update(self, item) -> None:
        super().pre_update(item)
        org_service.check_liaison_unit_edit(item)


class OrgUnitAssignmentView(BaseModelView):
    datamodel = SQLAInterface(OrgUnitAssignment)
    scope_column = "org_unit"
    base_permissions = ["can_read", "can_export"]
    list_title = show_title = _l("Section assignment history")
    list_columns = ["org_unit", "section", "valid_from", "valid_to", "changed_by"]
    search_columns = ["org_unit", "section", "valid_from", "valid_to"]
    base_order = ("valid_from", "desc")
    label_columns = {
        "org_unit": _l("Organisation unit"), "section": _l("Section"),
        "valid_from": _l("From"), "valid_to": _l("Until"), "changed_by": _l("Changed by"),
    }  # fmt: skip


class SectionView(BaseModelView):
    datamodel = SQLAInterface(Section)
    list_title = show_title = _l("Sections")
    add_title = edit_title = _l("Section")
    list_columns = ["code", "name", "kind", "parent"]
    search_columns = ["code", "name", "kind"]
    add_columns = edit_columns = show_columns = ["code", "name", "kind", "parent"]
    base_order = ("code", "asc")
    label_columns = {
        "code": _l("Code"), "name": _l("Name"), "kind": _l("Kind"), "parent": _l("Parent section"),
    }  # fmt: skip
    add_form_extra_fields = edit_form_extra_fields = {"kind": enum_select(_l("Kind"), SECTION_KINDS)}
    formatters_columns = {"kind": enum_formatter(SECTION_KINDS)}


class PositionView(BaseModelView):
    datamodel = SQLAInterface(Position)
    list_title = show_title = _l("Positions")
    add_title = edit_title = _l("Position")
    list_columns = ["code", "name", "level", "actor_code"]
    search_columns = ["code", "name", "level", "actor_code"]
    add_columns = edit_columns = show_columns = list_columns
    base_order = ("level", "asc")
    label_columns = {
        "code": _l("Code"), "name": _l("Name"), "level": _l("Level"),
        "actor_code": _l("Actor code in the standard"),
    }  # fmt: skip


class PelaksanaView(BaseModelView):
    datamodel = SQLAInterface(Pelaksana)
    list_title = show_title = _l("Pelaksana")
    add_title = edit_title = _l("Pelaksana")
    list_columns = ["name", "nip", "position", "section", "email", "active"]
    search_columns = ["name", "nip", "position", "section", "email", "active"]
    add_columns = edit_columns = show_columns = list_columns
    order_columns = ["name", "nip", "email", "active"]
    base_order = ("name", "asc")
    label_columns = {
        "name": _l("Name"), "nip": _l("NIP"), "position": _l("Position"),
        "section": _l("Section"), "email": _l("Email"), "active": _l("Active"),
    }  # fmt: skip
    validators_columns = {"nip": [nip_validator], "email": EMAIL}


class CompetenceView(BaseModelView):
    datamodel = SQLAInterface(Competence)
    list_title = show_title = _l("Competence standard")
    list_columns = add_columns = edit_columns = show_columns = ["code", "description"]
    search_columns = ["code", "description"]
    base_order = ("code", "asc")
    label_columns = {"code": _l("Code"), "description": _l("Description")}


class CompetenceRecordView(BaseModelView):
    datamodel = SQLAInterface(CompetenceRecord)
    search_relation_text = {"pelaksana": ("name", "nip")}
    list_title = show_title = _l("Competence assessments")
    add_title = edit_title = _l("Competence assessment")
    list_columns = ["pelaksana", "competence", "level", "assessed_on"]
    search_columns = ["pelaksana", "competence", "level", "assessed_on"]
    add_columns = edit_columns = show_columns = [
        "pelaksana", "competence", "level", "assessed_on", "evidence",
    ]  # fmt: skip
    base_order = ("assessed_on", "desc")
    label_columns = {
        "pelaksana": _l("Pelaksana"), "competence": _l("Competence"), "level": _l("Level"),
        "assessed_on": _l("Assessed on"), "evidence": _l("Evidence"),
    }  # fmt: skip
    add_form_extra_fields = edit_form_extra_fields = {
        "level": enum_select(_l("Level"), COMPETENCE_LEVELS)
    }
    formatters_columns = {"level": enum_formatter(COMPETENCE_LEVELS)}


def register(appbuilder) -> None:
    category, label = "Organisation", _l("Organisation")
    views = [
        (OrgUnitView, "Units", _l("Organisation units"), "fa-building"),
        (OrgUnitAssignmentView, "Assignment history", _l("Assignment history"), "fa-history"),
        (SectionView, "Sections", _l("Sections"), "fa-sitemap"),
        (PositionView, "Positions", _l("Positions"), "fa-id-badge"),
        (PelaksanaView, "Pelaksana", _l("Pelaksana"), "fa-users"),
        (CompetenceView, "Competences", _l("Competence standard"), "fa-graduation-cap"),
        (CompetenceRecordView, "Competence records", _l("Competence assessments"), "fa-check"),
    ]
    for view, name, view_label, icon in views:
        appbuilder.add_view(
            view, name, label=view_label, icon=icon, category=category, category_label=label
        )
