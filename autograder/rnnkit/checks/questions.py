"""Concept questions in the notebooks: multiple choice, answered by a function, graded like code.

A group of questions is one function the notebook asks for, e.g. ``rnn_types()``, that returns
a dict with one entry per question (its key) whose value is one of the group's choices. The
choices are named constants that a set-up cell of the notebook defines (``MANY_TO_ONE``), or
True and False for statements. The constants are numbers because only plain numeric data
crosses the sandbox's channel (rnnkit.sandbox.channel): a dict holding text would reach the
grader as an opaque object.

- :class:`Question` says what a group's function must return; :meth:`Question.read` reads an
  answer, or raises CheckFailed saying what is malformed, never what is right.
- :func:`check_question` is the public check: it looks only at the form (every question
  answered with one of the choices), since the right answers are not on the student's side.
- :func:`expect_right` is for the hidden suites: it names every wrong answer with the right
  one and why, which the suite writes.

This module does not import torch, nor the public checks' printing until a check runs, so the
hidden suites can use it and load into the grader only what they use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnkit.compare import CheckFailed, describe_kind
from rnnkit.i18n import say

TRUE_FALSE: Mapping[str, bool] = {"True": True, "False": False}
"""The choices of a group of statements: each is true or false."""


def constants(*names: str, first: int = 1) -> dict[str, int]:
    """The choices of a group as a set-up cell defines them: ``names[0] = first``,
    ``names[1] = first + 1``, and so on (the cell reads ``A, B, C = 1, 2, 3``). Groups of one
    notebook take numbers of their own, so a constant of one group is no answer in another."""
    return {name: number for number, name in enumerate(names, start=first)}


@dataclass(frozen=True)
class Question:
    """A group of multiple-choice questions that one notebook function answers.

    - function: the function's name, e.g. ``"rnn_types"``; it takes no arguments.
    - keys: the questions, as the keys of the dict it returns, in the docstring's order.
    - choices: the name and value of every allowed answer: the set-up cell's constants
      (:func:`constants`) or :data:`TRUE_FALSE`.
    """

    function: str
    keys: tuple[str, ...]
    choices: Mapping[str, int | bool]

    @property
    def statements(self) -> bool:
        """Whether the questions are statements to answer with True or False."""
        return dict(self.choices) == dict(TRUE_FALSE)

    def choices_text(self) -> str:
        """The allowed answers, for messages: "True, False" or the constants' names."""
        return ", ".join(self.choices)

    def name_of(self, value: Any) -> str | None:
        """The name of the choice ``value`` is (a number or a bool, Python's or numpy's), else
        None. True is not 1 here: a bool answers only statements, a number only constants."""
        if isinstance(value, np.generic) and value.dtype.kind in "biu":
            value = value.item()
        if type(value) not in (bool, int):
            return None
        return next((name for name, choice in self.choices.items()
                     if type(choice) is type(value) and choice == value), None)

    def read(self, answers: Any, keys: Sequence[str] | None = None) -> dict[str, str]:
        """The name of the choice answering each question of ``keys`` (default: all).

        Raises CheckFailed, saying what is malformed, unless ``answers`` is a dict with an
        allowed choice for every one of ``keys`` (other keys are not looked at).
        """
        keys = self.keys if keys is None else tuple(keys)
        call = f"{self.function}()"
        if not isinstance(answers, Mapping):
            raise CheckFailed(self._not_a_dict(call, answers))
        missing = [key for key in keys if key not in answers]
        if missing:
            raise CheckFailed(say(
                es="A `{call}` le faltan respuestas: {missing}.",
                en="`{call}` has no answer for {missing}.",
                call=call, missing=", ".join(missing)))
        names = {key: self.name_of(answers[key]) for key in keys}
        wrong_kind = [key for key, name in names.items() if name is None]
        if wrong_kind:
            raise CheckFailed(self._not_a_choice(call, wrong_kind, answers[wrong_kind[0]]))
        return {key: name for key, name in names.items() if name is not None}

    def _not_a_dict(self, call: str, answers: Any) -> str:
        if self.statements:
            return say(
                es="`{call}` debería devolver un diccionario con True o False para cada "
                   "afirmación ({keys}), pero devolvió {kind}.",
                en="`{call}` should return a dict with True or False for each statement "
                   "({keys}), but it returned {kind}.",
                call=call, keys=", ".join(self.keys), kind=describe_kind(answers))
        return say(
            es="`{call}` debería devolver un diccionario que dé a cada pregunta ({keys}) una de "
               "las constantes {choices} de la celda de preparación (son números; un texto "
               "entre comillas no vale), pero devolvió {kind}.",
            en="`{call}` should return a dict giving each question ({keys}) one of the "
               "constants {choices} of the set-up cell (they are numbers; text in quotes will "
               "not do), but it returned {kind}.",
            call=call, keys=", ".join(self.keys), choices=self.choices_text(),
            kind=describe_kind(answers))

    def _not_a_choice(self, call: str, keys: Sequence[str], first: Any) -> str:
        text = isinstance(first, str)
        if self.statements:
            return say(
                es="En `{call}`, la respuesta a {keys} no es True ni False{hint}.",
                en="In `{call}`, the answer to {keys} is neither True nor False{hint}.",
                call=call, keys=", ".join(keys),
                hint=say(es=" (escríbelo sin comillas)", en=" (write it without quotes)")
                if text else "")
        return say(
            es="En `{call}`, la respuesta a {keys} no es una de las constantes {choices}{hint}.",
            en="In `{call}`, the answer to {keys} is not one of the constants {choices}{hint}.",
            call=call, keys=", ".join(keys), choices=self.choices_text(),
            hint=say(es=": escribe el nombre de la constante, sin comillas",
                     en=": write the constant's name, without quotes") if text else "")


