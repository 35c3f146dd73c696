"""Public checks of the RNN notebook: quick, friendly feedback while the student works.

Each ``check_*`` function calls the student's code on small fixed inputs, compares what comes
back with PyTorch (``torch.nn.RNNCell``, ``torch.nn.RNN``, autograd and
``torch.nn.utils.clip_grad_norm_``, all in float64) and prints one line per checked quantity:
``✓`` and what was checked, or ``✗`` and why it is wrong, in the student's language. The
explanations come from :mod:`rnnkit.compare`, the same layer the hidden suites use. A check never
raises: an exception in the student's code is reported as a ``✗`` line (see
:mod:`rnnkit.checks.feedback`, which the LSTM checks share).

PyTorch is an independent oracle here; the course's reference solution is not shipped to
students and is not used. The wrong "variants" below (a forgotten tanh, a gradient that does not
flow back in time, ...) are computed with torch too (rnnkit.assignments.rnn.torch_oracle), only
when a value is wrong, to name the mistake it matches. torch's answers on the checks' fixed
inputs are stored (rnnkit.checks.stored): a right notebook's checks do not import torch.

Backward checks also differentiate the student's *own* forward numerically: a gradient that is
wrong against torch but right for the student's forward means the forward is what must be fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnkit.assignments.rnn import CLIPPING_FACTS, RNN_TYPES
from rnnkit.assignments.rnn.mistakes import MISTAKES
from rnnkit.checks.feedback import (
    OwnGradients,
    Report,
    Verdict,
    fresh,
    known_mistake,
    snapshot,
    untouched,
    values_ok,
)
from rnnkit.checks.questions import check_question
from rnnkit.checks.stored import StoredOracle
from rnnkit.compare import (
    CheckFailed,
    close,
    expect_keys,
    expect_pair,
    explain_mismatch,
)
from rnnkit.i18n import say
from rnnkit.mistakes import LazyMistakes

__all__ = [
    "check_rnn_types",
    "check_rnn_cell_forward",
    "check_rnn_forward",
    "check_rnn_cell_backward",
    "check_rnn_backward",
    "check_clip_gradients",
    "check_clipping_facts",
]

PARAM_KEYS = ("W_xh", "W_hh", "b_h")
CELL_GRAD_KEYS = ("dx_t", "dh_prev", "dW_xh", "dW_hh", "db_h")
SEQ_GRAD_KEYS = ("dx", "dh0", "dW_xh", "dW_hh", "db_h")

# Sizes of the check inputs: all different, so a transposed or mixed-up array has a wrong shape.
D, H, N, T = 4, 3, 2, 5

# A gradient "agrees with your forward" when it matches the finite differences this closely.
NUMERIC_RTOL, NUMERIC_ATOL = 1e-4, 1e-6


# ----------------------------------------------------------------------------------------------
# Public checks
# ----------------------------------------------------------------------------------------------

def check_rnn_cell_forward(rnn_cell_forward: Callable) -> None:
    """Check ``rnn_cell_forward(x_t, h_prev, params) -> (h_next, cache)`` and print a report."""
    one_example = "h_next (N = 1)"
    report = Report("rnn_cell_forward", ["(h_next, cache)", "h_next", untouched(), one_example])
    x_t, h_prev, params = _cell_inputs(seed=10)
    if _check_forward_call(
        report, rnn_cell_forward, {"x_t": x_t, "h_prev": h_prev, "params": params},
        ORACLE.cell_forward(x_t, h_prev, params),
        KNOWN_MISTAKES.variants("rnn_cell_forward", x_t, h_prev, params),
        name="h_next", item="h_next", pair=("h_next", "cache"),
        what=values_ok("h_next", (H, N)),
    ):
        x_t, h_prev, params = _cell_inputs(seed=11, n=1)
        _check_forward_call(
            report, rnn_cell_forward, {"x_t": x_t, "h_prev": h_prev, "params": params},
            ORACLE.cell_forward(x_t, h_prev, params),
            KNOWN_MISTAKES.variants("rnn_cell_forward", x_t, h_prev, params),
            name="h_next", item=one_example,
            what=say(es="h_next también es correcto con un solo ejemplo (N = 1)",
                     en="h_next is also right with a single example (N = 1)"),
        )
    report.summary()


def check_rnn_forward(rnn_forward: Callable) -> None:
    """Check ``rnn_forward(x, h0, params) -> (h, caches)`` and print a report."""
    one_step = "h (T = 1, N = 1)"
    report = Report("rnn_forward", ["(h, caches)", "h", untouched(), one_step])
    x, h0, params = _sequence_inputs(seed=20)
    expected = ORACLE.forward(x, h0, params)
    if _check_forward_call(
        report, rnn_forward, {"x": x, "h0": h0, "params": params},
        expected, KNOWN_MISTAKES.variants("rnn_forward", x, h0, params),
        name="h", item="h", pair=("h", "caches"), time_axis=0,
        what=say(es="h: forma {shape} (h_1 … h_T) y valores correctos en cada paso, "
                    "partiendo de un h0 distinto de cero",
                 en="h: shape {shape} (h_1 … h_T) and correct values at every step, starting "
                    "from a non-zero h0", shape=(T, H, N)),
    ):
        x, h0, params = _sequence_inputs(seed=21, steps=1, n=1)
        expected = ORACLE.forward(x, h0, params)
        _check_forward_call(
            report, rnn_forward, {"x": x, "h0": h0, "params": params},
            expected, KNOWN_MISTAKES.variants("rnn_forward", x, h0, params), name="h",
            item=one_step,
            time_axis=0,
            what=say(es="h también es correcto con una secuencia de un paso (T = 1, N = 1)",
                     en="h is also right for a one-step sequence (T = 1, N = 1)"),
        )
    report.summary()


def _check_forward_call(report: Report, forward: Callable, args: dict[str, Any],
                        expected: np.ndarray, variants: list, *, name: str, item: str, what: str,
                        pair: tuple[str, str] | None = None, time_axis: int | None = None
                        ) -> bool:
    """Call a forward function once and check its output, the item ``item`` (and, when
    ``pair`` names the two results, the tuple it returns and that it leaves its arguments
    alone: the items "(a, b)" and untouched()). True if all good."""
    kept = snapshot(**args)
    pair_item = f"({pair[0]}, {pair[1]})" if pair is not None else item
    ok, result = report.call(pair_item, forward, *args.values())
    if not ok:
        return False
    if not report.expect(
        pair_item,
        say(es="devuelve una tupla {pair}", en="returns a tuple {pair}", pair=pair_item),
        lambda: expect_pair(report.function_name, result),
        quiet=pair is None,  # the first call already said so
    ):
        return False
    good = report.compare(what, name, result[0], expected, item=item, variants=variants,
                          time_axis=time_axis)
    if pair is not None:
        good = report.unchanged(kept, args) and good
    return good


def check_rnn_cell_backward(rnn_cell_forward: Callable, rnn_cell_backward: Callable) -> None:
    """Check ``rnn_cell_backward(dh_next, cache) -> grads`` (the cache comes from the student's
    ``rnn_cell_forward``) and print a report."""
    report = Report("rnn_cell_backward",
                    ["rnn_cell_forward", "grads", *CELL_GRAD_KEYS, untouched()])
    x_t, h_prev, params = _cell_inputs(seed=30)
    dh_next = np.random.default_rng(31).normal(size=(H, N))
    expected = ORACLE.cell_backward(dh_next, x_t, h_prev, params)
    _check_backward(
        report, rnn_cell_forward, rnn_cell_backward,
        inputs={"x_t": x_t, "h_prev": h_prev, "params": params}, upstream=("dh_next", dh_next),
        output=("h_next", ORACLE.cell_forward(x_t, h_prev, params),
                KNOWN_MISTAKES.variants("rnn_cell_forward", x_t, h_prev, params)),
        expected=expected,
        variants=KNOWN_MISTAKES.keyed_variants("rnn_cell_backward", dh_next, x_t, h_prev, params,
                                 right=expected))
    report.summary()


def check_rnn_backward(rnn_forward: Callable, rnn_backward: Callable) -> None:
    """Check ``rnn_backward(dh, caches) -> grads`` (the caches come from the student's
    ``rnn_forward``) and print a report."""
    report = Report("rnn_backward", ["rnn_forward", "grads", *SEQ_GRAD_KEYS, untouched()])
    x, h0, params = _sequence_inputs(seed=40)
    dh = np.random.default_rng(41).normal(size=(T, H, N))
    expected = ORACLE.rnn_grads(dh, x, h0, params)
    _check_backward(
        report, rnn_forward, rnn_backward,
        inputs={"x": x, "h0": h0, "params": params}, upstream=("dh", dh),
        output=("h", ORACLE.forward(x, h0, params),
                KNOWN_MISTAKES.variants("rnn_forward", x, h0, params)),
        expected=expected,
        variants=KNOWN_MISTAKES.keyed_variants("rnn_backward", dh, x, h0, params, right=expected),
        time_axis=0)
    report.summary()


def _check_backward(report: Report, forward: Callable, backward: Callable, *,
                    inputs: dict[str, Any], upstream: tuple[str, np.ndarray],
                    output: tuple[str, np.ndarray, list], expected: Mapping[str, np.ndarray],
                    variants: Mapping[str, list], time_axis: int | None = None) -> None:
    """Run the student's forward on copies of ``inputs`` to get its cache(s), then the backward
    on the upstream gradient, and report each gradient.

    Inputs:
    - forward, backward: the student's pair, e.g. rnn_forward and rnn_backward.
    - inputs: the forward's arguments by name, in order (kept pristine for finite differences).
    - upstream: (name, array) of the gradient passed to the backward, e.g. ("dh", dh).
    - output: (name, reference, variants) of the forward's first result, e.g. ("h", h, [...]).
    - expected, variants: per gradient key, torch's gradient and the known wrong ones; the keys
      are the dict the backward must return.
    - time_axis: the time axis of the forward's output and of dx (sequences), else None.

    The report's items: the forward (as the notebook names it), "grads", each key, untouched().
    """
    forward_name = report.function_name.replace("_backward", "_forward")  # as in the notebook
    # The forward gets copies, so the originals stay pristine for torch and finite differences.
    args = {name: fresh(value) for name, value in inputs.items()}
    out_name, out_expected, out_variants = output
    forward_ok, cache = _run_forward(report, forward, args, out_expected, out_variants,
                                     name=out_name, item=forward_name, time_axis=time_axis)
    if cache is None:
        return
    df_name, df = upstream
    seen = snapshot(**args, **{df_name: df})
    ok, grads = report.call("grads", backward, df, cache)
    if not ok or not report.expect_dict("grads", grads, tuple(expected)):
        return
    # Only when the forward is wrong is it worth asking whether the backward follows it.
    own = None if forward_ok else OwnGradients(lambda a: forward(*a.values())[0], inputs, df)
    report.verdicts([
        _gradient_verdict(key, grads[key], expected[key], variants[key], own,
                          forward_name=forward_name,
                          time_axis=time_axis if key == "dx" else None)
        for key in expected])
    report.unchanged(seen, {**args, df_name: df})


def _run_forward(report: Report, forward: Callable, args: Mapping[str, Any], expected: np.ndarray,
                 variants: list, *, name: str, item: str, time_axis: int | None = None
                 ) -> tuple[bool, Any]:
    """Run the student's forward on ``args`` (copies the caller keeps nothing else of) to get
    the cache(s), and report, as ``item``, whether its output is right and its arguments
    untouched. Returns (forward_ok, cache), with cache None when it could not be obtained."""
    fn_name = getattr(forward, "__name__", "forward")
    kept = snapshot(**args)
    ok, result = report.call(item, forward, *args.values())
    if not ok:
        return False, None
    if not isinstance(result, tuple | list) or len(result) != 2:
        report.fail(say(
            es="`{fn}` debería devolver una tupla de 2 elementos; arréglalo primero con su "
               "comprobación.",
            en="`{fn}` should return a tuple of 2 items; fix it first with its check.",
            fn=fn_name), item)
        return False, None
    problem = explain_mismatch(name, result[0], expected, variants=variants,
                               time_axis=time_axis)
    if problem:
        report.fail(say(
            es="Tu {fn} no es correcto y el backward usa su caché: {problem}",
            en="Your {fn} is not right and the backward uses its cache: {problem}",
            fn=fn_name, problem=problem), item)
        return False, result[1]
    changed = [arg for arg in args if not _same(kept[arg], args[arg])]
    if changed:
        report.fail(say(
            es="Tu {fn} modifica su argumento `{arg}`, y el backward lo lee a través de la "
               "caché: corrige primero {fn} (su comprobación te dice más).",
            en="Your {fn} modifies its argument `{arg}`, and the backward reads it through the "
               "cache: fix {fn} first (its check tells you more).",
            fn=fn_name, arg=changed[0]), item)
        return False, result[1]
    report.ok(say(es="tu {fn} da el {name} correcto (el backward usa su caché)",
                  en="your {fn} gives the right {name} (the backward uses its cache)",
                  fn=fn_name, name=name), item)
    return True, result[1]


def _same(before: Any, after: Any) -> bool:
    """Exactly equal: an array, or a dict of arrays with the same keys."""
    if isinstance(before, Mapping):
        return isinstance(after, Mapping) and before.keys() == after.keys() and all(
            close(after[k], before[k], rtol=0.0, atol=0.0) for k in before)
    return close(after, before, rtol=0.0, atol=0.0)


def _gradient_verdict(key: str, got: Any, expected: np.ndarray, variants: list,
                      own: OwnGradients | None, *, forward_name: str,
                      time_axis: int | None = None) -> Verdict:
    """The verdict on ``grads[key]``: against torch and, when the student's forward is wrong
    (``own`` is then its numerical gradients, else None), against the numerical gradient of
    that forward, to say which of the two to fix."""
    problem = explain_mismatch(key, got, expected, variants=variants, time_axis=time_axis)
    if problem is None:
        return Verdict(key, True, values_ok(key, np.shape(expected)))
    mistake = known_mistake(key, problem, variants)
    if own is None:  # the forward is right, so the mistake is the backward's
        return Verdict(key, False, problem, mistake)
    numeric = own(key)
    if numeric is not None and close(got, numeric, rtol=NUMERIC_RTOL, atol=NUMERIC_ATOL):
        consistent = say(
            es="coherente con tu {forward} (coincide con su gradiente numérico), así que tu "
               "backward parece bien; el error está en {forward}: corrígelo primero y esto se "
               "arreglará solo.",
            en="consistent with your {forward} (it matches its numerical gradient), so your "
               "backward looks right; the mistake is in {forward}: fix it first and this will "
               "follow.",
            forward=forward_name)
        return Verdict(key, False, f"`{key}`: {consistent}", consistent)
    also = say(
        es=" Tampoco coincide con el gradiente numérico de tu propio {forward}, así que puede "
           "que el backward también tenga un error: corrige primero {forward} y vuelve a "
           "comprobar.",
        en=" It does not match the numerical gradient of your own {forward} either, so the "
           "backward may have a mistake too: fix {forward} first and check again.",
        forward=forward_name)
    return Verdict(key, False, problem + also, mistake and mistake + also)


def check_clip_gradients(clip_gradients: Callable) -> None:
    """Check ``clip_gradients(grads, max_norm) -> clipped grads`` and print a report."""
    items = _ClipItems()
    report = Report("clip_gradients", [items.new_dict, items.norm, items.direction,
                                       items.values_above, untouched(), items.values_below])
    max_norm = 5.0
    rng = np.random.default_rng(50)
    big = {"dW_xh": rng.normal(scale=3.0, size=(H, D)),
           "dW_hh": rng.normal(scale=3.0, size=(H, H)),
           "db_h": rng.normal(scale=3.0, size=(H, 1))}
    small = {name: 0.05 * g for name, g in big.items()}
    if _check_clip_case(report, items, clip_gradients, big, max_norm):
        _check_clip_case(report, items, clip_gradients, small, max_norm)
    report.summary()


class _ClipItems:
    """The items of the clip_gradients check, named in the student's language."""

    def __init__(self) -> None:
        self.new_dict = say(es="diccionario nuevo", en="new dict")
        self.norm = say(es="norma ≤ max_norm", en="norm ≤ max_norm")
        self.direction = say(es="dirección", en="direction")
        self.values_above = say(es="valores (norma > max_norm)", en="values (norm > max_norm)")
        self.values_below = say(es="valores (norma ≤ max_norm)", en="values (norm ≤ max_norm)")


