"""The facts a naskah dinas is filled with, read from the database as plain data.

Dates in Indonesian ("1 Desember 2026"), officials by the standard's actors (a bureau position is
the pelaksana holding it; an outside official is the head recorded for the org unit of that name,
else only the title), the units a cycle concerns, the team, a pelaksana's record. Documents are
Indonesian whatever the page's language, so nothing here is translated.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models.cycles import Cycle, CycleUnit, WorkItem, WorkItemKind, WorkItemStatus
from app.models.org import (
    CompetenceRecord,
    IkuUser,
    OrgUnit,
    Pelaksana,
    Position,
    Section,
)

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
ORDINALS = ("KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA", "KEENAM", "KETUJUH", "KEDELAPAN",
            "KESEMBILAN", "KESEPULUH", "KESEBELAS", "KEDUA BELAS", "KETIGA BELAS")
HEADS = ("kabag", "kasubbag", "kasubbag_ppk", "kasubbag_ppek")  # heads of their Bagian/Subbagian
LEVEL_WORDS = {"belum_memenuhi": "Belum memenuhi", "memenuhi": "Memenuhi",
               "melampaui": "Melampaui"}


class DocumentFieldError(ValueError):
    """A user-given part of a document that cannot be used (a date that is no date)."""


# ------------------------------------------------------------------------------ dates
def tanggal(day: dt.date | dt.datetime | None) -> str:
    """1 Desember 2026. A datetime is read on the office's clock (naive = stored UTC)."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        aware = day.replace(tzinfo=dt.UTC) if day.tzinfo is None else day
        day = aware.astimezone(WIB).date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def today() -> dt.date:
    return dt.datetime.now(WIB).date()


def parse_day(text: str) -> dt.date:
    value = (text or "").strip()
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise DocumentFieldError(f"Tanggal '{value}' tidak dikenali; tulis HH-BB-TTTT, "
                             "misalnya 01-12-2026.")


def period_years(period: str | None) -> tuple[int, int] | None:
    """'2027' -> (2027, 2027); '2025-2029' -> (2025, 2029); anything else -> None."""
    years = [int(y) for y in re.findall(r"\d{4}", period or "")]
    return (min(years), max(years)) if years else None


def number(value: int | float | str | None) -> str:
    """93 -> '93'; 3.45 -> '3,45' (the Indonesian decimal comma)."""
    if value is None:
        return ""
    text = f"{value:f}" if not isinstance(value, str) else value
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# ------------------------------------------------------------------------------ officials
class Officials:
    """The standard's actors as people: title, and name and NIP where the data knows them."""

    def __init__(self, session: Session, content: dict):
        self.session = session
        self.actors = {a["code"]: a for a in content.get("actors", [])}

    def title(self, code: str | None) -> str:
        actor = self.actors.get(code or "")
        return actor["name"] if actor else (code or "")

    def holder(self, actor_code: str, section_code: str | None = None) -> Pelaksana | None:
        """The active pelaksana in the position the actor names (in that Bagian, if given)."""
        position = self.actors.get(actor_code, {}).get("position", actor_code)
        query = (select(Pelaksana).join(Position, Pelaksana.position_id == Position.id)
                 .where(Position.actor_code == position, Pelaksana.active.is_(True))
                 .order_by(Pelaksana.id))
        if section_code:
            query = query.join(Section, Pelaksana.section_id == Section.id).where(
                Section.code == section_code)
        return self.session.scalars(query.limit(1)).first()

    def signer(self, actor_code: str | None, section_code: str | None = None) -> dict:
        """{jabatan, nama, nip}: the name and NIP when known, else the title as the name."""
        title = self.title(actor_code)
        actor = self.actors.get(actor_code or "", {})
        if section_code and actor.get("kind") == "bureau" and actor_code in HEADS:
            section = self.session.scalars(select(Section).filter_by(code=section_code)).first()
            title = f"Kepala {section.name}" if section is not None else title
        if actor.get("kind") == "bureau":
            person = self.holder(actor_code, section_code)
            if person is not None:
                return {"jabatan": title, "nama": person.name, "nip": person.nip}
        elif title:
            head = self.session.scalars(select(OrgUnit.head_name).where(
                or_(func.lower(OrgUnit.head_title) == title.lower(),
                    func.lower(OrgUnit.name) == title.lower()),
                OrgUnit.head_name.is_not(None), OrgUnit.head_name != "").limit(1)).first()
            if head:
                return {"jabatan": title, "nama": head, "nip": ""}
        return {"jabatan": title, "nama": title, "nip": ""}


# ------------------------------------------------------------------------------ cycle
def cycle_facts(cycle: Cycle | None) -> dict:
    if cycle is None:
        return {"kode": "", "judul": "", "periode": "", "mulai": "", "rencana_selesai": ""}
    return {"kode": cycle.code, "judul": cycle.title, "periode": cycle.period,
            "mulai": tanggal(cycle.started_at), "rencana_selesai": tanggal(cycle.planned_end)}


def share_section(session: Session, item: WorkItem | None) -> str | None:
    """The Bagian whose share the item is (or lies under), e.g. AK1 for 's03.g@AK1'."""
    while item is not None:
        if item.kind == WorkItemKind.BAGIAN and item.section_id is not None:
            return session.get(Section, item.section_id).code
        item = session.get(WorkItem, item.parent_id) if item.parent_id else None
    return None


