"""Public checks of the GRU notebook: quick, friendly feedback while the student works.

Each ``check_*`` function calls the student's code on small fixed inputs and prints one line per
checked quantity: ``✓`` and what was checked, or ``✗`` and why it is wrong, in the student's
language, then a one-line summary. It never raises: an exception in the student's code becomes a
``✗`` line (see :mod:`rnnkit.checks.feedback`, which all the notebooks' checks share). The
explanations come from :mod:`rnnkit.compare`, the layer the hidden suites use.

The reference is PyTorch in float64, an independent oracle (the course's solution is not
shipped to students): the GRU equations of the notebook written in torch for values, torch
autograd for gradients. torch.nn.GRU itself is another GRU (its reset gate scales the recurrent
product, its update gate weighs the old state), so it is not used here. The known mistakes (a
gate computed with tanh, the reset gate applied after the product, a gradient missing the
direct road back to h_{t-1}, ...) are those of the assignment's registry,
rnnkit.assignments.gru.mistakes, which the hidden suite names too: their wrong values come from
the torch oracle (rnnkit.assignments.gru.torch_oracle), so that a match names the mistake. They
are computed only for a wrong value, and torch's answers on the checks' fixed inputs are stored
(rnnkit.checks.stored): a right notebook's checks do not import torch.

Backward checks also differentiate the student's *own* forward numerically: a gradient that is
wrong against torch but right for the student's forward means the forward is what must be fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnkit.assignments.gru import GATE_SATURATION, LSTM_COUNTERPARTS
from rnnkit.assignments.gru.mistakes import MISTAKES
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
from rnnkit.compare import as_numeric_array, close, expect_pair, explain_mismatch
from rnnkit.i18n import say
from rnnkit.mistakes import LazyMistakes

__all__ = [
    "check_update_gate",
    "check_reset_gate",
    "check_candidate",
    "check_interpolate",
    "check_gru_cell_forward",
    "check_gru_forward",
    "check_gate_saturation",
    "check_lstm_counterparts",
    "check_gru_cell_backward",
    "check_gru_backward",
]

PARAM_KEYS = tuple(f"{kind}_{g}" for g in "zrh" for kind in ("W", "b"))
CELL_GRAD_KEYS = ("dx_t", "dh_prev", *(f"d{k}" for k in PARAM_KEYS))
SEQ_GRAD_KEYS = ("dx", "dh0", *(f"d{k}" for k in PARAM_KEYS))

# Sizes of the check inputs, all different, so a transposed array or a swapped [x; h] shows.
T, D, H, N = 5, 3, 4, 2

# A gradient "agrees with your forward" when it matches the finite differences this closely.
NUMERIC_RTOL, NUMERIC_ATOL = 1e-4, 1e-6

GATE_LETTERS = {"update_gate": "z", "reset_gate": "r"}
# The functions of one step: the name of the value each returns. gru_cell_forward returns it
# in a pair (h_next, cache).
STEP_VALUES = {"update_gate": "z_t", "reset_gate": "r_t", "candidate": "h_tilde",
               "interpolate": "h_t", "gru_cell_forward": "h_next"}


# ----------------------------------------------------------------------------------------------
# Public checks
# ----------------------------------------------------------------------------------------------

def check_update_gate(update_gate: Callable) -> None:
    """Check ``update_gate(x_t, h_prev, params)``, z_t, and print a report."""
    _check_step("update_gate", update_gate)


def check_reset_gate(reset_gate: Callable) -> None:
    """Check ``reset_gate(x_t, h_prev, params)``, r_t, and print a report."""
    _check_step("reset_gate", reset_gate)


def check_candidate(candidate: Callable) -> None:
    """Check ``candidate(x_t, h_prev, r_t, params)``, h̃_t, and print a report."""
    _check_step("candidate", candidate)


def check_interpolate(interpolate: Callable) -> None:
    """Check ``interpolate(h_prev, h_tilde, z_t)``, h_t, and print a report."""
    _check_step("interpolate", interpolate)


def check_gru_cell_forward(gru_cell_forward: Callable) -> None:
    """Check ``gru_cell_forward(x_t, h_prev, params) -> (h_next, cache)`` and print a report."""
    _check_step("gru_cell_forward", gru_cell_forward)


def check_gru_forward(gru_forward: Callable) -> None:
    """Check ``gru_forward(x, h0, params) -> (h, caches)``, from a non-zero h0, and print a
    report."""
    one_step = "h (T = 1, N = 1)"
    report = Report("gru_forward", ["(h, caches)", "h", untouched(), one_step])
    for steps, n in ((T, N), (1, 1)):
        inputs = _sequence_inputs(steps=steps, n=n, seed=20 + steps)
        expected = ORACLE.forward(**inputs)
        what = say(es="h: forma {shape} (h_1 … h_T) y valores correctos en cada paso, partiendo "
                      "de un h0 distinto de cero (T = {t}, N = {n})",
                   en="h: shape {shape} (h_1 … h_T) and correct values at every step, starting "
                      "from a non-zero h0 (T = {t}, N = {n})", shape=expected.shape, t=steps, n=n)
        if not _check_call(report, gru_forward, inputs, expected, name="h",
                           item="h" if steps == T else one_step, pair="(h, caches)",
                           first=steps == T, what=what, time_axis=0):
            break
    report.summary()


def check_gru_cell_backward(gru_cell_forward: Callable, gru_cell_backward: Callable) -> None:
    """Check ``gru_cell_backward(dh_next, cache) -> grads`` (the cache comes from the student's
    ``gru_cell_forward``) against torch autograd, and print a report."""
    report = Report("gru_cell_backward",
                    ["gru_cell_forward", "grads", *CELL_GRAD_KEYS, untouched()])
    p = _problem(steps=1, n=N, seed=30)
    inputs = {"x_t": p["x"][0], "h_prev": p["h0"], "params": p["params"]}
    dh_next = p["dh"][0]
    _check_backward(report, gru_cell_forward, gru_cell_backward, inputs, ("dh_next", dh_next),
                    output=("h_next", ORACLE.cell_forward(**inputs)),
                    expected=ORACLE.cell_backward(dh_next, **inputs))
    report.summary()


def check_gru_backward(gru_forward: Callable, gru_backward: Callable) -> None:
    """Check ``gru_backward(dh, caches) -> grads`` (the caches come from the student's
    ``gru_forward``, run from a non-zero h0) against torch autograd, and print a report."""
    report = Report("gru_backward", ["gru_forward", "grads", *SEQ_GRAD_KEYS, untouched()])
    inputs = _sequence_inputs(steps=T, n=N, seed=40)
    dh = _problem(steps=T, n=N, seed=40)["dh"]
    _check_backward(report, gru_forward, gru_backward, inputs, ("dh", dh),
                    output=("h", ORACLE.forward(**inputs)),
                    expected=ORACLE.bptt(dh, **inputs), time_axis=0)
    report.summary()


# ----------------------------------------------------------------------------------------------
# One call, and a backward on the student's own forward
# ----------------------------------------------------------------------------------------------

def _check_step(function: str, fn: Callable) -> None:
    """Check one step function, at N examples and then at 1."""
    name = STEP_VALUES[function]
    pair = "(h_next, cache)" if function == "gru_cell_forward" else None
    one_example = f"{name} (N = 1)"
    report = Report(function, [*([pair] if pair else []), name, untouched(), one_example])
    for n in (N, 1):
        inputs = _step_inputs(function, n=n, seed=10 + n)
        expected = _right_step(function, inputs)
        if not _check_call(report, fn, inputs, expected, name=name,
                           item=name if n == N else one_example, pair=pair, first=n == N,
                           what=values_ok(name, expected.shape, n=n)):
            break
    report.summary()


def _check_call(report: Report, fn: Callable, inputs: dict[str, Any], expected: np.ndarray, *,
                name: str, item: str, what: str, first: bool, pair: str | None = None,
                time_axis: int | None = None) -> bool:
    """Call the student's ``fn`` on copies of ``inputs`` and report, as ``item``, whether its
    value ``name`` is right (the first of the pair it returns, when ``pair`` names it, e.g.
    "(h, caches)"); on the ``first`` call also whether the arguments are left untouched.
    True when all is good, so that the next case is worth running."""
    args = snapshot(**inputs)
    pair_item = pair if pair and first else item
    ok, result = report.call(pair_item, fn, *args.values())
    if not ok:
        return False
    if pair is not None:
        if not report.expect(
                pair_item, say(es="devuelve una tupla {pair}", en="returns a tuple {pair}",
                               pair=pair),
                lambda: expect_pair(report.function_name, result), quiet=not first):
            return False
        result = result[0]
    good = report.compare(what, name, result, expected, item=item, time_axis=time_axis,
                          variants=KNOWN_MISTAKES.variants(report.function_name, *inputs.values()))
    if first:
        good = report.unchanged(inputs, args) and good
    return good


def _check_backward(report: Report, forward: Callable, backward: Callable,
                    inputs: dict[str, Any], upstream: tuple[str, np.ndarray], *,
                    output: tuple[str, np.ndarray], expected: Mapping[str, np.ndarray],
                    time_axis: int | None = None) -> None:
    """Run the student's forward on copies of ``inputs`` to get its cache(s), then the
    backward on the upstream gradient, and report each gradient.

    Inputs:
    - forward, backward: the student's pair, e.g. gru_forward and gru_backward.
    - inputs: the forward's arguments by name, in order (kept pristine for torch and the
      finite differences).
    - upstream: (name, array) of the gradient passed to the backward, e.g. ("dh", dh).
    - output: (name, right value) of the forward's first result, e.g. ("h", h).
    - expected: per gradient key, torch's gradient; the keys are the dict the backward must
      return.
    - time_axis: the time axis of the forward's output and of dx (sequences), else None.

    The report's items: the forward (as the notebook names it), "grads", each key, untouched().
    """
    forward_item = report.function_name.replace("_backward", "_forward")
    out_name, out_expected = output
    args = snapshot(**inputs)
    ok, result = report.call(forward_item, forward, *args.values())
    if not ok:
        return
    if not isinstance(result, tuple | list) or len(result) != 2:
        report.fail(say(
            es="`{fn}` debería devolver una tupla de 2 elementos; arréglalo primero con su "
               "comprobación.",
            en="`{fn}` should return a tuple of 2 items; fix it first with its check.",
            fn=forward_item), forward_item)
        return
    forward_ok = _forward_used(report, forward_item, inputs, args, (out_name, result[0],
                                                                    out_expected), time_axis)
    df_name, df = upstream
    seen = snapshot(**args, **{df_name: df})
    given = fresh(df)
    ok, grads = report.call("grads", backward, given, result[1])
    if not ok or not report.expect_dict("grads", grads, tuple(expected)):
        return
    variants = KNOWN_MISTAKES.keyed_variants(
        report.function_name, df, *inputs.values(), right=expected,
        got={key: as_numeric_array(grads[key]) for key in expected})
    # Only when the forward is wrong is it worth asking whether the backward follows it.
    own = None if forward_ok else OwnGradients(lambda a: forward(*a.values())[0], inputs, df)
    report.verdicts([
        _gradient_verdict(key, grads[key], expected[key], variants[key], own,
                          forward_name=forward_item,
                          time_axis=time_axis if key == "dx" else None)
        for key in expected])
    report.unchanged(seen, {**args, df_name: given})


def _forward_used(report: Report, item: str, inputs: Mapping[str, Any], args: Mapping[str, Any],
                  output: tuple[str, Any, np.ndarray], time_axis: int | None) -> bool:
    """One line, for ``item``, on the student's forward whose cache the backward receives:
    is its output (name, the student's value, the right value) right, and did it leave its
    arguments ``args`` (copies of ``inputs``) untouched? True when both."""
    name, got, expected = output
    variants = KNOWN_MISTAKES.variants(item, *inputs.values())
    problem = explain_mismatch(name, got, expected, variants=variants, time_axis=time_axis)
    if problem:
        report.fail(say(
            es="Tu {fn} no es correcta y el backward usa su caché: {problem}",
            en="Your {fn} is not right and the backward uses its cache: {problem}",
            fn=item, problem=problem), item)
        return False
    changed = [arg for arg in inputs if not _same(inputs[arg], args[arg])]
    if changed:
        report.fail(say(
            es="Tu {fn} modifica su argumento `{arg}`, y el backward lo lee a través de la "
               "caché: corrige primero {fn} (su comprobación te dice más).",
            en="Your {fn} modifies its argument `{arg}`, and the backward reads it through the "
               "cache: fix {fn} first (its check tells you more).", fn=item, arg=changed[0]),
            item)
        return False
    report.ok(say(es="tu {fn} da el {name} correcto (el backward usa su caché)",
                  en="your {fn} gives the right {name} (the backward uses its cache)",
                  fn=item, name=name), item)
    return True


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
        blame = say(
            es="coherente con tu {forward} (coincide con su gradiente numérico), así que tu "
               "backward parece bien; el error está en {forward}: corrígela primero y esto se "
               "arreglará solo.",
            en="consistent with your {forward} (it matches its numerical gradient), so your "
               "backward looks right; the mistake is in {forward}: fix it first and this will "
               "follow.", forward=forward_name)
        return Verdict(key, False, f"`{key}`: {blame}", blame)
    also = say(
        es=" Tampoco coincide con el gradiente numérico de tu propia {forward}, así que puede "
           "que el backward también tenga un error: corrige primero {forward} y vuelve a "
           "comprobar.",
        en=" It does not match the numerical gradient of your own {forward} either, so the "
           "backward may have a mistake too: fix {forward} first and check again.",
        forward=forward_name)
    return Verdict(key, False, problem + also, mistake and mistake + also)


# ----------------------------------------------------------------------------------------------
# Concept questions: the form of the answers only (rnnkit.checks.questions)
# ----------------------------------------------------------------------------------------------

def check_gate_saturation(gate_saturation: Callable) -> None:
    """Check that ``gate_saturation() -> dict`` gives every gate at 0 and at 1 one of the
    effects (not whether they are right) and print a report."""
    check_question(GATE_SATURATION, gate_saturation)


def check_lstm_counterparts(lstm_counterparts: Callable) -> None:
    """Check that ``lstm_counterparts() -> dict`` gives every LSTM gate one of the GRU's
    counterparts (not whether they are right) and print a report."""
    check_question(LSTM_COUNTERPARTS, lstm_counterparts)


# ----------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------

def _problem(steps: int, n: int, seed: int) -> dict[str, Any]:
    """Fixed inputs: a sequence, a non-zero h0, the parameters and an upstream gradient."""
    rng = np.random.default_rng(seed)
    params = {}
    for g in "zrh":
        params[f"W_{g}"] = rng.normal(scale=0.5, size=(H, H + D))
        params[f"b_{g}"] = rng.normal(scale=0.5, size=(H, 1))
    return {"x": rng.normal(size=(steps, D, n)),
            "h0": np.tanh(rng.normal(size=(H, n))),  # a non-zero state, as after some steps
            "params": params, "dh": rng.normal(size=(steps, H, n))}


def _sequence_inputs(steps: int, n: int, seed: int) -> dict[str, Any]:
    """x (steps, D, n), a non-zero h0 (H, n) and the parameters, by argument name."""
    p = _problem(steps, n, seed)
    return {"x": p["x"], "h0": p["h0"], "params": p["params"]}


def _step_inputs(function: str, n: int, seed: int) -> dict[str, Any]:
    """The arguments of a step function by name, on one step of fixed inputs: the candidate
    receives the right r_t, the interpolation the right h̃_t and z_t."""
    p = _problem(1, n, seed)
    x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
    gates = ORACLE.gates(x_t, h_prev, params)
    if function == "candidate":
        return {"x_t": x_t, "h_prev": h_prev, "r_t": gates["r"], "params": params}
    if function == "interpolate":
        return {"h_prev": h_prev, "h_tilde": gates["h"], "z_t": gates["z"]}
    return {"x_t": x_t, "h_prev": h_prev, "params": params}


def _right_step(function: str, inputs: dict[str, Any]) -> np.ndarray:
    """The right value of a step function on ``inputs`` (its arguments by name)."""
    if function in GATE_LETTERS:
        return ORACLE.gates(**inputs)[GATE_LETTERS[function]]
    if function == "gru_cell_forward":
        return ORACLE.cell_forward(**inputs)
    return getattr(ORACLE, function)(**inputs)


# ----------------------------------------------------------------------------------------------
# The oracle: torch (rnnkit.assignments.gru.torch_oracle), its answers on these inputs stored
# ----------------------------------------------------------------------------------------------

ORACLE = StoredOracle("rnnkit.assignments.gru")


KNOWN_MISTAKES = LazyMistakes(MISTAKES, ORACLE)
