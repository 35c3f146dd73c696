"""Judgements the hidden suites share, built on :mod:`rnnkit.compare`.

The suites call the student's functions the way a course would: each function on several
seeded inputs per shape, in an order that comes back to shapes and inputs used before; results
are read again after later calls; a backward pass runs on caches made before later forward
calls, and twice on one cache. The rules they apply:

- A function must leave its arguments untouched, at any depth: arrays, and the items of
  tuples, lists, dicts and cache objects (:func:`expect_untouched`).
- A function must be a function (:func:`expect_consistent`): the same inputs give the same
  results whatever was called before, in the whole grading run, and what it returned does not
  change after later calls (the record of :mod:`rnnkit.grading.student`).
- A backward pass earns a gradient's point when it matches the reference gradient. When the
  student's forward is wrong it may instead match that forward (:func:`expect_gradient`): the
  reference backward evaluated at the student's own states, or the numerical gradient of the
  student's own forward, so a right backward is not punished again for a wrong forward. This
  own-forward credit pays only for honest work. It is refused when
  - a student function the forward is made of keeps state between calls (the same inputs gave
    different results at any time in the run, or a later call changed what it returned): its
    results then say nothing about the function it is meant to be;
  - or the forward does not respond to its inputs where the reference does
    (:func:`responsiveness`: moved together in a seeded direction, the inputs change the
    reference's result but not the student's). Such a forward (constant, or stuck on
    saturated states) has a zero Jacobian, and so do the reference backward at its states
    when they are saturated: a backward returning zeros would match without computing
    anything.
  The backward tests run the forward on the very inputs the forward tests graded, so a forward
  right there and wrong here has kept state, which the record sees.
- A backward pass's "inputs untouched" point needs a backward pass too
  (:func:`expect_backward_behaves`): its gradients must change when the upstream gradient does
  (where the right ones do), and a second call on the same cache must give the same gradients.
  A backward that returns zeros or constants earns none of its function's points.
- When a function fails only at some shapes, the feedback names what sets those shapes apart,
  e.g. "fails when N = 1" (:func:`naming_the_shape`).
"""

from __future__ import annotations

import contextlib
import copy
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnkit.compare import (
    CheckFailed,
    Variant,
    as_numeric_array,
    close,
    explain_mismatch,
)
from rnnkit.gradcheck import numerical_gradient
from rnnkit.grading.student import SAME_ATOL, SAME_RTOL, Student, StudentFailure
from rnnkit.i18n import say

NUMERIC_RTOL = 1e-5
NUMERIC_ATOL = 1e-7
"""Central differences with step 1e-5 are accurate to about 1e-9 on these smooth functions."""

VANISHING = 1e-6
"""A change vanishes when it is below VANISHING times the reference's change (largest entries):
rounding noise is below 1e-10 of it, while code that responds at all responds far above."""
MOVE = 1e-4
RESPONSE_SEED = 2029
"""How far, per entry, :func:`responsiveness` moves a forward's inputs, and the seed of the
direction it moves them in."""

Dims = Mapping[str, int]
"""Sizes by name, in the order they are shown: e.g. {"T": 4, "N": 1, "D": 3, "H": 2}."""


def copies(*args: Any) -> tuple[Any, ...]:
    """Deep copies of the arguments, for a student's function to receive: it may modify what it
    gets, and must not spoil the test's inputs, the reference values or other tests."""
    return tuple(_copy(arg) for arg in args)


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):  # arrays and dicts of arrays: faster than deepcopy
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return copy.deepcopy(value)


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


def expect_consistent(student: Student, function: str) -> None:
    """Raise CheckFailed if ``function`` was seen to keep state between calls in this run."""
    problem = student.inconsistency(function)
    if problem:
        raise CheckFailed(problem)


