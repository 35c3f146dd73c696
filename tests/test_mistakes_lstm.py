"""The hidden LSTM suite against the catalogue of student answers.

Every typical mistake (tests/mistakes/lstm/) must lose points in the functions it names, with
feedback that names the mistake, and must not cost points in functions that neither are those
nor use them; every correct-but-different solution (tests/correct/lstm/) must get full marks.
How a student is simulated and what is checked: tests/catalogue_checks.py.
"""

from __future__ import annotations

import pytest
from catalogue_checks import Catalogue, by_function

GATES = ("forget_gate", "input_gate", "candidate", "output_gate")
FUNCTIONS = (*GATES, "lstm_cell_forward", "lstm_forward", "lstm_cell_backward", "lstm_backward")

# The student functions whose results each function's tests use besides its own: the cell
# forward calls the gates, lstm_forward the cell, a backward test runs the student's forward to
# get the caches (and the student's gates, to judge a backward at the student's own states).
# A mistake in one of these may legitimately cost points there too.
USES = {
    **{gate: set() for gate in GATES},
    "lstm_cell_forward": {*GATES},
    "lstm_forward": {*GATES, "lstm_cell_forward"},
    "lstm_cell_backward": {*GATES, "lstm_cell_forward"},
    "lstm_backward": {*GATES, "lstm_cell_forward", "lstm_forward", "lstm_cell_backward"},
}

# Mistakes of the forward pass after which a correct backward still loses points: the student's
# forward fails, so the backward tests have no caches to work with; or it keeps state between
# calls, which corrupts the caches it made earlier (a shared buffer, a caches list that keeps
# growing) or fills them from weights of an earlier call, and a backward earns no credit
# against a forward that is not a function of its inputs (rnnkit.grading.judge).
BACKWARD_ALSO_LOSES = {"forward_c0_truthiness", "cell_forward_caches_weights_by_shape",
                       "cell_forward_returns_shared_buffer", "forward_default_caches_list"}

# The answer cells an entry may define besides the graded functions (the reference's sigmoid,
# which the gates call, and its PyTorch exercise).
CATALOGUE = Catalogue("lstm", FUNCTIONS, USES, helpers=("sigmoid", "to_torch_layout"))
MISTAKES, CORRECT, REFERENCE = CATALOGUE.mistakes, CATALOGUE.correct, CATALOGUE.reference


def test_catalogue_is_large_enough():
    CATALOGUE.check_size(mistakes=15, correct=4)


@pytest.mark.parametrize("entry", [*MISTAKES, *CORRECT], ids=lambda e: e.slug)
def test_entry_is_well_formed(entry):
    CATALOGUE.check_well_formed(entry)


def test_reference_gets_full_marks():
    CATALOGUE.check_full_marks(REFERENCE)


@pytest.mark.parametrize("entry", MISTAKES, ids=lambda e: e.slug)
def test_mistake_loses_points_with_its_feedback(entry):
    CATALOGUE.check_mistake(entry)


@pytest.mark.parametrize("entry", [e for e in MISTAKES
                                   if not {"lstm_cell_backward", "lstm_backward"} & set(e.loses)],
                         ids=lambda e: e.slug)
def test_forward_mistake_is_not_punished_again_in_the_backward(entry):
    """A correct backward keeps its points after a mistake of the forward (judged at the
    student's own states), except where that mistake corrupts the caches themselves."""
    totals = by_function(CATALOGUE.graded(entry.slug))
    kept = {f: totals[f][0] == totals[f][1] for f in ("lstm_cell_backward", "lstm_backward")}
    if entry.slug in BACKWARD_ALSO_LOSES:
        assert not all(kept.values()), f"{entry.slug} no longer costs backward points"
    else:
        assert all(kept.values()), kept


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.slug)
def test_correct_variant_gets_full_marks(entry):
    CATALOGUE.check_full_marks(entry)
