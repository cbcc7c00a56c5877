"""The standard as data: parsing the IKU seed, refusing broken files, versioning on load.

Parsing is pure; the versioning tests use a plain in-memory SQLite engine with only the two
standards tables, so they need neither the app nor its migrations.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_appbuilder import Model
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.models.standards import ServiceStandard, StepDefinition
from app.services import standards as svc
from app.services.standards import StandardInvalidError, parse_standard

ROOT = Path(__file__).resolve().parents[2]
IKU = ROOT / "app" / "standards" / "iku.yaml"
MINI = ROOT / "tests" / "fixtures" / "standards" / "mini.yaml"


@pytest.fixture(scope="module")
def iku():
    return parse_standard(IKU)


@pytest.fixture(scope="module")
def steps(iku):
    return iku[0]["steps"]


def _step(steps, code):
    return next(s for s in steps if s["code"] == code)


# ------------------------------------------------------------------ the IKU seed as data
def test_fifteen_steps_keep_their_printed_labels(steps):
    assert len(steps) == 15
    assert [s["label"] for s in steps] == [
        "1", "2", "3", "4", "5", "6", "7", "8", "7", "8", "9", "10", "11", "12", "13",
    ]  # fmt: skip
    assert [s["code"] for s in steps] == [f"s{i:02d}" for i in range(1, 16)]
    assert [s["position"] for s in steps] == list(range(1, 16))


def test_durations_as_printed(steps):
    printed = {
        "s01": (30, "menit"), "s02": (1, "minggu"), "s03": (2, "hari"), "s04": (5, "hari"),
        "s05": (2, "hari"), "s06": None, "s07": (5, "hari"), "s08": (3, "hari"),
        "s09": (4, "hari"), "s10": None, "s11": (10, "menit"), "s12": (3, "jam"),
        "s13": (1, "hari"), "s14": (3, "jam"), "s15": (2, "hari"),
    }  # fmt: skip
    actual = {
        s["code"]: (s["duration"]["value"], s["duration"]["unit"]) if s["duration"] else None
        for s in steps
    }
    assert actual == printed
    assert _step(steps, "s10")["time_text"] is None  # the Minister signs without a time limit


def test_step_5_is_two_sessions_of_two_days(steps):
    step = _step(steps, "s05")
    assert step["repetitions"] == 2
    assert step["duration"] == {"value": 2, "unit": "hari"}
    assert step["time_text"] == "2 kali @ 2 hari"


def test_step_6_is_done_by_the_units_within_five_days_after_step_5(steps):
    step = _step(steps, "s06")
    assert step["performed_by"]["actor"] == "unit"
    deadline = step["relative_deadline"]
    assert (deadline["after"], deadline["anchor"], deadline["value"], deadline["unit"]) == (
        "s05", "end", 5, "hari",
    )  # fmt: skip
    assert deadline["after_label"] == "5"


def test_step_2_parts_and_their_chains(steps):
    step = _step(steps, "s02")
    assert [s["label"] for s in step["substeps"]] == ["a", "b", "c"]
    assert [len(s["substeps"]) for s in step["substeps"]] == [7, 8, 6]
    first = step["substeps"][0]["substeps"]
    assert [s["label"] for s in first] == [f"{i})" for i in range(1, 8)]
    assert first[0]["code"] == "s02.a.1"
    assert first[0]["actors"] == [
        {"actor": "kasubbag_ppk", "bagian": "AK1", "display": "Kasubbag PPK AK I"}
    ]
    # b.7: the Minister signs; b.8: Biro Tata Usaha numbers the decree
    assert step["substeps"][1]["substeps"][6]["actors"][0]["actor"] == "menteri"
    assert step["substeps"][1]["substeps"][7]["action"] == "number"
    assert step["documents"] == [
        "memo_usulan_tim", "rancangan_kepmen_tim", "memo_pengantar_kepmen_tim",
        "salinan_kepmen_tim", "memo_distribusi_salinan_kepmen",
    ]  # fmt: skip


def test_step_11_sub_step_times(steps):
    step = _step(steps, "s13")
    assert step["label"] == "11"
    times = [(s["label"], s["duration"]["value"], s["duration"]["unit"]) for s in step["substeps"]]
    assert times == [
        ("a", 1, "jam"), ("b", 2, "jam"), ("c", 1, "jam"), ("d", 30, "menit"),
        ("e", 30, "menit"), ("f", 1, "jam"), ("g", 3, "jam"),
    ]  # fmt: skip
    # 11g: staff of AK II where the rest of the step is AK I, kept as printed
    assert step["substeps"][6]["actors"][0]["bagian"] == "AK2"


def test_serving_bagian_and_outside_actors(iku, steps):
    doc, _ = iku
    kinds = {a["code"]: a["kind"] for a in doc["actors"]}
    assert kinds["deputi_aa"] == kinds["menteri"] == kinds["staf_tu"] == "external"
    assert kinds["unit"] == "pengguna"
    staf = _step(steps, "s15")["actors"]
    assert staf == [{"actor": "staf", "bagian": "serving", "display": "Staf AK I/AK II"}]


def test_thirteen_units_split_between_the_two_bagian(iku):
    bagian = iku[0]["scope"]["executors"]["bagian"]
    units = {b["code"]: [u["code"] for u in b["units"]] for b in bagian}
    assert list(units) == ["AK1", "AK2"]
    assert len(units["AK1"]) == 7 and len(units["AK2"]) == 6
    assert len(set(units["AK1"] + units["AK2"])) == 13
    assert "ISTANA-TAMPAKSIRING" in units["AK1"] and "SETKSP" in units["AK2"]
    assert [b["organisation_level"] for b in bagian] == [False, True]


def test_documents_catalogue_and_kinds(iku):
    doc, _ = iku
    kinds = {d["code"]: d["kind"] for d in doc["documents"]}
    assert kinds["surat_kemenpanrb"] == "surat"
    assert kinds["salinan_permen_iku"] == "salinan"
    assert kinds["rancangan_kepmen_tim"] == "keputusan"
    assert kinds["rancangan_permen_iku"] == "peraturan"
    assert kinds["memo_pencetakan"] == "memorandum"


def test_sections_c_to_l_and_codes(iku):
    doc, _ = iku
    keys = ["requirements", "facilities", "cost", "place", "schedule", "complaints",
            "supervision", "service_guarantee", "security_guarantee", "evaluation"]
    assert [doc[k]["label"] for k in keys] == list("CDEFGHIJKL")
    reasons = [r["code"] for r in doc["requirements"]["user"]["proposal_reasons"]]
    assert reasons == ["periodic", "organisation_change", "goals_change", "leadership_direction"]
    competences = [c["label"] for c in doc["scope"]["competences"]["items"]]
    assert competences == ["a", "b", "c", "d"]
    assert doc["cost"]["amount"] == 0
    assert doc["complaints"]["routing"]["receiver"]["actor"] == "kepala_biro"


# ------------------------------------------------------------------ warnings, not errors
def test_warnings_flag_the_printed_inconsistencies(iku):
    _, warnings = iku
    by_kind = {}
    for w in warnings:
        by_kind.setdefault(w.kind, []).append(w)
    [sum_warning] = by_kind["substep_time_exceeds_step"]
    assert sum_warning.path == "steps[12].duration"
    # the sequence 1-15 names the step, the printed label beside it; durations in words
    assert sum_warning.message == (
        "Langkah 13 (11): waktu sub-langkah berjumlah 9 jam kerja, melebihi standar langkah "
        "1 hari kerja (7 jam 30 menit pada hari kerja terpendek); tenggat sub-langkah "
        "disesuaikan secara proporsional ke dalam 1 hari kerja.")
    [untimed] = by_kind["no_time_standard"]
    assert untimed.message.startswith("Langkah 10 (8) tidak mempunyai standar waktu")
    assert [w.message for w in by_kind["label_sequence"]] == [
        "Penomoran langkah tidak berurutan: Langkah 9 (7) tercetak setelah Langkah 8."]
    assert {w.message.split()[2] for w in by_kind["label_duplicate"]} == {"7", "8"}
    assert "AK II" in by_kind["mixed_bagian"][0].message
    # no "1 hari (= 0 menit kerja)", no internal step code such as s13
    assert not any(re.search(r"\b0 menit|\bs\d\d\b", w.message) for w in warnings)


def test_substep_time_policy_is_data_with_a_default(iku, steps, tmp_path):
    doc, _ = iku
    assert doc["substep_time_policy"] == "fit_to_step"
    assert {s["substep_time_policy"] for s in steps} == {"fit_to_step"}
    assert not _step(steps, "s02")["parallel"]  # a -> b -> c
    # a step may choose otherwise, and the warning says what happens then
    text = IKU.read_text(encoding="utf-8")
    old = "duration: {value: 1, unit: hari}\n    documents: [surat_kemenpanrb]"
    assert old in text
    extended = tmp_path / "extend.yaml"
    extended.write_text(text.replace(old, old + "\n    substep_time_policy: extend_step"),
                        encoding="utf-8")
    doc, warnings = parse_standard(extended)
    assert _step(doc["steps"], "s13")["substep_time_policy"] == "extend_step"
    assert _step(doc["steps"], "s12")["substep_time_policy"] == "fit_to_step"
    [message] = [w.message for w in warnings if w.kind == "substep_time_exceeds_step"]
    assert message.endswith("langkah diperpanjang mengikuti waktu sub-langkahnya (9 jam kerja).")
    # without the top-level key the default applies; an unknown policy is refused
    plain = tmp_path / "plain.yaml"
    plain.write_text(text.replace("substep_time_policy: fit_to_step\n", ""), encoding="utf-8")
    assert parse_standard(plain)[0]["substep_time_policy"] == "fit_to_step"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("substep_time_policy: fit_to_step", "substep_time_policy: x"),
                     encoding="utf-8")
    with pytest.raises(StandardInvalidError) as info:
        parse_standard(wrong)
    assert info.value.path == "substep_time_policy" and "is not one of" in info.value.reason


def test_one_day_is_a_parameter():
    # with a 10-hour working day, 9 hours of sub-steps fit in "1 hari"
    _, warnings = parse_standard(IKU, day_minutes=600)
    assert "substep_time_exceeds_step" not in {w.kind for w in warnings}


# ------------------------------------------------------------------ not IKU-specific
def test_a_different_standard_parses_too():
    doc, warnings = parse_standard(MINI)
    assert doc["code"] == "mini"
    assert [s["code"] for s in doc["steps"]] == ["ajukan", "siapkan", "serahkan"]
    assert doc["steps"][1]["actors"][0]["display"] == "Arsiparis Layanan"
    assert doc["steps"][2]["relative_deadline"]["after"] == "siapkan"
    assert [w.kind for w in warnings] == ["no_time_standard"]


# ------------------------------------------------------------------ broken files
BROKEN = [
    pytest.param(
        "unit: jam}\n      - label: b", "unit: jam2}\n      - label: b",
        "steps[12].substeps[0].duration.unit", "is not one of", id="bad-duration-unit",
    ),
    pytest.param(
        "after: s05", "after: s99", "steps[5].relative_deadline.after", "unknown step",
        id="deadline-to-missing-step",
    ),
    pytest.param(
        "after: s05", "after: s07", "steps[5].relative_deadline.after", "does not come before",
        id="deadline-to-later-step",
    ),
    pytest.param(
        "actors: [deputi_hukum]", "actors: [deputi_huk]", "steps[8].actors[0]", "unknown actor",
        id="unknown-actor",
    ),
    pytest.param(
        "documents: [memo_pencetakan]", "documents: [memo_x]", "steps[13].documents[0]",
        "unknown document", id="unknown-document",
    ),
    pytest.param(
        "  - code: s03\n", "  - code: s02\n", "steps[2].code", "duplicate step code",
        id="duplicate-step-code",
    ),
    pytest.param(
        "bagian: AK2}", "bagian: AK3}", "steps[12].substeps[6].actors[0].bagian",
        "unknown Bagian", id="unknown-bagian",
    ),
    pytest.param(
        "    duration: null  # the", "    # the", "steps[9]", "'duration' is a required",
        id="missing-duration",
    ),
    pytest.param(
        "title: Pembentukan Tim\n", "title: Pembentukan Tim\n    title: Lagi\n", "(dokumen)",
        "duplicate key 'title'", id="duplicate-yaml-key",
    ),
    pytest.param(
        "schema_version: 1\n", "schema_version: 1\nextra: 1\n", "(dokumen)",
        "Additional properties", id="unknown-top-level-key",
    ),
]


@pytest.mark.parametrize("old, new, path, reason", BROKEN)
def test_broken_file_names_file_path_and_reason(tmp_path, old, new, path, reason):
    text = IKU.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(StandardInvalidError) as info:
        parse_standard(broken)
    err = info.value
    assert err.file == str(broken)
    assert err.path == path
    assert reason in err.reason
    assert err.line is not None
    assert str(broken) in str(err) and path in str(err)


def test_yaml_syntax_error(tmp_path):
    broken = tmp_path / "syntax.yaml"
    broken.write_text("code: iku\nsteps: [\n", encoding="utf-8")
    with pytest.raises(StandardInvalidError, match="not valid YAML") as info:
        parse_standard(broken)
    assert info.value.file == str(broken)


# ------------------------------------------------------------------ versions in the database
@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Model.metadata.create_all(engine, tables=[ServiceStandard.__table__, StepDefinition.__table__])
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_load_is_idempotent(session, tmp_path):
    path = tmp_path / "iku.yaml"
    path.write_text(IKU.read_text(encoding="utf-8"), encoding="utf-8")
    first, warnings = svc.load_standard(session, path)
    again, _ = svc.load_standard(session, path)
    assert again.id == first.id and first.version == 1 and first.is_current
    assert session.scalar(select(ServiceStandard.id).where(ServiceStandard.version == 2)) is None
    assert len(first.steps) == 15
    assert [s.label for s in first.steps][8] == "7"
    step5 = first.steps[4]
    assert (step5.duration_value, step5.duration_unit, step5.repetitions) == (2, "hari", 2)
    assert step5.time_text == "2 kali @ 2 hari"
    assert first.steps[5].performed_by == "unit"
    assert first.steps[5].relative_deadline["after"] == "s05"
    assert first.source_file == "iku.yaml"
    assert {w["kind"] for w in first.warnings} == {w.kind for w in warnings}
    # a comment changes nothing: the hash is over the data, not the text
    path.write_text("# diubah\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert svc.load_standard(session, path)[0].id == first.id


def test_changed_content_makes_a_new_version_and_keeps_the_old(session, tmp_path):
    path = tmp_path / "iku.yaml"
    text = IKU.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    v1, _ = svc.load_standard(session, path)
    path.write_text(text.replace("value: 10, unit: menit", "value: 15, unit: menit"), "utf-8")
    v2, _ = svc.load_standard(session, path)
    assert (v1.version, v2.version) == (1, 2)
    assert not v1.is_current and v2.is_current
    assert svc.current_standard(session, "iku").id == v2.id
    assert svc.standard_version(session, "iku", 1).steps[10].duration_value == 10
    assert v2.steps[10].duration_value == 15
    # going back to the old text is a change too: version 3, history stays linear
    path.write_text(text, encoding="utf-8")
    v3, _ = svc.load_standard(session, path)
    assert v3.version == 3 and v3.content_sha256 == v1.content_sha256
    assert [s.code for s in svc.current_standards(session)] == ["iku"]


def test_load_all_validates_everything_before_writing(session, tmp_path):
    (tmp_path / "iku.yaml").write_text(IKU.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "zz.yaml").write_text("code: [", encoding="utf-8")
    with pytest.raises(StandardInvalidError):
        svc.load_all(session, tmp_path)
    assert session.scalars(select(ServiceStandard)).all() == []
    (tmp_path / "zz.yaml").unlink()
    loaded = svc.load_all(session, tmp_path)
    assert [s.code for s, _ in loaded] == ["iku", "mini"]


def test_load_all_refuses_two_files_with_one_code(session, tmp_path):
    (tmp_path / "a.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(StandardInvalidError, match="also defined in a.yaml"):
        svc.load_all(session, tmp_path)


def test_the_shipped_folder_loads(session):
    loaded = svc.load_all(session)
    assert "iku" in [s.code for s, _ in loaded]
