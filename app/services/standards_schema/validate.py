"""From a YAML file to a document that is certainly a standard, or an error saying where not.

JSON Schema checks the shape; what it cannot express (that a referenced actor, document, Bagian
or step exists, that a relative deadline points backwards, that codes are unique) is checked
here so that everything downstream can trust the references without guarding.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match, relevance

from app.services.standards_schema.errors import (
    Path_,
    Problem,
    StandardInvalidError,
    format_path,
    line_of,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "standards" / "schema.json"
SERVING = "serving"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice: plain YAML silently keeps the last one, which
    in a hand-edited standard means a time standard or actor list quietly lost."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def section_keys() -> list[str]:
    """The section names the engine knows, straight from the schema (one list to maintain)."""
    parts = validator().schema["properties"]["parts"]["items"]
    return list(parts["properties"]["sections"]["items"]["enum"])


def read_source(source: str | Path) -> tuple[str, str]:
    """(file name for messages, YAML text). A str is a path if it names a YAML file."""
    if isinstance(source, Path):
        return str(source), source.read_text(encoding="utf-8")
    if "\n" not in source and source.strip().endswith((".yaml", ".yml")):
        return source, Path(source).read_text(encoding="utf-8")
    return "<teks>", source


def load_yaml(file: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = f"not valid YAML: {exc.problem or exc.context}"
        raise StandardInvalidError(file, [Problem("(dokumen)", reason, mark and mark.line + 1)]) from exc
    except yaml.YAMLError as exc:
        raise StandardInvalidError(file, [Problem("(dokumen)", f"not valid YAML: {exc}")]) from exc


def validate_schema(file: str, text: str, data: Any) -> None:
    errors = list(validator().iter_errors(data))
    if not errors:
        return
    # best_match descends into oneOf/anyOf to the sub-error a person should fix first
    picked = sorted((best_match([e]) for e in errors), key=relevance, reverse=True)
    problems = [
        Problem(format_path(e.absolute_path), e.message, line_of(text, tuple(e.absolute_path)))
        for e in picked
    ]
    raise StandardInvalidError(file, problems)


def substep_code(parent_code: str, sub: dict) -> str:
    """Stable code of a sub-step: explicit, or the parent's code plus its label ('s02.a.1')."""
    if sub.get("code"):
        return sub["code"]
    return f"{parent_code}.{sub['label'].strip().rstrip(').').strip().lower()}"


