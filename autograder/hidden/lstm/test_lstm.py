"""Hidden suite of assignment "lstm": each test grades one function, or one quantity it returns.

Inputs are seeded and never shown to students; shapes cover D ≠ H, T = 1, N = 1 and non-zero
initial states h0 and c0 (and c0 left out, which must mean zeros). Values are compared with the
reference solution through rnnkit.compare (rtol 1e-6, atol 1e-8, see there), with the known
mistakes of hidden.lstm.variants named in the feedback.

Backward passes earn credit when they match the reference gradient, or, when the student's own
forward is wrong:
- the reference backward equations evaluated at the states the student's forward produced (the
  student's gate values and cell states, fed to the cell the way a student's loop may have fed
  it), so a correct backward is not penalised again for a mistake of the forward;
- or the numerical gradient of the student's own forward (rnnkit.grading.judge).

The student's functions always receive copies of the test's inputs, except in the tests that
check that the inputs are left untouched: a function that modifies its arguments loses those
points only, and cannot corrupt the reference values or the feedback of the other tests.

Points: each gate 3, lstm_cell_forward 5, lstm_forward 9, lstm_cell_backward 12, lstm_backward
12; 50 in all.
"""

from __future__ import annotations

import copy
import functools
import weakref
from collections.abc import Callable

import numpy as np
import pytest

from hidden.lstm import variants
from rnnkit.compare import CheckFailed, close, expect_close, expect_keys, expect_pair
from rnnkit.gradcheck import numerical_gradient
from rnnkit.grading.judge import expect_gradient, expect_untouched
from rnnkit.i18n import current_language, say
from solutions import lstm as reference

# (T, N, D, H): time steps, batch, input size, hidden size.
SHAPES = {"T3-N2-D4-H5": (3, 2, 4, 5), "T1-N3-D2-H3": (1, 3, 2, 3), "T4-N1-D3-H2": (4, 1, 3, 2)}
STEP_SHAPES = ("T3-N2-D4-H5", "T4-N1-D3-H2")  # one step: N = 2 and N = 1, D < H and D > H
# The gradient tests take the smallest problem first: a wrong gradient usually fails there, and
# the numerical gradient of the student's own forward, when it is needed, is cheapest there.
CELL_GRAD_SHAPES = ("T4-N1-D3-H2", "T3-N2-D4-H5")
GRAD_SHAPES = ("T1-N3-D2-H3", "T4-N1-D3-H2", "T3-N2-D4-H5")
GATES = {"forget_gate": "f", "input_gate": "i", "candidate": "c", "output_gate": "o"}
VALUE_NAMES = {"f": "f_t", "i": "i_t", "c": "c_tilde", "o": "o_t"}
PARAM_KEYS = tuple(f"{kind}_{g}" for g in "fico" for kind in ("W", "b"))
CELL_GRAD_KEYS = ("dx_t", "dh_prev", "dc_prev", *(f"d{k}" for k in PARAM_KEYS))
GRAD_KEYS = ("dx", "dh0", "dc0", *(f"d{k}" for k in PARAM_KEYS))


def make_inputs(shape_id: str, seed: int = 0) -> dict:
    """x (T, D, N), h0 and c0 (H, N), the eight parameters, and upstream gradients dh
    (T, H, N) and dc (H, N)."""
    T, N, D, H = SHAPES[shape_id]
    rng = np.random.default_rng([seed, T, N, D, H, 2027])
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(0, 0.6, (H, H + D))
        params[f"b_{gate}"] = rng.normal(0, 0.3, (H, 1))
    return {"x": rng.normal(size=(T, D, N)), "h0": rng.normal(0, 0.5, (H, N)),
            "c0": rng.normal(0, 1.0, (H, N)), "params": params,
            "dh": rng.normal(size=(T, H, N)), "dc": rng.normal(size=(H, N))}


def fresh(*args) -> tuple:
    """Deep copies of the arguments, to call a student's function with."""
    return tuple(_copy(arg) for arg in args)


def _copy(value):
    if isinstance(value, np.ndarray):  # arrays and dicts of arrays: faster than deepcopy
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return copy.deepcopy(value)


