"""Indonesian catalog checks (no Flask app needed).

FAB ships no Indonesian catalog, so app/translations/id/LC_MESSAGES/messages.po
must translate every string Flask-AppBuilder itself marks for translation.
The FAB msgids are extracted here, from the *installed* package, with babel's
extract API: the same mapping and keywords as the pybabel command documented
in babel.cfg. Upgrading FAB therefore fails this test until the new strings
are translated.
"""

import re
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg

from tests.i18n_support import PO_PATH

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "babel.cfg"
FAB_DIR = Path(flask_appbuilder.__file__).resolve().parent
SITE_PACKAGES = FAB_DIR.parent

# Same -k options as `pybabel extract` (see babel.cfg); babel's defaults
# (_, gettext, ngettext, pgettext, ...) are always included.
EXTRA_KEYWORDS = ["lazy_gettext", "__", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"]
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}

JINJA_OPTIONS = {"encoding": "utf-8", "extensions": "jinja2.ext.i18n", "silent": "false"}

# printf-style (%s, %(name)s, %d, %.2f ...) and str.format-style ({name}, {0}, {}).
PERCENT_RE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[a-zA-Z%]")
BRACE_RE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def _key(message):
    """(msgid, context) of an extracted message; plurals are keyed by singular."""
    _filename, _lineno, msg, _comments, context = message
    return (msg[0] if isinstance(msg, tuple) else msg), context


def _extract(dirname, method_map, options_map):
    return {
        _key(m)
        for m in extract_from_dir(str(dirname), method_map, options_map, keywords=KEYWORDS)
        if _key(m)[0]
    }


def _placeholders(text):
    percent = [p for p in PERCENT_RE.findall(text) if p != "%%"]
    return sorted(percent) + sorted(BRACE_RE.findall(text))


def _forms(message):
    """msgstr forms of a message as a tuple (1 form for non-plural entries)."""
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.fixture(scope="module")
def fab_msgids():
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    ids = _extract(FAB_DIR, method_map, {"**/templates/**.html": JINJA_OPTIONS})
    # Guard against an extraction that silently finds nothing (wrong dir or
    # keywords); FAB 5.3 has ~150 msgids.
    assert len(ids) > 100, f"only {len(ids)} msgids extracted from {FAB_DIR}"
    assert ("Save", None) in ids and ("Are you sure you want to delete this item?", None) in ids
    return ids


@pytest.fixture(scope="module")
def babel_cfg_site_msgids():
    """What babel.cfg extracts from site-packages (FAB + WTForms sections)."""
    with BABEL_CFG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename=str(BABEL_CFG))
    return _extract(SITE_PACKAGES, method_map, options_map)


def test_header(catalog):
    assert str(catalog.locale) == "id"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy, "header is marked fuzzy: pybabel compile would skip the catalog"


def test_every_fab_msgid_is_translated(catalog, fab_msgids):
    missing, empty = [], []
    for msgid, context in sorted(fab_msgids, key=str):
        message = catalog.get(msgid, context=context)
        if message is None:
            missing.append(msgid)
        elif not all(form.strip() for form in _forms(message)):
            empty.append(msgid)
    assert not missing, f"{len(missing)} FAB msgids missing from {PO_PATH.name}: {missing}"
    assert not empty, f"{len(empty)} FAB msgids with empty translation: {empty}"


def test_every_entry_is_translated(catalog):
    bad = []
    for m in catalog:
        if not m.id:
            continue
        forms = _forms(m)
        wrong_count = m.pluralizable and len(forms) != catalog.num_plurals
        if wrong_count or not all(form.strip() for form in forms):
            bad.append(m.id)
    assert not bad, f"untranslated entries: {bad}"


def test_no_fuzzy_entries(catalog):
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    raw_flags = [line for line in PO_PATH.read_text("utf-8").splitlines() if line.startswith("#,")]
    assert not [line for line in raw_flags if "fuzzy" in line]


def test_placeholders_preserved(catalog):
    bad = []
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        # With nplurals=1 the single form serves every n, so it must carry the
        # placeholders of the plural msgid (they match the singular's here).
        expected = {tuple(_placeholders(i)) for i in ids}
        for form in _forms(m):
            if tuple(_placeholders(form)) not in expected:
                bad.append((m.id, form))
    assert not bad, f"placeholder mismatch: {bad}"
    # babel's own checkers (python-format flags, number of plural forms).
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, problems


def test_edge_whitespace_preserved(catalog):
    """e.g. "Sign In with " is concatenated with the provider name in FAB's
    OAuth/SAML login templates; dropping the trailing space glues the words."""

    def edges(text):
        return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]

    bad = [
        (m.id, form)
        for m in catalog
        if m.id
        for form in _forms(m)
        if edges(form) != edges(m.id[0] if isinstance(m.id, tuple) else m.id)
    ]
    assert not bad, f"leading/trailing whitespace differs: {bad}"


def test_placeholder_check_detects_mismatch():
    assert _placeholders("Hapus %(name)s dari {group}") == ["%(name)s", "{group}"]
    assert _placeholders("Hapus %(nama)s") != _placeholders("Delete %(name)s")
    assert _placeholders("100%% selesai") == []


def test_babel_cfg_extracts_fab_and_wtforms(babel_cfg_site_msgids, fab_msgids, catalog):
    """The documented pybabel command (babel.cfg over site-packages) must pick
    up all of FAB's strings, otherwise `pybabel update` would obsolete them."""
    assert fab_msgids <= babel_cfg_site_msgids
    assert ("Invalid email address.", None) in babel_cfg_site_msgids  # WTForms
    untranslated = [
        msgid
        for msgid, context in babel_cfg_site_msgids
        if catalog.get(msgid, context=context) is None
        or not all(f.strip() for f in _forms(catalog.get(msgid, context=context)))
    ]
    assert not untranslated, untranslated


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Save", "Simpan"),
        ("Add", "Tambah"),
        ("Edit", "Ubah"),
        ("Delete", "Hapus"),
        ("Back", "Kembali"),
        ("Login", "Masuk"),
        ("Logout", "Keluar"),
        ("Password", "Kata Sandi"),
        ("Security", "Keamanan"),
        ("List Users", "Daftar Pengguna"),
        ("Role", "Peran"),
        ("Permission", "Izin"),
        ("Detail", "Detail"),
    ],
)
def test_spot_check_exact(translations, msgid, expected):
    assert translations.gettext(msgid) == expected


@pytest.mark.parametrize(
    ("msgid", "fragment"),
    [
        ("Search", "Cari"),
        ("Are you sure you want to delete this item?", "yakin"),
        ("Are you sure you want to delete this item?", "hapus"),
        ("No records found", "tidak ditemukan"),
        ("Add Filter", "Saring"),
        ("This field is required.", "wajib"),
        ("Invalid email address.", "email"),
    ],
)
def test_spot_check_contains(translations, msgid, fragment):
    assert fragment in translations.gettext(msgid)


def test_plural_forms_compile(translations):
    singular = "Field must be at least %(min)d character long."
    plural = "Field must be at least %(min)d characters long."
    for n in (1, 2, 10):
        text = translations.ngettext(singular, plural, n) % {"min": n}
        assert text == f"Panjang isian minimal {n} karakter."
