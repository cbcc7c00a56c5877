"""The demo's evaluation year: opened, two evaluations rated, one answered and locked (so its
laporan evaluasi exists), the rest waiting for their evaluators."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models.evaluation import BEHAVIOUR_FIELDS, Evaluation, EvaluationPeriod
from app.models.org import IkuUser
from app.services import evaluation

GOOD = {"competence_a": "met", "competence_b": "met", "competence_c": "partly",
        "competence_d": "met", "work_results": "as_expected",
        **dict.fromkeys(BEHAVIOUR_FIELDS, "as_expected"), "behaviour_service": "above"}
STRONG = {**GOOD, "competence_c": "met", "work_results": "above",
          **dict.fromkeys(BEHAVIOUR_FIELDS[:5], "above")}


def load_demo_evaluation(now: dt.datetime | None = None) -> list[str]:
    now = now or dt.datetime.now(dt.UTC)
    year = now.year
    if db.session.scalar(select(EvaluationPeriod.id).where(EvaluationPeriod.year == year)):
        return [f"Periode evaluasi {year} sudah ada."]
    evaluation.open_period(db.session, year, dt.date(year, 12, 31), by="admin", now=now)
    users = {u.username: u for u in db.session.scalars(select(IkuUser))}

    def of(username: str) -> Evaluation:
        return db.session.scalars(select(Evaluation).join(EvaluationPeriod).where(
            EvaluationPeriod.year == year,
            Evaluation.pelaksana_id == users[username].pelaksana_id)).one()

    kabag = of("kabag1")
    evaluation.rate(db.session, kabag, users["karo"], {
        **STRONG, "notes": "Koordinasi penyusunan IKU berjalan baik dan tepat waktu."}, now=now)
    evaluation.answer(db.session, kabag, users["kabag1"], acknowledged=True, objection=None,
                      now=now)
    evaluation.rate(db.session, of("staf1"), users["kasubbag1"], {
        **GOOD, "notes": "Perlu meningkatkan pengolahan data kinerja."}, now=now)
    return [f"Evaluasi {year}: kabag1 dinilai dan dikunci (laporan terbit), staf1 menunggu "
            "tanggapan, lainnya menunggu penilai."]