def _check_clip_case(report: Report, items: _ClipItems, clip_gradients: Callable,
                     grads: dict[str, np.ndarray], max_norm: float) -> bool:
    """Check one call; False when the result is too broken to go on."""
    total = _global_norm(grads)
    clipping = total > max_norm
    expected = ORACLE.clip(grads, max_norm)
    kept = snapshot(grads=grads)
    passed = dict(grads)  # the student may rebind keys of this dict; we compare with kept
    first_item = items.new_dict if clipping else items.values_below

    ok, out = report.call(first_item, clip_gradients, passed, max_norm)
    if not ok:
        return False
    if not report.expect(
        first_item,
        say(es="devuelve un diccionario nuevo con las mismas claves",
            en="returns a new dict with the same keys"),
        (lambda: _expect_new_dict(out, passed, kept["grads"].keys())) if clipping else
        (lambda: expect_keys("clip_gradients(...)", out, kept["grads"].keys())),
        quiet=not clipping,  # the first call already said so
    ):
        return False
    if clipping:
        report.expect(
            items.norm,
            say(es="la norma global pasa de {total:.3g} a como mucho max_norm = {max_norm:g}",
                en="the global norm goes from {total:.3g} to at most max_norm = {max_norm:g}",
                total=total, max_norm=max_norm),
            lambda: _expect_norm_at_most(out, kept["grads"], max_norm),
        )
        report.expect(
            items.direction,
            say(es="conserva la dirección: todos los arreglos se multiplican por el mismo "
                   "factor positivo",
                en="keeps the direction: every array is multiplied by the same positive factor"),
            lambda: _expect_same_direction(out, kept["grads"]),
        )
        what = say(es="valores iguales a los de torch.nn.utils.clip_grad_norm_",
                   en="values equal to those of torch.nn.utils.clip_grad_norm_")
    else:
        what = say(es="sin cambios cuando la norma global ({total:.3g}) ya es menor que max_norm",
                   en="unchanged when the global norm ({total:.3g}) is already below max_norm",
                   total=total)
    variants = KNOWN_MISTAKES.keyed_variants("clip_gradients", grads, max_norm, right=expected,
                                             got=out)
    report.expect(items.values_above if clipping else items.values_below, what,
                  lambda: _expect_all(out, expected, variants))
    report.unchanged(kept, {"grads": passed})
    return True