class _Checker:
    def __init__(self, data: dict):
        self.data = data
        self.problems: list[tuple[Path_, str]] = []
        self.actors = self._index(data["actors"], ("actors",), "actor")
        self.documents = self._index(data["documents"], ("documents",), "document")
        bagian_path = ("scope", "executors", "bagian")
        self.bagian = self._index(data["scope"]["executors"]["bagian"], bagian_path, "Bagian")
        self.step_index = self._index(data["steps"], ("steps",), "step")

    def fail(self, path: Path_, reason: str) -> None:
        self.problems.append((path, reason))

    def _index(self, items: list[dict], path: Path_, what: str) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item["code"] in seen:
                self.fail((*path, i, "code"), f"duplicate {what} code {item['code']!r}")
            seen.setdefault(item["code"], i)
        return seen

    def unique(self, items: list[dict], path: Path_, what: str) -> None:
        self._index(items, path, what)

    def actor(self, ref: Any, path: Path_, *, bureau_only: bool = False) -> None:
        code = ref if isinstance(ref, str) else ref["actor"]
        if code not in self.actors:
            self.fail(path, f"unknown actor {code!r}")
            return
        kind = self.data["actors"][self.actors[code]]["kind"]
        if bureau_only and kind != "bureau":
            self.fail(path, f"actor {code!r} is not a bureau actor")
        if isinstance(ref, dict):
            self.bagian_ref(ref["bagian"], (*path, "bagian"), code, kind)

    def bagian_ref(self, value: str, path: Path_, actor: str, kind: str) -> None:
        if kind != "bureau":
            self.fail(path, f"only bureau actors belong to a Bagian, {actor!r} is {kind}")
        elif value != SERVING and value not in self.bagian:
            self.fail(path, f"unknown Bagian {value!r}")

    def actor_list(self, refs: list | None, path: Path_) -> None:
        for i, ref in enumerate(refs or []):
            self.actor(ref, (*path, i))

    def document_list(self, codes: list | None, path: Path_) -> None:
        for i, code in enumerate(codes or []):
            if code not in self.documents:
                self.fail((*path, i), f"unknown document {code!r}")

    def run(self) -> list[tuple[Path_, str]]:
        self.catalogues()
        self.layout()
        self.scope_and_sections()
        seen_codes: dict[str, Path_] = {}
        for i, step in enumerate(self.data["steps"]):
            self.step(i, step, seen_codes)
        return self.problems

    def catalogues(self) -> None:
        for i, actor in enumerate(self.data["actors"]):
            if "bagian" in actor:
                self.bagian_ref(actor["bagian"], ("actors", i, "bagian"), actor["code"],
                                actor["kind"])
            if "position" in actor:
                self.actor(actor["position"], ("actors", i, "position"), bureau_only=True)
        for i, doc in enumerate(self.data["documents"]):
            for key in ("signed_by", "addressed_to"):
                if key in doc:
                    self.actor(doc[key], ("documents", i, key))
            self.document_list(doc.get("attachments"), ("documents", i, "attachments"))
            if doc["code"] in doc.get("attachments", []):
                self.fail(("documents", i, "attachments"), "a document cannot attach itself")

    def layout(self) -> None:
        for i, part in enumerate(self.data["parts"]):
            for j, key in enumerate(part["sections"]):
                if key not in self.data:
                    self.fail(("parts", i, "sections", j), f"section {key!r} is not in the file")

    def scope_and_sections(self) -> None:
        scope, data = self.data["scope"], self.data
        units: list[dict] = []
        for i, bagian in enumerate(scope["executors"]["bagian"]):
            path = ("scope", "executors", "bagian", i)
            for j, code in enumerate(bagian.get("actors", [])):
                self.actor(code, (*path, "actors", j), bureau_only=True)
            units += [{"code": u["code"]} for u in bagian.get("units", [])]
        self.unique(units, ("scope", "executors", "units"), "unit")
        for key in ("responsible", "users"):
            if "actor" in scope[key]:
                self.actor(scope[key]["actor"], ("scope", key, "actor"))
        for key in ("target", "output", "outcome"):
            if key in scope:
                self.document_list(scope[key].get("documents"), ("scope", key, "documents"))
        self.unique(scope["competences"]["items"], ("scope", "competences", "items"),
                    "competence")
        reasons = data["requirements"]["user"].get("proposal_reasons", [])
        self.unique(reasons, ("requirements", "user", "proposal_reasons"), "proposal reason")
        place_unit = data["place"].get("service_unit")
        if place_unit and place_unit != scope["service_unit"]["code"]:
            self.fail(("place", "service_unit"), f"{place_unit!r} is not the service unit")
        for key in section_keys():
            if key in data and "items" in data[key]:
                self.items(data[key]["items"], (key, "items"))
        routing = data["complaints"]["routing"]
        self.actor(routing["receiver"], ("complaints", "routing", "receiver"))
        for key in ("delegates", "handlers"):
            self.actor_list(routing.get(key), ("complaints", "routing", key))

    def items(self, items: list[dict], path: Path_) -> None:
        for i, item in enumerate(items):
            self.actor_list(item.get("actors"), (*path, i, "actors"))
            self.items(item.get("items", []), (*path, i, "items"))

    def step(self, i: int, step: dict, seen_codes: dict[str, Path_]) -> None:
        path: Path_ = ("steps", i)
        self.actor_list(step.get("actors"), (*path, "actors"))
        if "performed_by" in step:
            self.actor(step["performed_by"], (*path, "performed_by"))
        self.document_list(step.get("documents"), (*path, "documents"))
        if not step.get("actors") and not step.get("substeps"):
            self.fail(path, "a step needs actors or sub-steps (who does it?)")
        if step.get("repetitions", 1) > 1 and step["duration"] is None:
            self.fail((*path, "repetitions"), "repetitions need a duration per repetition")
        deadline = step.get("relative_deadline")
        if deadline:
            target = self.step_index.get(deadline["after"])
            if target is None:
                self.fail((*path, "relative_deadline", "after"),
                          f"unknown step {deadline['after']!r}")
            elif target >= i:
                self.fail((*path, "relative_deadline", "after"),
                          f"step {deadline['after']!r} does not come before {step['code']!r}")
        self.substeps(step["code"], step.get("substeps", []), path, seen_codes)

    def substeps(self, parent: str, subs: list[dict], path: Path_, seen: dict) -> None:
        for j, sub in enumerate(subs):
            sub_path: Path_ = (*path, "substeps", j)
            code = substep_code(parent, sub)
            if code in seen or code in self.step_index:
                self.fail(sub_path, f"sub-step code {code!r} is not unique: give it a `code`")
            seen[code] = sub_path
            self.actor_list(sub.get("actors"), (*sub_path, "actors"))
            self.document_list(sub.get("documents"), (*sub_path, "documents"))
            if not sub.get("actors") and not sub.get("substeps"):
                self.fail(sub_path, "a sub-step needs actors or sub-steps (who does it?)")
            self.substeps(code, sub.get("substeps", []), sub_path, seen)


def validate(file: str, text: str) -> dict:
    """The document, schema-valid and with every reference resolvable; else StandardInvalidError."""
    data = load_yaml(file, text)
    validate_schema(file, text, data)
    found = _Checker(data).run()
    if found:
        raise StandardInvalidError(
            file, [Problem(format_path(p), reason, line_of(text, p)) for p, reason in found]
        )
    return data
