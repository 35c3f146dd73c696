"""The public LSTM checks: a correct implementation gets only ✓ lines, and each typical mistake
gets a ✗ line whose message names it: a mistake of the registry (rnnkit.assignments.lstm.mistakes)
by the same message the hidden suite gives. Messages are matched in English (see conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from printed_checks import assert_flags, fail_lines, run

from rnnkit import i18n
from rnnkit.assignments.lstm import checks
from rnnkit.assignments.lstm.hidden.oracle import ReferenceOracle
from rnnkit.assignments.lstm.mistakes import FOLLOWS_C_NEXT, MISTAKES
from rnnkit.checks.feedback import plain
from solutions import lstm as sol


def said(mistake_id: str) -> str:
    """What the checks print of a known mistake (in English, the tests' language)."""
    return plain(MISTAKES[mistake_id].en)


def to_torch_layout(params, order=("i", "f", "c", "o"), bias_in_both=False, swap_ih_hh=False,
                    bias_column=False):
    """A correct packing into torch.nn.LSTM's layout, or one with a chosen mistake."""
    H = params["b_f"].shape[0]
    W = np.concatenate([params[f"W_{g}"] for g in order])
    b = np.concatenate([params[f"b_{g}"] for g in order])
    b = b if bias_column else b[:, 0]
    w_ih, w_hh = (W[:, :H], W[:, H:]) if swap_ih_hh else (W[:, H:], W[:, :H])
    return {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b,
            "bias_hh_l0": b.copy() if bias_in_both else np.zeros_like(b)}


ALL_CHECKS = [
    (checks.check_forget_gate, (sol.forget_gate,)),
    (checks.check_input_gate, (sol.input_gate,)),
    (checks.check_candidate, (sol.candidate,)),
    (checks.check_output_gate, (sol.output_gate,)),
    (checks.check_lstm_cell_forward, (sol.lstm_cell_forward,)),
    (checks.check_lstm_forward, (sol.lstm_forward,)),
    (checks.check_lstm_cell_backward, (sol.lstm_cell_forward, sol.lstm_cell_backward)),
    (checks.check_lstm_backward, (sol.lstm_forward, sol.lstm_backward)),
    (checks.check_to_torch_layout, (to_torch_layout, sol.lstm_forward)),
]
IDS = [check.__name__ for check, _ in ALL_CHECKS]


# --- a correct implementation ------------------------------------------------------------------


@pytest.mark.parametrize(("check", "functions"), ALL_CHECKS, ids=IDS)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_correct_implementation_gets_only_ticks(check, functions, lang):
    i18n.set_language(lang)
    printed = run(check, *functions)
    lines = printed.strip().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("✓") for line in lines[:-1]), printed
    assert lines[-1].startswith("→") and ("all correct" in lines[-1] or "todo correcto"
                                          in lines[-1])


def test_gradient_lines_report_the_numerical_gradient_check():
    printed = run(checks.check_lstm_backward, sol.lstm_forward, sol.lstm_backward)
    assert "✓ dc0: shape (4, 2) and correct values (relative error against the numerical" in printed


@pytest.mark.parametrize(("check", "functions"), ALL_CHECKS, ids=IDS)
def test_checks_never_raise_and_leave_the_random_state_alone(check, functions):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()
    for student in (broken, lambda *a, **k: None, lambda *a, **k: "text"):
        printed = run(check, *([student] * len(functions)))
        assert fail_lines(printed), printed
    # a check with a partly right student: the later functions broken
    printed = run(check, *functions[:1], *([broken] * (len(functions) - 1)))
    assert printed
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_exceptions_are_reported_with_the_student_line():
    def forget_gate(x_t, h_prev, params):
        return params["W_f"] @ x_t  # shapes do not fit: (H, H + D) @ (D, N)

    printed = run(checks.check_forget_gate, forget_gate)
    assert_flags(printed, "forget_gate raised ValueError", "params[\"W_f\"] @ x_t")


def test_not_implemented_is_reported_as_such():
    def forget_gate(x_t, h_prev, params):
        raise NotImplementedError()

    assert_flags(run(checks.check_forget_gate, forget_gate), "is not implemented yet")


# --- the gates ---------------------------------------------------------------------------------


