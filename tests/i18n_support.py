"""The Indonesian catalog as both i18n test modules read it: parsed, and compiled in memory the
way pybabel compile / gettext would use it at runtime."""

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "app" / "translations" / "id" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_PATH.open("rb") as fh:
        return read_po(fh, locale="id")


@pytest.fixture(scope="module")
def translations(catalog) -> gettext.GNUTranslations:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)
