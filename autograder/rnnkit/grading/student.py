"""How a hidden test reaches the student's functions.

Tests call ``student.rnn_forward(x, h0, params)`` whatever runs the student's code: a sandboxed
child process (``rnnkit grade``/``autograde``) or the notebook's own namespace (nbgrader's kernel,
the public checks). Every failure of the student's code arrives as :class:`StudentFailure`, a
:class:`~rnnkit.compare.CheckFailed` whose text tells the student what happened.
"""

from __future__ import annotations

import copy
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnkit.compare import CheckFailed
from rnnkit.i18n import say

if TYPE_CHECKING:  # the kernel bridge must not need the sandbox machinery
    from rnnkit.sandbox import Sandbox


class StudentFailure(CheckFailed):
    """The student's function is missing, raised, hung or crashed."""


class Student:
    """The student's functions, called by name: ``student.rnn_forward(...)``."""

    def __getattr__(self, function: str) -> Callable[..., Any]:
        if function.startswith("_"):
            raise AttributeError(function)
        return lambda *args: self.call(function, *args)

    def call(self, function: str, *args: Any) -> Any:
        """Call ``function(*args)`` in the student's code and return its result."""
        raise NotImplementedError

    def mutated_arguments(self) -> list[str]:
        """Which arguments the last call modified in place (e.g. ``["arg2['W_hh']"]``)."""
        raise NotImplementedError


class NamespaceStudent(Student):
    """Functions defined in a namespace of this process (a notebook kernel's ``globals()``)."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        self._namespace = namespace
        self._mutated: list[str] = []

    def call(self, function: str, *args: Any) -> Any:
        target = self._namespace.get(function)
        if not callable(target):
            raise StudentFailure(_missing(function))
        before = copy.deepcopy(args)
        try:
            result = target(*args)
        except Exception as error:  # the student's bug, reported as feedback
            frames = traceback.format_exception(type(error), error, error.__traceback__)
            raise StudentFailure(_raised(function, f"{type(error).__name__}: {error}",
                                         "".join(frames[-3:]))) from None
        self._mutated = _changed_arrays(before, args)
        return result

    def mutated_arguments(self) -> list[str]:
        return self._mutated


class SandboxStudent(Student):
    """Functions defined in a sandboxed child process; only numeric data crosses back."""

    def __init__(self, box: Sandbox) -> None:
        self._box = box

    def call(self, function: str, *args: Any) -> Any:
        from rnnkit.sandbox import StudentError

        try:
            return self._box.call(function, *args)
        except StudentError as error:
            if error.kind == "missing":
                raise StudentFailure(_missing(function)) from None
            raise StudentFailure(_raised(function, error.message, "")) from None

    def mutated_arguments(self) -> list[str]:
        return list(self._box.last_call_mutated)


def _missing(function: str) -> str:
    return say(
        es="`{f}` no está definida: ¿se ejecutó sin errores su celda de respuesta?",
        en="`{f}` is not defined: did its answer cell run without errors?",
        f=function,
    )


def _raised(function: str, what: str, where: str) -> str:
    if what.startswith("NotImplementedError"):
        return say(es="`{f}` todavía no está implementada (lanza NotImplementedError).",
                   en="`{f}` is not implemented yet (it raises NotImplementedError).", f=function)
    text = say(es="`{f}` falló: {what}", en="`{f}` failed: {what}", f=function, what=what)
    return f"{text}\n{where}".rstrip()


def _changed_arrays(before: tuple[Any, ...], after: tuple[Any, ...]) -> list[str]:
    """Names of the arrays among the arguments ``after`` that differ from their copies."""
    return [name for i, (b, a) in enumerate(zip(before, after, strict=True))
            for name in _changed(b, a, f"arg{i}")]


def _changed(before: Any, after: Any, name: str) -> list[str]:
    if isinstance(before, np.ndarray):
        return [] if np.array_equal(before, after, equal_nan=True) else [name]
    if isinstance(before, Mapping):
        return [changed for key in before
                for changed in _changed(before[key], after.get(key), f"{name}[{key!r}]")]
    return []
