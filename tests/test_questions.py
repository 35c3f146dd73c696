"""The concept questions of every notebook (rnnkit.checks.questions).

Each assignment lists its groups of questions in ``QUESTIONS`` (its package). The notebook's
set-up cells and the reference solution define the constants a group names, with the values the
group gives them. A group's public check accepts the reference, prints exactly the same for
wrong but well-formed answers (it cannot tell, so it cannot reveal, which are right), and names
what is malformed in every other answer; it never raises. The hidden suites' side,
``expect_right``, names each wrong answer with the right one and why; the catalogue
(tests/test_catalogue.py) proves it on each suite.
"""

from __future__ import annotations

import contextlib
import importlib
import io

import numpy as np
import pytest

from rnnkit import assignments, i18n
from rnnkit.checks.questions import TRUE_FALSE, Question, constants, expect_right
from rnnkit.compare import CheckFailed
from rnnkit.grading import manifest


def questions(spec) -> tuple[Question, ...]:
    """The groups of questions of an assignment (none when its package lists none)."""
    return getattr(importlib.import_module(spec.module), "QUESTIONS", ())


GROUPS = [(spec, question) for spec in assignments.all_assignments()
          for question in questions(spec)]
IDS = [f"{spec.name}-{question.function}" for spec, question in GROUPS]
ASKING = [spec for spec in assignments.all_assignments()
          if any(not question.statements for question in questions(spec))]


def reference_function(spec, question: Question):
    return getattr(importlib.import_module(f"solutions.{spec.name}"), question.function)


def public_check(spec, question: Question):
    return getattr(importlib.import_module(f"{spec.module}.checks"), f"check_{question.function}")


def printed(check, function) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(function)  # a check never raises
    return out.getvalue()


def other_choice(question: Question, value):
    """An allowed answer that is not ``value``."""
    return next(choice for choice in question.choices.values()
                if type(choice) is not type(value) or choice != value)


def test_every_notebook_asks_concept_questions():
    assert [spec.name for spec in assignments.all_assignments() if questions(spec)] \
        == assignments.names()


@pytest.mark.parametrize("spec", ASKING, ids=lambda spec: spec.name)
def test_the_set_up_cells_and_the_reference_define_the_choices(spec):
    namespace: dict = {}
    for _, code in manifest.load(spec.name).setup_cells:
        exec(compile(code, "<set-up>", "exec"), namespace)
    reference = importlib.import_module(f"solutions.{spec.name}")
    constant_groups = [question for question in questions(spec) if not question.statements]
    for question in constant_groups:
        for name, value in question.choices.items():
            assert type(namespace.get(name)) is int and namespace[name] == value, name
            assert getattr(reference, name) == value, name
    every = [value for question in constant_groups for value in question.choices.values()]
    assert len(every) == len(set(every)), "two groups of one notebook share a number"


@pytest.mark.parametrize(("spec", "question"), GROUPS, ids=IDS)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_check_accepts_the_reference(spec, question, lang):
    with i18n.speaking(lang):
        out = printed(public_check(spec, question), reference_function(spec, question))
    assert "✗" not in out and out.count("✓") == 2, out
    assert {"en": "all correct", "es": "todo correcto"}[lang] in out, out


@pytest.mark.parametrize(("spec", "question"), GROUPS, ids=IDS)
def test_the_check_says_the_same_of_right_and_wrong_answers(spec, question):
    right = reference_function(spec, question)()
    wrong = {key: other_choice(question, value) for key, value in right.items()}
    check = public_check(spec, question)

    def rightly():
        return dict(right)

    rightly.__name__ = question.function

    def wrongly():
        return wrong

    wrongly.__name__ = question.function
    assert printed(check, wrongly) == printed(check, rightly)


def malformed(question: Question) -> dict[str, tuple]:
    """label -> (what the student's function returns or raises, what the ✗ line says)."""
    keys = question.keys
    one = next(iter(question.choices.values()))
    wrong_kind = 1 if question.statements else True  # a number for a statement, and vice versa
    return {
        "stub": (NotImplementedError(), "not implemented yet"),
        "None": (None, "should return a dict"),
        "a list": ([one] * len(keys), "should return a dict"),
        "a missing key": ({key: one for key in keys[1:]}, f"has no answer for {keys[0]}."),
        "text": ({key: str(one) for key in keys}, "without quotes"),
        "the wrong kind": ({key: wrong_kind for key in keys},
                           "neither True nor False" if question.statements
                           else "not one of the constants"),
        "a number of no choice": ({**{key: one for key in keys}, keys[-1]: 0},
                                  f"the answer to {keys[-1]} is"),
    }


CASES = [(spec, question, label) for spec, question in GROUPS for label in malformed(question)]


@pytest.mark.parametrize(("spec", "question", "label"), CASES,
                         ids=[f"{s.name}-{q.function}-{label}" for s, q, label in CASES])
def test_the_check_names_what_is_malformed(spec, question, label):
    answers, says = malformed(question)[label]

    def student():
        if isinstance(answers, Exception):
            raise answers
        return answers

    student.__name__ = question.function
    out = printed(public_check(spec, question), student)
    crosses = [line for line in out.splitlines() if line.startswith("✗")]
    assert len(crosses) == 1 and says in crosses[0], out
    assert "all correct" not in out


def test_a_choice_is_its_exact_kind_of_value():
    types = Question("types", ("a",), constants("ONE", "TWO", first=3))
    facts = Question("facts", ("a",), TRUE_FALSE)
    assert types.choices == {"ONE": 3, "TWO": 4} and not types.statements and facts.statements
    assert types.name_of(4) == "TWO" and types.name_of(np.int64(3)) == "ONE"
    assert types.name_of(True) is None and types.name_of(4.0) is None
    assert types.name_of("TWO") is None and types.name_of(5) is None
    assert facts.name_of(np.bool_(False)) == "False" and facts.name_of(1) is None


def test_expect_right_names_each_wrong_answer_with_the_right_one_and_why():
    question = Question("facts", ("a", "b", "c"), TRUE_FALSE)
    right = {"a": True, "b": False, "c": True}
    why = {"a": "Because of a.", "b": "Because of b.", "c": "Because of c."}
    expect_right(question, {"a": True, "b": False, "c": "?"}, right, why, ("a", "b"))
    with pytest.raises(CheckFailed) as failed:
        expect_right(question, {"a": False, "b": True, "c": True}, right, why, ("a", "b", "c"))
    assert str(failed.value).splitlines() == [
        "`a`: you answered False, but it is True. Because of a.",
        "`b`: you answered True, but it is False. Because of b."]
    with pytest.raises(CheckFailed, match="neither True nor False"):
        expect_right(question, {"a": True, "b": "False"}, right, why, ("a", "b"))
