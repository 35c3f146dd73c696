"""Hidden suite of assignment "rnn": each test grades one function, or one quantity it returns.

Inputs are seeded and never shown to students; shapes cover D ≠ H, T = 1, N = 1 and non-zero
initial states. Values are compared with the reference solution through rnnkit.compare
(rtol 1e-6, atol 1e-8, see there); backward passes also earn credit when they match the
numerical gradient of the student's own forward (rnnkit.grading.judge), or the reference's
backward equations evaluated at the states the student's own forward produced (so a correct
backward is not penalised again for a mistake of the forward).

The student's functions always receive copies of the test's inputs, except in the tests that
check that the inputs are left untouched: a function that modifies its arguments loses those
points only, and cannot corrupt the reference values or the feedback of the other tests.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from hidden.rnn import variants
from rnnkit.compare import close, expect_close, expect_keys, expect_pair
from rnnkit.gradcheck import numerical_gradient
from rnnkit.grading.judge import expect_gradient, expect_untouched
from rnnkit.i18n import say
from solutions import rnn as reference

# (T, N, D, H): time steps, batch, input size, hidden size.
SHAPES = {"T3-N2-D4-H5": (3, 2, 4, 5), "T1-N3-D2-H3": (1, 3, 2, 3), "T4-N1-D3-H2": (4, 1, 3, 2)}
CELL_GRAD_KEYS = ("dx_t", "dh_prev", "dW_xh", "dW_hh", "db_h")
GRAD_KEYS = ("dx", "dh0", "dW_xh", "dW_hh", "db_h")


def make_inputs(shape_id: str, seed: int = 0) -> dict:
    """x (T, D, N), h0 (H, N), params and an upstream gradient dh (T, H, N)."""
    T, N, D, H = SHAPES[shape_id]
    rng = np.random.default_rng([seed, T, N, D, H, 2026])
    params = {"W_xh": rng.normal(0, 0.6, (H, D)), "W_hh": rng.normal(0, 0.6, (H, H)),
              "b_h": rng.normal(0, 0.3, (H, 1))}
    return {"x": rng.normal(size=(T, D, N)), "h0": rng.normal(0, 0.5, (H, N)),
            "params": params, "dh": rng.normal(size=(T, H, N))}


def fresh(*args):
    """Deep copies of the arguments, to call a student's function with."""
    return copy.deepcopy(args)


def student_cell_forward(student, x_t, h_prev, params) -> tuple:
    return expect_pair("rnn_cell_forward(...)",
                       student.rnn_cell_forward(*fresh(x_t, h_prev, params)))


def student_forward(student, x, h0, params) -> tuple:
    return expect_pair("rnn_forward(...)", student.rnn_forward(*fresh(x, h0, params)))


def student_cell_h(student, x_t, h_prev, params) -> np.ndarray:
    return student_cell_forward(student, x_t, h_prev, params)[0]


def student_sequence_h(student, x, h0, params) -> np.ndarray:
    return student_forward(student, x, h0, params)[0]


# ---------------------------------------------------------------- rnn_cell_forward (4 points)

@pytest.mark.grades("rnn_cell_forward", points=1)
@pytest.mark.parametrize("shape_id", SHAPES)
def test_cell_forward_h_next(student, shape_id):
    i = make_inputs(shape_id)
    x_t, h_prev, p = i["x"][0], i["h0"], i["params"]
    expected, _ = reference.rnn_cell_forward(x_t, h_prev, p)
    expect_close("h_next", student_cell_h(student, x_t, h_prev, p), expected,
                 variants=variants.cell_forward_variants(x_t, h_prev, p))


@pytest.mark.grades("rnn_cell_forward", points=1)
def test_cell_forward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    student.rnn_cell_forward(i["x"][0], i["h0"], i["params"])
    expect_untouched(student, "rnn_cell_forward")


# ---------------------------------------------------------------- rnn_forward (4 points)

@pytest.mark.grades("rnn_forward", points=1)
@pytest.mark.parametrize("shape_id", SHAPES)
def test_forward_h(student, shape_id):
    i = make_inputs(shape_id)
    expected, _ = reference.rnn_forward(i["x"], i["h0"], i["params"])
    expect_close("h", student_sequence_h(student, i["x"], i["h0"], i["params"]), expected,
                 time_axis=0, variants=variants.forward_variants(i["x"], i["h0"], i["params"],
                                                                 reference))


