"""Judgements the hidden suites share, built on :mod:`rnnkit.compare`.

Two rules every suite follows:
- A function must leave its arguments untouched (:func:`expect_untouched`).
- A backward pass earns credit when it matches the reference gradient, *or*, when the student's
  forward is wrong, the reference backward evaluated at the student's own states, *or* the
  numerical gradient of the student's own forward pass (:func:`expect_gradient`): a student
  whose forward is wrong but whose backward is right is not punished twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rnnkit.compare import CheckFailed, Variant, close, explain_mismatch
from rnnkit.grading.student import Student
from rnnkit.i18n import say

NUMERIC_RTOL = 1e-5
NUMERIC_ATOL = 1e-7
"""Central differences with step 1e-5 are accurate to about 1e-9 on these smooth functions."""


def expect_untouched(student: Student, function: str) -> None:
    """Raise CheckFailed if the student's last call of ``function`` modified an argument."""
    mutated = student.mutated_arguments()
    if mutated:
        raise CheckFailed(say(
            es="`{f}` modificó sus argumentos ({args}); una función no debe cambiar sus "
               "entradas: trabaja sobre copias (`a = a + b` en vez de `a += b`).",
            en="`{f}` modified its arguments ({args}); a function must not change its "
               "inputs: work on copies (`a = a + b` instead of `a += b`).",
            f=function, args=", ".join(mutated),
        ))


def expect_gradient(
    name: str,
    got: Any,
    reference: Any,
    *,
    own_numeric: Callable[[], Any],
    forward_is_right: bool,
    at_own_states: Callable[[], Iterable[Any]] = tuple,
    time_axis: int | None = None,
    variants: Sequence[Variant] = (),
) -> None:
    """Judge one gradient the student returned.

    Inputs:
    - got: the student's gradient; reference: the reference gradient for the same inputs.
    - own_numeric: computes the numerical gradient of the student's own forward pass (called
      only when needed, since it costs two forward calls per entry).
    - forward_is_right: whether the student's forward matched the reference on these inputs.
    - at_own_states: the right gradients at the states the student's wrong forward produced
      (one per way the forward may have produced them), computed only when needed.
    """
    problem = explain_mismatch(name, got, reference, time_axis=time_axis, variants=variants)
    if problem is None:
        return
    if not forward_is_right and (
        any(value is not None and close(got, value) for value in at_own_states())
        or close(got, own_numeric(), rtol=NUMERIC_RTOL, atol=NUMERIC_ATOL)
    ):
        return
    if forward_is_right:
        raise CheckFailed(problem)
    raise CheckFailed(problem + " " + say(
        es="(Tu forward también tiene errores, y este gradiente no es tampoco el de tu forward.)",
        en="(Your forward is also wrong, and this gradient is not that of your forward either.)",
    ))
