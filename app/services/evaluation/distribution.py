"""The predikat distribution of a year and the bureau's rules on it.

Rules are configured (IKU_EVALUATION_DISTRIBUTION: predikat -> {"min": share, "max": share},
shares of rated evaluations between 0 and 1), because the limits are a policy of the bureau
or the ministry, not of the national regulation. A rule broken yields a warning sentence.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.evaluation import Evaluation, EvaluationPeriod
from app.services.evaluation import PREDIKATS


def distribution(session: Session, year: int) -> dict[str, int]:
    rows = session.execute(
        select(Evaluation.predikat, func.count()).join(EvaluationPeriod)
        .where(EvaluationPeriod.year == year, Evaluation.predikat.is_not(None))
        .group_by(Evaluation.predikat)).all()
    counts = Counter(dict(rows))
    return {name: counts.get(name, 0) for name in PREDIKATS}


def check(counts: dict[str, int], rules: dict[str, dict[str, float]]) -> list[str]:
    """Warnings for each rule the counts break; none when nothing is rated yet."""
    total = sum(counts.values())
    if not total:
        return []
    warnings = []
    for name, rule in rules.items():
        share = counts.get(name, 0) / total
        if "max" in rule and share > rule["max"]:
            warnings.append(f"Predikat {name} {_pct(share)} melebihi batas {_pct(rule['max'])}.")
        if "min" in rule and share < rule["min"]:
            warnings.append(f"Predikat {name} {_pct(share)} di bawah batas minimal "
                            f"{_pct(rule['min'])}.")
    return warnings


def _pct(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + " %"