@pytest.mark.grades("rnn_forward", points=1)
def test_forward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    student.rnn_forward(i["x"], i["h0"], i["params"])
    expect_untouched(student, "rnn_forward")


# ---------------------------------------------------------------- rnn_cell_backward (6 points)

@pytest.mark.grades("rnn_cell_backward", points=1)
@pytest.mark.parametrize("key", CELL_GRAD_KEYS)
def test_cell_backward_gradient(student, key):
    for shape_id in ("T3-N2-D4-H5", "T4-N1-D3-H2"):
        i = make_inputs(shape_id, seed=2)
        inputs = {"x_t": i["x"][0], "h_prev": i["h0"], **i["params"]}
        dh = i["dh"][0]
        h_next, cache = student_cell_forward(student, i["x"][0], i["h0"], i["params"])
        grads = student.rnn_cell_backward(*fresh(dh), cache)
        expect_keys("rnn_cell_backward(...)", grads, CELL_GRAD_KEYS)
        expected_h, ref_cache = reference.rnn_cell_forward(i["x"][0], i["h0"], i["params"])
        expected = reference.rnn_cell_backward(dh, ref_cache)
        target = {"dx_t": "x_t", "dh_prev": "h_prev"}.get(key, key[1:])

        def own_numeric(target=target, inputs=inputs, dh=dh):
            def forward(v):
                args = {**inputs, target: v}
                weights = {k: args[k] for k in ("W_xh", "W_hh", "b_h")}
                return student_cell_h(student, args["x_t"], args["h_prev"], weights)
            return numerical_gradient(forward, inputs[target].copy(), dh)

        wrong = variants.cell_backward_variants(dh, i["x"][0], i["h0"], i["params"])
        expect_gradient(f"grads['{key}']", grads[key], expected[key], own_numeric=own_numeric,
                        forward_is_right=close(h_next, expected_h),
                        at_own_states=lambda h_next=h_next, ref_cache=ref_cache, dh=dh: [
                            cell_backward_at(dh, ref_cache, h_next).get(key)],
                        variants=wrong.get(key, ()))


@pytest.mark.grades("rnn_cell_backward", points=1)
def test_cell_backward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=3)
    _, cache = expect_pair("rnn_cell_forward(...)",
                           student.rnn_cell_forward(i["x"][0], i["h0"], i["params"]))
    student.rnn_cell_backward(i["dh"][0], cache)
    expect_untouched(student, "rnn_cell_backward")


# ---------------------------------------------------------------- rnn_backward (6 points)

@pytest.mark.grades("rnn_backward", points=1)
@pytest.mark.parametrize("key", GRAD_KEYS)
def test_backward_gradient(student, key):
    for shape_id in SHAPES:
        i = make_inputs(shape_id, seed=4)
        x, h0, p, dh = i["x"], i["h0"], i["params"], i["dh"]
        h, caches = student_forward(student, x, h0, p)
        grads = student.rnn_backward(*fresh(dh), caches)
        expect_keys("rnn_backward(...)", grads, GRAD_KEYS)
        expected_h, ref_caches = reference.rnn_forward(x, h0, p)
        expected = reference.rnn_backward(dh, ref_caches)
        target = {"dx": "x", "dh0": "h0"}.get(key, key[1:])
        inputs = {"x": x, "h0": h0, **p}

        def own_numeric(target=target, inputs=inputs, dh=dh):
            def forward(v):
                args = {**inputs, target: v}
                weights = {k: args[k] for k in ("W_xh", "W_hh", "b_h")}
                return student_sequence_h(student, args["x"], args["h0"], weights)
            return numerical_gradient(forward, inputs[target].copy(), dh)

        expect_gradient(f"grads['{key}']", grads[key], expected[key], own_numeric=own_numeric,
                        forward_is_right=close(h, expected_h),
                        at_own_states=lambda dh=dh, x=x, h0=h0, p=p, h=h: [
                            backward_along(dh, x, h0, p, h).get(key)],
                        time_axis=0 if key == "dx" else None,
                        variants=variants.backward_variants(dh, x, h0, p).get(key, ()))