def step_due(session: Session, item: WorkItem | None) -> str:
    """The due of the step the item belongs to (actual when known, else planned)."""
    if item is None:
        return ""
    step = session.scalars(select(WorkItem).where(
        WorkItem.cycle_id == item.cycle_id, WorkItem.code == item.step_code)).first()
    step = step or item
    return tanggal(step.due_at or step.planned_due)


def units(session: Session, cycle: Cycle | None, section_code: str | None) -> list[dict]:
    """The units the cycle concerns (all active units without a cycle), in the standard's
    order, narrowed to the units served by one Bagian when given."""
    if cycle is not None:
        query = (select(OrgUnit, Section.code).join(CycleUnit, CycleUnit.org_unit_id == OrgUnit.id)
                 .outerjoin(Section, CycleUnit.section_id == Section.id)
                 .where(CycleUnit.cycle_id == cycle.id))
    else:
        query = (select(OrgUnit, Section.code).outerjoin(Section, OrgUnit.section_id == Section.id)
                 .where(OrgUnit.active.is_(True)))
    if section_code:
        query = query.where(Section.code == section_code)
    rows = session.execute(query.order_by(OrgUnit.sort_order, OrgUnit.name)).all()
    return [{"kode": unit.code, "nama": unit.name, "bagian": section or "",
             "pimpinan": unit.head_title or f"Pimpinan {unit.name}"} for unit, section in rows]


def team(officials: Officials, composition: list[dict], unit_rows: list[dict]) -> list[dict]:
    """The Tim Penyusun: the standard's actors named in the composition, then one member for
    each unit (the units' nominated members are not recorded yet: the unit stands for them)."""
    rows: list[dict] = []
    for entry in composition:
        if entry.get("aktor") == "unit":
            rows += [{"nama": f"Wakil {unit['nama']}", "jabatan": "Pejabat yang ditunjuk oleh "
                      f"pimpinan {unit['nama']}", "kedudukan": entry.get("kedudukan", "Anggota")}
                     for unit in unit_rows]
            continue
        person = officials.signer(entry.get("aktor"), entry.get("bagian"))
        rows.append({"nama": person["nama"], "jabatan": person["jabatan"],
                     "kedudukan": entry.get("kedudukan", "Anggota")})
    return [{"no": i, **row} for i, row in enumerate(rows, start=1)]


# ------------------------------------------------------------------------------ people
def pelaksana_facts(session: Session, pelaksana_id: int | None) -> tuple[Pelaksana | None, dict]:
    person = session.get(Pelaksana, pelaksana_id) if pelaksana_id else None
    if person is None:
        return None, {"nama": "", "nip": "", "jabatan": "", "unit_kerja": ""}
    return person, {
        "nama": person.name, "nip": person.nip,
        "jabatan": person.position.name if person.position else "",
        "unit_kerja": person.section.name if person.section else "",
    }


def superior_person(session: Session, person: Pelaksana | None) -> Pelaksana | None:
    """The direct superior: the most junior active pelaksana of a higher level in the same
    section or the sections above it."""
    return _superior_with_section(session, person)[0]


def superior(session: Session, person: Pelaksana | None) -> dict | None:
    boss, section = _superior_with_section(session, person)
    if boss is None:
        return None
    # the head of a section: Kepala Biro ..., Kepala Bagian ...
    return {"jabatan": f"Kepala {section.name}", "nama": boss.name, "nip": boss.nip}


def _superior_with_section(session: Session, person: Pelaksana | None):
    if person is None or person.position is None:
        return None, None
    section = person.section
    while section is not None:
        boss = session.scalars(
            select(Pelaksana).join(Position, Pelaksana.position_id == Position.id).where(
                Pelaksana.section_id == section.id, Pelaksana.active.is_(True),
                Position.level < person.position.level)
            .order_by(Position.level.desc(), Pelaksana.id).limit(1)).first()
        if boss is not None:
            return boss, section
        section = section.parent
    return None, None


def competences(session: Session, person: Pelaksana | None, year: int) -> list[dict]:
    if person is None:
        return []
    records = session.scalars(select(CompetenceRecord).where(
        CompetenceRecord.pelaksana_id == person.id,
        CompetenceRecord.assessed_on <= dt.date(year, 12, 31))
        .order_by(CompetenceRecord.assessed_on)).all()
    latest = {record.competence_id: record for record in records}
    return [{"kode": r.competence.code, "uraian": r.competence.description,
             "tingkat": LEVEL_WORDS.get(r.level, r.level), "tanggal": tanggal(r.assessed_on)}
            for r in sorted(latest.values(), key=lambda r: r.competence.code)]


def work_record(session: Session, person: Pelaksana | None, year: int) -> dict:
    """Items the pelaksana completed in the year, on time or late against their due."""
    if person is None:
        return {"selesai": 0, "tepat_waktu": 0, "terlambat": 0}
    user_ids = select(IkuUser.id).where(IkuUser.pelaksana_id == person.id)
    start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    done = session.execute(select(WorkItem.completed_at, WorkItem.due_at).where(
        WorkItem.completed_by_id.in_(user_ids), WorkItem.status == WorkItemStatus.DONE,
        WorkItem.completed_at >= start, WorkItem.completed_at < end)).all()
    late = sum(1 for completed, due in done if due is not None and completed > due)
    return {"selesai": len(done), "tepat_waktu": len(done) - late, "terlambat": late}