def expect_right(question: Question, got: Any, right: Mapping[str, Any],
                 why: Mapping[str, str], keys: Sequence[str]) -> None:
    """Raise CheckFailed unless ``got`` answers the questions ``keys`` as ``right`` does.

    Inputs:
    - question: the group.
    - got: what the student's function returned.
    - right: key -> the right answer (a choice's value), e.g. what the reference solution
      returns.
    - why: key -> why that answer is the right one, in the current language.
    - keys: the questions this test grades.

    The message has one line per wrong answer: what was answered, the right choice, and why.
    """
    answered = question.read(got, keys)  # a malformed answer elsewhere costs nothing here
    lines = []
    for key in keys:
        expected = question.name_of(right[key])
        if answered[key] != expected:
            lines.append(say(
                es="`{key}`: respondiste {got}, pero es {right}. {why}",
                en="`{key}`: you answered {got}, but it is {right}. {why}",
                key=key, got=answered[key], right=expected, why=why[key]))
    if lines:
        raise CheckFailed("\n".join(lines))


def check_question(question: Question, function: Callable[[], Any]) -> None:
    """The public check of a group: print whether ``function()`` answers every question with
    one of the choices. It does not know the right answers, so it never says which are."""
    from rnnkit.checks.feedback import Report  # only when a check runs

    answers_item = say(es="respuestas", en="answers")
    report = Report(question.function, ["dict", answers_item])
    ok, answers = report.call("dict", function)
    if ok and report.expect(
            "dict",
            say(es="devuelve un diccionario con una respuesta para cada pregunta: {keys}",
                en="returns a dict with an answer for every question: {keys}",
                keys=", ".join(question.keys)),
            lambda: _expect_every_key(question, answers)):
        report.expect(
            answers_item,
            say(es="cada respuesta es una de {choices} (esta comprobación solo mira la forma: "
                   "si aciertas lo sabrás al corregir)",
                en="every answer is one of {choices} (this check looks only at the form: "
                   "whether they are right you will know when your work is graded)",
                choices=question.choices_text()),
            lambda: question.read(answers))
    report.summary()


def _expect_every_key(question: Question, answers: Any) -> None:
    """Raise what :meth:`Question.read` raises about the dict and its keys, not the values."""
    if not isinstance(answers, Mapping) or any(key not in answers for key in question.keys):
        question.read(answers)