@dataclass(frozen=True)
class OwnForward:
    """The student's own forward pass on a test's inputs, which a backward may match instead
    of the reference when that forward is wrong.

    - student, functions: the student and the functions whose results the values below come
      from (the forward, and e.g. the gate functions whose values fill the states).
    - numeric: computes the numerical gradient of the student's forward (None when it cannot be
      differentiated); called only when needed, since it costs two forward calls per entry.
    - at_states: computes the right gradients at the states the student's forward produced
      (one per way the forward may have produced them; None for a way that does not apply).
    - responds: whether the student's forward responds to its inputs where the reference does
      (see :func:`responsiveness`); asked only before granting credit.
    - responds_to_target: whether it responds to the one input the judged gradient is of;
      asked only when that gradient is (near) zero where the right one is not: a forward that
      ignores an input has a zero gradient there, which a backward returning zeros would match
      for free (a cell passing h_prev straight through, with zero weight gradients).
    """

    student: Student
    functions: tuple[str, ...]
    numeric: Callable[[], Any]
    responds: Callable[[], bool]
    responds_to_target: Callable[[], bool]
    at_states: Callable[[], Iterable[Any]] = tuple


def expect_gradient(
    name: str,
    got: Any,
    reference: Any,
    *,
    forward_is_right: bool,
    own: OwnForward,
    time_axis: int | None = None,
    variants: Sequence[Variant] = (),
) -> None:
    """Judge one gradient the student returned (see the module's rules).

    Inputs:
    - name: how the student knows the value, e.g. ``"grads['dW_hh']"``.
    - got: the student's gradient; reference: the reference gradient for the same inputs.
    - forward_is_right: whether the student's forward matched the reference on these inputs.
    - own: the student's own forward, for the own-forward credit.
    - time_axis, variants: as in :func:`rnnkit.compare.explain_mismatch`.
    """
    problem = explain_mismatch(name, got, reference, time_axis=time_axis, variants=variants)
    if problem is None:
        return
    if forward_is_right:
        raise CheckFailed(problem)
    if any(own.student.inconsistent(function) for function in own.functions):
        raise CheckFailed(problem + " " + say(
            es="(Tu forward también tiene errores y guarda estado entre llamadas: da resultados "
               "distintos para las mismas entradas, así que tu backward no puede juzgarse "
               "frente a él.)",
            en="(Your forward is also wrong, and it keeps state between calls: it gives "
               "different results for the same inputs, so your backward cannot be judged "
               "against it.)"))
    for value, tolerances in _own_values(own):
        if value is not None and close(got, value, **tolerances):
            if own.responds() and (not vanishes(got, reference) or own.responds_to_target()):
                return
            raise CheckFailed(problem + " " + say(
                es="(Tu forward también tiene errores y no responde a sus entradas: su "
                   "resultado no cambia cuando ellas cambian, así que su gradiente es cero donde "
                   "el correcto no lo es, y un backward no gana puntos frente a él.)",
                en="(Your forward is also wrong, and it does not respond to its inputs: its "
                   "result does not change when they do, so its gradient is zero where the "
                   "right one is not, and a backward earns no credit against it.)"))
    raise CheckFailed(problem + " " + say(
        es="(Tu forward también tiene errores, y este gradiente no es tampoco el de tu forward.)",
        en="(Your forward is also wrong, and this gradient is not that of your forward either.)",
    ))


def _own_values(own: OwnForward) -> Iterator[tuple[Any, dict[str, float]]]:
    """The values a backward may match for own-forward credit, cheapest first, each with the
    tolerances of the match."""
    for value in own.at_states():
        yield value, {}
    yield own.numeric(), {"rtol": NUMERIC_RTOL, "atol": NUMERIC_ATOL}


def responsiveness(forward: Callable[[dict], Any], reference_forward: Callable[[dict], Any],
                   inputs: dict, moving: Iterable[str] | None = None) -> Callable[[], bool]:
    """A function telling whether the student's ``forward`` responds to its ``inputs`` (a dict
    of arrays): those named in ``moving`` (default: all), moved together in one seeded
    direction (MOVE per entry), must change its result by more than VANISHING of what they
    change ``reference_forward``'s. A forward that fails on the moved inputs does not
    respond."""
    moved_keys = set(inputs if moving is None else moving)

    def responds() -> bool:
        direction = np.random.default_rng(RESPONSE_SEED)
        moved = {key: np.asarray(value, dtype=float)
                 + MOVE * direction.standard_normal(np.shape(value))
                 if key in moved_keys else value
                 for key, value in inputs.items()}
        right = np.asarray(reference_forward(moved), float) - np.asarray(
            reference_forward(inputs), float)
        try:
            change = np.asarray(forward(moved), float) - np.asarray(forward(inputs), float)
        except Exception:  # the student's forward may fail in any way
            return False
        scale = float(np.max(np.abs(right), initial=0.0))
        return scale == 0.0 or (change.shape == right.shape and bool(np.all(np.isfinite(change)))
                                and float(np.max(np.abs(change), initial=0.0)) > VANISHING * scale)
    return responds


