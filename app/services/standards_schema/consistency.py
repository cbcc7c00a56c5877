"""Doubts about a valid standard: things the enacted text gets wrong but that must not stop it.

A printed standard is law as enacted; the system runs it as written and tells admins where the
text contradicts itself (sub-step times adding up to more than the step's time, numbering that
restarts, a step with no time standard, a step naming different Bagian for the same actor), so
the next revision can fix it. Messages are Indonesian: admins read them, with the printed label.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from app.services.standards_schema.durations import format_minutes, to_minutes
from app.services.standards_schema.errors import StandardWarning, format_path
from app.services.standards_schema.normalise import EXTEND_STEP
from app.services.standards_schema.validate import SERVING, section_keys


def _ordinal(label: str) -> tuple[str, int] | None:
    core = label.strip().rstrip(").").strip()
    if core.isdigit():
        return ("angka", int(core))
    if len(core) == 1 and core.isalpha():
        return ("huruf", ord(core.lower()) - ord("a") + 1)
    return None


def _name(step: dict, trail: tuple[str, ...] = ()) -> str:
    """'Langkah 13 (11)': the step's place in the sequence 1-15 is its number for readers (the
    printed numbering repeats), with the printed label beside it where it differs."""
    where = f"Langkah {step['position']}"
    if step["label"] != str(step["position"]):
        where += f" ({step['label']})"
    return f"{where} sub-langkah {'.'.join(trail)}" if trail else where


def _worded(duration: dict) -> str:
    """'1 hari kerja', '3 jam kerja': time standards are working time, and saying so keeps a
    reader from taking "1 hari" for 24 hours."""
    return f"{duration['value']} {duration['unit']} kerja"


class _Collector:
    def __init__(self, doc: dict, day_minutes: int, week_days: int):
        if day_minutes <= 0 or week_days <= 0:
            raise ValueError("day_minutes and week_days must be positive (a working day's "
                             "minutes, the working days of a week)")
        self.doc = doc
        self.day_minutes = day_minutes
        self.week_days = week_days
        self.bagian = {b["code"]: b["short_name"] for b in doc["scope"]["executors"]["bagian"]}
        self.found: list[StandardWarning] = []

    def warn(self, kind: str, path: tuple, message: str) -> None:
        self.found.append(StandardWarning(kind, format_path(path), message))

    def minutes(self, duration: dict) -> int:
        return to_minutes(duration, day_minutes=self.day_minutes, week_days=self.week_days)

    def run(self) -> list[StandardWarning]:
        self.step_labels()
        for i, step in enumerate(self.doc["steps"]):
            path = ("steps", i)
            if step["duration"] is None and not step.get("relative_deadline"):
                self.warn("no_time_standard", (*path, "duration"),
                          f"{_name(step)} tidak mempunyai standar waktu; tenggatnya tidak "
                          "dapat dihitung.")
            self.node_times(step, step, path, ())
            self.sibling_labels(step, step["substeps"], path, ())
            self.mixed_bagian(step, path)
        self.hidden_sections()
        return self.found

    def step_labels(self) -> None:
        steps = self.doc["steps"]
        previous = None
        for i, step in enumerate(steps):
            ordinal = _ordinal(step["label"])
            if ordinal and previous and previous[0] and ordinal[1] != previous[0][1] + 1:
                self.warn("label_sequence", ("steps", i, "label"),
                          f"Penomoran langkah tidak berurutan: {_name(step)} tercetak "
                          f"setelah {_name(previous[1])}.")
            previous = (ordinal, step)
        counts = Counter(s["label"] for s in steps)
        for label, count in counts.items():
            if count > 1:
                places = " dan ".join(str(s["position"]) for s in steps if s["label"] == label)
                first = next(i for i, s in enumerate(steps) if s["label"] == label)
                self.warn("label_duplicate", ("steps", first, "label"),
                          f"Nomor langkah {label} tercetak lebih dari sekali (langkah ke-"
                          f"{places}); nomor urut 1-{len(steps)} membedakannya.")

    def sibling_labels(self, step: dict, subs: list[dict], path: tuple, trail: tuple) -> None:
        previous = None
        for j, sub in enumerate(subs):
            ordinal = _ordinal(sub["label"])
            if ordinal and previous and ordinal[0] == previous[0] and ordinal[1] != previous[1] + 1:
                self.warn("label_sequence", (*path, "substeps", j, "label"),
                          f"{_name(step, trail)}: penomoran "
                          f"sub-langkah tidak berurutan ({sub['label']} setelah "
                          f"{subs[j - 1]['label']}).")
            previous = ordinal or previous
            self.sibling_labels(step, sub["substeps"], (*path, "substeps", j),
                                (*trail, sub["label"]))
        for label, count in Counter(s["label"] for s in subs).items():
            if count > 1:
                self.warn("label_duplicate", (*path, "substeps"),
                          f"{_name(step, trail)}: sub-langkah {label} tercetak lebih dari sekali.")

    def node_times(self, step: dict, node: dict, path: tuple, trail: tuple) -> None:
        """A node's time must hold its children's: checked at every level of nesting."""
        children = node["substeps"]
        timed = [c for c in children if c.get("duration")]
        if node.get("duration") and timed:
            total = sum(self.minutes(c["duration"]) for c in timed)
            limit = self.minutes(node["duration"])
            if total > limit:
                printed = _worded(node["duration"])
                if node["duration"]["unit"] in ("hari", "minggu"):
                    printed += f" ({format_minutes(limit)} pada hari kerja terpendek)"
                if step["substep_time_policy"] == EXTEND_STEP:
                    outcome = (f"langkah diperpanjang mengikuti waktu sub-langkahnya "
                               f"({format_minutes(total)} kerja)")
                else:
                    outcome = ("tenggat sub-langkah disesuaikan secara proporsional ke dalam "
                               f"{_worded(node['duration'])}")
                self.warn("substep_time_exceeds_step", (*path, "duration"),
                          f"{_name(step, trail)}: waktu sub-langkah berjumlah "
                          f"{format_minutes(total)} kerja, melebihi standar langkah {printed}; "
                          f"{outcome}.")
        for j, child in enumerate(children):
            self.node_times(step, child, (*path, "substeps", j), (*trail, child["label"]))

    def mixed_bagian(self, step: dict, path: tuple) -> None:
        """The same position from two fixed Bagian in one step (IKU step 11g names AK II staff
        where the rest of the step is AK I): probably a slip, and it changes who gets the task."""
        where: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

        def walk(subs: list[dict], trail: tuple) -> None:
            for sub in subs:
                for ref in sub["actors"] if not sub["substeps"] else []:
                    if ref["bagian"] and ref["bagian"] != SERVING:
                        where[ref["actor"]][ref["bagian"]].append(".".join((*trail, sub["label"])))
                walk(sub["substeps"], (*trail, sub["label"]))

        walk(step["substeps"], ())
        for actor, by_bagian in where.items():
            if len(by_bagian) > 1:
                detail = "; ".join(f"{self.bagian.get(b, b)} pada {', '.join(labels)}"
                                   for b, labels in by_bagian.items())
                name = next(a.get("short_name") or a["name"]
                            for a in self.doc["actors"] if a["code"] == actor)
                self.warn("mixed_bagian", (*path, "substeps"),
                          f"{_name(step)}: {name} disebut dari Bagian berbeda ({detail}).")

    def hidden_sections(self) -> None:
        shown = {key for part in self.doc["parts"] for key in part["sections"]}
        for key in section_keys():
            if key in self.doc and key not in shown:
                self.warn("section_not_shown", (key,),
                          f"Bagian '{key}' ada di berkas tetapi tidak dicantumkan dalam "
                          "'parts', sehingga tidak tampil di halaman publik.")


def collect_warnings(doc: dict, *, day_minutes: int, week_days: int) -> list[StandardWarning]:
    """Warnings for a normalised document, in document order within each kind of check."""
    return _Collector(doc, day_minutes, week_days).run()
