"""The data of a naskah dinas: what its template is filled with, as plain data.

build_context gathers the facts of one document from the database (the cycle and its units, the
officials, the team, the IKU matrix, a pelaksana's record), words them with the document's default
texts (templates/docx/texts.yaml) and lets the user's free-text `fields` override them. The
result has exactly the variables templates/docx/variables.yaml allows for the document, holds
only str, int, list and dict, and is what app.services.docx_render.render() takes.

`fields` (all optional): the editable parts of editable_fields(doc_code) (a list part, such as
paragraf or tembusan, as a list or as text with one item per line; blank keeps the default),
`tanggal` (DD-MM-YYYY or YYYY-MM-DD; default today in WIB), and, set by the application rather
than typed: `verifikasi_url`, `bagian` (a Bagian code narrowing the units addressed),
`pelaksana_id` (teguran/laporan), `tahun` (the year a laporan evaluates), `standar` (the
standard's code when there is no cycle). Other keys are ignored.
"""

from __future__ import annotations

import re
from string import Template

from flask import current_app, has_app_context
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, selectinload

from app.models.cycles import Cycle, WorkItem
from app.models.iku import CalculationType, Indicator
from app.services import document_parts as parts
from app.services import document_spec as spec
from app.services.document_parts import DocumentFieldError
from app.services.document_samples import SAMPLE_FACTS, SAMPLE_PNG
from app.services.evaluation import PREDIKAT
from app.services.standards import current_standard, current_standards

__all__ = ["DocumentFieldError", "build_context", "editable_fields", "sample_context",
           "sample_images"]

LIST_FIELDS = {"paragraf", "tembusan", "menimbang", "mengingat", "yth", "diktum", "pasal",
               "catatan"}
MATRIX_KINDS = ("peraturan",)
RATING = {"bawah": 0, "sesuai": 1, "atas": 2}

def _setting(name: str, default: str) -> str:
    return current_app.config.get(name, default) if has_app_context() else default


def editable_fields(doc_code: str) -> list[tuple[str, str]]:
    """The free-text parts of the document a user may change: (name, Indonesian label)."""
    return spec.editable(doc_code)


def sample_images() -> dict[str, bytes]:
    return {name: SAMPLE_PNG for name in spec.image_names()}


def sample_context(doc_code: str) -> dict:
    """A complete context of sample data, for the test render of an uploaded template."""
    facts = {**SAMPLE_FACTS, "judul": _title({}, doc_code)}
    decree = spec.body_kind(doc_code) in ("keputusan", "peraturan")
    sample_number = "1 Tahun 2026" if decree else "1/D-III/KKA/12/2026"
    return _finish(doc_code, _assemble(doc_code, facts, sample_number, parts.parse_day("01-12-2026")),
                   {"verifikasi_url": "https://contoh.go.id/verifikasi/CONTOH",
                    "hasil_kerja": "sesuai ekspektasi", "perilaku_kerja": "di atas ekspektasi"})


