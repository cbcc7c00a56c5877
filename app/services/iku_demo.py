"""Demo IKU for `make run` and the tests: a few realistic indicators of the ministry and of
some units for 2025-2029, with formulas and yearly targets; most are enacted, one is a draft
and one has an amendment in draft, so every page of the registry has something to show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models.iku import CalculationType, Indicator, IndicatorStatus, IndicatorTarget
from app.models.org import OrgUnit
from app.services import iku as iku_service

PERIOD = (2025, 2029)
ENACTMENT = ("Permensesneg Nomor 3 Tahun 2025", dt.date(2025, 3, 14))
P, X, N = CalculationType.PERSENTASE, CalculationType.INDEKS, CalculationType.NILAI

# unit code (None: ministry), sasaran (code, text), code, name, definition, numerator,
# denominator, type, satuan, baseline, source, responsible, targets 2025..2029, enacted
DEMO_IKU = [
    (None, ("SS1", "Meningkatnya kualitas dukungan kepada Presiden dan Wakil Presiden"),
     "IKU-K.1", "Indeks kepuasan Presiden dan Wakil Presiden atas dukungan Kementerian",
     "Tingkat kepuasan pimpinan negara atas dukungan teknis, administrasi dan analisis.",
     "Nilai rata-rata survei kepuasan pimpinan", None, X, "indeks", "3,40",
     "Laporan survei kepuasan", "Sekretariat Kementerian", ["3.45", "3.50", "3.55", "3.60", "3.65"], True),
    (None, ("SS2", "Terwujudnya tata kelola Kementerian yang akuntabel"),
     "IKU-K.2", "Nilai SAKIP Kementerian Sekretariat Negara",
     "Nilai hasil evaluasi akuntabilitas kinerja oleh Kementerian PANRB.",
     "Nilai evaluasi SAKIP", None, N, "nilai", "80,12",
     "LHE SAKIP Kementerian PANRB", "Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja",
     ["81", "82", "83", "84", "85"], True),
    ("SETPRES", ("SS1", "Meningkatnya kualitas dukungan teknis dan administrasi kepada Presiden"),
     "IKU-1.1", "Persentase dukungan kegiatan Presiden yang terlaksana tepat waktu",
     "Kegiatan Presiden yang didukung sesuai jadwal dibanding seluruh kegiatan Presiden.",
     "Jumlah kegiatan Presiden yang didukung tepat waktu", "Jumlah seluruh kegiatan Presiden",
     P, "%", "92", "Laporan kegiatan Sekretariat Presiden", "Deputi Bidang Protokol, Pers, dan Media",
     ["93", "94", "95", "96", "97"], True),
    ("SETPRES", ("SS1", "Meningkatnya kualitas dukungan teknis dan administrasi kepada Presiden"),
     "IKU-1.2", "Persentase rekomendasi kebijakan yang ditindaklanjuti Presiden",
     "Rekomendasi yang ditindaklanjuti dibanding seluruh rekomendasi yang disampaikan.",
     "Jumlah rekomendasi yang ditindaklanjuti", "Jumlah rekomendasi yang disampaikan",
     P, "%", "70", None, "Deputi Bidang Administrasi", ["72", "74", "76", "78", "80"], False),
    ("SETWAPRES", ("SS1", "Meningkatnya kualitas dukungan kepada Wakil Presiden"),
     "IKU-2.1", "Indeks kepuasan Wakil Presiden atas layanan Sekretariat Wakil Presiden",
     "Hasil survei kepuasan Wakil Presiden dan pimpinan atas layanan sekretariat.",
     "Nilai rata-rata survei kepuasan", None, X, "indeks", "3,30",
     "Laporan survei kepuasan", "Sekretariat Wakil Presiden", ["3.35", "3.40", "3.45", "3.50", "3.55"],
     True),
    ("ISTANA-BOGOR", ("SS1", "Terpeliharanya Istana Kepresidenan Bogor sebagai cagar budaya"),
     "IKU-4.1", "Persentase benda cagar budaya yang terpelihara dalam kondisi baik",
     "Benda cagar budaya dengan kondisi baik hasil inventarisasi tahunan.",
     "Jumlah benda cagar budaya dalam kondisi baik", "Jumlah seluruh benda cagar budaya",
     P, "%", "88", "Inventarisasi benda cagar budaya", "Kepala Istana Kepresidenan Bogor",
     ["89", "90", "91", "92", "93"], True),
]  # fmt: skip


def load_demo_iku() -> list[str]:
    """Idempotent: does nothing once any IKU exists."""
    if db.session.scalar(select(Indicator.id).limit(1)) is not None:
        return ["IKU demo sudah ada."]
    units = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
    made = 0
    for (unit, (s_code, s_text), code, name, definition, numerator, denominator, kind, satuan,
         baseline, source, responsible, targets, enact) in DEMO_IKU:
        if unit is not None and unit not in units:
            continue
        item = Indicator(
            org_unit=units.get(unit), start_year=PERIOD[0], end_year=PERIOD[1],
            sasaran_code=s_code, sasaran_text=s_text, code=code, name=name,
            definition=definition, rationale="Mengukur hasil langsung dari sasaran strategis.",
            numerator=numerator, denominator=denominator, calculation_type=kind, satuan=satuan,
            baseline=baseline, data_source=source, responsible=responsible,
            status=IndicatorStatus.DRAFT, version=1,
            targets=[IndicatorTarget(year=PERIOD[0] + i, value=Decimal(v))
                     for i, v in enumerate(targets)],
        )
        db.session.add(item)
        if enact:
            item.status, (item.enactment_number, item.enactment_date) = (
                IndicatorStatus.DITETAPKAN, ENACTMENT)
        made += 1
    db.session.flush()
    enacted = db.session.scalar(select(Indicator).where(Indicator.code == "IKU-4.1"))
    if enacted is not None:
        amendment = iku_service.amend_indicator(db.session, enacted)
        amendment.name = "Persentase benda cagar budaya dan koleksi istana yang terpelihara baik"
        amendment.targets[-1].value = Decimal("95")
    db.session.commit()
    return [f"IKU demo: {made} indikator."]
