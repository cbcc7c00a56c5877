"""The IKU registry's rules, without a request: checks, status steps, amendment, compare."""

import datetime as dt
from decimal import Decimal

import pytest

from app.models.iku import Indicator, IndicatorStatus, IndicatorTarget
from app.models.org import OrgUnit
from app.services import iku as iku_service
from app.services.iku_demo import load_demo_iku
from app.services.validation import FieldInvalidError, validate_record


def _unit(db_session, code="SETPRES"):
    return db_session.query(OrgUnit).filter_by(code=code).one()


def _indicator(db_session, **fields):
    values = dict(org_unit=_unit(db_session), start_year=2025, end_year=2029, sasaran_code="SS9",
                  sasaran_text="Sasaran uji", code="IKU-T.1", name="Indikator uji",
                  calculation_type="persentase", satuan="%", numerator="a", denominator="b",
                  data_source="Laporan", status=IndicatorStatus.DRAFT, version=1)
    values.update(fields)
    return Indicator(**values)


def test_demo_iku_loads_with_targets_and_an_amendment(db_session):
    load_demo_iku()
    bogor = db_session.query(Indicator).filter_by(code="IKU-4.1").order_by(Indicator.version).all()
    assert [i.version for i in bogor] == [1, 2]
    assert bogor[1].previous_id == bogor[0].id and bogor[1].status == IndicatorStatus.DRAFT
    ministry = db_session.query(Indicator).filter(Indicator.org_unit_id.is_(None)).count()
    assert ministry == 3
    units = {i.org_unit.code for i in db_session.query(Indicator).filter(
        Indicator.org_unit_id.is_not(None))}
    assert len(units) == 13, "every unit has demo IKU"
    assert [t.year for t in bogor[0].targets] == [2025, 2026, 2027, 2028, 2029]


def test_valid_indicator_passes_and_missing_fields_are_named(db_session):
    validate_record(_indicator(db_session))
    with pytest.raises(FieldInvalidError) as err:
        validate_record(_indicator(db_session, name="  "))
    assert err.value.field == "name"


def test_code_unique_within_unit_and_period(db_session):
    db_session.add(_indicator(db_session))
    db_session.flush()
    with pytest.raises(FieldInvalidError, match="IKU-T.1 sudah digunakan"):
        validate_record(_indicator(db_session, name="Lain"))
    validate_record(_indicator(db_session, start_year=2030, end_year=2034))  # another period
    validate_record(_indicator(db_session, org_unit=_unit(db_session, "SETWAPRES")))


def test_at_most_n_iku_per_sasaran(app, db_session):
    app.config["IKU_MAX_PER_SASARAN"] = 2
    try:
        for n in (1, 2):
            db_session.add(_indicator(db_session, code=f"IKU-S.{n}"))
        db_session.flush()
        with pytest.raises(FieldInvalidError, match="paling banyak 2"):
            validate_record(_indicator(db_session, code="IKU-S.3"))
    finally:
        app.config["IKU_MAX_PER_SASARAN"] = 5


@pytest.mark.parametrize(("year", "value", "message"), [
    (2031, "50", "di luar periode 2025–2029"),
    (2026, "120", "antara 0 dan 100"),
    (2026, "-1", "antara 0 dan 100"),
])
def test_bad_targets_are_refused(db_session, year, value, message):
    item = _indicator(db_session)
    db_session.add(item)
    db_session.flush()
    with pytest.raises(FieldInvalidError, match=message):
        validate_record(IndicatorTarget(indicator=item, year=year, value=Decimal(value)))
    db_session.rollback()


def test_an_index_target_above_100_is_fine(db_session):
    item = _indicator(db_session, calculation_type="jumlah", satuan="dokumen")
    db_session.add(item)
    db_session.flush()
    validate_record(IndicatorTarget(indicator=item, year=2026, value=Decimal("250")))


def test_no_formula_or_source_warns_but_saves(db_session):
    item = _indicator(db_session, numerator=None, data_source=None)
    validate_record(item)
    assert len(iku_service.warnings(item)) == 2
    assert any("rumus" in w for w in iku_service.warnings(item))


def _enact(db_session, item):
    item.targets = [IndicatorTarget(year=2025, value=Decimal("90"))]
    for status in ("dibahas", "disetujui_pimpinan", "final"):
        iku_service.set_status(item, status)
    iku_service.set_status(item, "ditetapkan", number="Permensesneg 9/2025",
                           date=dt.date(2025, 5, 1))
    db_session.flush()


def test_status_steps_and_enactment_needs_its_permensesneg(db_session):
    item = _indicator(db_session)
    db_session.add(item)
    with pytest.raises(iku_service.IndicatorRefusedError, match="berikutnya atau sebelumnya"):
        iku_service.set_status(item, "final")
    for status in ("dibahas", "disetujui_pimpinan", "final"):
        iku_service.set_status(item, status)
    with pytest.raises(iku_service.IndicatorRefusedError, match="nomor dan tanggal"):
        iku_service.set_status(item, "ditetapkan")
    _enact(db_session, _indicator(db_session, code="IKU-T.2"))


def test_enacted_iku_is_never_edited_but_amended(db_session):
    item = _indicator(db_session)
    db_session.add(item)
    db_session.flush()
    _enact(db_session, item)
    item.name = "Diubah"
    with pytest.raises(FieldInvalidError, match="ditetapkan tidak pernah diubah"):
        validate_record(item)
    db_session.rollback()
    item = _indicator(db_session, code="IKU-T.3")
    db_session.add(item)
    db_session.flush()
    _enact(db_session, item)
    copy = iku_service.amend_indicator(db_session, item)
    copy.name = "Nama baru"
    validate_record(copy)
    db_session.flush()
    assert (copy.version, copy.status, copy.previous_id) == (2, "draft", item.id)
    assert [t.year for t in copy.targets] == [2025]
    rows = {row["label"]: row for row in iku_service.compare(item, copy)}
    assert rows["Indikator"]["changed"] and rows["Indikator"]["b"] == "Nama baru"
    assert not rows["Kode indikator"]["changed"]
    assert rows["Status"]["a"] == "Ditetapkan" and rows["Status"]["b"] == "Draf"
    assert rows["Target 2025"]["a"] == "90" and not rows["Target 2025"]["changed"]
    with pytest.raises(iku_service.IndicatorRefusedError, match="Versi 2 dari IKU ini sedang"):
        iku_service.amend_indicator(db_session, item)