def affine(gate, x_t, h_prev, params, first="h"):
    z = np.concatenate((h_prev, x_t) if first == "h" else (x_t, h_prev))
    return params[f"W_{gate}"] @ z + params[f"b_{gate}"]


def test_gate_with_tanh():
    printed = run(checks.check_forget_gate, lambda x, h, p: np.tanh(affine("f", x, h, p)))
    assert_flags(printed, "f_t: " + said("forget_gate.tanh"))


def test_gate_with_x_first():
    printed = run(checks.check_input_gate,
                  lambda x, h, p: sol.sigmoid(affine("i", x, h, p, first="x")))
    assert_flags(printed, "i_t: " + said("input_gate.x_first"))


def test_candidate_with_sigmoid():
    printed = run(checks.check_candidate, lambda x, h, p: sol.sigmoid(affine("c", x, h, p)))
    assert_flags(printed, "c_tilde: " + said("candidate.sigmoid"))


def test_gate_without_bias():
    def output_gate(x_t, h_prev, params):
        return sol.sigmoid(params["W_o"] @ np.concatenate((h_prev, x_t)))

    assert_flags(run(checks.check_output_gate, output_gate), said("output_gate.no_bias"))


def test_gate_with_the_parameters_of_another_gate():
    printed = run(checks.check_forget_gate, lambda x, h, p: sol.sigmoid(affine("i", x, h, p)))
    assert_flags(printed, said("forget_gate.params_of_input_gate"))


def test_gate_transposed():
    printed = run(checks.check_output_gate, lambda x, h, p: sol.output_gate(x, h, p).T)
    assert_flags(printed, "Is it transposed?")


def test_gate_that_modifies_its_argument():
    def forget_gate(x_t, h_prev, params):
        params["b_f"] += 0.0  # harmless...
        x_t *= 2.0  # ...but this is not
        return sol.forget_gate(x_t / 2.0, h_prev, params)

    printed = run(checks.check_forget_gate, forget_gate)
    assert_flags(printed, "modified its argument x_t")
    assert "✓ f_t: shape (4, 2) and correct values" in printed


# --- lstm_cell_forward -------------------------------------------------------------------------


def cell_forward_with(mistake):
    def lstm_cell_forward(x_t, h_prev, c_prev, params):
        f, i = sol.forget_gate(x_t, h_prev, params), sol.input_gate(x_t, h_prev, params)
        g, o = sol.candidate(x_t, h_prev, params), sol.output_gate(x_t, h_prev, params)
        c_next = i * c_prev + f * g if mistake == "swapped gates" else f * c_prev + i * g
        if mistake == "c_prev in output":
            h_next = o * np.tanh(c_prev)
        elif mistake == "no tanh":
            h_next = o * c_next
        else:
            h_next = o * np.tanh(c_next)
        if mistake == "pair":
            return h_next, c_next
        if mistake == "swapped h and c":
            return c_next, h_next, None
        return h_next, c_next, None

    return lstm_cell_forward


@pytest.mark.parametrize(("mistake", "fragments"), [
    ("c_prev in output", ["h_next: " + said("cell_forward.output_from_c_prev")]),
    ("no tanh", ["h_next: " + said("cell_forward.no_tanh_on_output")]),
    ("swapped gates", ["c_next: " + said("cell_forward.gates_swapped"),
                       "h_next: " + FOLLOWS_C_NEXT["en"]]),
    ("swapped h and c", ["c_next: " + said("cell_forward.h_c_swapped"),
                         "h_next: " + said("cell_forward.h_c_swapped")]),
    ("pair", ["should return a tuple (h_next, c_next, cache) of 3 items"]),
])
def test_cell_forward_mistakes(mistake, fragments):
    printed = run(checks.check_lstm_cell_forward, cell_forward_with(mistake))
    assert_flags(printed, *fragments)


# --- lstm_forward ------------------------------------------------------------------------------


