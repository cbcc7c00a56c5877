"""Supervision records: only a superior records, a written reprimand issues its letter, a
pelaksana sees its own records only."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services import supervision
from tests.views.test_cycles_support import team_fixture  # noqa: F401


def test_superior_records_and_the_scope_of_reading(app, db_session, team, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "IKU_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setitem(app.config, "IKU_SOFFICE", "off")
    staf = team["staf"].pelaksana_id
    with pytest.raises(supervision.SupervisionRefusedError, match="atasan|superior"):
        supervision.record_supervision(db_session, team["staf2"], pelaksana_id=staf,
                                       kind="supervisi", held_on=dt.date.today(), finding="x")
    record = supervision.record_supervision(
        db_session, team["kasubbag"], pelaksana_id=staf, kind="teguran_tertulis",
        held_on=dt.date.today(), finding="Notulen terlambat dibagikan.")
    assert record.document is not None and record.document.number
    assert supervision.visible_pelaksana_ids(db_session, team["staf"]) == {staf}
    assert staf in supervision.visible_pelaksana_ids(db_session, team["kasubbag"])
    assert staf not in supervision.visible_pelaksana_ids(db_session, team["staf2"])
    assert supervision.visible_pelaksana_ids(db_session, team["karo"]) is None
    assert [r.id for r in supervision.supervision_records_of(
        db_session, staf, dt.date.today().year)] == [record.id]
    assert dict(supervision.findings_by_kind(db_session, dt.date.today().year))[
        "teguran_tertulis"] == 1