def build_context(session: Session, doc_code: str, item_id: int | None, *, number: str | None,
                  fields: dict) -> dict:
    """The plain-data context of one document of the item's cycle (see the module docstring)."""
    kind, fields = spec.kind(doc_code), dict(fields or {})
    item = session.get(WorkItem, item_id) if item_id is not None else None
    if item_id is not None and item is None:
        raise DocumentFieldError("Pekerjaan untuk naskah ini tidak ditemukan.")
    cycle = session.get(Cycle, item.cycle_id) if item is not None else None
    day = parts.parse_day(fields["tanggal"]) if str(fields.get("tanggal") or "").strip() \
        else parts.today()
    content = _content(session, cycle, fields.get("standar"))
    officials = parts.Officials(session, content)
    doc = next((d for d in content.get("documents", []) if d["code"] == doc_code), {})
    body = spec.body_kind(doc_code)
    facts = {
        "judul": _title(content, doc_code), "periode": cycle.period if cycle else str(day.year),
        "siklus": parts.cycle_facts(cycle), "batas_waktu": parts.step_due(session, item),
        "biro": content.get("scope", {}).get("service_unit", {}).get("name", ""),
        "penerbit_negara": content.get("regulation", {}).get("issuer", ""),
        "dasar_hukum": [i["text"] for i in content.get("legal_basis", {}).get("items", [])],
        "penandatangan": officials.signer(doc.get("signed_by")), "pengesah": {},
        "yth": [], "tim": [], "lampiran": [], "pegawai": {}, "kompetensi": [], "kinerja": {},
    }
    unit_rows = parts.units(session, cycle, fields.get("bagian") or parts.share_section(session, item))
    addressed = doc.get("addressed_to")
    actor_kind = officials.actors.get(addressed or "", {}).get("kind")
    if actor_kind == "pengguna":
        facts["yth"] = [unit["pimpinan"] for unit in unit_rows]
    elif actor_kind == "team":
        facts["yth"] = [f"Para Anggota {officials.title(addressed)}"]
    elif addressed:
        facts["yth"] = [officials.title(addressed)]
    if kind == "salinan":
        original = next((d for d in content.get("documents", [])
                         if d["code"] == spec.source(doc_code)), {})
        facts["pengesah"] = facts["penandatangan"]
        facts["penandatangan"] = officials.signer(original.get("signed_by"))
    if body == "keputusan":
        composition = spec.default_texts(doc_code).get("tim", [])
        facts["tim"] = parts.team(officials, composition, parts.units(session, cycle, None))
    if body in MATRIX_KINDS:
        years = parts.period_years(facts["periode"]) or (day.year, day.year)
        facts["lampiran"] = _matrix(session, *years)
    if kind in ("teguran", "laporan"):
        _person_facts(session, facts, fields, day.year)
    return _finish(doc_code, _assemble(doc_code, facts, number, day), fields)


def finalised(doc_code: str, values: dict, *, number: str | None, day, fields: dict) -> dict:
    """The values the reviewers saw in the draft, with what finalisation adds: the number, the
    day it is numbered (unless the drafter fixed a date) and the verification address. Not
    rebuilt from the database: the final document says what was reviewed, and a draft that
    should reflect newer data is generated again before it is finalised."""
    fields = dict(fields or {})
    if str(fields.get("tanggal") or "").strip():
        day = parts.parse_day(fields["tanggal"])
    nomor, tahun = _number(number, spec.body_kind(doc_code), day.year)
    out = {**values, "nomor": nomor, "tanggal": parts.tanggal(day),
           "verifikasi_url": str(fields.get("verifikasi_url") or "")}
    if "tahun" in values:
        out["tahun"] = tahun
    return {name: out[name] for name in values}


def _content(session: Session, cycle: Cycle | None, code: str | None) -> dict:
    if cycle is not None:
        return cycle.standard.content
    standard = current_standard(session, code) if code else next(
        iter(current_standards(session)), None)
    return standard.content if standard is not None else {}


def _title(content: dict, doc_code: str) -> str:
    doc = next((d for d in content.get("documents", []) if d["code"] == doc_code), None)
    return (doc or spec.document(doc_code)).get("title") or doc_code


def _person_facts(session: Session, facts: dict, fields: dict, year: int) -> None:
    try:
        pelaksana_id = int(fields.get("pelaksana_id") or 0) or None
        year = int(fields.get("tahun") or year)
    except (TypeError, ValueError):
        raise DocumentFieldError("Pelaksana atau tahun naskah tidak sah.") from None
    person, facts["pegawai"] = parts.pelaksana_facts(session, pelaksana_id)
    facts["periode"] = str(year)
    facts["yth"] = [facts["pegawai"]["nama"]] if person else []
    boss = parts.superior(session, person)
    if boss is not None:
        facts["penandatangan"] = boss
    facts["kompetensi"] = parts.competences(session, person, year)
    facts["kinerja"] = parts.work_record(session, person, year)


