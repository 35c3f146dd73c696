"""The catalogue of an assignment against its hidden suite (run by tests/test_catalogue.py).

A catalogue holds one file per typical mistake (tests/mistakes/<assignment>/) and per
correct-but-different solution (tests/correct/<assignment>/), see rnnkit.nb.catalogue. A
student is simulated as a notebook would be: the reference solution's functions and then the
entry's own are executed, one answer cell each, in one namespace, so they call each other by
name (an entry's wrong cell forward is the one the reference sequence forward then calls).
Mistakes that keep state between calls are ordinary entries: a module-level buffer or counter
comes with the answer cells of the functions that use it, and every entry gets a fresh
namespace, so its state lives for exactly one grading run, as in a student's kernel.

The checks:
- every mistake loses points in the functions it names, with feedback that names the mistake
  (its registry message, or a substring), and costs nothing in functions that neither are those
  nor use them (the assignment's ``uses``);
- a mistake of a forward pass costs no backward points (a backward is judged at the student's
  own states) unless the entry says it does (``costs backward``);
- every correct variant, and the reference itself, gets full marks.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

import numpy as np

from rnnkit import i18n
from rnnkit.assignments import Assignment
from rnnkit.grading import suite
from rnnkit.grading.student import NamespaceStudent
from rnnkit.kit.paths import KIT_ROOT, SOLUTIONS
from rnnkit.nb.catalogue import Entry, load_entries, load_entry


class Catalogue:
    """The catalogue of one assignment and the hidden suite's results on its entries.

    Inputs:
    - spec: the assignment (rnnkit.assignments.Assignment): its graded functions, what each
      uses, its other answer cells and its mistakes.
    """

    def __init__(self, spec: Assignment) -> None:
        self.spec = spec
        self.assignment = spec.name
        self.functions = spec.functions
        self.mistakes = load_entries(KIT_ROOT / "tests" / "mistakes" / spec.name)
        self.correct = load_entries(KIT_ROOT / "tests" / "correct" / spec.name)
        self.reference = load_entry(SOLUTIONS / f"{spec.name}.py")
        self._results: dict[str, tuple[suite.TestResult, ...]] = {}

    def namespace(self, entry: Entry) -> dict:
        """A notebook-like namespace: the reference's answer cells, then the entry's."""
        ns = {"np": np}
        for function, code in {**self.reference.code_by_function,
                               **entry.code_by_function}.items():
            exec(compile(code, f"<answer {entry.slug}:{function}>", "exec"), ns)
        return ns

    def graded(self, slug: str) -> tuple[suite.TestResult, ...]:
        """The suite's results for one catalogue entry (run once per entry)."""
        if slug not in self._results:
            entry = next(e for e in [*self.mistakes, *self.correct, self.reference]
                         if e.slug == slug)
            same = self.same_training_as_reference(entry)
            with i18n.speaking("en"):  # English, whatever RNNKIT_LANG says
                results = suite.run(self.assignment, NamespaceStudent(self.namespace(entry)),
                                    [f for f in self.functions if f not in same])
            if same:
                results += [r for r in self.graded(self.reference.slug) if r.function in same]
            self._results[slug] = tuple(results)
        return self._results[slug]

    def same_training_as_reference(self, entry: Entry) -> set[str]:
        """The functions whose tests train models (the spec's ``trains``) on exactly the
        reference's code for this entry: neither they nor what they use are among its cells.
        Their results are the reference's, so they are not trained again."""
        if entry is self.reference:
            return set()
        cells = set(entry.code_by_function)
        return {f for f in self.spec.trains
                if f not in cells and not self.spec.uses_of(f) & cells}

    # ------------------------------------------------------------------------------ the checks

    def check_size(self, mistakes: int, correct: int) -> None:
        assert len(self.mistakes) >= mistakes, [e.slug for e in self.mistakes]
        assert len(self.correct) >= correct, [e.slug for e in self.correct]

    def check_well_formed(self, entry: Entry) -> None:
        cells = set(entry.code_by_function)
        assert cells <= {*self.functions, *self.spec.helpers}, cells
        if entry in self.correct:
            assert not entry.loses and entry.feedback is None and entry.mistake is None
            # Another way to write some of the code (the rest is the reference's); a concept
            # question has one answer, the reference's.
            code = set(self.functions) - {question.function for question in getattr(
                importlib.import_module(self.spec.module), "QUESTIONS", ())}
            assert cells & code, f"{entry.slug} rewrites none of {sorted(code)}"
        else:
            assert entry.loses and set(entry.loses) <= set(self.functions), entry.loses
            assert (entry.feedback is None) != (entry.mistake is None), \
                "a mistake names its registry id (mistake:) or its feedback, not both"
            if entry.mistake is not None:
                assert self.spec.mistakes[entry.mistake].function in entry.loses
            # A mistake shows in its own function, or (an opaque cache) where that is used.
            shows_in = cells | {f for f in self.functions if self.spec.uses_of(f) & cells}
            assert set(entry.loses) & shows_in, "its mistake is not in its code"
        for code in entry.code_by_function.values():
            compile(code, entry.slug, "exec")  # each answer cell stands alone

    def check_full_marks(self, entry: Entry) -> None:
        results = self.graded(entry.slug)
        assert {r.function for r in results} == set(self.functions)
        failed = [(r.name, r.message) for r in results if not r.passed]
        assert failed == []

    def check_mistake(self, entry: Entry) -> None:
        results = self.graded(entry.slug)
        totals = by_function(results)
        assert set(totals) == set(self.functions)
        assert sum(e for e, _ in totals.values()) < sum(p for _, p in totals.values())

        for function in entry.loses:
            earned, points = totals[function]
            assert earned < points, f"{function} kept all its points ({entry.description})"

        for function in self.functions:
            if function not in entry.loses and not self.spec.uses_of(function) & set(entry.loses):
                failed = [(r.name, r.message) for r in results
                          if r.function == function and not r.passed]
                assert failed == [], f"{function} does not use {entry.loses} yet lost points"

        says = entry.feedback or self.spec.mistakes[entry.mistake].en
        messages = [r.message for r in results if r.function in entry.loses and not r.passed]
        assert any(says in m for m in messages), (
            f"no failing test of {entry.loses} says {says!r}:\n" + "\n".join(messages))

    def check_backward_not_punished_again(self, entry: Entry) -> None:
        """A correct backward keeps its points after a mistake of the forward (it is judged at
        the student's own states), unless the entry says the mistake costs it points."""
        backward = [f for f in self.functions if f.endswith("_backward")]
        totals = by_function(self.graded(entry.slug))
        kept = {f: totals[f][0] == totals[f][1] for f in backward}
        if entry.costs_backward:
            assert not all(kept.values()), f"{entry.slug} no longer costs backward points"
        else:
            assert all(kept.values()), kept


def by_function(results: Iterable[suite.TestResult]) -> dict[str, tuple[float, float]]:
    """function -> (earned, points), summed over its tests."""
    totals: dict[str, tuple[float, float]] = {}
    for r in results:
        earned, points = totals.get(r.function, (0.0, 0.0))
        totals[r.function] = (earned + r.earned, points + r.points)
    return totals