# ----------------------------------------------------------------------------------------------
# Concept questions: the form of the answers only (rnnkit.checks.questions)
# ----------------------------------------------------------------------------------------------

def check_rnn_types(rnn_types: Callable) -> None:
    """Check that ``rnn_types() -> dict`` gives every application one of the RNN types (not
    whether they are right) and print a report."""
    check_question(RNN_TYPES, rnn_types)


def check_clipping_facts(clipping_facts: Callable) -> None:
    """Check that ``clipping_facts() -> dict`` answers every statement with True or False (not
    whether they are right) and print a report."""
    check_question(CLIPPING_FACTS, clipping_facts)


# ----------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------

def _params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """W_xh (H, D), W_hh (H, H) and b_h (H, 1), drawn from ``rng``."""
    return {"W_xh": rng.normal(scale=0.5, size=(H, D)),
            "W_hh": rng.normal(scale=0.5, size=(H, H)),
            "b_h": rng.normal(scale=0.5, size=(H, 1))}


def _cell_inputs(seed: int, n: int = N) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """x_t (D, n), a non-zero h_prev (H, n) and the parameters, from a fixed seed."""
    rng = np.random.default_rng(seed)
    x_t = rng.normal(size=(D, n))
    h_prev = np.tanh(rng.normal(size=(H, n)))  # a non-zero state, as after some steps
    return x_t, h_prev, _params(rng)


