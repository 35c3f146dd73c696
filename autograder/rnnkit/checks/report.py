"""What the public notebook checks share: the printed report and the helpers around a student call.

A check builds a :class:`Report` for the function it checks and feeds it results: each checked
quantity becomes one printed line, ``✓`` and what was checked or ``✗`` and why it is wrong (in the
student's language), and :meth:`Report.summary` closes with one line. Nothing here lets an
exception out: whatever the student's code raises becomes a ``✗`` line that names the exception
and, when it can be found, the student's line that raised it.

The other helpers serve the checks around those calls: deep copies of the arguments (the student
gets copies, so the originals stay pristine for the reference and show any modification),
:class:`OwnGradients` (finite differences of the student's *own* forward, to tell a wrong backward
from a wrong forward) and the numpy/torch conversions of the PyTorch oracle.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from rnnkit.compare import CheckFailed, expect_keys, expect_unchanged, explain_mismatch
from rnnkit.gradcheck import numerical_gradient
from rnnkit.i18n import say

__all__ = [
    "OwnGradients",
    "Report",
    "closing_line",
    "describe_exception",
    "fresh",
    "snapshot",
    "student_frame",
    "to_numpy",
    "to_torch",
    "values_ok",
]


def closing_line(function_name: str, passed: int, failed: int) -> str:
    """The last line of a report: all correct, or how many checks fail and where to start."""
    total = passed + failed
    if failed == 0 and total > 0:
        return say(es="→ {fn}: todo correcto ({n}/{n}).", en="→ {fn}: all correct ({n}/{n}).",
                   fn=function_name, n=total)
    if failed == 1:
        return say(es="→ {fn}: falla 1 de {total} comprobaciones; corrige la marcada con ✗.",
                   en="→ {fn}: 1 of {total} checks fails; fix the one marked ✗.",
                   fn=function_name, total=total)
    return say(es="→ {fn}: fallan {bad} de {total} comprobaciones; empieza por la primera "
                  "marcada con ✗.",
               en="→ {fn}: {bad} of {total} checks fail; start with the first one marked ✗.",
               fn=function_name, bad=failed, total=total)


class Report:
    """Prints ✓/✗ lines as a check runs, and a closing summary; never lets an exception out.

    Inputs:
    - function_name: the student function being checked, as the notebook names it; it heads
      the summary and names the function in messages about exceptions.
    """

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.passed = 0
        self.failed = 0

    def ok(self, what: str) -> None:
        """Print a ✓ line saying what was checked."""
        self.passed += 1
        print(f"✓ {what}")

    def fail(self, why: str) -> None:
        """Print a ✗ line saying what is wrong."""
        self.failed += 1
        print(f"✗ {why}")

    def call(self, fn: Callable, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Call the student's ``fn``: (True, its result), or, when it raises, a ✗ line that
        describes the exception and (False, None)."""
        try:
            return True, fn(*args, **kwargs)
        except Exception as error:  # the student's code may raise anything
            self.fail(describe_exception(getattr(fn, "__name__", self.function_name), error))
            return False, None

    def expect(self, what: str, check: Callable[[], None]) -> bool:
        """Run ``check``: a ✓ line ``what`` when it returns, a ✗ line with the explanation of
        the CheckFailed it raises. True when it passed."""
        try:
            check()
        except CheckFailed as failure:
            self.fail(str(failure))
            return False
        except Exception as error:  # a student value so odd that checking it failed
            self.fail(describe_exception(self.function_name, error))
            return False
        self.ok(what)
        return True

    def expect_dict(self, name: str, value: Any, keys: tuple[str, ...]) -> bool:
        """One line: is ``value`` (called ``name`` in messages) a dict holding all ``keys``?"""
        return self.expect(
            say(es="devuelve un diccionario con las claves {keys}",
                en="returns a dict with the keys {keys}", keys=", ".join(keys)),
            lambda: expect_keys(name, value, keys))

    def compare(self, what: str, name: str, got: Any, expected: Any, **options: Any) -> bool:
        """One line: does ``got`` match ``expected``? ``options`` go to
        :func:`rnnkit.compare.explain_mismatch` (variants, time_axis, tolerances)."""
        problem = explain_mismatch(name, got, expected, **options)
        if problem:
            self.fail(problem)
            return False
        self.ok(what)
        return True

    def unchanged(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
        """One line: did the student's calls leave every argument as it was?

        ``before`` maps each argument's name to a copy taken before the calls (arrays, or dicts
        of arrays), ``after`` the same names to what was passed. Only the first change found is
        reported.
        """
        for name, kept in before.items():
            now = after[name]
            try:
                if isinstance(kept, Mapping):
                    if not isinstance(now, Mapping):
                        raise CheckFailed(say(
                            es="Tu función reemplazó el contenido de `{name}`.",
                            en="Your function replaced the contents of `{name}`.", name=name))
                    for key, value in kept.items():
                        expect_unchanged(f"{name}['{key}']", value, now.get(key))
                else:
                    expect_unchanged(name, kept, now)
            except CheckFailed as failure:
                self.fail(str(failure))
                return False
        self.ok(say(es="no modifica sus argumentos ({names})",
                    en="does not modify its arguments ({names})", names=", ".join(before)))
        return True

    def summary(self) -> None:
        """Print the closing line."""
        print(closing_line(self.function_name, self.passed, self.failed))


def values_ok(name: str, shape: tuple[int, ...], n: int | None = None) -> str:
    """The ✓ text of a value checked in full: "{name}: shape {shape} and correct values", with
    the batch size when a check runs at several."""
    if n is None:
        return say(es="{name}: forma {shape} y valores correctos",
                   en="{name}: shape {shape} and correct values", name=name, shape=shape)
    return say(es="{name}: forma {shape} y valores correctos (N = {n})",
               en="{name}: shape {shape} and correct values (N = {n})",
               name=name, shape=shape, n=n)


# ----------------------------------------------------------------------------------------------
# Exceptions raised by the student's code
# ----------------------------------------------------------------------------------------------

def describe_exception(function_name: str, error: Exception) -> str:
    """What the student reads when ``function_name`` raised ``error``: a nudge to write the
    function when it is still a stub, else the exception and the student's line that raised it."""
    if isinstance(error, NotImplementedError):
        return say(
            es="`{fn}` todavía no está implementada (lanza NotImplementedError): escribe su "
               "cuerpo en la celda de respuesta y ejecútala.",
            en="`{fn}` is not implemented yet (it raises NotImplementedError): write its body "
               "in the answer cell and run it.",
            fn=function_name)
    message = say(es="`{fn}` lanzó {kind}: {text}", en="`{fn}` raised {kind}: {text}",
                  fn=function_name, kind=type(error).__name__, text=error)
    frame = student_frame(error)
    if frame is not None:
        message += say(es=" (en `{code}`, línea {line})", en=" (at `{code}`, line {line})",
                       code=frame.line, line=frame.lineno)
    return message


def student_frame(error: Exception) -> traceback.FrameSummary | None:
    """The innermost frame of the traceback that is neither in rnnkit nor in an installed
    library: the student's line that raised, or None when there is none (e.g. a bad argument
    caught inside numpy with no student code on the way)."""
    kit = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the rnnkit package
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(frame.filename).startswith(kit)
              and "site-packages" not in frame.filename and frame.line]
    return frames[-1] if frames else None