def student_cell_forward(student, x_t, h_prev, c_prev, params) -> tuple:
    return expect_pair("lstm_cell_forward(...)",
                       student.lstm_cell_forward(*fresh(x_t, h_prev, c_prev, params)), size=3)


def student_forward(student, x, h0, params, c0) -> tuple:
    return expect_pair("lstm_forward(...)",
                       student.lstm_forward(*fresh(x, h0, params, c0)), size=3)


# ------------------------------------------------ forget_gate, input_gate, candidate, output_gate
# 3 points each: the values on two shapes, and the inputs left untouched.

@pytest.mark.parametrize(("function", "shape_id"), [
    pytest.param(function, shape_id, marks=pytest.mark.grades(function, points=1),
                 id=f"{function}-{shape_id}")
    for function in GATES for shape_id in STEP_SHAPES])
def test_gate_values(student, function, shape_id):
    i = make_inputs(shape_id)
    x_t, h_prev, p = i["x"][0], i["h0"], i["params"]
    gate = GATES[function]
    expected = getattr(reference, function)(x_t, h_prev, p)
    got = getattr(student, function)(*fresh(x_t, h_prev, p))
    expect_close(VALUE_NAMES[gate], got, expected,
                 variants=variants.gate_variants(gate, x_t, h_prev, p))


@pytest.mark.parametrize("function", [
    pytest.param(function, marks=pytest.mark.grades(function, points=1)) for function in GATES])
def test_gate_leaves_inputs_untouched(student, function):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    getattr(student, function)(i["x"][0], i["h0"], i["params"])
    expect_untouched(student, function)


# ---------------------------------------------------------------- lstm_cell_forward (5 points)

@pytest.mark.grades("lstm_cell_forward", points=1)
@pytest.mark.parametrize("shape_id", STEP_SHAPES)
def test_cell_forward_c_next(student, shape_id):
    i = make_inputs(shape_id)
    x_t, h_prev, c_prev, p = i["x"][0], i["h0"], i["c0"], i["params"]
    _, expected, _ = reference.lstm_cell_forward(x_t, h_prev, c_prev, p)
    _, c_next, _ = student_cell_forward(student, x_t, h_prev, c_prev, p)
    wrong = variants.cell_c_variants(x_t, h_prev, c_prev, p)
    if not close(c_next, expected):
        wrong += variants.own_gates_variants(student_gates(student, x_t, h_prev, p),
                                             x_t, h_prev, c_prev, p)[0]
    expect_close("c_next", c_next, expected, variants=wrong)


@pytest.mark.grades("lstm_cell_forward", points=1)
@pytest.mark.parametrize("shape_id", STEP_SHAPES)
def test_cell_forward_h_next(student, shape_id):
    i = make_inputs(shape_id)
    x_t, h_prev, c_prev, p = i["x"][0], i["h0"], i["c0"], i["params"]
    expected, _, _ = reference.lstm_cell_forward(x_t, h_prev, c_prev, p)
    h_next, c_next, _ = student_cell_forward(student, x_t, h_prev, c_prev, p)
    wrong = variants.cell_h_variants(x_t, h_prev, c_prev, p, c_next)
    if not close(h_next, expected):
        wrong += variants.own_gates_variants(student_gates(student, x_t, h_prev, p),
                                             x_t, h_prev, c_prev, p)[1]
    expect_close("h_next", h_next, expected, variants=wrong)


@pytest.mark.grades("lstm_cell_forward", points=1)
def test_cell_forward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    student.lstm_cell_forward(i["x"][0], i["h0"], i["c0"], i["params"])
    expect_untouched(student, "lstm_cell_forward")


# -------------------------------------------------------------------- lstm_forward (9 points)

@pytest.mark.grades("lstm_forward", points=1)
@pytest.mark.parametrize("quantity", ["h", "c"])
@pytest.mark.parametrize("shape_id", SHAPES)
def test_forward_states(student, shape_id, quantity):
    i = make_inputs(shape_id)
    x, h0, c0, p = i["x"], i["h0"], i["c0"], i["params"]
    index = "hc".index(quantity)
    expected = reference.lstm_forward(x, h0, p, c0)[index]
    got = student_forward(student, x, h0, p, c0)[index]
    expect_close(quantity, got, expected, time_axis=0, variants=[
        *forward_variants(shape_id, 0, False, current_language())[index],
        *own_cell_variants(student, got, expected, x, h0, p, c0, index)])


