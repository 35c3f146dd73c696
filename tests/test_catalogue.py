"""Every assignment's hidden suite against its catalogue of student answers.

Every typical mistake (tests/mistakes/<a>/) must lose points in the functions it names, with
feedback that names the mistake, and must not cost points in functions that neither are those
nor use them; every correct-but-different solution (tests/correct/<a>/) must get full marks.
How a student is simulated and what is checked: tests/catalogue_checks.py.
"""

from __future__ import annotations

import pytest
from catalogue_checks import Catalogue

from rnnkit import assignments

CATALOGUES = {spec.name: Catalogue(spec) for spec in assignments.all_assignments()}
# Each assignment's catalogue holds at least this many typical mistakes and correct variants.
LEAST_MISTAKES, LEAST_CORRECT = 12, 5


def entries(kind: str, keep=lambda catalogue, entry: True) -> list:
    return [pytest.param(name, entry, id=f"{name}-{entry.slug}")
            for name, catalogue in CATALOGUES.items()
            for entry in getattr(catalogue, kind) if keep(catalogue, entry)]


def forward_only(catalogue: Catalogue, entry) -> bool:
    return not any(f.endswith("_backward") for f in entry.loses)


@pytest.mark.parametrize("name", CATALOGUES)
def test_catalogue_is_large_enough(name):
    CATALOGUES[name].check_size(mistakes=LEAST_MISTAKES, correct=LEAST_CORRECT)


@pytest.mark.parametrize(("name", "entry"), [*entries("mistakes"), *entries("correct")])
def test_entry_is_well_formed(name, entry):
    CATALOGUES[name].check_well_formed(entry)


def test_answer_cells_are_self_contained():
    """A cell carries the file's imports and the helpers it uses (here a cache class)."""
    entry = next(e for e in CATALOGUES["rnn"].correct if e.slug == "class_cache")
    forward = entry.code_by_function["rnn_cell_forward"]
    assert forward.startswith("import numpy as np") and "class StepCache" in forward
    assert "class StepCache" not in entry.code_by_function["clip_gradients"]


@pytest.mark.parametrize("name", CATALOGUES)
def test_reference_gets_full_marks(name):
    CATALOGUES[name].check_full_marks(CATALOGUES[name].reference)


@pytest.mark.parametrize(("name", "entry"), entries("mistakes"))
def test_mistake_loses_points_with_its_feedback(name, entry):
    CATALOGUES[name].check_mistake(entry)


@pytest.mark.parametrize(("name", "entry"), entries("mistakes", forward_only))
def test_forward_mistake_is_not_punished_again_in_the_backward(name, entry):
    CATALOGUES[name].check_backward_not_punished_again(entry)


@pytest.mark.parametrize(("name", "entry"), entries("correct"))
def test_correct_variant_gets_full_marks(name, entry):
    CATALOGUES[name].check_full_marks(entry)
