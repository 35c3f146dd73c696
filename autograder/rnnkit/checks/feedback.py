"""What the public notebook checks share: the printed report and the helpers around a student call.

A check builds a :class:`Report` for the function it checks, naming up front the items it will
look at (each quantity, the tuple returned, the arguments left untouched, ...), and feeds it
results: each item becomes a printed line, ``✓`` and what was checked or ``✗`` and why it is
wrong (in the student's language), and :meth:`Report.summary` closes with one line. What a
student reads stays tidy:
- items that fail for one and the same known mistake share one line (``dx, dh0, dW_xh: ...``);
- a line is never printed twice;
- items a check could not reach (the function raised, or an earlier failure made them
  meaningless) are named as not checked, so the count of checks is the same on every run;
- lines are plain text: the Markdown backticks of the messages are dropped.
Nothing here lets an exception out: whatever the student's code raises becomes a ``✗`` line that
names the exception and, when it can be found, the student's line that raised it.

The other helpers serve the checks around those calls: deep copies of the arguments (the student
gets copies, so the originals stay pristine for the reference and show any modification),
:class:`OwnGradients` (finite differences of the student's *own* forward, to tell a wrong backward
from a wrong forward), :func:`skip_if_not_implemented` (for the notebooks' demonstration cells)
and the numpy/torch conversions of the PyTorch oracle. (A known mistake's wrong values are
computed, by torch, only when a student's value is wrong: rnnkit.mistakes.LazyMistakes.)

This module does not import torch: a right notebook's checks read torch's answers ahead of time
(rnnkit.checks.stored); the conversions import it when an oracle computes.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnkit.checks import validate
from rnnkit.compare import CheckFailed, expect_keys, expect_unchanged, explain_mismatch
from rnnkit.gradcheck import numerical_gradient
from rnnkit.i18n import say

if TYPE_CHECKING:
    import torch

__all__ = [
    "OwnGradients",
    "Report",
    "Verdict",
    "closing_line",
    "describe_exception",
    "fresh",
    "known_mistake",
    "plain",
    "skip_if_not_implemented",
    "snapshot",
    "student_frame",
    "take_verdict",
    "to_numpy",
    "to_torch",
    "untouched",
    "values_ok",
]

SKIPPED = "⏭"  # marks what did not run: items of a check, a notebook cell's demonstration

# function name -> whether its last check passed, until take_verdict() reads it
_verdicts: dict[str, bool] = {}


def take_verdict(function_name: str) -> bool | None:
    """Whether the last check of ``function_name`` passed (None when none ran since the last
    call): what ``rnnkit check`` counts."""
    return _verdicts.pop(function_name, None)


def closing_line(function_name: str, passed: int, failed: int, skipped: int = 0) -> str:
    """The last line of a report: all correct, or how many checks fail (and how many could
    not run yet) and where to start."""
    total = passed + failed + skipped
    if failed == 0 and skipped == 0 and total > 0:
        return say(es="→ {fn}: todo correcto ({n}/{n}).", en="→ {fn}: all correct ({n}/{n}).",
                   fn=function_name, n=total)
    not_run = say(es=", {n} sin comprobar aún", en=", {n} not checked yet",
                  n=skipped) if skipped else ""
    if failed == 1:
        return say(es="→ {fn}: falla 1 de {total} comprobaciones{not_run}; corrige la marcada "
                      "con ✗.",
                   en="→ {fn}: 1 of {total} checks fails{not_run}; fix the one marked ✗.",
                   fn=function_name, total=total, not_run=not_run)
    return say(es="→ {fn}: fallan {bad} de {total} comprobaciones{not_run}; empieza por la "
                  "primera marcada con ✗.",
               en="→ {fn}: {bad} of {total} checks fail{not_run}; start with the first one "
                  "marked ✗.",
               fn=function_name, bad=failed, total=total, not_run=not_run)


def plain(text: str) -> str:
    """``text`` as a student reads it in plain-text output: without Markdown backticks."""
    return text.replace("`", "")


def untouched() -> str:
    """The item "arguments left untouched", in the student's language."""
    return say(es="argumentos intactos", en="arguments untouched")