@pytest.mark.grades("lstm_forward", points=1)
@pytest.mark.parametrize("quantity", ["h", "c"])
def test_forward_c0_defaults_to_zeros(student, quantity):
    i = make_inputs("T3-N2-D4-H5", seed=6)
    x, h0, p = i["x"], i["h0"], i["params"]
    index = "hc".index(quantity)
    expected = reference.lstm_forward(x, h0, p)[index]
    try:
        got = expect_pair("lstm_forward(x, h0, params)",
                          student.lstm_forward(*fresh(x, h0, p)), size=3)[index]
    except CheckFailed as failure:
        raise type(failure)(say(
            es="Llamada sin c0, lstm_forward debe empezar con la memoria en ceros: c0=None por "
               "defecto, y `if c0 is None:` lo sustituye por ceros. {failure}",
            en="Called without c0, lstm_forward must start from a zero cell state: c0=None by "
               "default, and `if c0 is None:` replaces it with zeros. {failure}",
            failure=failure)) from None
    expect_close(quantity, got, expected, time_axis=0, variants=[
        *forward_variants("T3-N2-D4-H5", 6, True, current_language())[index],
        *own_cell_variants(student, got, expected, x, h0, p, np.zeros_like(h0), index)])


@pytest.mark.grades("lstm_forward", points=1)
def test_forward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    student.lstm_forward(i["x"], i["h0"], i["params"], i["c0"])
    expect_untouched(student, "lstm_forward")


# -------------------------------------------------------------- lstm_cell_backward (12 points)

@pytest.mark.grades("lstm_cell_backward", points=1)
@pytest.mark.parametrize("key", CELL_GRAD_KEYS)
def test_cell_backward_gradient(student, key):
    for shape_id in CELL_GRAD_SHAPES:
        i = make_inputs(shape_id, seed=2)
        x_t, h_prev, c_prev, p = i["x"][0], i["h0"], i["c0"], i["params"]
        dh, dc = i["dh"][0], i["dc"]
        h_next, c_next, cache = student_cell_forward(student, x_t, h_prev, c_prev, p)
        grads = student.lstm_cell_backward(*fresh(dh, dc), cache)
        expect_keys("lstm_cell_backward(...)", grads, CELL_GRAD_KEYS)
        case = cell_backward_case(shape_id, current_language())
        forward_is_right = close(h_next, case["h"]) and close(c_next, case["c"])
        target = {"dx_t": "x_t", "dh_prev": "h_prev", "dc_prev": "c_prev"}.get(key, key[1:])
        inputs = {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, **p}

        def forward(args: dict) -> np.ndarray:
            h, c, _ = student_cell_forward(student, args["x_t"], args["h_prev"], args["c_prev"],
                                           {k: args[k] for k in PARAM_KEYS})
            return np.concatenate((h, c))

        expect_gradient(f"grads['{key}']", grads[key], case["grads"][key],
                        own_numeric=own_numeric(forward, inputs, target,
                                                np.concatenate((dh, dc))),
                        forward_is_right=forward_is_right,
                        at_own_states=lambda shape_id=shape_id, c_next=c_next: [
                            cell_backward_at(student, shape_id, c_next).get(key)],
                        variants=case["variants"][key])


@pytest.mark.grades("lstm_cell_backward", points=1)
def test_cell_backward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=3)
    _, _, cache = expect_pair("lstm_cell_forward(...)", student.lstm_cell_forward(
        i["x"][0], i["h0"], i["c0"], i["params"]), size=3)
    student.lstm_cell_backward(i["dh"][0], i["dc"], cache)
    expect_untouched(student, "lstm_cell_backward")


# ------------------------------------------------------------------- lstm_backward (12 points)

