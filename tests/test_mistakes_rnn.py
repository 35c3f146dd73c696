"""The hidden RNN suite against the catalogue of student answers.

Every typical mistake (tests/mistakes/rnn/) must lose points in the functions it names, with
feedback that names the mistake, and must not cost points in functions that neither are those
nor use them; every correct-but-different solution (tests/correct/rnn/) must get full marks.
How a student is simulated and what is checked: tests/catalogue_checks.py.
"""

from __future__ import annotations

import pytest
from catalogue_checks import Catalogue

FUNCTIONS = ("rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward",
             "clip_gradients")

# The student functions whose results each function's tests use besides its own: a backward
# test runs the student's forward to get the caches, and rnn_forward / rnn_backward call the
# cell functions. A mistake in one of these may legitimately cost points there too.
USES = {
    "rnn_cell_forward": set(),
    "rnn_forward": {"rnn_cell_forward"},
    "rnn_cell_backward": {"rnn_cell_forward"},
    "rnn_backward": {"rnn_cell_forward", "rnn_forward", "rnn_cell_backward"},
    "clip_gradients": set(),
}

CATALOGUE = Catalogue("rnn", FUNCTIONS, USES)
MISTAKES, CORRECT, REFERENCE = CATALOGUE.mistakes, CATALOGUE.correct, CATALOGUE.reference


def test_catalogue_is_large_enough():
    CATALOGUE.check_size(mistakes=12, correct=4)


@pytest.mark.parametrize("entry", [*MISTAKES, *CORRECT], ids=lambda e: e.slug)
def test_entry_is_well_formed(entry):
    CATALOGUE.check_well_formed(entry)


def test_answer_cells_are_self_contained():
    """A cell carries the file's imports and the helpers it uses (here a cache class)."""
    entry = next(e for e in CORRECT if e.slug == "class_cache")
    forward = entry.code_by_function["rnn_cell_forward"]
    assert forward.startswith("import numpy as np") and "class StepCache" in forward
    assert "class StepCache" not in entry.code_by_function["clip_gradients"]


def test_reference_gets_full_marks():
    CATALOGUE.check_full_marks(REFERENCE)


@pytest.mark.parametrize("entry", MISTAKES, ids=lambda e: e.slug)
def test_mistake_loses_points_with_its_feedback(entry):
    CATALOGUE.check_mistake(entry)


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.slug)
def test_correct_variant_gets_full_marks(entry):
    CATALOGUE.check_full_marks(entry)
