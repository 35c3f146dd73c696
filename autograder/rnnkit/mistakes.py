"""Typical mistakes, each written once: an id, a message in each language and the wrong value it
produces. An assignment keeps its mistakes in one registry (``rnnkit.assignments.<a>.mistakes``)
that its public checks and its hidden suite both use, so a student reads the same diagnosis in
the notebook and in the graded report, and the catalogue's tests name mistakes by id.

A mistake computes its wrong value from the checked function's inputs and an *oracle*: the
object that knows the right computations the mistake departs from (a cell's output, the
gradients of its linear part, a BPTT with one knob turned). The public checks pass a torch
oracle; the hidden suites pass one built on the reference solution, which never reaches
students. The registry itself holds only what makes each mistake wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from rnnkit.compare import Variant, close
from rnnkit.i18n import say


@dataclass(frozen=True)
class Mistake:
    """One typical mistake of one function.

    - id: unique within its assignment, e.g. ``"cell_forward.no_bias"``; catalogue entries
      name it.
    - function: the student function whose result it spoils, e.g. ``"rnn_cell_forward"``.
    - es, en: what the student did and how to fix it.
    - wrong: ``wrong(oracle, *inputs)`` -> the value a student making this mistake returns: an
      array, or for a function returning a dict of gradients, a dict holding at least the keys
      the mistake changes; None when these inputs do not show the mistake (its value is that
      of another, better-named one).
    """

    id: str
    function: str
    es: str
    en: str
    wrong: Callable[..., Any]

    @property
    def message(self) -> str:
        """The message in the language in force."""
        return say(es=self.es, en=self.en)


class MistakeBook:
    """The mistakes of one assignment, looked up by id or by function."""

    def __init__(self, mistakes: Iterable[Mistake]) -> None:
        self._by_id: dict[str, Mistake] = {}
        for mistake in mistakes:
            if mistake.id in self._by_id:
                raise ValueError(f"two mistakes share the id {mistake.id!r}: rename one")
            self._by_id[mistake.id] = mistake

    def __iter__(self) -> Iterator[Mistake]:
        return iter(self._by_id.values())

    def __getitem__(self, mistake_id: str) -> Mistake:
        try:
            return self._by_id[mistake_id]
        except KeyError:
            raise KeyError(f"no mistake {mistake_id!r}; known: {sorted(self._by_id)}") from None

    def of(self, function: str) -> list[Mistake]:
        """The mistakes of ``function``, in the order they are written (first match wins)."""
        return [m for m in self if m.function == function]

    def variants(self, function: str, oracle: Any, *inputs: Any) -> list[Variant]:
        """(wrong value, message) of every mistake of ``function`` returning one array."""
        found = [(m.wrong(oracle, *inputs), m.message) for m in self.of(function)]
        return [(value, message) for value, message in found if value is not None]

    def keyed_variants(self, function: str, oracle: Any, *inputs: Any,
                       right: Mapping[str, Any], got: Any = None) -> dict[str, list[Variant]]:
        """Per key of ``right`` (the right dict of gradients), the (wrong value, message) of
        every mistake of ``function`` that changes that key. A mistake that happens to give the
        right value on these inputs (a mean over a batch of one is the sum) is left out: it
        would otherwise name a mistake for a right answer.

        Two mistakes may agree on one key (clipping entry by entry leaves an array unchanged
        when all its entries are small). Given ``got``, the student's whole dict, the mistakes
        that explain all of it come first, so each key is named after the mistake the student
        made rather than one that only agrees on that key."""
        made = [(mistake, mistake.wrong(oracle, *inputs) or {}) for mistake in self.of(function)]
        if isinstance(got, Mapping):
            made.sort(key=lambda pair: not _explains(pair[1], got))
        found: dict[str, list[Variant]] = {key: [] for key in right}
        for mistake, values in made:
            for key, value in values.items():
                if key in found and not close(value, right[key]):
                    found[key].append((value, mistake.message))
        return found


def _explains(values: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    """Whether a mistake's values match every key of the student's dict they speak of."""
    return bool(values) and all(key in got and close(got[key], value)
                                for key, value in values.items())


SHARED: dict[str, dict[str, str]] = {
    # The mistakes every recurrent network's sequence functions can make, in the same words
    # whatever the cell: a registry writes ``Mistake(id, function, **SHARED[id], wrong=...)``.
    "forward.ignores_h0": dict(
        es="ignora h0: el primer paso empieza desde ceros en vez del estado inicial dado.",
        en="it ignores h0: the first step starts from zeros instead of the given initial "
           "state."),
    "forward.h0_every_step": dict(
        es="usa h0 en cada paso en vez del estado del paso anterior: actualiza el estado dentro "
           "del bucle para que el paso t reciba h_{t-1}.",
        en="it uses h0 at every step instead of the previous step's state: update the state "
           "inside the loop so that step t receives h_{t-1}."),
    "forward.returns_h0_to_hT_minus_1": dict(
        es="devuelve h_0 … h_{T-1}; debe devolver h_1 … h_T.",
        en="it returns h_0 … h_{T-1}; it must return h_1 … h_T."),
    "forward.last_state_everywhere": dict(
        es="todas las posiciones contienen el último estado h_T: guardas referencias a un mismo "
           "arreglo y lo modificas en el sitio; guarda cada h_t como un arreglo nuevo en h[t].",
        en="every position holds the last state h_T: you store references to one array and "
           "modify it in place; store each h_t as a new array in h[t]."),
    "backward.no_flow_from_next_step": dict(
        es="no llega nada desde el paso siguiente: el gradiente que llega a h_t es dh[t] más el "
           "dh_prev que devolvió el paso t+1.",
        en="nothing flows back from the next step: the gradient reaching h_t is dh[t] plus the "
           "dh_prev returned by step t+1."),
    "backward.assigns_param_grads": dict(
        es="asignas los gradientes de los parámetros en cada paso en vez de acumularlos (+=) "
           "sobre todos los pasos: los parámetros se comparten en el tiempo.",
        en="you assign the parameter gradients at each step instead of accumulating them (+=) "
           "over all steps: the parameters are shared over time."),
    "backward.only_last_step_params": dict(
        es="los gradientes de los parámetros solo contienen la contribución del último paso: "
           "los parámetros se comparten en el tiempo, así que se acumulan (+=) sobre todos "
           "los pasos.",
        en="the parameter gradients hold the contribution of the last step alone: the "
           "parameters are shared over time, so their gradients accumulate (+=) over all "
           "steps."),
    "backward.only_last_dh": dict(
        es="solo usa dh del último paso: en cada paso t hay que sumar también dh[t], el "
           "gradiente que llega a h_t desde fuera.",
        en="it only uses dh of the last step: at every step t you must also add dh[t], the "
           "gradient reaching h_t from outside."),
    "backward.dh0_zero": dict(
        es="dh0 es todo ceros: es el dh_prev que devuelve el primer paso (t = 1), el último "
           "del bucle hacia atrás.",
        en="dh0 is all zeros: it is the dh_prev returned by the first step (t = 1), the last "
           "one of the backward loop."),
    "backward.dx_reversed": dict(
        es="dx está en orden inverso en el tiempo: guarda el gradiente del paso t en dx[t] (el "
           "bucle va hacia atrás, pero el resultado se indexa hacia delante).",
        en="dx is reversed in time: store the gradient of step t in dx[t] (the loop runs "
           "backwards, but the result is indexed forwards)."),
}


class _Deferred(Sequence):
    """A list computed by ``compute()`` the first time it is read."""

    def __init__(self, compute: Callable[[], Sequence[Any]]) -> None:
        self._compute = cache(lambda: list(compute()))

    def __getitem__(self, index: Any) -> Any:
        return self._compute()[index]

    def __len__(self) -> int:
        return len(self._compute())


def deferred(compute: Callable[[], Sequence[Any]]) -> Sequence[Any]:
    """The list ``compute()`` returns (e.g. a registry's variants), computed the first time it
    is read: :func:`rnnkit.compare.explain_mismatch` reads variants only for a wrong value, so
    a right one never pays for them.

    Inputs:
    - compute: takes nothing, returns the list.
    """
    return _Deferred(compute)


def deferred_keyed(compute: Callable[[], Mapping[str, Sequence[Any]]], keys: Any
                   ) -> dict[str, Sequence[Any]]:
    """Per key of ``keys``, the list ``compute()[key]``, :func:`deferred`: ``compute`` (e.g. a
    registry's keyed variants) runs once, when the first of them is read."""
    once = cache(compute)
    return {key: deferred(lambda key=key: once()[key]) for key in keys}


class LazyMistakes:
    """An assignment's registry of mistakes with an oracle, whose wrong values are computed
    only when a student's value is wrong (:func:`deferred`): a right value costs nothing.

    Inputs:
    - book: the registry (:class:`MistakeBook`).
    - oracle: what computes the values: the public checks' StoredOracle (rnnkit.checks.stored,
      whose values may need torch), or a hidden suite's oracle on the reference solution.
    """

    def __init__(self, book: Any, oracle: Any) -> None:
        self.book, self.oracle = book, oracle

    def variants(self, function: str, *inputs: Any) -> Sequence[Any]:
        """The registry's wrong values of ``function`` on ``inputs``."""
        return deferred(lambda: self.book.variants(function, self.oracle, *inputs))

    def keyed_variants(self, function: str, *inputs: Any, right: Mapping[str, Any],
                       got: Any = None) -> dict[str, Sequence[Any]]:
        """Per key of ``right``, the registry's wrong values of ``function`` on ``inputs``
        (MistakeBook.keyed_variants), computed once, when one of them is read."""
        return deferred_keyed(lambda: self.book.keyed_variants(
            function, self.oracle, *inputs, right=right, got=got), right)