def _sequence_inputs(seed: int, steps: int = T, n: int = N
                     ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """x (steps, D, n), a non-zero h0 (H, n) and the parameters, from a fixed seed."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(steps, D, n))
    h0 = np.tanh(rng.normal(size=(H, n)))  # non-zero, so ignoring h0 shows
    return x, h0, _params(rng)


# ----------------------------------------------------------------------------------------------
# What clip_gradients must do
# ----------------------------------------------------------------------------------------------

def _expect_new_dict(out: Any, passed: Mapping, keys: Any) -> None:
    """Raise CheckFailed unless ``out`` is a new dict (not ``passed``) with all ``keys``."""
    expect_keys("clip_gradients(...)", out, keys)
    if out is passed:
        raise CheckFailed(say(
            es="`clip_gradients` devolvió el mismo diccionario que recibió: crea uno nuevo.",
            en="`clip_gradients` returned the very dict it received: build a new one."))


def _global_norm(grads: Mapping[str, Any]) -> float:
    """The norm of all arrays of ``grads`` taken together as one vector."""
    return float(np.sqrt(sum(np.sum(np.square(np.asarray(g, dtype=float)))
                             for g in grads.values())))


def _expect_norm_at_most(out: Mapping, grads: Mapping, max_norm: float) -> None:
    """Raise CheckFailed unless the clipped arrays have the right shapes and a global
    norm of at most ``max_norm``."""
    for name, g in grads.items():
        problem = _shape_problem(name, out[name], g)
        if problem:
            raise CheckFailed(problem)
    norm = _global_norm({name: out[name] for name in grads})
    if not norm <= max_norm * (1 + 1e-6):
        raise CheckFailed(say(
            es="Tras recortar, la norma global es {norm:.6g}, mayor que max_norm = {max_norm:g}. "
               "La norma global es la raíz de la suma de los cuadrados de todos los arreglos.",
            en="After clipping the global norm is {norm:.6g}, above max_norm = {max_norm:g}. "
               "The global norm is the square root of the sum of squares over all arrays.",
            norm=norm, max_norm=max_norm))


def _expect_same_direction(out: Mapping, grads: Mapping) -> None:
    """Raise CheckFailed unless ``out`` is ``grads`` times one positive factor."""
    for name, g in grads.items():
        problem = _shape_problem(name, out[name], g)
        if problem:
            raise CheckFailed(problem)
    before = np.concatenate([np.ravel(g) for g in grads.values()])
    after = np.concatenate([np.ravel(np.asarray(out[name], dtype=float)) for name in grads])
    factor = float(after @ before / (before @ before))
    if factor <= 0 or not close(after, factor * before):
        raise CheckFailed(say(
            es="Los gradientes recortados no apuntan en la misma dirección que los originales: "
               "multiplica todos los arreglos por un mismo factor positivo, no recortes cada "
               "valor ni cada arreglo por separado.",
            en="The clipped gradients do not point in the same direction as the originals: "
               "multiply every array by one common positive factor; do not clip each value or "
               "each array on its own."))


def _expect_all(out: Mapping, expected: Mapping, variants: Mapping[str, Any]) -> None:
    """Raise CheckFailed with the first array of ``out`` that differs from ``expected``."""
    for name, value in expected.items():
        problem = explain_mismatch(name, out[name], value, variants=variants.get(name, ()))
        if problem:
            raise CheckFailed(problem)


def _shape_problem(name: str, got: Any, like: np.ndarray) -> str | None:
    """The mismatch message when ``got`` is not shaped like ``like``, else None."""
    if np.shape(got) != like.shape:
        return explain_mismatch(name, got, like)
    return None


# ----------------------------------------------------------------------------------------------
# The oracle: torch (rnnkit.assignments.rnn.torch_oracle), its answers on these inputs stored
# ----------------------------------------------------------------------------------------------

ORACLE = StoredOracle("rnnkit.assignments.rnn")


KNOWN_MISTAKES = LazyMistakes(MISTAKES, ORACLE)
