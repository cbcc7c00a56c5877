"""What the demo IKU (app/services/iku_demo.yaml) hold, for tests that read lists of them: the
expectation follows the data instead of repeating it."""

from __future__ import annotations

from app.services.iku_demo import demo_data

ROWS = demo_data()["indicators"]
ANY = object()


def enacted(unit=ANY) -> list[str]:
    """Codes of the enacted demo IKU (of one unit, None = ministry level), ministry first then
    the units in the order of the standard, as the matrix lists them."""
    return [r["code"] for r in ROWS if r.get("enacted", True) and (unit is ANY or r["unit"] == unit)]


def enacted_units() -> list[str | None]:
    units: list[str | None] = []
    for row in ROWS:
        if row.get("enacted", True) and row["unit"] not in units:
            units.append(row["unit"])
    return units