@pytest.mark.grades("lstm_backward", points=1)
@pytest.mark.parametrize("key", GRAD_KEYS)
def test_backward_gradient(student, key):
    for shape_id in GRAD_SHAPES:
        i = make_inputs(shape_id, seed=4)
        x, h0, c0, p, dh = i["x"], i["h0"], i["c0"], i["params"], i["dh"]
        h, c, caches = student_forward(student, x, h0, p, c0)
        grads = student.lstm_backward(*fresh(dh), caches)
        expect_keys("lstm_backward(...)", grads, GRAD_KEYS)
        case = backward_case(shape_id, current_language())
        forward_is_right = close(h, case["h"]) and close(c, case["c"])
        target = {"dx": "x", "dh0": "h0", "dc0": "c0"}.get(key, key[1:])
        inputs = {"x": x, "h0": h0, "c0": c0, **p}

        def forward(args: dict) -> np.ndarray:
            return student_forward(student, args["x"], args["h0"],
                                   {k: args[k] for k in PARAM_KEYS}, args["c0"])[0]

        expect_gradient(f"grads['{key}']", grads[key], case["grads"][key],
                        own_numeric=own_numeric(forward, inputs, target, dh),
                        forward_is_right=forward_is_right,
                        at_own_states=lambda shape_id=shape_id, h=h, c=c: [
                            along[key] for along in backward_along(student, shape_id, h, c)],
                        time_axis=0 if key == "dx" else None,
                        variants=case["variants"][key])


@pytest.mark.grades("lstm_backward", points=1)
def test_backward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=5)
    _, _, caches = expect_pair("lstm_forward(...)", student.lstm_forward(
        i["x"], i["h0"], i["params"], i["c0"]), size=3)
    student.lstm_backward(i["dh"], caches)
    expect_untouched(student, "lstm_backward")


# ------------------------------------------------------------------------------------ helpers
# Reference values and known-mistake variants depend only on the seeded inputs (and the
# language of the messages), so they are computed once per process.

@functools.cache
def forward_variants(shape_id: str, seed: int, zero_c0: bool, language: str) -> tuple[list, list]:
    i = make_inputs(shape_id, seed)
    c0 = np.zeros_like(i["c0"]) if zero_c0 else i["c0"]
    return variants.forward_variants(i["x"], i["h0"], c0, i["params"])


def own_cell_variants(student, got, expected, x, h0, p, c0, index: int) -> list:
    """When ``got`` (h or c, by ``index``) is wrong: what the student's own lstm_cell_forward
    gives chained over the sequence, if that differs from the right value."""
    if close(got, expected):
        return []
    try:
        h_t, c_t, states = h0, c0, []
        for x_t in x:
            h_t, c_t, _ = student_cell_forward(student, x_t, h_t, c_t, p)
            states.append((h_t, c_t)[index])
        chained = np.array(states, dtype=float)
    except Exception:  # the student's cell fails or returns something unusable
        return []
    return [] if close(chained, expected) else [variants.own_cell_variant(chained)]


@functools.cache
def cell_backward_case(shape_id: str, language: str) -> dict:
    i = make_inputs(shape_id, seed=2)
    args = (i["x"][0], i["h0"], i["c0"], i["params"])
    h, c, cache = reference.lstm_cell_forward(*args)
    return {"h": h, "c": c, "grads": reference.lstm_cell_backward(i["dh"][0], i["dc"], cache),
            "variants": variants.cell_backward_variants(i["dh"][0], i["dc"], *args)}


@functools.cache
def backward_case(shape_id: str, language: str) -> dict:
    i = make_inputs(shape_id, seed=4)
    x, h0, c0, p, dh = i["x"], i["h0"], i["c0"], i["params"], i["dh"]
    h, c, caches = reference.lstm_forward(x, h0, p, c0)
    return {"h": h, "c": c, "grads": reference.lstm_backward(dh, caches),
            "variants": variants.backward_variants(dh, x, h0, c0, p)}


def own_numeric(forward: Callable[[dict], np.ndarray], inputs: dict, target: str,
                upstream: np.ndarray) -> Callable[[], np.ndarray | None]:
    """A function computing the numerical gradient, with respect to inputs[target], of the
    student's own forward (called only when needed); None when that forward cannot be
    differentiated (it fails, or returns something that is not an array of the right shape)."""
    def compute() -> np.ndarray | None:
        try:
            return numerical_gradient(lambda v: forward({**inputs, target: v}),
                                      np.array(inputs[target], dtype=float), upstream)
        except Exception:  # the student's forward may fail in any way
            return None
    return compute


