"""Reference data every installation needs, and demo data for `make run`. Both idempotent.

The units (pengguna), the Bagian serving them and the competence standard come from the
service standards' own data (their "ruang lingkup"), so a new standard brings its users along.
The bureau's internal structure (Subbagian, positions) is the bureau's, not a standard's.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from app.extensions import db
from app.models.org import Competence, OrgUnit, OrgUnitKind, Pelaksana, Position, Section, SectionKind
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
    order = 0  # the units' place in the standard's list, across its Bagian (seed D.2)
    for bagian in scope["executors"]["bagian"]:
        section = _upsert(Section, "code", bagian["code"], name=bagian["name"],
                          kind=SectionKind.BAGIAN, parent=biro)
        suffix = ROMAN.get(bagian["code"], bagian["code"])
        for code, name in SUBBAGIAN:
            _upsert(Section, "code", f"{bagian['code']}-{code}", name=f"{name} {suffix}",
                    kind=SectionKind.SUBBAGIAN, parent=section)
        for item in bagian["units"]:
            unit = _upsert(OrgUnit, "code", item["code"], name=item["name"],
                           kind=OrgUnitKind.SATORG, section=section)
            order += 1
            if unit.sort_order in (None, OrgUnit.UNORDERED):  # an admin's own order stays
                unit.sort_order = order
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
    shortest_day = calendar.shortest_workday_minutes(calendar.load_schedule(db.session))
    for standard, warnings in standards.load_all(
        db.session, current_app.config["IKU_STANDARDS_DIR"], day_minutes=shortest_day
    ):
        seed_org_from_standard(standard.content)
        lines.append(f"Standar {standard.code} versi {standard.version}: {len(warnings)} peringatan.")
        lines.extend(f"  ! {warning}" for warning in warnings)
    return lines


# username, name, NIP, position code, section code, role, unit the liaison acts for
DEMO_PEOPLE = [
    ("karo", "Dr. Hendra Wijaya", "197204121998031001", "KARO", "BIRO-OTLAK", "Kepala Biro", None),
    ("kabag1", "Rina Kartika", "197808232003122002", "KABAG", "AK1", "Kepala Bagian", None),
    ("kabag2", "Agus Salim", "197911052005011003", "KABAG", "AK2", "Kepala Bagian", None),
    ("kasubbag1", "Dewi Lestari", "198302142008012004", "KASUBBAG", "AK1-PPK", "Kepala Subbagian", None),
    ("kasubbag2", "Bambang Hartono", "198106302006041005", "KASUBBAG", "AK2-PPK", "Kepala Subbagian", None),
    ("staf1", "Putri Maharani", "199001172015032006", "STAF", "AK1-PPK", "Staf", None),
    ("staf2", "Yoga Pratama", "199205092017011007", "STAF", "AK2-PPK", "Staf", None),
    ("auditor", "Inspektorat", None, None, None, "Auditor", None),
    ("setpres", "Penghubung Setpres", None, None, None, "Pengguna", "SETPRES"),
    ("setwapres", "Penghubung Setwapres", None, None, None, "Pengguna", "SETWAPRES"),
    *[(username, f"Penghubung {name}", None, None, None, "Pengguna", code) for username, name, code in [
        ("setmilpres", "Setmilpres", "SETMILPRES"), ("bogor", "Istana Bogor", "ISTANA-BOGOR"),
        ("yogyakarta", "Istana Yogyakarta", "ISTANA-YOGYAKARTA"),
        ("cipanas", "Istana Cipanas", "ISTANA-CIPANAS"),
        ("tampaksiring", "Istana Tampaksiring", "ISTANA-TAMPAKSIRING"),
        ("setkemen", "Setkemen", "SETKEMEN"), ("dephukum", "Deputi Hukum", "DEP-HUKUM"),
        ("dephubkel", "Deputi Hubkel", "DEP-HUBKEL"), ("depaa", "Deputi AA", "DEP-AA"),
        ("setwantimpres", "Setwantimpres", "SETWANTIMPRES"), ("setksp", "Setksp", "SETKSP"),
    ]],
]  # fmt: skip


def _demo_person(username, name, nip, position, section, role, unit, password) -> None:
    links = {}
    if nip:
        person = _upsert(
            Pelaksana, "nip", nip, name=name, email=f"{username}@iku.local",
            position=db.session.query(Position).filter_by(code=position).one(),
            section=db.session.query(Section).filter_by(code=section).one(),
        )
        db.session.flush()
        links["pelaksana_id"] = person.id
    if unit:
        links["org_unit_id"] = db.session.query(OrgUnit).filter_by(code=unit).one().id
    first, _, last = name.partition(" ")
    access.create_user(username, first, last or "-", f"{username}@iku.local", [role], password, **links)


def load_demo_data() -> list[str]:
    """Accounts for trying the app, one per role. Passwords are random and printed only when the
    accounts are created: never a default, and not stored anywhere in clear."""
    from app.services.complaints.demo import load_demo_complaints
    from app.services.cycle_demo import load_demo_cycle
    from app.services.evaluation.demo import load_demo_evaluation
    from app.services.iku_demo import load_demo_iku, load_demo_proposal
    from app.services.mail.demo import load_demo_mail

    load_demo_iku()
    sm = current_app.appbuilder.sm
    if sm.find_user(username="admin"):
        return ["Akun demo sudah ada (atur ulang: flask iku set-password <pengguna>)."]
    admin_password, demo_password = generate_password(), generate_password()
    access.create_user("admin", "Admin", "IKU", "admin@iku.local", ["Admin"], admin_password)
    for person in DEMO_PEOPLE:
        _demo_person(*person, demo_password)
    staff = ", ".join(person[0] for person in DEMO_PEOPLE if person[5] != "Pengguna")
    liaisons = ", ".join(person[0] for person in DEMO_PEOPLE if person[5] == "Pengguna")
    return [
        f"Login admin: admin / {admin_password}",
        f"Akun demo biro ({staff}) dan penghubung unit ({liaisons}) dengan kata sandi: "
        f"{demo_password}",
        *load_demo_cycle(),
        *load_demo_proposal(),
        *load_demo_mail(),
        *load_demo_complaints(),
        *load_demo_evaluation(),
    ]
