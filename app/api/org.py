"""REST API of the organisation, mirroring app/views/org.py."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import BaseModelApi
from app.models.org import (
    Competence,
    CompetenceRecord,
    OrgUnit,
    OrgUnitAssignment,
    Pelaksana,
    Position,
    Section,
)
from app.services import org as org_service


class OrgUnitApi(BaseModelApi):
    datamodel = SQLAInterface(OrgUnit)
    scope_column = "id"
    list_columns = ["id", "code", "name", "kind", "section.name", "head_name", "head_email", "active"]
    show_columns = ["id", "code", "name", "kind", "section.id", "section.name", "head_name",
                    "head_title", "head_email", "active"]
    add_columns = edit_columns = ["code", "name", "kind", "section", "head_name", "head_title",
                                  "head_email", "active"]
    search_columns = ["code", "name", "kind", "section", "active"]

    def pre_update(self, item) -> None:
        super().pre_update(item)
        org_service.check_liaison_unit_edit(item)


class OrgUnitAssignmentApi(BaseModelApi):
    datamodel = SQLAInterface(OrgUnitAssignment)
    scope_column = "org_unit"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "org_unit.name", "section.name", "valid_from", "valid_to", "changed_by"]


class SectionApi(BaseModelApi):
    datamodel = SQLAInterface(Section)
    list_columns = ["id", "code", "name", "kind", "parent.name"]


class PositionApi(BaseModelApi):
    datamodel = SQLAInterface(Position)


class PelaksanaApi(BaseModelApi):
    datamodel = SQLAInterface(Pelaksana)
    list_columns = ["id", "name", "nip", "position.name", "section.name", "email", "active"]
    add_columns = edit_columns = ["name", "nip", "position", "section", "email", "active"]
    search_columns = ["name", "nip", "position", "section", "email", "active"]


class CompetenceApi(BaseModelApi):
    datamodel = SQLAInterface(Competence)


class CompetenceRecordApi(BaseModelApi):
    datamodel = SQLAInterface(CompetenceRecord)


APIS = [OrgUnitApi, OrgUnitAssignmentApi, SectionApi, PositionApi, PelaksanaApi,
        CompetenceApi, CompetenceRecordApi]


def register(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
