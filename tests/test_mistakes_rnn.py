"""The hidden RNN suite against the catalogue of student answers.

Every typical mistake (tests/mistakes/rnn/) must lose points in the functions it names, with
feedback that names the mistake, and must not cost points in functions that neither are those
nor use them; every correct-but-different solution (tests/correct/rnn/) must get full marks.

A student is simulated as a notebook would be: the reference solution's functions and then the
entry's own are executed, one answer cell each, in one namespace, so they call each other by
name (an entry's wrong rnn_cell_forward is the one the reference rnn_forward then calls).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from rnnkit import i18n
from rnnkit.grading import suite
from rnnkit.grading.student import NamespaceStudent
from rnnkit.nb.catalogue import Entry, load_entries, load_entry
from rnnkit.paths import KIT_ROOT, SOLUTIONS

MISTAKES = load_entries(KIT_ROOT / "tests" / "mistakes" / "rnn")
CORRECT = load_entries(KIT_ROOT / "tests" / "correct" / "rnn")
REFERENCE = load_entry(SOLUTIONS / "rnn.py")
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


def namespace(entry: Entry) -> dict:
    """A notebook-like namespace: the reference's answer cells, then the entry's."""
    ns = {"np": np}
    for function, code in {**REFERENCE.code_by_function, **entry.code_by_function}.items():
        exec(compile(code, f"<answer {entry.slug}:{function}>", "exec"), ns)
    return ns


@cache
def graded(slug: str) -> tuple[suite.TestResult, ...]:
    """The suite's results for one catalogue entry (run once per entry)."""
    entry = next(e for e in [*MISTAKES, *CORRECT, REFERENCE] if e.slug == slug)
    with pytest.MonkeyPatch.context() as patch:  # feedback in English, whatever RNNKIT_LANG says
        patch.setattr(i18n, "_chosen", "en")
        return tuple(suite.run("rnn", NamespaceStudent(namespace(entry))))


def by_function(results) -> dict[str, tuple[float, float]]:
    """function -> (earned, points), summed over its tests."""
    totals = {}
    for r in results:
        earned, points = totals.get(r.function, (0.0, 0.0))
        totals[r.function] = (earned + r.earned, points + r.points)
    return totals


def test_catalogue_is_large_enough():
    assert len(MISTAKES) >= 12, [e.slug for e in MISTAKES]
    assert len(CORRECT) >= 4, [e.slug for e in CORRECT]


@pytest.mark.parametrize("entry", [*MISTAKES, *CORRECT], ids=lambda e: e.slug)
def test_entry_is_well_formed(entry):
    assert entry.description
    assert set(entry.code_by_function) <= set(FUNCTIONS), entry.code_by_function.keys()
    if entry in CORRECT:
        assert not entry.loses and entry.feedback is None
        assert set(entry.code_by_function) == set(FUNCTIONS)
    else:
        assert entry.loses and set(entry.loses) <= set(FUNCTIONS), entry.loses
        assert entry.feedback
        assert set(entry.loses) & set(entry.code_by_function), "its mistake is not in its code"
    for code in entry.code_by_function.values():
        compile(code, entry.slug, "exec")  # each answer cell stands alone


def test_answer_cells_are_self_contained():
    """A cell carries the file's imports and the helpers it uses (here a cache class)."""
    entry = next(e for e in CORRECT if e.slug == "class_cache")
    forward = entry.code_by_function["rnn_cell_forward"]
    assert forward.startswith("import numpy as np") and "class StepCache" in forward
    assert "class StepCache" not in entry.code_by_function["clip_gradients"]


def test_reference_gets_full_marks():
    results = graded(REFERENCE.slug)
    assert {r.function for r in results} == set(FUNCTIONS)
    assert [r for r in results if not r.passed] == []


@pytest.mark.parametrize("entry", MISTAKES, ids=lambda e: e.slug)
def test_mistake_loses_points_with_its_feedback(entry):
    results = graded(entry.slug)
    totals = by_function(results)
    assert set(totals) == set(FUNCTIONS)
    assert sum(e for e, _ in totals.values()) < sum(p for _, p in totals.values())

    for function in entry.loses:
        earned, points = totals[function]
        assert earned < points, f"{function} kept all its points ({entry.description})"

    for function in FUNCTIONS:
        if function not in entry.loses and not USES[function] & set(entry.loses):
            failed = [(r.name, r.message) for r in results
                      if r.function == function and not r.passed]
            assert failed == [], f"{function} does not use {entry.loses} yet lost points"

    messages = [r.message for r in results if r.function in entry.loses and not r.passed]
    assert any(entry.feedback in m for m in messages), (
        f"no failing test of {entry.loses} says {entry.feedback!r}:\n" + "\n".join(messages))


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.slug)
def test_correct_variant_gets_full_marks(entry):
    results = graded(entry.slug)
    assert {r.function for r in results} == set(FUNCTIONS)
    failed = [(r.name, r.message) for r in results if not r.passed]
    assert failed == []