def forward_with(mistake):
    def lstm_forward(x, h0, params, c0=None):
        c = np.zeros_like(h0) if c0 is None or mistake == "ignores c0" else c0
        h, hs, cs = h0, [h0] if mistake == "includes h0" else [], []
        for x_t in x:
            if mistake == "no carry":
                h_new, c_new, _ = sol.lstm_cell_forward(x_t, h0, c0, params)
            elif mistake == "reuses h0":
                h_new, c_new, _ = sol.lstm_cell_forward(x_t, h0, c, params)
            else:
                h_new, c_new, _ = sol.lstm_cell_forward(x_t, h, c, params)
            hs.append(h if mistake == "stores previous" else h_new)
            h, c = h_new, c_new
            cs.append(c)
        return np.stack(hs), np.stack(cs), []

    if mistake == "c0 required":
        def lstm_forward_required(x, h0, params, c0):
            return sol.lstm_forward(x, h0, params, c0)
        return lstm_forward_required
    return lstm_forward


@pytest.mark.parametrize(("mistake", "fragments"), [
    ("ignores c0", ["h, c: " + said("forward.ignores_c0")]),
    ("reuses h0", ["h, c: " + said("forward.h0_every_step")]),
    ("includes h0", ["h has shape (6, 4, 2): you included the initial state"]),
    ("stores previous", ["h is shifted by one time step"]),
    ("no carry", ["h is right only at the first step"]),
    ("c0 required", ["lstm_forward_required raised TypeError"]),
])
def test_forward_mistakes(mistake, fragments):
    assert_flags(run(checks.check_lstm_forward, forward_with(mistake)), *fragments)


# --- lstm_cell_backward ------------------------------------------------------------------------


def cell_backward_with(mistake):
    """The model answer's backward pass with one mistake built in."""
    def lstm_cell_backward(dh_next, dc_next, cache):
        x_t, h_prev, c_prev, f, i, g, o, tanh_c, params = cache
        through_h = dh_next * o * (1.0 - tanh_c**2)
        if mistake == "no dh into c":
            through_h = 0.0
        elif mistake == "no tanh derivative":
            through_h = dh_next * o
        dc = (0.0 if mistake == "no dc_next" else dc_next) + through_h
        da = {"f": dc * c_prev * f * (1 - f), "i": dc * g * i * (1 - i),
              "c": dc * i * (1 - g**2), "o": dh_next * tanh_c * o * (1 - o)}
        z = np.concatenate((h_prev, x_t))
        grads, dz = {}, 0.0
        for k in "fico":
            grads[f"dW_{k}"] = z @ da[k].T if mistake == "dW transposed" else da[k] @ z.T
            grads[f"db_{k}"] = da[k].sum(axis=1, keepdims=True)
            dz = dz + params[f"W_{k}"].T @ da[k]
        H = h_prev.shape[0]
        grads.update(dh_prev=dz[:H], dx_t=dz[H:], dc_prev=dc if mistake == "dc_prev without f"
                     else dc * f)
        if mistake == "missing key":
            del grads["dc_prev"]
        return grads

    return lstm_cell_backward


@pytest.mark.parametrize(("mistake", "fragments"), [
    ("no dh into c", [said("cell_backward.no_dh_into_c"),
                      "Nor does it match the numerical gradient of your own forward"]),
    ("no tanh derivative", ["dc_prev, dW_f, db_f, dW_i, db_i, dW_c, db_c: "
                            + said("cell_backward.no_tanh_derivative")]),
    ("no dc_next", ["dc_prev, dW_f, db_f, dW_i, db_i, dW_c, db_c: "
                    + said("cell_backward.no_dc_next")]),
    ("dc_prev without f", ["dc_prev: " + said("cell_backward.dc_prev_without_f")]),
    ("dW transposed", ["dW_f has shape (7, 4) but should have shape (4, 7). Is it transposed?"]),
    ("missing key", ["grads is missing the keys dc_prev"]),
])
def test_cell_backward_mistakes(mistake, fragments):
    printed = run(checks.check_lstm_cell_backward, sol.lstm_cell_forward,
                  cell_backward_with(mistake))
    assert_flags(printed, *fragments)


def test_cell_backward_flags_only_the_lines_that_are_wrong():
    printed = run(checks.check_lstm_cell_backward, sol.lstm_cell_forward,
                  cell_backward_with("dc_prev without f"))
    assert len(fail_lines(printed)) == 1  # only dc_prev depends on that product
    assert "✓ dW_f: shape (4, 7) and correct values" in printed


