"""The yearly evaluation of pelaksana: opening a period, rating, answering, locking.

The predikat is derived from the two ratings with the national matrix (PermenPANRB 6/2022),
so two evaluators who rate alike always get the same predikat. Each action checks,
changes and commits once (a refusal raises EvaluationError before anything is written).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.evaluation import (
    BEHAVIOUR_FIELDS,
    COMPETENCE_FIELDS,
    CompetenceMet,
    Evaluation,
    EvaluationPeriod,
    EvaluationStatus,
    PeriodStatus,
    Rating,
)
from app.models.org import Pelaksana
from app.services import document_parts

ORDER = (Rating.BELOW, Rating.AS_EXPECTED, Rating.ABOVE)
# PREDIKAT[work results][work behaviour], each indexed below / as expected / above.
PREDIKAT = (("Sangat Kurang", "Butuh Perbaikan", "Butuh Perbaikan"),
            ("Kurang", "Baik", "Baik"),
            ("Kurang", "Baik", "Sangat Baik"))
PREDIKATS = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")


class EvaluationError(ValueError):
    """A refused evaluation action; the message is Indonesian and shown as is."""


def predikat(results: str, behaviour: str) -> str:
    """The national matrix: misconduct (behaviour below) caps at Kurang whatever the results."""
    return PREDIKAT[ORDER.index(Rating(results))][ORDER.index(Rating(behaviour))]


def overall_behaviour(ratings: list[str]) -> str:
    """One work-behaviour rating from the seven BerAKHLAK values: below when most values are
    below, above when most are above and none below, as expected otherwise. A single "below"
    thus never hides behind six "above", and a single "above" does not lift the rating."""
    counts = Counter(Rating(r) for r in ratings)
    half = len(ratings) / 2
    if counts[Rating.BELOW] > half:
        return Rating.BELOW
    if counts[Rating.ABOVE] > half and not counts[Rating.BELOW]:
        return Rating.ABOVE
    return Rating.AS_EXPECTED


def superior_of(session: Session, person: Pelaksana) -> Pelaksana | None:
    return document_parts.superior_person(session, person)


def open_period(session: Session, year: int, closes_on: dt.date, *, by: str | None,
                now: dt.datetime) -> EvaluationPeriod:
    """Open a year and give every active pelaksana its evaluation, assigned to the direct
    superior. Opening a year twice is refused (its history stays as it is)."""
    if session.scalar(select(EvaluationPeriod.id).where(EvaluationPeriod.year == year)):
        raise EvaluationError(f"Periode evaluasi {year} sudah dibuka.")
    if closes_on.year < year:
        raise EvaluationError("Tanggal batas evaluasi tidak boleh sebelum tahun yang dinilai.")
    period = EvaluationPeriod(year=year, closes_on=closes_on, status=PeriodStatus.OPEN,
                              opened_at=now.replace(tzinfo=None), opened_by=by)
    session.add(period)
    people = session.scalars(select(Pelaksana).where(Pelaksana.active.is_(True))
                             .order_by(Pelaksana.id)).all()
    for person in people:
        boss = superior_of(session, person)
        session.add(Evaluation(period=period, pelaksana=person, evaluator=boss,
                               status=EvaluationStatus.DRAFT))
    session.commit()
    return period


def set_evaluator(session: Session, evaluation: Evaluation, evaluator: Pelaksana | None) -> None:
    """An admin's choice of evaluator (the structure may not say who knows the work best)."""
    _refuse_locked(evaluation)
    if evaluator is not None and evaluator.id == evaluation.pelaksana_id:
        raise EvaluationError("Pelaksana tidak dapat menilai dirinya sendiri.")
    evaluation.evaluator = evaluator
    evaluation.evaluator_overridden = True
    session.commit()


def may_rate(evaluation: Evaluation, user, *, is_admin: bool = False) -> bool:
    return is_admin or (user is not None and user.pelaksana_id is not None
                        and user.pelaksana_id == evaluation.evaluator_id)


def rate(session: Session, evaluation: Evaluation, user, values: dict, *, now: dt.datetime,
         is_admin: bool = False) -> Evaluation:
    """Record the evaluator's ratings; every one is required, then the predikat is derived."""
    _refuse_locked(evaluation)
    if not may_rate(evaluation, user, is_admin=is_admin):
        raise EvaluationError("Hanya penilai yang ditetapkan yang dapat mengisi penilaian ini.")
    for key in COMPETENCE_FIELDS:
        if values.get(key) not in {c.value for c in CompetenceMet}:
            raise EvaluationError("Setiap unsur kompetensi (D.9 a–d) wajib dinilai.")
    for key in ("work_results", *BEHAVIOUR_FIELDS):
        if values.get(key) not in {r.value for r in Rating}:
            raise EvaluationError("Hasil kerja dan ketujuh nilai BerAKHLAK wajib dinilai.")
    for key in (*COMPETENCE_FIELDS, "work_results", *BEHAVIOUR_FIELDS):
        setattr(evaluation, key, values[key])
    evaluation.notes = (values.get("notes") or "").strip() or None
    evaluation.behaviour = overall_behaviour([values[k] for k in BEHAVIOUR_FIELDS])
    evaluation.predikat = predikat(evaluation.work_results, evaluation.behaviour)
    evaluation.rated_at = now.replace(tzinfo=None)
    evaluation.rated_by_id = getattr(user, "id", None)
    evaluation.status = EvaluationStatus.RATED
    session.commit()
    return evaluation


