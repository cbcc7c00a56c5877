"""How readers name steps and items: the sequence with the printed label beside it, the path
below the step, whose share it is; never the internal code."""

from __future__ import annotations

from types import SimpleNamespace

from app.services.cycles.naming import Family, step_number


def _row(id_, parent, position, code, label, kind, actor=None, cycle=1):
    return SimpleNamespace(id=id_, parent_id=parent, cycle_id=cycle, position=position,
                           code=code, label=label, kind=kind, actor_name=actor)


def test_step_number_shows_the_printed_label_only_where_it_differs():
    assert step_number(8, "8") == "8"
    assert step_number(9, "7") == "9 (7)"
    assert step_number(15, "13") == "15 (13)"
    assert step_number(3, None) == "3"


def test_items_are_named_from_their_step_down():
    rows = [_row(1, None, 1, "s01", "1", "step"),
            _row(2, 1, 2, "s01.a", "a", "substep"),
            _row(3, None, 3, "s02", "2", "step"),
            _row(4, 3, 4, "s02.a", "a", "substep"),
            _row(5, 4, 5, "s02.a.7", "7)", "substep"),
            _row(6, 5, 6, "s02.a.7@AK1", "AK I", "bagian"),
            _row(7, None, 7, "s05", "5", "step"),
            _row(8, 7, 8, "s05#2", "2", "session"),
            _row(9, 8, 9, "s05#2.c", "c", "substep"),
            _row(10, None, 10, "s06", "6", "step"),
            _row(11, 10, 11, "s06@SETMILPRES", "SETMILPRES", "unit",
                 "Sekretariat Militer Presiden"),
            _row(12, None, 12, "s09", "7", "step"),
            _row(13, 12, 13, "s09.g", "g", "substep"),
            _row(14, None, 1, "s01", "1", "step", cycle=2)]
    family = Family(rows)
    names = {row.code: family.name(row.id) for row in rows if row.cycle_id == 1}
    assert names == {
        "s01": "Langkah 1", "s01.a": "Langkah 1 a", "s02": "Langkah 2", "s02.a": "Langkah 2 a",
        "s02.a.7": "Langkah 2 a 7)", "s02.a.7@AK1": "Langkah 2 a 7) — Bagian AK I",
        "s05": "Langkah 3 (5)", "s05#2": "Langkah 3 (5) sesi 2",
        "s05#2.c": "Langkah 3 (5) sesi 2 c", "s06": "Langkah 4 (6)",
        "s06@SETMILPRES": "Langkah 4 (6) — Sekretariat Militer Presiden",
        "s09": "Langkah 5 (7)", "s09.g": "Langkah 5 (7) g",
    }
    assert family.name(14) == "Langkah 1"  # each cycle counts its own steps
    assert family.ref(8).text("Step", "session") == "Step 3 (5) session 2"
    shorts = [family.ref(i).short_text("session") for i in (1, 2, 6, 8, 11, 12)]
    assert shorts == ["1", "a", "Bagian AK I", "session 2", "Sekretariat Militer Presiden",
                      "5 (7)"]
    assert family.ref(99) is None