def responds_on_course(student: Student, what: str, course: Iterable[tuple[str, Any]],
                       target: str, forward_at: Callable[[str, Any], tuple[Any, Any, dict]]
                       ) -> bool:
    """Whether the student's forward responds to the one input ``target`` where the reference
    does, on some input of the backward's ``course`` of (shape_id, seed): a gradient may
    rightly vanish on one input (dW_hh on a first step from zero states) but not on all.
    ``forward_at(shape_id, seed)`` gives (the student's forward, the reference's, their
    inputs by name), as :func:`responsiveness` takes them; ``what`` names the forward for the
    memo."""
    def compute() -> bool:
        return any(responsiveness(*forward_at(shape_id, seed), moving=(target,))()
                   for shape_id, seed in course)
    return memo(student, ("responds to", what, target), compute)


def vanishes(got: Any, right: Any) -> bool:
    """Whether the gradient ``got`` is (near) zero, VANISHING of the right one's size, where
    the right one is not zero."""
    got_array = as_numeric_array(got)
    scale = float(np.max(np.abs(np.asarray(right, dtype=float)), initial=0.0))
    return got_array is not None and scale > 0.0 and \
        float(np.max(np.abs(got_array), initial=0.0)) <= VANISHING * scale


def own_numeric(forward: Callable[[dict], Any], inputs: dict, target: str,
                upstream: np.ndarray) -> Callable[[], np.ndarray | None]:
    """A function computing the numerical gradient, with respect to ``inputs[target]``, of
    ``sum(forward(inputs) * upstream)`` (the student's own forward, called only when needed);
    None when that forward cannot be differentiated (it fails, or returns something that is
    not an array of the right shape)."""
    def compute() -> np.ndarray | None:
        try:
            return numerical_gradient(lambda v: forward({**inputs, target: v}),
                                      np.array(inputs[target], dtype=float), upstream)
        except Exception:  # the student's forward may fail in any way
            return None
    return compute


@dataclass(frozen=True)
class BackwardRun:
    """One input of a backward course, after the student's forward ran on it.

    - states, cache: what the student's forward returned on it (its states, and its cache or
      list of caches).
    - backward: the student's backward on a cache, with this input's upstream gradients.
    - judge: judges ``(key, states, gradients)``: gradient ``key``, raising CheckFailed.
    - forward: runs the student's forward on this input again, returning (states, cache).
    """

    states: Any
    cache: Any
    backward: Callable[[Any], Any]
    judge: Callable[[str, Any, Any], None]
    forward: Callable[[], tuple[Any, Any]]