def test_backward_of_a_wrong_forward_is_recognised_as_consistent():
    """Forward without tanh on the output, and the backward that correctly differentiates it:
    the check must point at the forward."""
    def lstm_cell_forward(x_t, h_prev, c_prev, params):
        h_next, c_next, cache = sol.lstm_cell_forward(x_t, h_prev, c_prev, params)
        o = cache[6]
        return o * c_next, c_next, (*cache[:7], c_next, cache[8])  # "tanh(c)" := c

    printed = run(checks.check_lstm_cell_backward, lstm_cell_forward,
                  cell_backward_with("no tanh derivative"))
    assert_flags(printed, "Your lstm_cell_forward is not right yet",
                 "But it matches the numerical gradient of your own forward")


# --- lstm_backward -----------------------------------------------------------------------------


def backward_with(mistake):
    def lstm_backward(dh, caches):
        grads = {f"d{k}_{g}": 0.0 for g in "fico" for k in "Wb"}
        dh_next, dc_next = np.zeros_like(dh[0]), np.zeros_like(dh[0])
        dx = [None] * len(caches)
        for t in reversed(range(len(caches))):
            outside = dh[t] if mistake != "last dh only" or t == len(caches) - 1 else 0.0
            if mistake == "modifies dh":
                dh[t] += dh_next
                step = sol.lstm_cell_backward(dh[t], dc_next, caches[t])
            else:
                step = sol.lstm_cell_backward(outside + dh_next, dc_next, caches[t])
            dx[t] = step["dx_t"]
            dh_next = 0.0 * dh_next if mistake == "no h carry" else step["dh_prev"]
            dc_next = 0.0 * dc_next if mistake == "no c carry" else step["dc_prev"]
            for key in grads:
                grads[key] = step[key] if mistake == "overwrite" else grads[key] + step[key]
        return {"dx": np.stack(dx), "dh0": dh_next, "dc0": dc_next, **grads}

    return lstm_backward


@pytest.mark.parametrize(("mistake", "fragments"), [
    ("no h carry", [said("backward.no_flow_through_h")]),
    ("no c carry", [said("backward.no_flow_through_c")]),
    ("last dh only", [said("backward.only_last_dh")]),
    ("overwrite", [said("backward.assigns_param_grads")]),
    ("modifies dh", ["modified its argument dh"]),
])
def test_backward_mistakes(mistake, fragments):
    printed = run(checks.check_lstm_backward, sol.lstm_forward, backward_with(mistake))
    assert_flags(printed, *fragments)


def test_backward_of_a_forward_that_ignores_c0_points_at_the_forward():
    printed = run(checks.check_lstm_backward, forward_with("ignores c0"), sol.lstm_backward)
    assert_flags(printed, "Your lstm_forward is not right yet")


def test_messages_follow_the_language():
    i18n.set_language("es")
    printed = run(checks.check_lstm_backward, sol.lstm_forward, backward_with("no c carry"))
    assert_flags(printed, plain(MISTAKES["backward.no_flow_through_c"].es))


# --- to_torch_layout ---------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "fragments"), [
    ({"order": ("f", "i", "c", "o")}, ["the gates are in the order f, i, g, o"]),
    ({"order": ("i", "f", "o", "c")}, ["the gates are in the order i, f, o, g"]),
    ({"bias_in_both": True}, ["PyTorch adds the two biases"]),
    ({"swap_ih_hh": True}, ["weight_ih_l0 multiplies x_t"]),
    ({"bias_column": True}, ["each bias is a vector of shape (4H,)"]),
])
def test_torch_layout_mistakes(options, fragments):
    def packing(params):
        return to_torch_layout(params, **options)

    assert_flags(run(checks.check_to_torch_layout, packing, sol.lstm_forward), *fragments)


def test_torch_layout_with_odd_values_is_reported_not_raised():
    def packing(params):
        packed = to_torch_layout(params)
        return {**packed, "weight_ih_l0": [[1.0, 2.0], [3.0]], "bias_hh_l0": None}

    assert_flags(run(checks.check_to_torch_layout, packing, sol.lstm_forward),
                 "weight_ih_l0 should be a numpy array", "bias_hh_l0 should be a numpy array")