def _assemble(doc_code: str, facts: dict, number: str | None, day) -> dict:
    ministry = _setting("IKU_DOCX_MINISTRY", "Kementerian Sekretariat Negara")
    words = _words(spec.default_texts(doc_code), {
        "periode": facts["periode"], "tahun": str(day.year), "kementerian": ministry,
        "batas_waktu": facts["batas_waktu"] or "…", "biro": facts["biro"]})
    body = spec.body_kind(doc_code)
    nomor, tahun = _number(number, body, day.year)
    signer = facts["penandatangan"]
    issuer = facts["penerbit_negara"].upper()
    return {
        "kop": {"kementerian": f"{ministry} Republik Indonesia".upper(),
                "biro": facts["biro"].upper(), "penerbit": signer.get("jabatan", "").upper(),
                "alamat": _setting("IKU_DOCX_ADDRESS", "Jalan Veteran Nomor 17–18, Jakarta 10110")},
        "judul": facts["judul"], "nomor": nomor, "tanggal": parts.tanggal(day),
        "tempat": _setting("IKU_DOCX_PLACE", "Jakarta"), "tahun": tahun,
        "siklus": facts["siklus"], "batas_waktu": facts["batas_waktu"],
        "penandatangan": dict(signer), "tembusan": words.get("tembusan", []),
        "verifikasi_url": "", "yth": facts["yth"], "dari": signer.get("jabatan", ""),
        "alamat_tujuan": words.get("alamat_tujuan", ""), "hal": words.get("hal", ""),
        "sifat": words.get("sifat", "Biasa"), "paragraf": words.get("paragraf", []),
        "lampiran": facts["lampiran"] if body in MATRIX_KINDS else words.get("lampiran", "-"),
        "draf": "RANCANGAN" if spec.document(doc_code).get("draft") else "",
        "jenis": f"{'PERATURAN' if body == 'peraturan' else 'KEPUTUSAN'} {issuer}",
        "pejabat_penetap": issuer, "tentang": words.get("tentang", ""),
        "menimbang": words.get("menimbang", []),
        "mengingat": words.get("mengingat") or facts["dasar_hukum"],
        "menetapkan": words.get("menetapkan", ""),
        "diktum": _diktum(words.get("diktum", [])), "pasal": _pasal(words.get("pasal", [])),
        "tim": facts["tim"], "lampiran_judul": words.get("lampiran_judul", ""),
        "pengesah": dict(facts["pengesah"]) or {"jabatan": "", "nama": "", "nip": ""},
        "pegawai": facts["pegawai"] or {"nama": "", "nip": "", "jabatan": "", "unit_kerja": ""},
        "pelanggaran": words.get("pelanggaran", ""), "periode": facts["periode"],
        "hasil_kerja": "", "perilaku_kerja": "", "predikat": "",
        "kompetensi": facts["kompetensi"],
        "kinerja": facts["kinerja"] or {"selesai": 0, "tepat_waktu": 0, "terlambat": 0},
        "catatan": words.get("catatan", []),
    }


def _finish(doc_code: str, ctx: dict, fields: dict) -> dict:
    """The user's parts over the defaults; then only the variables the document has."""
    for name, _label in spec.editable(doc_code):
        value = fields.get(name)
        if name == "tanggal" or value is None or not str(value).strip() or value == []:
            continue
        if name in LIST_FIELDS:
            lines = value if isinstance(value, list | tuple) else str(value).splitlines()
            lines = [str(line).strip() for line in lines if str(line).strip()]
            ctx[name] = (_diktum(lines) if name == "diktum" else _pasal(lines)
                         if name == "pasal" else lines)
        elif "_" in name and name.split("_")[0] in ("penandatangan", "pengesah"):
            who, key = name.split("_", 1)
            ctx[who][key] = str(value).strip()
        else:
            ctx[name] = str(value).strip()
    if fields.get("verifikasi_url"):
        ctx["verifikasi_url"] = str(fields["verifikasi_url"])
    if not ctx["predikat"] and ctx["hasil_kerja"] and ctx["perilaku_kerja"]:
        ctx["predikat"] = _predikat(ctx["hasil_kerja"], ctx["perilaku_kerja"])
    return {name: ctx[name] for name in spec.allowed_variables(doc_code)
            if name not in spec.image_names()}