# The states rule calls the student's gate functions and runs the reference backward; every
# gradient test of a shape needs the same results, so they are kept while the student object
# lives (one grading run), keyed by what the student's forward returned.
_memos: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def memo(student, key: tuple, compute: Callable):
    """compute(), remembered for this student under ``key``."""
    store = _memos.setdefault(student, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def student_gates(student, x_t, h_prev, p) -> tuple[np.ndarray, ...]:
    """f, i, C~, o as the student's gate functions compute them (the reference's when those
    fail or return something unusable)."""
    try:
        values = tuple(np.asarray(getattr(student, function)(*fresh(x_t, h_prev, p)),
                                  dtype=float) for function in GATES)
        if all(v.shape == h_prev.shape for v in values):
            return values
    except Exception:  # the student's gate is missing, raised or returned a non-array
        pass
    return tuple(getattr(reference, function)(x_t, h_prev, p) for function in GATES)


def cell_backward_at(student, shape_id: str, c_next) -> dict:
    """The reference cell backward at the student's own states, on the inputs of
    test_cell_backward_gradient: the student's gate values and c_next ({} when c_next is not
    an array of the right shape)."""
    i = make_inputs(shape_id, seed=2)
    x_t, h_prev, c_prev, p = i["x"][0], i["h0"], i["c0"], i["params"]
    if not is_state(c_next, h_prev.shape):
        return {}

    def compute() -> dict:
        f, i_t, c_tilde, o = student_gates(student, x_t, h_prev, p)
        cache = (x_t, h_prev, c_prev, f, i_t, c_tilde, o, np.tanh(c_next.astype(float)), p)
        return reference.lstm_cell_backward(i["dh"][0], i["dc"], cache)

    return memo(student, ("cell", shape_id, c_next.tobytes()), compute)


def backward_along(student, shape_id: str, h, c) -> list[dict]:
    """The reference BPTT, on the inputs of test_backward_gradient, along the states h, c
    (T, H, N) of the student's forward with the student's gate values, for each way a student's
    loop may have fed them to the cell (the known mistakes of lstm_forward): chained from h0
    and c0; from zeros in place of h0 or of c0; with c reset to zeros, or to c0, at every step;
    with h0 at every step ([] when h or c is not an array of the right shape)."""
    i = make_inputs(shape_id, seed=4)
    x, h0, c0, p, dh = i["x"], i["h0"], i["c0"], i["params"], i["dh"]
    if not (is_state(h, dh.shape) and is_state(c, dh.shape)):
        return []
    h, c = h.astype(float), c.astype(float)
    zeros = np.zeros_like(h0)
    previous = {  # way -> the state step t receives
        "h from h0": lambda t: h0 if t == 0 else h[t - 1],
        "h from zeros": lambda t: zeros if t == 0 else h[t - 1],
        "h0 always": lambda t: h0,
        "c from c0": lambda t: c0 if t == 0 else c[t - 1],
        "c from zeros": lambda t: zeros if t == 0 else c[t - 1],
        "zeros always": lambda t: zeros,
        "c0 always": lambda t: c0,
    }
    ways = [("h from h0", "c from c0"), ("h from zeros", "c from c0"),
            ("h from h0", "c from zeros"), ("h from h0", "zeros always"),
            ("h from h0", "c0 always"), ("h0 always", "c from c0")]

    def compute() -> list[dict]:
        gates_at: dict[tuple[int, str], tuple] = {}
        results = []
        for h_way, c_way in ways:
            caches = []
            for t in range(len(x)):
                h_prev, c_prev = previous[h_way](t), previous[c_way](t)
                known = (t, "h0" if h_prev is h0 else "zeros" if h_prev is zeros else "h")
                if known not in gates_at:
                    gates_at[known] = student_gates(student, x[t], h_prev, p)
                caches.append((x[t], h_prev, c_prev, *gates_at[known], np.tanh(c[t]), p))
            results.append(reference.lstm_backward(dh, caches))
        return results

    return memo(student, ("sequence", shape_id, h.tobytes(), c.tobytes()), compute)


def is_state(value, shape: tuple[int, ...]) -> bool:
    """Whether ``value`` is a numeric array of the given shape."""
    return isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.shape == shape
