"""Reference data every installation needs, and demo data for `make run`. Both idempotent.

The units (pengguna), the Bagian serving them and the competence standard come from the
service standards' own data (their "ruang lingkup"), so a new standard brings its users along.
The bureau's internal structure (Subbagian, positions) is the bureau's, not a standard's.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from app.extensions import db
from app.models.org import Competence, OrgUnit, OrgUnitKind, Position, Section, SectionKind
from app.services import access, calendar, standards
from app.services.passwords import generate_password

SUBBAGIAN = [
    ("PPEK", "Subbagian Pemantauan, Penilaian, dan Evaluasi Kinerja"),
    ("PPK", "Subbagian Perencanaan dan Pelaporan Kinerja"),
]
ROMAN = {"AK1": "I", "AK2": "II"}
POSITIONS = [
    ("KARO", "Kepala Biro", 1, "kepala_biro"),
    ("KABAG", "Kepala Bagian", 2, "kabag"),
    ("KASUBBAG", "Kepala Subbagian", 3, "kasubbag"),
    ("STAF", "Staf", 4, "staf"),
]


def _upsert(model, key: str, value, **fields):
    """Create the row if missing; an existing row is the admins' and is left as it is."""
    row = db.session.query(model).filter(getattr(model, key) == value).one_or_none()
    if row is None:
        row = model(**{key: value}, **fields)
        db.session.add(row)
    return row


def seed_org_from_standard(content: dict) -> None:
    scope = content["scope"]
    unit = scope["service_unit"]
    biro = _upsert(Section, "code", unit["code"], name=unit["name"], kind=SectionKind.BIRO)
    for bagian in scope["executors"]["bagian"]:
        section = _upsert(Section, "code", bagian["code"], name=bagian["name"],
                          kind=SectionKind.BAGIAN, parent=biro)
        suffix = ROMAN.get(bagian["code"], bagian["code"])
        for code, name in SUBBAGIAN:
            _upsert(Section, "code", f"{bagian['code']}-{code}", name=f"{name} {suffix}",
                    kind=SectionKind.SUBBAGIAN, parent=section)
        for item in bagian["units"]:
            _upsert(OrgUnit, "code", item["code"], name=item["name"], kind=OrgUnitKind.SATORG,
                    section=section)
    for item in scope["competences"]["items"]:
        _upsert(Competence, "code", item["label"], description=item["text"])
    for code, name, level, actor in POSITIONS:
        _upsert(Position, "code", code, name=name, level=level, actor_code=actor)
    db.session.commit()


def load_reference_data() -> list[str]:
    """Office hours, holidays of the years in use, the service standards and their org."""
    lines = []
    calendar.seed_default_schedule(db.session)
    this_year = dt.date.today().year
    synced = calendar.sync_holidays(db.session, range(this_year - 1, this_year + 3))
    lines.append(f"Hari libur baru: {len(synced.added)}.")
    schedule = calendar.load_schedule(db.session)
    shortest_day = min(
        sum((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) for start, end in spans)
        for spans in schedule.intervals.values()
    )
    for standard, warnings in standards.load_all(
        db.session, current_app.config["IKU_STANDARDS_DIR"], day_minutes=shortest_day
    ):
        seed_org_from_standard(standard.content)
        lines.append(f"Standar {standard.code} versi {standard.version}: {len(warnings)} peringatan.")
    return lines


def load_demo_data() -> list[str]:
    """Accounts for trying the app. The admin's password is random and printed only when the
    account is created: it is never a default, and it is not stored anywhere in clear."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username="admin"):
        return ["Akun admin sudah ada (atur ulang: flask iku set-password admin)."]
    password = generate_password()
    access.create_user("admin", "Admin", "IKU", "admin@iku.local", ["Admin"], password)
    return [f"Login admin: admin / {password}"]
