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
