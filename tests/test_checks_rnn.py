"""The public checks of the RNN notebook, and the gradient-check utility students use.

A correct implementation (the reference solution) must get only ✓ lines; each broken one must
get a ✗ line that names its mistake. The checks print, so stdout is captured. Messages are
matched in English (see conftest.py); one test runs in both languages.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnkit import i18n
from rnnkit.assignments.rnn.checks import (
    check_clip_gradients,
    check_rnn_backward,
    check_rnn_cell_backward,
    check_rnn_cell_forward,
    check_rnn_forward,
)
from rnnkit.assignments.rnn.mistakes import MISTAKES
from rnnkit.gradcheck import numerical_gradient, relative_error
from solutions import rnn as ref


@pytest.fixture(params=["es", "en"])
def lang(request):
    """Run a test in each language (conftest switches back to the default afterwards)."""
    i18n.set_language(request.param)
    return request.param


def run_all_checks(cell_forward, forward, cell_backward, backward, clip):
    check_rnn_cell_forward(cell_forward)
    check_rnn_forward(forward)
    check_rnn_cell_backward(cell_forward, cell_backward)
    check_rnn_backward(forward, backward)
    check_clip_gradients(clip)


def test_reference_solution_gets_only_ticks(lang, capsys):
    run_all_checks(ref.rnn_cell_forward, ref.rnn_forward, ref.rnn_cell_backward,
                   ref.rnn_backward, ref.clip_gradients)
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert "✗" not in out
    assert sum(line.startswith("✓") for line in lines) >= 25
    summary = "todo correcto" if lang == "es" else "all correct"
    assert sum(summary in line for line in lines) == 5


# ----------------------------------------------------------------------------------------------
# Broken implementations, each with the words its report must contain
# ----------------------------------------------------------------------------------------------

def cell_forward_without_tanh(x_t, h_prev, params):
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    return a, (x_t, h_prev, a, params["W_xh"], params["W_hh"])


def cell_forward_without_memory(x_t, h_prev, params):
    return ref.rnn_cell_forward(x_t, np.zeros_like(h_prev), params)


def cell_forward_in_place(x_t, h_prev, params):
    params["b_h"] += 0.0  # harmless value, but it writes into the caller's array...
    x_t *= 2.0            # ...and this one changes it
    return ref.rnn_cell_forward(x_t / 2.0, h_prev, params)


def not_implemented(*args):
    raise NotImplementedError()


def forward_from_zeros(x, h0, params):
    return ref.rnn_forward(x, np.zeros_like(h0), params)


def forward_shifted(x, h0, params):
    h, caches = ref.rnn_forward(x, h0, params)
    return np.concatenate([h0[None], h[:-1]]), caches


def forward_transposed(x, h0, params):
    h, caches = ref.rnn_forward(x, h0, params)
    return h.transpose(0, 2, 1), caches


def cell_backward_without_tanh_derivative(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    return ref.rnn_cell_backward(dh_next, (x_t, h_prev, np.zeros_like(h_next), W_xh, W_hh))


def cell_backward_bias_not_summed(dh_next, cache):
    grads = ref.rnn_cell_backward(dh_next, cache)
    h_next = cache[2]
    return {**grads, "db_h": dh_next * (1 - h_next**2)}


def cell_backward_transposed_weights(dh_next, cache):
    grads = ref.rnn_cell_backward(dh_next, cache)
    return {**grads, "dW_xh": grads["dW_xh"].T}


def backward_without_flow_in_time(dh, caches):
    steps = [ref.rnn_cell_backward(dh[t], caches[t]) for t in range(len(caches))]
    return {"dx": np.stack([s["dx_t"] for s in steps]), "dh0": steps[0]["dh_prev"],
            **{k: sum(s[k] for s in steps) for k in ("dW_xh", "dW_hh", "db_h")}}


def backward_overwriting_weights(dh, caches):
    """`dW = ...` instead of `dW += ...`: only the share of step 1, the last one visited."""
    grads = ref.rnn_backward(dh, caches)
    into_h1 = ref.rnn_backward(dh[1:], caches[1:])["dh0"]  # what flows back into h_1
    step1 = ref.rnn_cell_backward(dh[0] + into_h1, caches[0])
    return {**grads, "dW_xh": step1["dW_xh"], "dW_hh": step1["dW_hh"], "db_h": step1["db_h"]}


def backward_modifying_dh(dh, caches):
    grads = ref.rnn_backward(dh, caches)
    dh *= 0.0  # right values, but the caller's dh is gone
    return grads


def clip_per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def clip_by_value(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def clip_always(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {k: g * max_norm / total for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    out = {}
    for k, g in grads.items():
        g *= min(1.0, max_norm / total)
        out[k] = g
    return out


def said(mistake_id: str) -> str:
    """What the checks say of a known mistake (in English, the tests' language)."""
    return MISTAKES[mistake_id].en


CASES = {
    "cell forward without tanh": (
        lambda: check_rnn_cell_forward(cell_forward_without_tanh), [said("cell_forward.no_tanh")]),
    "cell forward ignoring h_prev": (
        lambda: check_rnn_cell_forward(cell_forward_without_memory),
        [said("cell_forward.no_recurrence")]),
    "cell forward modifying x_t": (
        lambda: check_rnn_cell_forward(cell_forward_in_place), ["modified its argument x_t"]),
    "cell forward not written": (
        lambda: check_rnn_cell_forward(not_implemented), ["is not implemented yet"]),
    "forward ignoring h0": (
        lambda: check_rnn_forward(forward_from_zeros), [said("forward.ignores_h0")]),
    "forward shifted in time": (
        lambda: check_rnn_forward(forward_shifted),
        [said("forward.returns_h0_to_hT_minus_1")]),
    "forward with examples in rows": (
        lambda: check_rnn_forward(forward_transposed), ["shape (5, 2, 3)", "(5, 3, 2)"]),
    "cell backward without tanh'": (
        lambda: check_rnn_cell_backward(ref.rnn_cell_forward,
                                        cell_backward_without_tanh_derivative),
        ["tanh derivative is missing"]),
    "cell backward bias not summed": (
        lambda: check_rnn_cell_backward(ref.rnn_cell_forward, cell_backward_bias_not_summed),
        ["db_h has shape (3, 2)", "sum(axis=1, keepdims=True)"]),
    "cell backward transposed": (
        lambda: check_rnn_cell_backward(ref.rnn_cell_forward, cell_backward_transposed_weights),
        ["dW_xh has shape (4, 3)", "transposed"]),
    "backward consistent with a wrong forward": (
        lambda: check_rnn_cell_backward(cell_forward_without_memory, ref.rnn_cell_backward),
        [said("cell_forward.no_recurrence"), "consistent with your rnn_cell_forward"]),
    "backward without flow in time": (
        lambda: check_rnn_backward(ref.rnn_forward, backward_without_flow_in_time),
        [said("backward.no_flow_from_next_step")]),
    "backward overwriting weight gradients": (
        lambda: check_rnn_backward(ref.rnn_forward, backward_overwriting_weights),
        [said("backward.assigns_param_grads")]),
    "backward modifying dh": (
        lambda: check_rnn_backward(ref.rnn_forward, backward_modifying_dh),
        ["modified its argument dh"]),
    "sequence backward consistent with a wrong forward": (
        lambda: check_rnn_backward(forward_from_zeros, ref.rnn_backward),
        [said("forward.ignores_h0"), "consistent with your rnn_forward"]),
    "backward not written": (
        lambda: check_rnn_backward(ref.rnn_forward, not_implemented),
        ["not_implemented is not implemented yet"]),
    "clip per array": (
        lambda: check_clip_gradients(clip_per_array),
        ["above max_norm", "same direction", "its own norm"]),
    "clip by value": (lambda: check_clip_gradients(clip_by_value), [said("clip.elementwise")]),
    "clip below the limit": (
        lambda: check_clip_gradients(clip_always), [said("clip.always_scales")]),
    "clip in place": (
        lambda: check_clip_gradients(clip_in_place), ["modified its argument grads"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_implementation_gets_a_helpful_cross(case, capsys):
    run, fragments = CASES[case]
    run()  # a check never raises, whatever the student's code does
    out = capsys.readouterr().out
    crosses = [line for line in out.splitlines() if line.startswith("✗")]
    assert crosses, out
    for fragment in fragments:
        assert any(fragment in line for line in crosses), f"{fragment!r} not in:\n{out}"
    assert "all correct" not in out


def test_messages_follow_the_language(lang, capsys):
    check_rnn_backward(ref.rnn_forward, backward_without_flow_in_time)
    out = capsys.readouterr().out
    expected = MISTAKES["backward.no_flow_from_next_step"].message
    assert expected in out


def test_exception_names_the_type_and_the_line(capsys):
    def rnn_cell_forward(x_t, h_prev, params):
        return np.dot(params["W_hh"], x_t), None  # (H, H) @ (D, N): shapes do not align

    check_rnn_cell_forward(rnn_cell_forward)
    out = capsys.readouterr().out
    assert "✗ rnn_cell_forward raised ValueError" in out
    assert "np.dot(params[\"W_hh\"], x_t)" in out


def test_time_steps_are_named(capsys):
    def rnn_forward(x, h0, params):
        h, caches = ref.rnn_forward(x, h0, params)
        h = h.copy()
        h[2] += 0.1
        return h, caches

    check_rnn_forward(rnn_forward)
    assert "wrong at steps t = 3" in capsys.readouterr().out


def test_odd_return_values_do_not_crash(capsys):
    check_rnn_cell_forward(lambda x_t, h_prev, params: None)
    check_rnn_forward(lambda x, h0, params: (None, None))
    check_rnn_cell_backward(ref.rnn_cell_forward, lambda dh_next, cache: [1, 2])
    check_rnn_backward(ref.rnn_forward, lambda dh, caches: {"dx": "no"})
    check_clip_gradients(lambda grads, max_norm: 3)
    out = capsys.readouterr().out
    assert out.count("✗") >= 5
    assert "tuple of 2 items" in out
    assert "is missing the keys" in out


# ----------------------------------------------------------------------------------------------
# rnnkit.gradcheck
# ----------------------------------------------------------------------------------------------

def test_numerical_gradient_of_a_matrix_product():
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    df = rng.normal(size=(3, 2))
    W_before = W.copy()
    num = numerical_gradient(lambda W: np.tanh(W @ x), W, df)
    exact = (df * (1 - np.tanh(W @ x) ** 2)) @ x.T
    assert num.shape == W.shape
    assert relative_error(num, exact) < 1e-8
    assert np.array_equal(W, W_before)


def test_numerical_gradient_checks_a_correct_and_a_wrong_backward():
    rng = np.random.default_rng(1)
    x_t, h_prev = rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    params = {"W_xh": rng.normal(size=(4, 3)), "W_hh": rng.normal(size=(4, 4)),
              "b_h": rng.normal(size=(4, 1))}
    dh_next = rng.normal(size=(4, 2))
    grads = ref.rnn_cell_backward(dh_next, ref.rnn_cell_forward(x_t, h_prev, params)[1])
    W = params["W_hh"].copy()
    num = numerical_gradient(lambda W: ref.rnn_cell_forward(x_t, h_prev, {**params, "W_hh": W})[0],
                             W, dh_next)
    assert relative_error(grads["dW_hh"], num) < 1e-7
    assert relative_error(grads["dW_hh"].T, num) > 1e-2


def test_numerical_gradient_restores_x_when_f_fails():
    x = np.arange(4.0)

    def f(value):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(f, x, np.ones(4))
    assert np.array_equal(x, np.arange(4.0))


def test_numerical_gradient_rejects_integers_and_wrong_df():
    with pytest.raises(TypeError, match="float"):
        numerical_gradient(lambda v: v, np.arange(3), np.ones(3))
    with pytest.raises(ValueError, match="df must have the shape"):
        numerical_gradient(lambda v: v, np.zeros(3), np.ones(2))