def _words(value, names: dict):
    if isinstance(value, str):
        return Template(" ".join(value.split())).safe_substitute(names)
    if isinstance(value, list):
        return [_words(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _words(item, names) for key, item in value.items()}
    return value


def _number(number: str | None, body: str, year: int) -> tuple[str, str]:
    """A decree's number is written 'NOMOR 12 TAHUN 2027': '12 Tahun 2027' gives both parts."""
    text = " ".join((number or "").split())
    if body in ("keputusan", "peraturan"):
        found = re.fullmatch(r"(?i)(?:nomor\s+)?(.+?)\s+tahun\s+(\d{4})", text)
        if found:
            return found.group(1), found.group(2)
    return text, str(year)


def _diktum(lines: list[str]) -> list[dict]:
    return [{"label": parts.ORDINALS[i] if i < len(parts.ORDINALS) else f"KE-{i + 1}",
             "teks": text} for i, text in enumerate(lines)]


def _pasal(lines: list[str]) -> list[dict]:
    return [{"nomor": i, "teks": text} for i, text in enumerate(lines, start=1)]


def _predikat(results: str, behaviour: str) -> str:
    def level(text: str) -> int | None:
        return next((v for k, v in RATING.items() if k in text.lower()), None)

    row, column = level(results), level(behaviour)
    return "" if row is None or column is None else PREDIKAT[row][column]


# ------------------------------------------------------------------------------ IKU matrix
def _matrix(session: Session, start_year: int, end_year: int) -> list[dict]:
    """The lampiran rows of the Rancangan Permensesneg: the newest version of every IKU whose
    period overlaps the years, grouped by unit (the ministry first), each group headed by a row
    with `kelompok` set. Not iku_matrix.build_matrix: that one takes the IKU of exactly one
    period in chosen statuses, while a cycle may be for one year ("2027") of a Renstra period
    and its Rancangan carries the drafts of every status."""
    newer = aliased(Indicator)
    indicators = session.scalars(select(Indicator).options(
        selectinload(Indicator.targets), selectinload(Indicator.org_unit)).where(
        Indicator.start_year <= end_year, Indicator.end_year >= start_year,
        ~exists().where(newer.previous_id == Indicator.id))).all()
    indicators = sorted(indicators, key=lambda i: (
        i.org_unit is not None, i.org_unit.sort_order if i.org_unit else 0,
        i.org_unit.name if i.org_unit else "", i.sasaran_code, i.code))
    rows, group, count = [], object(), 0
    for ind in indicators:
        if ind.org_unit_id != group:
            group, count = ind.org_unit_id, 0
            name = ind.org_unit.name if ind.org_unit else "Kementerian Sekretariat Negara"
            rows.append(_row(kelompok=f"{_roman(len([r for r in rows if r['kelompok']]) + 1)}. "
                                      f"{name.upper()}"))
        count += 1
        years = range(max(start_year, ind.start_year), min(end_year, ind.end_year) + 1)
        targets = {t.year: parts.number(t.value) for t in ind.targets if t.year in years}
        target = (targets.get(years[0], "") if len(years) == 1 else
                  "\n".join(f"{year}: {targets[year]}" for year in years if year in targets))
        formula = _formula(ind)
        rows.append(_row(no=str(count), sasaran=ind.sasaran_text, iku=ind.name,
                         penjelasan="\n".join(x for x in (ind.definition or "", formula) if x),
                         satuan=ind.satuan, target=target,
                         penanggung_jawab=ind.responsible or "", sumber_data=ind.data_source or ""))
    return rows


def _row(**values) -> dict:
    keys = ("kelompok", "no", "sasaran", "iku", "penjelasan", "satuan", "target",
            "penanggung_jawab", "sumber_data")
    return {key: values.get(key, "") for key in keys}


def _formula(ind: Indicator) -> str:
    top, bottom = ind.numerator or "", ind.denominator or ""
    if ind.calculation_type == CalculationType.PERSENTASE and top and bottom:
        return f"Formula: ({top} / {bottom}) × 100%"
    if ind.calculation_type == CalculationType.RASIO and top and bottom:
        return f"Formula: {top} / {bottom}"
    return f"Formula: {top}" if top else ""


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out, value = out + letters, value - number
    return out