@dataclass(frozen=True)
class _Outcome:
    """What a call of the student's code gave: its value, or the exception it raised."""

    value: Any = None
    error: Exception | None = None

    @classmethod
    def of(cls, compute: Callable[[], Any]) -> _Outcome:
        try:
            return cls(compute())
        except Exception as error:  # the student's code, or what judges its result
            return cls(error=error)

    def get(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


@dataclass(frozen=True)
class _CourseRan:
    """The calls of a backward course, made once per grading run for all its gradients: the
    forward on every input (``runs``), then the backward on each cache in turn until one
    fails (``grads``), then once more on the first cache (``again``)."""

    runs: _Outcome
    grads: list[_Outcome]
    again: _Outcome

    @classmethod
    def of(cls, course: Callable[[], Sequence[BackwardRun]]) -> _CourseRan:
        runs = _Outcome.of(course)
        grads: list[_Outcome] = []
        for run in runs.value or ():
            grads.append(_Outcome.of(lambda run=run: run.backward(run.cache)))
            if grads[-1].error is not None:
                return cls(runs, grads, _Outcome())
        if not grads:
            return cls(runs, grads, _Outcome())
        first = runs.value[0]
        return cls(runs, grads, _Outcome.of(lambda: first.backward(first.cache)))


def expect_backward_course(student: Student, function: str, forward: str, key: str,
                           course: Callable[[], Sequence[BackwardRun]]) -> None:
    """Judge gradient ``key`` of the backward ``function`` the way a course uses it: on the
    cache of every run of ``course()``, all made by ``forward`` beforehand (so each but the
    last was made before later forward calls, :func:`expect_right_on_earlier_cache`); then
    once more on the first cache, which must give the same gradient
    (:func:`expect_same_again`).

    The student's functions run the course once per grading run (:func:`memo`), and every
    gradient is judged on what they gave: the calls are the same for every key, and a course
    repeated per key would only repeat them."""
    ran = memo(student, ("backward course", function), lambda: _CourseRan.of(course))
    runs = ran.runs.get()
    for index, (run, grads) in enumerate(zip(runs, ran.grads, strict=False)):
        def made_again(run: BackwardRun = run, index: int = index) -> tuple[Any, Any]:
            def again() -> tuple[Any, Any]:
                states, cache = run.forward()
                return states, run.backward(cache)
            return memo(student, ("made again", function, index), lambda: _Outcome.of(again)
                        ).get()

        expect_right_on_earlier_cache(lambda result, run=run: run.judge(key, *result),
                                      (run.states, grads.get()), made_again, function, forward)
    if runs:
        expect_same_again(function, ran.grads[0].get(), ran.again.get, keys=(key,))


def expect_same_again(function: str, first: Mapping, again: Callable[[], Any],
                      keys: Iterable[str]) -> None:
    """Raise CheckFailed unless ``again()``, ``function`` called a second time on the same
    cache, gives the gradients ``keys`` that its first call gave (``first``)."""
    try:
        second = again()
    except StudentFailure as failure:
        raise CheckFailed(say(
            es="`{f}` falla al llamarla otra vez con la misma caché (¿la cambió la primera "
               "llamada?): {failure}",
            en="`{f}` fails when called again on the same cache (did the first call change "
               "it?): {failure}", f=function, failure=failure)) from None
    for key in keys:
        value = second.get(key) if isinstance(second, Mapping) else None
        if not close(value, first[key], rtol=SAME_RTOL, atol=SAME_ATOL):
            raise CheckFailed(say(
                es="`{f}` dio otro `grads['{key}']` al llamarla otra vez con la misma caché: "
                   "cambia su caché (o guarda estado entre llamadas). Un backward debe dejar la "
                   "caché como la encontró, para poder repetirse.",
                en="`{f}` gave another `grads['{key}']` when called again on the same cache: "
                   "it changes its cache (or keeps state between calls). A backward pass must "
                   "leave its cache as it found it, so that it can be repeated.",
                f=function, key=key))


def expect_right_on_earlier_cache(check: Callable[[Any], None], got: Any,
                                  made_again: Callable[[], Any], backward: str, forward: str
                                  ) -> None:
    """``check(got)``, where ``got`` came from a cache made before later calls of ``forward``.
    When it fails but ``check(made_again())`` passes (the forward and the backward run once more,
    one right after the other), the feedback says that the later calls spoiled the cache."""
    try:
        check(got)
    except CheckFailed as failure:
        try:
            check(made_again())
        except Exception:  # wrong even when made again: the first explanation stands
            raise failure from None
        raise CheckFailed(say(
            es="`{b}` está mal en una caché hecha antes de otras llamadas a `{f}`, y bien cuando "
               "corre justo después de `{f}`: una llamada posterior a `{f}` cambió la caché "
               "anterior (arreglos compartidos entre llamadas, p. ej. un búfer reutilizado o un "
               "estado actualizado en el sitio con `[:] =`), o `{b}` lee algo distinto de su "
               "caché.",
            en="`{b}` is wrong on a cache made before later calls of `{f}`, and right when it "
               "runs just after `{f}`: a later call of `{f}` changed the earlier cache (arrays "
               "shared between calls, e.g. a reused buffer or a state updated in place with "
               "`[:] =`), or `{b}` reads something other than its cache.",
            b=backward, f=forward)) from None


def expect_backward_behaves(function: str, got: Any, got_other: Any, reference: Mapping,
                            reference_other: Mapping) -> None:
    """A backward pass's gradients must respond to the upstream gradient.

    ``got`` and ``got_other`` are what ``function`` returned on one cache for two upstream
    gradients, ``reference`` and ``reference_other`` the right values. A backward is linear in
    its upstream gradient, so its gradients change when it does. Raises CheckFailed when none
    of them changes where a right one does (a backward returning zeros or constants computes
    no gradient); one gradient that stays put may be right for the student's forward (e.g. a
    forward that ignores an input).
    """
    changes = {}
    for key, right in reference.items():
        right_change = np.asarray(right, dtype=float) - np.asarray(reference_other[key], float)
        a = as_numeric_array(got.get(key)) if isinstance(got, Mapping) else None
        b = as_numeric_array(got_other.get(key)) if isinstance(got_other, Mapping) else None
        if np.any(right_change) and a is not None and b is not None and a.shape == b.shape:
            changes[key] = float(np.max(np.abs(a - b), initial=0.0)) \
                > VANISHING * float(np.max(np.abs(right_change)))
    if not any(changes.values()):
        raise CheckFailed(say(
            es="`{f}` devuelve los mismos gradientes para dos gradientes de entrada distintos: "
               "un backward calcula sus gradientes a partir del que recibe (son lineales en "
               "él), y este no.",
            en="`{f}` returns the same gradients for two different upstream gradients: a "
               "backward pass computes its gradients from the upstream gradient it receives "
               "(they are linear in it), and this one does not.", f=function))


# ------------------------------------------------------------------------ shapes in feedback

_FEATURES: tuple[tuple[str, Callable[[Dims], bool]], ...] = (
    ("N = 1", lambda d: d.get("N") == 1),
    ("T = 1", lambda d: d.get("T") == 1),
    ("N > 1", lambda d: d.get("N", 1) > 1),
    ("T > 1", lambda d: d.get("T", 1) > 1),
    ("D > H", lambda d: "D" in d and "H" in d and d["D"] > d["H"]),
    ("D < H", lambda d: "D" in d and "H" in d and d["D"] < d["H"]),
    ("D = H", lambda d: "D" in d and "H" in d and d["D"] == d["H"]),
)
"""What may set a shape apart, the most common cause of a shape-only failure first."""


def describe_dims(dims: Dims) -> str:
    """``"T = 4, N = 1, D = 3, H = 2"``."""
    return ", ".join(f"{name} = {size}" for name, size in dims.items())


@contextlib.contextmanager
def naming_the_shape(function: str, dims: Dims,
                     tried: Callable[[], tuple[list[Dims], list[Dims]]]) -> Iterator[None]:
    """Run the block; when ``function`` fails in it (StudentFailure) at shape ``dims`` while it
    works at other shapes, the failure says so and names what sets ``dims`` apart, e.g. "fails
    when N = 1 (T = 4, N = 1, D = 3, H = 2)". ``tried()``, called only then, returns the other
    shapes where the function works and those where it fails too: what sets the failing shapes
    apart holds at all of them and at none of the working ones.
    """
    try:
        yield
    except StudentFailure as failure:
        working, failing = tried()
        if not working:  # it fails everywhere: the shape is not the point
            raise
        apart = [name for name, holds in _FEATURES
                 if all(holds(bad) for bad in (dims, *failing))
                 and not any(holds(other) for other in working)]
        if apart:
            note = say(es="`{f}` falla cuando {what} ({dims}), y funciona con las demás formas "
                          "probadas.",
                       en="`{f}` fails when {what} ({dims}), and works at the other shapes "
                          "tried.",
                       f=function, what=say(es=" o ", en=" or ").join(apart),
                       dims=describe_dims(dims))
        else:
            note = say(es="`{f}` falla con {dims}, y funciona con {others}.",
                       en="`{f}` fails at {dims}, and works at {others}.", f=function,
                       dims=describe_dims(dims),
                       others="; ".join(f"({describe_dims(other)})" for other in working))
        raise StudentFailure(f"{note}\n{failure}") from None


class Shapes:
    """The shapes (T, N, D, H) a suite calls the student's functions at, by id.

    Inputs:
    - shapes: id -> (T, N, D, H).
    - probes: function -> how to call it on the seed-0 inputs of a shape, ``probe(student,
      shape_id)`` (a backward probe makes its cache with the student's forward).
    - fed_by: function -> the student functions its arguments come from (a backward's cache).
    - cell_functions: the functions of one time step, which see no T.
    - extra: shapes only tried when a function fails, to tell apart what the suite's shapes
      have together (e.g. N = 1 with D < H, when the suite's only N = 1 shape has D > H).
    """

    def __init__(self, shapes: Mapping[str, tuple[int, int, int, int]],
                 probes: Mapping[str, Callable[[Student, str], Any]],
                 fed_by: Mapping[str, tuple[str, ...]], cell_functions: Iterable[str],
                 extra: Mapping[str, tuple[int, int, int, int]]) -> None:
        self.shapes = {**shapes, **extra}
        self.probes = dict(probes)
        self.fed_by = dict(fed_by)
        self.cell_functions = frozenset(cell_functions)

    def dims(self, function: str, shape_id: str) -> dict[str, int]:
        """The sizes ``function`` sees at ``shape_id``."""
        T, N, D, H = self.shapes[shape_id]
        dims = {"T": T, "N": N, "D": D, "H": H}
        if function in self.cell_functions:
            del dims["T"]
        return dims

    def call(self, student: Student, function: str, shape_id: str, *args: Any) -> Any:
        """``student.function(*args)`` on inputs of shape ``shape_id``; when it fails there
        and only at some shapes, the failure names what sets this one apart
        (:func:`naming_the_shape`)."""
        def tried() -> tuple[list[dict[str, int]], list[dict[str, int]]]:
            # Not the shape's fault when the same shape works with other inputs, or when the
            # function (or what made its arguments) keeps state between calls.
            if self.works(student, function, shape_id) or any(
                    student.inconsistent(f) for f in (function, *self.fed_by.get(function, ()))):
                return [], []
            others = [other for other in self.shapes if other != shape_id]
            works = {other: self.works(student, function, other) for other in others}
            return ([self.dims(function, other) for other in others if works[other]],
                    [self.dims(function, other) for other in others if not works[other]])

        with naming_the_shape(function, self.dims(function, shape_id), tried):
            return getattr(student, function)(*args)

    def works(self, student: Student, function: str, shape_id: str) -> bool:
        """Whether ``function`` runs without failing on the seed-0 inputs of ``shape_id``."""
        def probe() -> bool:
            try:
                self.probes[function](student, shape_id)
            except Exception:  # the student's function (or the forward it needs) fails there
                return False
            return True
        return memo(student, ("works", function, shape_id), probe)

    def come_back(self, student: Student, function: str, shape_id: str,
                  order: Sequence[str]) -> None:
        """Call ``function`` again on the seed-0 inputs of the shape before ``shape_id`` in
        ``order`` (the shape the previous test graded): the student's record compares the
        results with what that test got. A failure there is that test's business."""
        index = list(order).index(shape_id)
        if index > 0:
            with contextlib.suppress(Exception):
                self.probes[function](student, order[index - 1])


@contextlib.contextmanager
def explaining(context: str) -> Iterator[None]:
    """Run the block; a CheckFailed in it starts with ``context``, e.g. the inputs it met."""
    try:
        yield
    except CheckFailed as failure:
        raise type(failure)(f"{context}: {failure}") from None


# ------------------------------------------------------------------ results kept for one run

_memos: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def memo(student: Student, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered while ``student`` lives (one grading run) under ``key``: for
    what several tests need from the same student (its gate values, where it works)."""
    store = _memos.setdefault(student, {})
    if key not in store:
        store[key] = compute()
    return store[key]