def test_torch_layout_accepts_any_split_of_the_bias():
    def packing(params):
        packed = to_torch_layout(params)
        half = packed["bias_ih_l0"] / 2
        return {**packed, "bias_ih_l0": half, "bias_hh_l0": half.copy()}

    printed = run(checks.check_to_torch_layout, packing, sol.lstm_forward)
    assert not fail_lines(printed), printed


def test_torch_layout_reports_a_wrong_lstm_forward():
    printed = run(checks.check_to_torch_layout, to_torch_layout, forward_with("ignores c0"))
    assert_flags(printed, "h (lstm_forward)")
    assert "✓ torch.nn.LSTM with your weights gives the right h" in printed


# --- quantities with one diagnosis share one line ----------------------------------------------


def flagged_together(printed: str, reason: str) -> set[str]:
    """The quantities named before ``reason`` on the ✗ line that gives it."""
    for line in fail_lines(printed):
        if reason in line:
            return set(line.removeprefix("✗ ").split(reason)[0].rstrip(": ").split(", "))
    raise AssertionError(f"no ✗ line says {reason!r}:\n{printed}")


@pytest.mark.parametrize(("check", "functions", "names", "reason"), [
    (checks.check_lstm_cell_backward, (sol.lstm_cell_forward, cell_backward_with("no dh into c")),
     {"dc_prev", "dW_f", "dh_prev", "dx_t"}, said("cell_backward.no_dh_into_c")),
    (checks.check_lstm_backward, (sol.lstm_forward, backward_with("no h carry")),
     {"dx", "dW_o", "db_f"}, said("backward.no_flow_through_h")),
    (checks.check_lstm_forward, (forward_with("ignores c0"),),
     {"h", "c"}, said("forward.ignores_c0")),
])
def test_one_mistake_in_several_quantities_is_one_line(check, functions, names, reason):
    printed = run(check, *functions)
    assert names <= flagged_together(printed, reason)
    assert sum(reason in line for line in printed.splitlines()) == 1


# --- the registry's two oracles --------------------------------------------------------------


def test_the_two_oracles_make_every_mistake_alike():
    """The public checks' torch oracle and the hidden suite's, on the reference solution, agree
    on the right values and on the wrong value of every mistake of the registry."""
    rng = np.random.default_rng(9)
    T, D, H, N = 3, 2, 4, 2
    p = {f"{kind}_{g}": rng.normal(0, 0.6, (H, H + D) if kind == "W" else (H, 1))
         for g in "fico" for kind in "Wb"}
    x, h0, c0 = rng.normal(size=(T, D, N)), rng.normal(0, 0.5, (H, N)), rng.normal(size=(H, N))
    dh, dc = rng.normal(size=(T, H, N)), rng.normal(size=(H, N))
    inputs = {"lstm_cell_forward": (x[0], h0, c0, p), "lstm_forward": (x, h0, p, c0),
              "lstm_cell_backward": (dh[0], dc, x[0], h0, c0, p),
              "lstm_backward": (dh, x, h0, p, c0)}
    torch_oracle, reference = checks.ORACLE, ReferenceOracle()
    _, _, caches = sol.lstm_forward(x, h0, p, c0)
    for oracle in (torch_oracle, reference):
        got = oracle.bptt(dh, x, h0, p, c0)
        for key, right in sol.lstm_backward(dh, caches).items():
            np.testing.assert_allclose(got[key], right, atol=1e-12, err_msg=key)
        for got, right in zip(oracle.forward(x, h0, p, c0), sol.lstm_forward(x, h0, p, c0)[:2],
                              strict=True):
            np.testing.assert_allclose(got, right, atol=1e-12)
    for mistake in MISTAKES:
        args = inputs.get(mistake.function, (x[0], h0, p))  # else a gate's
        by_torch, by_reference = mistake.wrong(torch_oracle, *args), mistake.wrong(reference, *args)
        if isinstance(by_torch, dict):
            assert by_torch.keys() == by_reference.keys(), mistake.id
            for key in by_torch:
                np.testing.assert_allclose(by_torch[key], by_reference[key], atol=1e-12,
                                           err_msg=f"{mistake.id}: {key}")
        else:
            np.testing.assert_allclose(by_torch, by_reference, atol=1e-12, err_msg=mistake.id)
