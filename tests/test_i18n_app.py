"""Indonesian catalog checks for the app's OWN strings (no Flask app needed).

tests/test_i18n.py covers Flask-AppBuilder's and WTForms' msgids; this covers ours: every
msgid that babel.cfg's application sections extract (python: app/**.py, jinja2:
templates/**.html and app/**/templates/**.html), with the same keywords as `make i18n`
(including `_l`, our alias of lazy_gettext), must have a non-empty Indonesian translation
carrying the same placeholders. Adding a string without running `make i18n` and
translating it therefore fails here.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg

from tests.i18n_support import PO_PATH

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "babel.cfg"

# The -k options of the Makefile's `i18n` target; babel's defaults (_, gettext, ngettext,
# pgettext, ...) are always included.
EXTRA_KEYWORDS = ["_l", "lazy_gettext", "__", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"]
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}

# printf-style (%s, %(name)s, %d, %02d ...) and str.format-style ({name}, {0}, {}).
PERCENT_RE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[a-zA-Z%]")
BRACE_RE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def _placeholders(text: str) -> list[str]:
    percent = [p for p in PERCENT_RE.findall(text) if p != "%%"]
    return sorted(percent) + sorted(BRACE_RE.findall(text))


def _forms(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _app_sections():
    """babel.cfg's sections that match inside the repository (the others are for
    site-packages); the whole mapping is read so their options come along."""
    with BABEL_CFG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename=str(BABEL_CFG))
    ours = [(pattern, method) for pattern, method in method_map
            if pattern.startswith(("app/", "templates/"))]
    return ours, {pattern: options_map.get(pattern, {}) for pattern, _ in ours}


@pytest.fixture(scope="module")
def app_messages():
    """{(msgid, context): (plural msgid or None, first location)} of our own sources."""
    method_map, options_map = _app_sections()
    assert {m for _p, m in method_map} == {"python", "jinja2"}, method_map
    found = {}
    for filename, lineno, msg, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid, plural = (msg[0], msg[1]) if isinstance(msg, tuple) else (msg, None)
        if msgid:
            found.setdefault((msgid, context), (plural, f"{filename}:{lineno}"))
    # Guard against an extraction that silently finds nothing (wrong patterns or keywords).
    assert len(found) > 200, f"only {len(found)} msgids extracted from the app"
    assert ("Organisation units", None) in found  # _l(...) in app/views/org.py
    assert ("Export CSV", None) in found  # {{ _(...) }} in templates/lists/
    return found


def test_app_sections_are_in_babel_cfg():
    method_map, _options = _app_sections()
    assert ("app/**.py", "python") in method_map
    assert ("templates/**.html", "jinja2") in method_map


def test_every_app_msgid_is_translated(catalog, app_messages):
    missing, empty = [], []
    for (msgid, context), (_plural, where) in sorted(app_messages.items(), key=str):
        message = catalog.get(msgid, context=context)
        if message is None:
            missing.append(f"{where}: {msgid!r}")
        elif not all(form.strip() for form in _forms(message)):
            empty.append(f"{where}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} msgids missing from {PO_PATH.name} (run `make i18n`): {missing}"
    )
    assert not empty, f"{len(empty)} msgids without Indonesian translation: {empty}"


def test_app_translations_keep_placeholders(catalog, app_messages):
    bad = []
    for (msgid, context), (plural, where) in app_messages.items():
        message = catalog.get(msgid, context=context)
        if message is None:
            continue  # reported by test_every_app_msgid_is_translated
        expected = {tuple(_placeholders(i)) for i in (msgid, plural) if i}
        bad += [(where, msgid, form) for form in _forms(message)
                if tuple(_placeholders(form)) not in expected]
    assert not bad, f"placeholders differ from the msgid: {bad}"


def test_app_translations_are_not_fuzzy(catalog, app_messages):
    fuzzy = [msgid for (msgid, context) in app_messages
             if (m := catalog.get(msgid, context=context)) is not None and m.fuzzy]
    assert not fuzzy, f"fuzzy (skipped by pybabel compile): {fuzzy}"


def test_placeholder_check_detects_mismatch():
    assert _placeholders("%(sign)s%(h)d jam %(m)02d menit") == ["%(h)d", "%(m)02d", "%(sign)s"]
    assert _placeholders("Siklus %(kode)s dimulai") != _placeholders("Cycle %(code)s started")
    assert _placeholders("Versi {version}") == ["{version}"]


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        # menu categories
        ("Organisation", "Organisasi"),
        ("Calendar", "Kalender"),
        ("Standards", "Standar Pelayanan"),
        ("Audit", "Audit"),
        ("Cycles", "Siklus"),
        # menu entries / page titles
        ("Organisation units", "Satuan Organisasi"),
        ("Assignment history", "Riwayat penugasan"),
        ("Sections", "Bagian"),
        ("Positions", "Jabatan"),
        ("Pelaksana", "Pelaksana"),
        ("Competence assessments", "Penilaian kompetensi"),
        ("Office hours", "Jam kerja"),
        ("Holidays", "Hari libur"),
        ("Audit trail", "Jejak audit"),
        ("Import data", "Impor data"),
        ("My tasks", "Tugas saya"),
        ("Reminders", "Pengingat"),
        ("Export", "Ekspor"),
        # SLA statuses
        ("On track", "Sesuai jadwal"),
        ("At risk", "Berisiko"),
        ("Overdue", "Terlambat"),
        ("Done on time", "Selesai tepat waktu"),
        ("Done late", "Selesai terlambat"),
    ],
)
def test_spot_check_exact(translations, msgid, expected):
    assert translations.gettext(msgid) == expected


def test_spot_check_formatting(translations):
    text = translations.gettext("%(sign)s%(h)d h %(m)02d min") % {"sign": "-", "h": 2, "m": 5}
    assert text == "-2 jam 05 menit"
    text = translations.gettext("Import saved: %(created)s created, %(updated)s updated.")
    assert text % {"created": 3, "updated": 1} == "Impor disimpan: 3 dibuat, 1 diperbarui."
