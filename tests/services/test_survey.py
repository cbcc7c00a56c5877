"""The SKM index and grade on worked examples (PermenPANRB 14/2017)."""

from __future__ import annotations

import pytest

from app.services.survey import element_means, grade, index


def test_index_of_all_fours_and_all_ones():
    assert index([[4] * 9]) == pytest.approx(99.9)  # 4 × 0.111 × 9 × 25
    assert index([[1] * 9]) == pytest.approx(24.98, abs=0.01)


def test_index_of_a_mixed_cycle():
    answers = [[3, 3, 4, 4, 3, 3, 3, 2, 3], [4, 3, 3, 4, 3, 4, 4, 3, 3]]
    means = element_means(answers)
    assert means == [3.5, 3, 3.5, 4, 3, 3.5, 3.5, 2.5, 3]
    # Σ means = 29.5; 29.5 × 0.111 = 3.2745; × 25 = 81.8625
    assert index(answers) == pytest.approx(81.86)
    assert grade(index(answers)) == "B"


@pytest.mark.parametrize(("value", "expected"), [
    (100, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"), (76.60, "C"), (65.00, "C"),
    (64.99, "D"), (25, "D"), (None, None),
])
def test_grade_boundaries(value, expected):
    assert grade(value) == expected


def test_no_answer_no_index():
    assert index([]) is None