@pytest.mark.grades("rnn_backward", points=1)
def test_backward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=5)
    _, caches = expect_pair("rnn_forward(...)", student.rnn_forward(i["x"], i["h0"], i["params"]))
    student.rnn_backward(i["dh"], caches)
    expect_untouched(student, "rnn_backward")


# ---------------------------------------------------------------- clip_gradients (6 points)

def make_grads(scale: float) -> dict:
    rng = np.random.default_rng(7)
    return {"dW_xh": scale * rng.normal(size=(4, 3)), "dW_hh": scale * rng.normal(size=(4, 4)),
            "db_h": scale * rng.normal(size=(4, 1))}


def clip_variants(grads: dict, max_norm: float) -> dict:
    """Per key: clipping each entry, or each array on its own norm, instead of the global norm."""
    each_entry = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
    each_array = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}
    entry_msg = say(es="recortas cada elemento (np.clip); hay que escalar todos los gradientes "
                       "por la norma global.",
                    en="you clip each entry (np.clip); all gradients must be scaled by the "
                       "global norm.")
    array_msg = say(es="escalas cada arreglo por su propia norma; la norma es global, de todos "
                       "los gradientes juntos.",
                    en="you scale each array by its own norm; the norm is global, over all "
                       "gradients together.")
    return {k: [(each_entry[k], entry_msg), (each_array[k], array_msg)] for k in grads}


def student_clip(student, grads: dict, max_norm: float) -> dict:
    clipped = student.clip_gradients(*fresh(grads, max_norm))
    expect_keys("clip_gradients(...)", clipped, grads)
    return clipped


@pytest.mark.grades("clip_gradients", points=2)
@pytest.mark.parametrize("max_norm", [1.0, 5.0])
def test_clip_scales_by_global_norm(student, max_norm):
    grads = make_grads(3.0)
    clipped = student_clip(student, grads, max_norm)
    expected = reference.clip_gradients(grads, max_norm)
    wrong = clip_variants(grads, max_norm)
    for key in grads:
        # torch adds 1e-6 to the norm; an implementation without it differs by ~1e-7 relative.
        expect_close(f"clip['{key}']", clipped[key], expected[key], rtol=1e-5,
                     variants=wrong[key])


@pytest.mark.grades("clip_gradients", points=1)
def test_clip_keeps_small_gradients(student):
    grads = make_grads(0.01)
    clipped = student_clip(student, grads, 10.0)
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scaled_up = say(es="escalas hacia arriba los gradientes pequeños: si la norma global no pasa "
                       "de max_norm, los gradientes se devuelven sin cambios (el factor es "
                       "min(1, max_norm / norma)).",
                    en="you scale small gradients up: when the global norm is at most max_norm "
                       "the gradients are returned unchanged (the factor is "
                       "min(1, max_norm / norm)).")
    for key in grads:
        expect_close(f"clip['{key}']", clipped[key], grads[key], rtol=1e-5,
                     variants=[(grads[key] * 10.0 / (total + eps), scaled_up) for eps in (1e-6, 0)])


@pytest.mark.grades("clip_gradients", points=1)
def test_clip_leaves_input_untouched(student):
    student.clip_gradients(make_grads(3.0), 1.0)
    expect_untouched(student, "clip_gradients")


def cell_backward_at(dh, ref_cache: tuple, h_next) -> dict:
    """The reference cell backward with the student's h_next in place of the right one
    ({} when h_next is not an array of the right shape)."""
    if not isinstance(h_next, np.ndarray) or h_next.shape != dh.shape \
            or h_next.dtype.kind not in "fiu":
        return {}
    x_t, h_prev, _, W_xh, W_hh = ref_cache
    return reference.rnn_cell_backward(dh, (x_t, h_prev, h_next.astype(float), W_xh, W_hh))


def backward_along(dh, x, h0, p, h) -> dict:
    """The reference BPTT along the states h (T, H, N) of the student's forward, from h0
    ({} when h is not an array of the right shape)."""
    if not isinstance(h, np.ndarray) or h.shape != dh.shape or h.dtype.kind not in "fiu":
        return {}
    states = [h0, *h.astype(float)]
    caches = [(x[t], states[t], states[t + 1], p["W_xh"], p["W_hh"]) for t in range(len(x))]
    return reference.rnn_backward(dh, caches)
