"""Reference data every installation needs, and demo data for `make run`. Both idempotent."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.models.org import OrgUnit, OrgUnitKind, Position, Section, SectionKind
from app.services import access
from app.services.passwords import generate_password

SECTIONS = [
    ("BIRO-OTLAK", "Biro Organisasi, Tata Laksana, dan Akuntabilitas Kinerja", SectionKind.BIRO, None),
    ("AK1", "Bagian Akuntabilitas Kinerja I", SectionKind.BAGIAN, "BIRO-OTLAK"),
    ("AK2", "Bagian Akuntabilitas Kinerja II", SectionKind.BAGIAN, "BIRO-OTLAK"),
    ("AK1-PPEK", "Subbagian Pemantauan, Penilaian, dan Evaluasi Kinerja I", SectionKind.SUBBAGIAN, "AK1"),
    ("AK1-PPK", "Subbagian Perencanaan dan Pelaporan Kinerja I", SectionKind.SUBBAGIAN, "AK1"),
    ("AK2-PPEK", "Subbagian Pemantauan, Penilaian, dan Evaluasi Kinerja II", SectionKind.SUBBAGIAN, "AK2"),
    ("AK2-PPK", "Subbagian Perencanaan dan Pelaporan Kinerja II", SectionKind.SUBBAGIAN, "AK2"),
]  # fmt: skip
POSITIONS = [
    ("KARO", "Kepala Biro", 1, "kepala_biro"),
    ("KABAG", "Kepala Bagian", 2, "kabag"),
    ("KASUBBAG", "Kepala Subbagian", 3, "kasubbag"),
    ("STAF", "Staf", 4, "staf"),
]


UNITS = [
    ("SETPRES", "Sekretariat Presiden", "AK1"),
    ("SETWAPRES", "Sekretariat Wakil Presiden", "AK1"),
    ("SETMILPRES", "Sekretariat Militer Presiden", "AK1"),
    ("ISTANA-BOGOR", "Istana Kepresidenan Bogor", "AK1"),
    ("ISTANA-YOGYAKARTA", "Istana Kepresidenan Yogyakarta", "AK1"),
    ("ISTANA-CIPANAS", "Istana Kepresidenan Cipanas", "AK1"),
    ("ISTANA-TAMPAKSIRING", "Istana Kepresidenan Tampaksiring Bali", "AK1"),
    ("SETKEMEN", "Sekretariat Kementerian", "AK2"),
    ("DEP-HUKUM", "Deputi Bidang Hukum dan Perundang-undangan", "AK2"),
    ("DEP-HUBKEL", "Deputi Bidang Hubungan Kelembagaan dan Kemasyarakatan", "AK2"),
    ("DEP-AA", "Deputi Bidang Administrasi Aparatur", "AK2"),
    ("SETWANTIMPRES", "Sekretariat Dewan Pertimbangan Presiden", "AK2"),
    ("SETKSP", "Sekretariat Kantor Staf Presiden", "AK2"),
]


def _upsert(model, key: str, value, **fields):
    row = db.session.query(model).filter(getattr(model, key) == value).one_or_none()
    if row is None:
        row = model(**{key: value}, **fields)
        db.session.add(row)
    return row


def seed_bureau() -> None:
    by_code = {}
    for code, name, kind, parent in SECTIONS:
        by_code[code] = _upsert(Section, "code", code, name=name, kind=kind,
                                parent=by_code.get(parent))
    for code, name, level, actor in POSITIONS:
        _upsert(Position, "code", code, name=name, level=level, actor_code=actor)
    for code, name, section in UNITS:
        _upsert(OrgUnit, "code", code, name=name, kind=OrgUnitKind.SATORG,
                section=by_code[section])
    db.session.commit()


def load_reference_data() -> list[str]:
    seed_bureau()
    return ["Data referensi dimuat."]


def load_demo_data() -> list[str]:
    """Accounts for trying the app. The admin's password is random and printed only when the
    account is created: it is never a default, and it is not stored anywhere in clear."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username="admin"):
        return ["Akun admin sudah ada (atur ulang: flask iku set-password admin)."]
    password = generate_password()
    access.create_user("admin", "Admin", "IKU", "admin@iku.local", ["Admin"], password)
    return [f"Login admin: admin / {password}"]
