"""Every REST list and show answer is dumped by FastDump (app/api/schema.py) exactly as
marshmallow dumps it: the same keys, values and formats, nested relations included."""

from __future__ import annotations

import pytest
from flask_appbuilder.api.convert import Model2SchemaConverter

from app.services.iku_demo import load_demo_iku, load_demo_proposal
from tests.views.test_complaints import filed_fixture  # noqa: F401
from tests.views.test_cycles_support import (  # noqa: F401
    at_step6_fixture,
    en_fixture,
    team_fixture,
)


@pytest.fixture
def demo_rows(app, db_session, at_step6, filed):
    """A cycle at step 6, two complaints (one confidential) and the demo's IKU: rows with
    dates, labels, nulls and relations in most of the APIs' tables (rolled back after)."""
    for load in (load_demo_iku, load_demo_proposal):
        load()
    db_session.flush()


def _apis(app) -> list:
    from app.api.base import BaseModelApi  # after the app: app.api and app.views import each other

    return [v for v in app.appbuilder.baseviews if isinstance(v, BaseModelApi)]


def test_every_generated_schema_is_a_fast_one(app):
    from app.api.schema import FastDump

    apis = _apis(app)
    assert len(apis) >= 20
    for api in apis:
        for schema in (api.list_model_schema, api.show_model_schema):
            assert isinstance(schema, FastDump), type(api).__name__


def test_fast_dump_answers_exactly_as_marshmallow(app, db_session, demo_rows):
    compared = set()
    for api in _apis(app):
        rows = db_session.query(api.datamodel.obj).limit(30).all()
        plain = Model2SchemaConverter(api.datamodel, api.validators_columns)
        for columns, schema in ((api.list_columns, api.list_model_schema),
                                (api.show_columns, api.show_model_schema)):
            expected = plain.convert(columns).dump(rows, many=True)
            assert schema.dump(rows, many=True) == expected, type(api).__name__
            if rows:
                compared.add(type(api).__name__)
    # the comparison covered rows of the big lists, not only empty tables
    assert {"WorkEventApi", "WorkItemApi", "CycleApi", "ComplaintApi", "IndicatorApi",
            "PelaksanaApi"} <= compared, compared


def test_rest_labels_follow_the_readers_language(client, login, en):
    """Labels are kept per language (BaseModelApi._worded), never served in the other one."""
    login(client, "karo")
    first = client.get("/api/v1/pelaksana/").get_json()["label_columns"]
    again = client.get("/api/v1/pelaksana/").get_json()["label_columns"]
    english = en("karo").get("/api/v1/pelaksana/").get_json()["label_columns"]
    assert first == again and first.keys() == english.keys()
    assert first["name"] == "Nama" and english["name"] == "Name"


def _answers(client, headers, api, paths) -> dict:
    return {path: client.get(path, headers=headers).get_json() for path in paths}


@pytest.mark.parametrize("username", ["admin", "pengguna1"])
def test_records_answer_as_model_objects(app, client, api_token, demo_rows, username):
    """A REST answer read as rows of its columns (RecordsMixin) is the one FAB gives from model
    objects: every API's list in each order, a choice of columns, filtered, and its show
    answers, for a reader of everything and for a liaison's unit scope."""
    headers = api_token(username)
    compared = set()
    for api in _apis(app):
        if not api.datamodel.records:
            continue
        base = f"/api/v1/{api.resource_name}/"
        dotted = [c for c in api.list_columns if "." in c][:1]
        chosen = ",".join([api.list_columns[0], *dotted, api.list_columns[-1]])
        paths = [f"{base}?q=(page_size:100)", f"{base}?q=(columns:!({chosen}),page_size:100)"]
        paths += [f"{base}?q=(order_column:{column},order_direction:{direction},page_size:7)"
                  for column in api.order_columns for direction in ("asc", "desc")]
        if dotted:
            paths.append(f"{base}?q=(filters:!((col:{dotted[0].split('.')[0]},opr:rel_o_m,"
                         "value:1)),page_size:100)")
        listed = client.get(paths[0], headers=headers).get_json()
        if "get" in (api.include_route_methods or {"get"}):
            paths += [f"{base}{pk}" for pk in listed.get("ids", [])[:5]]
        records = _answers(client, headers, api, paths)
        api.datamodel.records = False
        try:
            objects = _answers(client, headers, api, paths)
        finally:
            api.datamodel.records = True
        assert records == objects, type(api).__name__
        if listed.get("ids"):
            compared.add(type(api).__name__)
    if username == "admin":  # the comparison covered rows of the big lists
        assert {"WorkEventApi", "WorkItemApi", "CycleApi", "IndicatorApi",
                "PelaksanaApi"} <= compared, compared


def test_records_plan_only_what_a_row_can_answer(app):
    """Plain columns, hybrid properties and many-to-one leaves are read as rows; a to-many
    column or a Python property keeps FAB's model objects."""
    apis = {type(api).__name__: api for api in _apis(app)}
    items = apis["WorkItemApi"].datamodel
    assert items.records_plan(apis["WorkItemApi"].list_select_columns) is not None
    assert items.records_plan(["id", "cycle.code"]) is not None
    assert items.records_plan(["id", "cycle.standard.code"]) is None
    assert items.records_plan(["id", "parent"]) is None  # a whole relation, not a column
    cycles = apis["CycleApi"].datamodel
    assert cycles.records_plan(["id", "units.org_unit_id"]) is None  # to-many
    proposals = apis["ChangeProposalApi"]
    assert proposals.datamodel.records_plan(proposals.list_select_columns) is None  # indicators.id
    complaints = apis["ComplaintApi"].datamodel
    assert complaints.records is True  # complainant_listed: a hybrid, selected as its SQL
    assert complaints.records_plan(["id", "complainant_listed"]) is not None
    assert complaints.records_plan(["id", "stage"]) is None  # a Python property


def test_records_read_relations_by_subquery_unless_ordered_by_one(app, db_session):
    """A REST answer's relation leaves are correlated subqueries, not outer joins (PostgreSQL
    plans each join afresh on every request); ordered by a relation's column, it joins it.
    That both answer alike is test_records_answer_as_model_objects."""
    from app.models.cycles import WorkItem

    items = {type(api).__name__: api for api in _apis(app)}["WorkItemApi"].datamodel
    plan = items.records_plan(["id", "cycle.code", "org_unit.code", "org_unit.name"])

    def sql(order_column: str) -> str:
        return str(items.records_statement(plan, db_session.query(WorkItem),
                                           items.get_filters(), order_column, "asc", 0, 25))

    by_position = sql("position")
    assert "JOIN" not in by_position and by_position.count("SELECT") == 4
    assert "JOIN cycle" in sql("cycle.code")
