"""The validated document, made explicit for its consumers.

Authors write the shortest form (an actor code, a step whose actors are its sub-steps', no
repetitions when there is one session); cycles, documents and the public page want one form
only. Normalising once, at load, keeps every consumer free of defaults and fallbacks.
"""

from __future__ import annotations

import copy
from typing import Any

from app.services.standards_schema.durations import duration_text
from app.services.standards_schema.validate import SERVING, substep_code

# What governs a step whose sub-steps' times exceed its own when the standard does not say
# (schema.json, $defs.substep_time_policy): the printed step time, the promise to the public.
FIT_TO_STEP = "fit_to_step"
EXTEND_STEP = "extend_step"
DEFAULT_SUBSTEP_TIME_POLICY = FIT_TO_STEP


class _Normaliser:
    def __init__(self, doc: dict):
        self.actors = {a["code"]: a for a in doc["actors"]}
        self.bagian = {b["code"]: b for b in doc["scope"]["executors"]["bagian"]}

    def bagian_display(self, bagian: str | None) -> str:
        if bagian == SERVING:
            return "/".join(b["short_name"] for b in self.bagian.values())
        return self.bagian[bagian]["short_name"] if bagian else ""

    def ref(self, ref: Any) -> dict:
        """{actor, bagian, display}: 'Kabag AK I', 'Staf AK I/AK II', 'Kepala Biro'."""
        code = ref if isinstance(ref, str) else ref["actor"]
        actor = self.actors[code]
        bagian = ref.get("bagian") if isinstance(ref, dict) else None
        bagian = bagian or actor.get("bagian")
        name = actor.get("short_name") or actor["name"]
        display = f"{name} {self.bagian_display(bagian)}".strip()
        return {"actor": code, "bagian": bagian, "display": display}

    def refs(self, refs: list | None) -> list[dict]:
        return _dedupe([self.ref(r) for r in refs or []])

    def substeps(self, parent: str, subs: list[dict]) -> list[dict]:
        out = []
        for sub in subs:
            code = substep_code(parent, sub)
            children = self.substeps(code, sub.get("substeps", []))
            actors = self.refs(sub.get("actors"))
            if not actors:
                actors = _dedupe([a for c in children for a in c["actors"]])
            out.append({
                "code": code,
                "label": sub["label"],
                "text": sub["text"],
                "actors": actors,
                "action": sub.get("action"),
                "duration": sub.get("duration"),
                "time_text": duration_text(sub.get("duration")),
                "documents": _unique(sub.get("documents", [])
                                     + [d for c in children for d in c["documents"]]),
                "substeps": children,
            })
        return out

    def step(self, position: int, step: dict, labels: dict[str, str], policy: str) -> dict:
        subs = self.substeps(step["code"], step.get("substeps", []))
        actors = self.refs(step.get("actors"))
        if not actors:
            actors = _dedupe([a for s in subs for a in s["actors"]])
        performed_by = step.get("performed_by")
        if performed_by is not None:
            performed_by = self.ref(performed_by)
        elif len(actors) == 1:
            performed_by = actors[0]
        deadline = step.get("relative_deadline")
        if deadline:
            deadline = {"anchor": "end", **deadline, "after_label": labels[deadline["after"]]}
        repetitions = step.get("repetitions", 1)
        return {
            **{k: v for k, v in step.items() if k not in ("substeps",)},
            "position": position,
            "repetitions": repetitions,
            "parallel": bool(step.get("parallel")),
            "substep_time_policy": step.get("substep_time_policy", policy),
            "time_text": duration_text(step["duration"], repetitions),
            "actors": actors,
            "performed_by": performed_by,
            "relative_deadline": deadline,
            "action": step.get("action"),
            "documents": _unique(step.get("documents", [])
                                 + [d for s in subs for d in s["documents"]]),
            "substeps": subs,
        }


def _unique(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def _dedupe(refs: list[dict]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for ref in refs:
        seen.setdefault((ref["actor"], ref["bagian"]), ref)
    return list(seen.values())


def normalise(data: dict) -> dict:
    """A deep copy of the validated document with explicit, derived fields on every step."""
    doc = copy.deepcopy(data)
    n = _Normaliser(doc)
    labels = {s["code"]: s["label"] for s in doc["steps"]}
    policy = doc.setdefault("substep_time_policy", DEFAULT_SUBSTEP_TIME_POLICY)
    doc["steps"] = [n.step(i, s, labels, policy) for i, s in enumerate(doc["steps"], start=1)]
    routing = doc["complaints"]["routing"]
    routing["receiver"] = n.ref(routing["receiver"])
    for key in ("delegates", "handlers"):
        routing[key] = n.refs(routing.get(key))
    for bagian in doc["scope"]["executors"]["bagian"]:
        bagian.setdefault("units", [])
        bagian.setdefault("organisation_level", False)
    for key in ("responsible", "users"):
        if "actor" in doc["scope"][key]:
            doc["scope"][key]["actor_display"] = n.ref(doc["scope"][key]["actor"])["display"]
    return doc