@dataclass(frozen=True)
class Verdict:
    """The result of one item, for :meth:`Report.verdicts`.

    - item: the item (as named in the Report's items).
    - passed: whether it is right.
    - text: the ✓ text, or the ✗ explanation (which names the item).
    - reason: for a failure, the explanation without the item's name when other items may fail
      for the same reason (a known mistake), so that they can share one line; else None.
    """

    item: str
    passed: bool
    text: str
    reason: str | None = None


class Report:
    """Prints ✓/✗ lines as a check runs, and a closing summary; never lets an exception out.

    Inputs:
    - function_name: the student function being checked, as the notebook names it; it heads
      the summary and names the function in messages about exceptions.
    - items: what the check looks at, in order, each named as the student knows it ("h_next",
      "dx", "(h, caches)", untouched(), ...). Every line marks one or more of them as passed or
      failed; the summary names those no line marked as not checked yet.
    """

    def __init__(self, function_name: str, items: Sequence[str]) -> None:
        self.function_name = function_name
        self.items = list(dict.fromkeys(items))
        self.results: dict[str, bool] = {}
        self._printed: set[str] = set()
        self._first_failure: str | None = None

    @property
    def failed(self) -> int:
        """How many items failed so far."""
        return sum(not passed for passed in self.results.values())

    def ok(self, what: str, item: str) -> None:
        """Print a ✓ line saying what was checked; ``item`` passed."""
        self._mark(True, item)
        self._print("✓", what)

    def fail(self, why: str, *items: str) -> None:
        """Print a ✗ line saying what is wrong; ``items`` (at least one) failed."""
        assert items, "a failure marks at least one item"
        self._mark(False, *items)
        self._print("✗", why)
        self._first_failure = self._first_failure or plain(why)

    def verdicts(self, verdicts: Sequence[Verdict]) -> None:
        """One line per verdict, in order, except that failures with the same ``reason``
        share one line (where the first of them is), which names all their items."""
        sharing: dict[str, list[str]] = {}
        for verdict in verdicts:
            if not verdict.passed and verdict.reason is not None:
                sharing.setdefault(verdict.reason, []).append(verdict.item)
        for verdict in verdicts:
            group = sharing.get(verdict.reason, []) if not verdict.passed else []
            if verdict.passed:
                self.ok(verdict.text, verdict.item)
            elif len(group) < 2:
                self.fail(verdict.text, verdict.item)
            elif group[0] == verdict.item:
                self.fail(f"{', '.join(group)}: {verdict.reason}", *group)

    def call(self, item: str, fn: Callable, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Call the student's ``fn``: (True, its result), or, when it raises, a ✗ line for
        ``item`` that describes the exception, and (False, None)."""
        try:
            return True, fn(*args, **kwargs)
        except Exception as error:  # the student's code may raise anything
            self.fail(describe_exception(getattr(fn, "__name__", self.function_name), error),
                      item)
            return False, None

    def expect(self, item: str, what: str, check: Callable[[], None], *,
               quiet: bool = False) -> bool:
        """Run ``check``: a ✓ line ``what`` when it returns (none when ``quiet``: a later line
        then says how ``item`` did), a ✗ line with the explanation of the CheckFailed it
        raises. True when it passed."""
        try:
            check()
        except CheckFailed as failure:
            self.fail(str(failure), item)
            return False
        except Exception as error:  # a student value so odd that checking it failed
            self.fail(describe_exception(self.function_name, error), item)
            return False
        if not quiet:
            self.ok(what, item)
        return True

    def expect_dict(self, name: str, value: Any, keys: tuple[str, ...]) -> bool:
        """One line, for the item ``name``: is ``value`` a dict holding all ``keys``?"""
        return self.expect(
            name,
            say(es="devuelve un diccionario con las claves {keys}",
                en="returns a dict with the keys {keys}", keys=", ".join(keys)),
            lambda: expect_keys(name, value, keys))

    def compare(self, what: str, name: str, got: Any, expected: Any, *, item: str | None = None,
                **options: Any) -> bool:
        """One line, for ``item`` (default: ``name``): does ``got`` match ``expected``?
        ``options`` go to :func:`rnnkit.compare.explain_mismatch` (variants, time_axis, ...)."""
        problem = explain_mismatch(name, got, expected, **options)
        if problem:
            self.fail(problem, item or name)
            return False
        self.ok(what, item or name)
        return True

    def unchanged(self, before: Mapping[str, Any], after: Mapping[str, Any],
                  item: str | None = None) -> bool:
        """One line, for ``item`` (default: :func:`untouched`): did the student's calls leave
        every argument as it was?

        ``before`` maps each argument's name to a copy taken before the calls (arrays, or dicts
        of arrays), ``after`` the same names to what was passed. Only the first change found is
        reported.
        """
        item = item or untouched()
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
                self.fail(str(failure), item)
                return False
        self.ok(say(es="no modifica sus argumentos ({names})",
                    en="does not modify its arguments ({names})", names=", ".join(before)),
                item)
        return True

    def summary(self) -> None:
        """Name the items not checked, if any, print the closing line, and record the verdict
        (for ``rnnkit check`` and ``nbgrader validate``)."""
        skipped = [item for item in self.items if item not in self.results]
        if skipped:
            self._print(SKIPPED, say(
                es="sin comprobar hasta que corrijas lo marcado con ✗: {items}",
                en="not checked until what is marked ✗ is fixed: {items}",
                items=", ".join(skipped)))
        passed = sum(self.results.values())
        closing = plain(closing_line(self.function_name, passed, self.failed, len(skipped)))
        print(closing)
        all_passed = self._first_failure is None and not skipped
        _verdicts[self.function_name] = all_passed
        validate.remember(self.function_name, None if all_passed else say(
            es="{fn}: su comprobación pública no pasa. ✗ {first}",
            en="{fn}: its public check does not pass. ✗ {first}",
            fn=self.function_name, first=self._first_failure or closing))

    def _mark(self, passed: bool, *items: str) -> None:
        for item in items:
            if item not in self.items:  # a check looked at more than it announced
                self.items.append(item)
            self.results[item] = self.results.get(item, True) and passed

    def _print(self, mark: str, text: str) -> None:
        line = f"{mark} {plain(text)}"
        if line not in self._printed:  # a second identical line would tell nothing new
            self._printed.add(line)
            print(line)


def known_mistake(name: str, problem: str | None, variants: Sequence[tuple[Any, str]]
                  ) -> str | None:
    """The message of the known mistake that ``problem`` (what
    :func:`rnnkit.compare.explain_mismatch` said about ``name``) reports, else None: the part
    of the explanation other quantities with the same mistake can share."""
    if problem is None:
        return None
    return next((message for _, message in variants if problem == f"`{name}`: {message}"),
                None)


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


@contextmanager
def skip_if_not_implemented() -> Iterator[None]:
    """Run the block; if a function it calls is still a stub (it raises NotImplementedError),
    print one line naming that function instead of a traceback, and go on.

    The notebooks' demonstration cells use it, so that Run All on a notebook with exercises
    left to do reaches the end: every later check cell still runs. Any other exception is a
    real error in the student's code and keeps its traceback.
    """
    try:
        yield
    except NotImplementedError as error:
        frames = traceback.extract_tb(error.__traceback__)
        function = frames[-1].name if frames else "?"
        print(f"{SKIPPED} " + say(
            es="Esta celda usa {fn}, que todavía no está implementada: escríbela, ejecuta su "
               "celda y vuelve a ejecutar esta.",
            en="This cell uses {fn}, which is not implemented yet: write it, run its cell, "
               "then run this one again.", fn=function))


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
    import torch

    return torch.tensor(np.asarray(array, dtype=float), dtype=torch.float64, requires_grad=grad)


def to_numpy(tensor: torch.Tensor | None, like: np.ndarray | None = None) -> np.ndarray:
    """A numpy copy of ``tensor``; zeros shaped like ``like`` when it is None (the ``.grad`` of
    an input no gradient reached)."""
    if tensor is None:
        return np.zeros_like(like, dtype=float)
    return tensor.detach().numpy().copy()


# ----------------------------------------------------------------------------------------------
# Known mistakes' wrong values, computed only when needed
# ----------------------------------------------------------------------------------------------