def answer(session: Session, evaluation: Evaluation, user, *, acknowledged: bool, objection: str | None,
           now: dt.datetime) -> Evaluation:
    """The pelaksana acknowledges the rating or records an objection; either locks it."""
    if evaluation.status != EvaluationStatus.RATED:
        raise EvaluationError("Penilaian belum diisi penilai atau sudah dikunci.")
    if user is None or user.pelaksana_id != evaluation.pelaksana_id:
        raise EvaluationError("Hanya pelaksana yang dinilai yang dapat menanggapi penilaian ini.")
    text = (objection or "").strip()
    if not acknowledged and not text:
        raise EvaluationError("Tuliskan keberatan Anda, atau pilih menerima penilaian.")
    evaluation.acknowledged = acknowledged
    evaluation.objection = None if acknowledged else text
    evaluation.answered_at = evaluation.locked_at = now.replace(tzinfo=None)
    evaluation.status = EvaluationStatus.LOCKED
    evaluation.report = _issue_report(session, evaluation, user, now)
    session.commit()
    return evaluation


def due_for(session: Session, user) -> int:
    """Evaluations waiting for this user: to rate as evaluator, or to answer as pelaksana."""
    if user is None or getattr(user, "pelaksana_id", None) is None:
        return 0
    rows = session.execute(select(Evaluation.status, Evaluation.evaluator_id,
                                  Evaluation.pelaksana_id).join(EvaluationPeriod).where(
        EvaluationPeriod.status == PeriodStatus.OPEN,
        Evaluation.status != EvaluationStatus.LOCKED,
        (Evaluation.evaluator_id == user.pelaksana_id)
        | (Evaluation.pelaksana_id == user.pelaksana_id))).all()
    return sum(1 for status, evaluator, person in rows
               if (status == EvaluationStatus.DRAFT and evaluator == user.pelaksana_id)
               or (status == EvaluationStatus.RATED and person == user.pelaksana_id))


RATING_WORDS = {Rating.BELOW: "di bawah ekspektasi", Rating.AS_EXPECTED: "sesuai ekspektasi",
                Rating.ABOVE: "di atas ekspektasi"}
COMPETENCE_WORDS = {CompetenceMet.MET: "memenuhi", CompetenceMet.PARTLY: "memenuhi sebagian",
                    CompetenceMet.NOT_MET: "belum memenuhi"}
COMPETENCE_TEXTS = {  # seed D.9
    "competence_a": "Memiliki pengetahuan tentang kebijakan di bidang SAKIP",
    "competence_b": "Mampu mengidentifikasi, memformulasikan, dan menganalisis permasalahan "
                    "akuntabilitas kinerja",
    "competence_c": "Menguasai teknik pengolahan data kinerja",
    "competence_d": "Mampu mengoperasikan komputer program Microsoft Office",
}


def report_parts(evaluation: Evaluation) -> tuple[dict, dict]:
    """(fields, values) of the laporan_evaluasi (templates/docx/variables.yaml): the notes as
    its editable `catatan`; the ratings, the predikat and the D.9 record as the values the
    evaluation owns, in the words the template prints."""
    day = evaluation.rated_at.date() if evaluation.rated_at else None
    values = {
        "hasil_kerja": RATING_WORDS[Rating(evaluation.work_results)],
        "perilaku_kerja": RATING_WORDS[Rating(evaluation.behaviour)],
        "predikat": evaluation.predikat,
        "kompetensi": [
            {"kode": f"D.9 {key[-1]}", "uraian": COMPETENCE_TEXTS[key],
             "tingkat": COMPETENCE_WORDS[CompetenceMet(getattr(evaluation, key))],
             "tanggal": document_parts.tanggal(day)}
            for key in COMPETENCE_FIELDS],
    }
    fields = {"tahun": str(evaluation.period.year), "catatan": evaluation.notes or ""}
    return fields, values


def _issue_report(session: Session, evaluation: Evaluation, user, now: dt.datetime):
    """The evaluation report, numbered and final, issued in the same transaction as the lock
    (in the evaluator's name: the superior reports on the pelaksana)."""
    from app.services.documents import standalone

    fields, values = report_parts(evaluation)
    return standalone.issue(session, evaluation.rated_by or user, "laporan_evaluasi",
                            pelaksana_id=evaluation.pelaksana_id, fields=fields,
                            values=values, now=now)


def _refuse_locked(evaluation: Evaluation) -> None:
    if evaluation.is_locked:
        raise EvaluationError("Penilaian sudah dikunci dan tidak dapat diubah.")