# ----------------------------------------------------------------------------------------------
# Copies of the arguments
# ----------------------------------------------------------------------------------------------

def fresh(value: Any) -> Any:
    """A deep copy of an array, or of a dict of arrays (such as ``params``), as a plain dict."""
    if isinstance(value, Mapping):
        return {k: np.array(v, copy=True) for k, v in value.items()}
    return np.array(value, copy=True)


def snapshot(**values: Any) -> dict[str, Any]:
    """:func:`fresh` copies of the named values, in the order given (so ``.values()`` can be
    passed on as positional arguments): copies for the student to receive, or the state of the
    arguments before a call, for :meth:`Report.unchanged`."""
    return {name: fresh(value) for name, value in values.items()}


# ----------------------------------------------------------------------------------------------
# Numerical gradients of the student's own forward
# ----------------------------------------------------------------------------------------------

class OwnGradients:
    """Finite-difference gradients through the student's own forward pass, computed lazily.

    ``own(key)`` estimates the gradient that ``grads[key]`` should hold if the student's backward
    differentiated the student's forward, i.e. the gradient of ``sum(forward(args) * df)``. It
    is computed the first time a message needs it (it costs two forward calls per entry) and
    then remembered; it is None when the student's forward cannot be evaluated or does not
    return an array shaped like ``df``.

    Gradient keys follow the notebooks' naming: ``"d" + name`` is the gradient for the argument
    ``name`` (``dx_t`` for ``x_t``) or, when no argument has that name, for ``params[name]``
    (``dW_hh`` for ``params["W_hh"]``).

    Inputs:
    - forward: takes a dict of arguments (``args`` with one entry moved) and returns the output
      whose upstream gradient is ``df``, e.g. ``lambda a: rnn_forward(*a.values())[0]``.
    - args: the point of differentiation, argument name -> array or dict of arrays, in the
      forward's order; never modified (each evaluation gets fresh copies).
    - df: the upstream gradient, shaped like the forward's output.
    """

    def __init__(self, forward: Callable[[dict[str, Any]], Any], args: Mapping[str, Any],
                 df: np.ndarray) -> None:
        self._forward, self._args, self._df = forward, args, df
        self._done: dict[str, np.ndarray | None] = {}

    def __call__(self, key: str) -> np.ndarray | None:
        if key not in self._done:
            self._done[key] = self._compute(key[1:])
        return self._done[key]

    def _compute(self, name: str) -> np.ndarray | None:
        in_params = name not in self._args
        start = self._args["params"][name] if in_params else self._args[name]
        point = np.array(start, dtype=float, copy=True)  # numerical_gradient moves it in place

        def at(value: np.ndarray) -> Any:
            args = snapshot(**self._args)
            (args["params"] if in_params else args)[name] = value.copy()
            return self._forward(args)

        try:
            return numerical_gradient(at, point, self._df)
        except Exception:  # the student's forward may fail in any way
            return None


# ----------------------------------------------------------------------------------------------
# The PyTorch oracle's conversions (it computes in float64)
# ----------------------------------------------------------------------------------------------

def to_torch(array: Any, grad: bool = False) -> torch.Tensor:
    """A float64 tensor of ``array``; with ``grad``, a leaf that autograd differentiates."""
    return torch.tensor(np.asarray(array, dtype=float), dtype=torch.float64, requires_grad=grad)


def to_numpy(tensor: torch.Tensor | None, like: np.ndarray | None = None) -> np.ndarray:
    """A numpy copy of ``tensor``; zeros shaped like ``like`` when it is None (the ``.grad`` of
    an input no gradient reached)."""
    if tensor is None:
        return np.zeros_like(like, dtype=float)
    return tensor.detach().numpy().copy()
