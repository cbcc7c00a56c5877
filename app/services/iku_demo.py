"""Demo IKU for `make run` and the tests: a few realistic indicators of the ministry and of each
of its units for 2025-2029 (iku_demo.yaml), with formulas and yearly targets; most are enacted,
one is a draft and one has an amendment in draft, so every page of the registry has something
to show."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from app.extensions import db
from app.models.iku import Indicator, IndicatorStatus, IndicatorTarget
from app.models.org import OrgUnit
from app.services import iku as iku_service

DATA = Path(__file__).with_suffix(".yaml")


def demo_data() -> dict:
    """The demo IKU as written in iku_demo.yaml (also what the tests expect to find)."""
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def load_demo_iku() -> list[str]:
    """Idempotent: does nothing once any IKU exists."""
    if db.session.scalar(select(Indicator.id).limit(1)) is not None:
        return ["IKU demo sudah ada."]
    units = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
    demo = demo_data()
    (start, end), enactment = demo["period"], demo["enactment"]
    made = 0
    for row in demo["indicators"]:
        if row["unit"] is not None and row["unit"] not in units:
            continue
        s_code, s_text = row["sasaran"]
        item = Indicator(
            org_unit=units.get(row["unit"]), start_year=start, end_year=end,
            sasaran_code=s_code, sasaran_text=s_text, code=row["code"], name=row["name"],
            definition=row.get("definition"),
            rationale="Mengukur hasil langsung dari sasaran strategis.",
            numerator=row.get("numerator"), denominator=row.get("denominator"),
            calculation_type=row["type"], satuan=row["satuan"], baseline=row.get("baseline"),
            data_source=row.get("source"), responsible=row.get("responsible"),
            status=IndicatorStatus.DRAFT, version=1,
            targets=[IndicatorTarget(year=start + i, value=Decimal(v))
                     for i, v in enumerate(row["targets"])],
        )
        db.session.add(item)
        if row.get("enacted", True):
            item.status, item.enactment_number, item.enactment_date = (
                IndicatorStatus.DITETAPKAN, enactment["number"], enactment["date"])
        made += 1
    db.session.flush()
    enacted = db.session.scalar(select(Indicator).where(Indicator.code == "IKU-4.1"))
    if enacted is not None:
        amendment = iku_service.amend_indicator(db.session, enacted)
        amendment.name = "Persentase benda cagar budaya dan koleksi istana yang terpelihara baik"
        amendment.targets[-1].value = Decimal("95")
    db.session.commit()
    return [f"IKU demo: {made} indikator."]


# A one-page PDF, enough for the attachment checks (type by name and first bytes).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
            b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def load_demo_proposal() -> list[str]:
    """One unit (Sekretariat Kementerian) with a change proposal waiting for the bureau."""
    from app.models.org import IkuUser
    from app.models.proposals import ChangeProposal
    from app.services import proposals
    from app.services.cycles.rules import Attachment

    liaison = db.session.scalar(select(IkuUser).where(IkuUser.username == "setkemen"))
    if liaison is None or db.session.scalar(select(ChangeProposal.id).limit(1)) is not None:
        return []
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "IKU-8.2"))
    proposals.submit_proposal(
        db.session, liaison, org_unit_id=liaison.org_unit_id, start_year=2025, end_year=2029,
        reason="organisation_change",
        description=("Penataan organisasi Sekretariat Kementerian menggabungkan Biro Perencanaan "
                     "dan Biro Keuangan; IKU-8.2 perlu disesuaikan dengan unit penanggung jawab "
                     "yang baru."),
        attachment=Attachment("nota-dinas-usulan-perubahan-iku.pdf", DEMO_PDF),
        indicator_ids=[indicator.id] if indicator else [])
    return ["Usulan perubahan IKU demo: Sekretariat Kementerian, menunggu keputusan."]
