"""The bureau and the ministry it serves: units, sections, positions, staff and their accounts."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.orm.base import NO_VALUE

NIP_RE = re.compile(r"^\d{18}$")


class NipInvalidError(ValueError):
    """A NIP that cannot belong to a real civil servant."""


def parse_nip(nip: str) -> dict:
    """Check a NIP's structure: yyyymmdd birth date, yyyymm appointment, sex digit, sequence.

    Lives beside the model because it is the invariant of the data itself: forms, the API and
    the XLSX import all call it, so a bad NIP is refused the same way everywhere.
    """
    value = (nip or "").strip()
    if not NIP_RE.match(value):
        raise NipInvalidError("NIP harus 18 digit angka.")
    try:
        birth = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise NipInvalidError("NIP memuat tanggal lahir yang tidak mungkin.") from None
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise NipInvalidError("NIP memuat bulan pengangkatan yang tidak mungkin.")
    if not (birth.year + 15) <= year <= dt.date.today().year + 1:
        raise NipInvalidError("NIP memuat tahun pengangkatan yang tidak mungkin.")
    if value[14] not in "12":
        raise NipInvalidError("Digit jenis kelamin NIP harus 1 (pria) atau 2 (wanita).")
    return {"birth_date": birth, "appointed": (year, month), "sex": value[14], "seq": value[15:]}


class SectionKind(StrEnum):
    BIRO = "biro"
    BAGIAN = "bagian"
    SUBBAGIAN = "subbagian"


class Section(Model):
    """A Bagian (AK I / AK II) or Subbagian of the bureau: where pelaksana sit and which serves
    a set of units. Subbagian point at their Bagian so "the Bagian serving unit X" resolves."""

    __tablename__ = "section"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=SectionKind.BAGIAN)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    parent: Mapped[Section | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name


class Position(Model):
    """A jabatan. `actor_code` ties it to the actors named in a service standard (kepala_biro,
    kabag, kasubbag, staf), which is how a step is routed to people."""

    __tablename__ = "position"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer, default=4)
    actor_code: Mapped[str | None] = mapped_column(String(50))

    def __str__(self) -> str:
        return self.name


class OrgUnitKind(StrEnum):
    KEMENTERIAN = "kementerian"
    SATORG = "satuan_organisasi"
    SATKER = "satuan_kerja"


class OrgUnit(Model):
    """A pengguna of the service: a satuan organisasi/satuan kerja whose IKU the bureau
    coordinates. `section` is the Bagian that serves it; reorganisations move units between
    Bagian, and OrgUnitAssignment keeps who served it when. `sort_order` is the unit's place in
    the standard's own list (its "ruang lingkup"), the order every list of units follows;
    units added by hand come after them (UNORDERED), by name."""

    UNORDERED = 1000
    default_order = ("sort_order", "name")  # app.views.datamodel: select boxes, unordered lists

    __tablename__ = "org_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30), default=OrgUnitKind.SATORG)
    head_name: Mapped[str | None] = mapped_column(String(200))
    head_title: Mapped[str | None] = mapped_column(String(200))
    head_email: Mapped[str | None] = mapped_column(String(320))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    section: Mapped[Section | None] = relationship()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=UNORDERED, server_default="1000")

    @validates("code")
    def _normalise_code(self, _key, value: str) -> str:
        return (value or "").strip().upper()

    def __str__(self) -> str:
        return self.name


class OrgUnitAssignment(Model):
    """History of which Bagian served a unit: one open row (valid_to empty) per unit."""

    __tablename__ = "org_unit_assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit: Mapped[OrgUnit] = relationship()
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    section: Mapped[Section | None] = relationship()
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime)
    changed_by: Mapped[str | None] = mapped_column(String(128))

    def __str__(self) -> str:
        return f"{self.org_unit} → {self.section or '-'} ({self.valid_from:%d-%m-%Y})"


class Pelaksana(Model):
    """A service executor (Kabag, Kasubbag or staf of the bureau), identified by NIP."""

    __tablename__ = "pelaksana"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"), index=True)
    position: Mapped[Position | None] = relationship()
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    section: Mapped[Section | None] = relationship()
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @validates("nip")
    def _check_nip(self, _key, value: str) -> str:
        parse_nip(value)
        return value.strip()

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"


class Competence(Model):
    """One item of the standard's competence requirement for pelaksana (seed D.9 a–d)."""

    __tablename__ = "competence"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    description: Mapped[str] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.code}. {self.description}"


class CompetenceLevel(StrEnum):
    NOT_MET = "belum_memenuhi"
    MET = "memenuhi"
    EXCEEDS = "melampaui"


class CompetenceRecord(Model):
    """An assessment of one pelaksana against one competence, with its evidence: the record
    the yearly evaluation (seed L) and the requirement C.1.b lean on."""

    __tablename__ = "competence_record"
    __table_args__ = (UniqueConstraint("pelaksana_id", "competence_id", "assessed_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pelaksana_id: Mapped[int] = mapped_column(ForeignKey("pelaksana.id"), index=True)
    pelaksana: Mapped[Pelaksana] = relationship()
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"))
    competence: Mapped[Competence] = relationship()
    level: Mapped[str] = mapped_column(String(20), default=CompetenceLevel.MET)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.pelaksana} – {self.competence.code}: {self.level}"


class IkuUser(User):
    """A login. Bureau staff link to their Pelaksana; a unit liaison (role Pengguna) links to the
    unit it acts for, which is what scopes every list, record and export it can reach."""

    __tablename__ = "ab_user"
    pelaksana_id: Mapped[int | None] = mapped_column(ForeignKey("pelaksana.id"))
    pelaksana: Mapped[Pelaksana | None] = relationship(foreign_keys=[pelaksana_id])
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    org_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[org_unit_id])
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Part of every session's and token's identity (get_id, the JWT claim "gen"): raising it
    # ends every session and token issued before, on all workers, at their next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The person's own choice (Settings > Email): reminders and notices by email, or in the app
    # only. Memoranda dispatched to a unit are official correspondence and ignore it.
    mail_reminders: Mapped[bool] = mapped_column(Boolean, default=True,
                                                 server_default=text("true"))
    # A new random value whenever the account, its roles or its groups change, set by the
    # database's triggers (migration 0003) whatever makes the change: a worker reuses the
    # account it loaded for an earlier request only while this is unchanged (app.sessions).
    account_stamp: Mapped[str | None] = mapped_column(
        String(36), server_default=FetchedValue(), server_onupdate=FetchedValue())

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id AND the generation, so that a
        cookie saved before a logout, lock, deactivation or new password no longer loads."""
        return f"{self.id}:{self.session_generation or 0}"

    def end_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1


def _ends_access(attribute: str, ends) -> None:
    """Whoever makes the change (form, API, CLI, lockout), these changes end the account's live
    sessions and API tokens: the rule lives with the data rather than in each path."""

    @event.listens_for(getattr(IkuUser, attribute), "set", active_history=True)
    def _bump(user, value, old, _initiator):
        if old is not NO_VALUE and ends(old, value):
            user.end_sessions()


_ends_access("active", lambda old, new: bool(old) and not new)
_ends_access("locked_at", lambda old, new: old is None and new is not None)
_ends_access("password", lambda old, new: old is not None and old != new)
