"""Validation, normalisation and consistency checks of service-standard files.

Split from app/services/standards.py to keep each module small; that module is the public
entry point (parse_standard, load_standard, ...). Nothing here touches the database.
"""

from app.services.standards_schema.consistency import collect_warnings
from app.services.standards_schema.durations import (
    SHORTEST_WORKDAY_MINUTES,
    WORKDAYS_PER_WEEK,
    duration_text,
    format_minutes,
    to_minutes,
)
from app.services.standards_schema.errors import Problem, StandardInvalidError, StandardWarning
from app.services.standards_schema.normalise import normalise
from app.services.standards_schema.validate import SCHEMA_PATH, read_source, validate

__all__ = [
    "SCHEMA_PATH",
    "SHORTEST_WORKDAY_MINUTES",
    "WORKDAYS_PER_WEEK",
    "Problem",
    "StandardInvalidError",
    "StandardWarning",
    "collect_warnings",
    "duration_text",
    "format_minutes",
    "normalise",
    "read_source",
    "to_minutes",
    "validate",
]
