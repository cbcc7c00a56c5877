"""What complaints and supervision tell the rest of the app: the evaluator's evidence about a
pelaksana's year, the home page's count of open complaints, the dashboard's complaints per
month. Those modules keep registries so that they need not know this one; register() plugs
these figures in (the app factory calls it once; it may be called again)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.complaints import Complaint
from app.models.supervision import SupervisionKind
from app.services.complaints.queries import complaints_handled_by, open_complaints_visible
from app.services.cycles.flow import from_db
from app.services.working_time import DEFAULT_TZ, Schedule

SUPERVISION_WORDS = {SupervisionKind.SUPERVISI: "Supervisi berkala",
                     SupervisionKind.TEGURAN_LISAN: "Teguran lisan",
                     SupervisionKind.TEGURAN_TERTULIS: "Teguran tertulis",
                     SupervisionKind.SANKSI: "Sanksi"}
MONTHS_SHOWN = 12
WIB = ZoneInfo(DEFAULT_TZ)


def complaint_evidence(session: Session, pelaksana_id: int, year: int, schedule: Schedule):
    from app.services.evaluation.evidence import Figure

    rows = complaints_handled_by(session, pelaksana_id, year, dt.datetime.now(dt.UTC), schedule)
    judged = [r for r in rows if r.on_time is not None]
    on_time = sum(1 for r in judged if r.on_time)
    share = f"{on_time} dari {len(judged)} ({round(100 * on_time / len(judged))}%)" \
        if judged else "belum ada yang selesai atau terlambat"
    return [Figure("Pengaduan ditindaklanjuti", str(len(rows)), "/complaintview/list/"),
            Figure("Tindak lanjut tepat waktu", share)]


def supervision_evidence(session: Session, pelaksana_id: int, year: int, schedule: Schedule):
    from app.services.evaluation.evidence import Figure
    from app.services.supervision import supervision_records_of

    tally = Counter(r.kind for r in supervision_records_of(session, pelaksana_id, year))
    return [Figure(word, str(tally.get(kind.value, 0)), "/supervisionrecordview/list/")
            for kind, word in SUPERVISION_WORDS.items()]


def complaints_per_month(session: Session) -> list[tuple[str, int]]:
    """Complaints received in each of the last MONTHS_SHOWN months (WIB), oldest first, empty
    months included: a chart with gaps would read as 'no data'."""
    today = dt.datetime.now(dt.UTC).astimezone(WIB).date().replace(day=1)
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS_SHOWN):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    start = dt.datetime(int(months[0][:4]), int(months[0][5:]), 1) - dt.timedelta(days=1)
    tally = Counter(
        from_db(t).astimezone(WIB).strftime("%Y-%m")
        for t in session.scalars(select(Complaint.received_at)
                                 .where(Complaint.received_at >= start)))
    return [(m, tally.get(m, 0)) for m in months]


def register() -> None:
    from app.services import dashboard, home
    from app.services.evaluation import evidence

    evidence.register_source("complaints", complaint_evidence)
    evidence.register_source("supervision", supervision_evidence)
    home.register_counter("complaints_open", "Pengaduan terbuka",
                          lambda session, user, now: open_complaints_visible(session, user),
                          "ComplaintView.list")
    dashboard.register_series("complaints_per_month", complaints_per_month)
