"""What a broken or doubtful standard file reports.

A standard is edited by hand as YAML, often by someone who is not a developer, so an error must
say which file, where inside it (a path an editor can follow, plus the line) and why. A doubt
that does not stop the standard from running (the printed text is inconsistent, but that is
what was enacted) is a warning, kept with the loaded version for admins to see.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


def format_path(path: Path_ | list[str | int]) -> str:
    """steps[3].substeps[1].duration.unit: readable, and the same shape as the YAML nesting."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(dokumen)"


def line_of(text: str | None, path: Path_) -> int | None:
    """The 1-based line where `path` (or its deepest existing parent) starts in the YAML text.

    Errors arrive as data paths; people fix files by line, so we walk the composed node tree
    rather than re-parsing with a line-aware loader for every document.
    """
    if not text:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1 if node is not None else None


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path} (line {self.line})" if self.line else self.path
        return f"{where}: {self.reason}"


class StandardInvalidError(ValueError):
    """The file cannot be a standard: the first problem is in `path`/`reason`, all in `problems`."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        first = problems[0]
        self.path, self.reason, self.line = first.path, first.reason, first.line
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{file}: {first}{more}")


@dataclass(frozen=True)
class StandardWarning:
    """A doubt about the standard's content: `kind` for code, `message` (Indonesian) for people."""

    kind: str
    path: str
    message: str

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
