"""The public checks of the GRU notebook (rnnkit.assignments.gru.checks).

A correct implementation (the reference solution) must get only ✓ lines; each broken one must
get a ✗ line that names its mistake, for a mistake of the registry
(rnnkit.assignments.gru.mistakes) by the same message the hidden suite gives; a check never
raises, whatever the student's code does. The checks print, so stdout is captured. Messages
are matched in English (see conftest.py); some tests run in both languages.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from printed_checks import assert_flags, fail_lines, run

from rnnkit import assignments, i18n
from rnnkit.assignments.gru import checks
from rnnkit.assignments.gru.hidden.oracle import ReferenceOracle
from rnnkit.assignments.gru.mistakes import MISTAKES
from rnnkit.checks.feedback import plain
from rnnkit.compare import close
from solutions import gru as sol


def said(mistake_id: str) -> str:
    """What the checks print of a known mistake (in English, the tests' language)."""
    return plain(MISTAKES[mistake_id].en)


ALL_CHECKS = [
    (checks.check_update_gate, (sol.update_gate,)),
    (checks.check_reset_gate, (sol.reset_gate,)),
    (checks.check_candidate, (sol.candidate,)),
    (checks.check_interpolate, (sol.interpolate,)),
    (checks.check_gru_cell_forward, (sol.gru_cell_forward,)),
    (checks.check_gru_forward, (sol.gru_forward,)),
    (checks.check_gru_cell_backward, (sol.gru_cell_forward, sol.gru_cell_backward)),
    (checks.check_gru_backward, (sol.gru_forward, sol.gru_backward)),
]
IDS = [check.__name__ for check, _ in ALL_CHECKS]


def test_the_checks_follow_the_graded_functions_in_notebook_order():
    assert checks.__all__ == [f"check_{name}" for name in assignments.get("gru").functions]


# --- a correct implementation ------------------------------------------------------------------

@pytest.mark.parametrize(("check", "functions"), ALL_CHECKS, ids=IDS)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_correct_implementation_gets_only_ticks(check, functions, lang):
    with i18n.speaking(lang):
        printed = run(check, *functions)
    lines = printed.strip().splitlines()
    assert len(lines) >= 4
    assert all(line.startswith("✓") for line in lines[:-1]), printed
    assert lines[-1].startswith("→")
    assert ("all correct" if lang == "en" else "todo correcto") in lines[-1]


@pytest.mark.parametrize(("check", "functions"), ALL_CHECKS, ids=IDS)
def test_checks_never_raise_and_leave_the_random_state_alone(check, functions):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()
    for student in (broken, lambda *a, **k: None, lambda *a, **k: "text",
                    lambda *a, **k: (np.zeros((1, 1)), None)):
        assert fail_lines(run(check, *([student] * len(functions))))
    # a right forward, then a broken backward
    assert run(check, *functions[:1], *([broken] * (len(functions) - 1)))
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_an_exception_names_its_type_and_the_students_line():
    def update_gate(x_t, h_prev, params):
        return params["W_z"] @ x_t  # (H, H + D) @ (D, N): the shapes do not fit

    assert_flags(run(checks.check_update_gate, update_gate),
                 "update_gate raised ValueError", 'params["W_z"] @ x_t')


def test_a_function_not_written_yet_is_named():
    def candidate(x_t, h_prev, r_t, params):
        raise NotImplementedError()

    assert_flags(run(checks.check_candidate, candidate), "is not implemented yet")


# --- broken implementations, each with the words its report must contain ----------------------

def pre(gate, x_t, hidden, params, first="h"):
    """W_gate [hidden; x_t] + b_gate, or with [x_t; hidden] when ``first`` is "x"."""
    parts = (hidden, x_t) if first == "h" else (x_t, hidden)
    return params[f"W_{gate}"] @ np.concatenate(parts) + params[f"b_{gate}"]


def cell_with(z_of, r_of, candidate_of, interpolate_of, *, modifies_h_prev=False):
    """gru_cell_forward built from the given step functions (the reference's cache)."""
    def gru_cell_forward(x_t, h_prev, params):
        z, r = z_of(x_t, h_prev, params), r_of(x_t, h_prev, params)
        h_tilde = candidate_of(x_t, h_prev, r, params)
        cache = (x_t, h_prev.copy(), z, r, h_tilde, params)
        h_next = interpolate_of(h_prev, h_tilde, z)
        if modifies_h_prev:
            h_prev[...] = h_next
        return h_next, cache

    return gru_cell_forward


def candidate_without_reset(x_t, h_prev, r_t, params):
    return np.tanh(pre("h", x_t, h_prev, params))


def cell_forward_gates_swapped(x_t, h_prev, params):
    z, r = sol.update_gate(x_t, h_prev, params), sol.reset_gate(x_t, h_prev, params)
    h_tilde = sol.candidate(x_t, h_prev, z, params)
    return sol.interpolate(h_prev, h_tilde, r), (x_t, h_prev, z, r, h_tilde, params)


def cell_forward_without_reset(x_t, h_prev, params):
    """A wrong forward (no reset gate) whose cache makes the right backward differentiate it:
    the reference backward reads r = 1, and r is indeed not used."""
    z = sol.update_gate(x_t, h_prev, params)
    h_tilde = candidate_without_reset(x_t, h_prev, None, params)
    ones = np.ones_like(h_prev)
    return sol.interpolate(h_prev, h_tilde, z), (x_t, h_prev, z, ones, h_tilde, params)


def forward_with(mistake):
    def gru_forward(x, h0, params):
        h_t = np.zeros_like(h0) if mistake == "ignores h0" else h0
        hs = [h0] if mistake == "includes h0" else []
        caches = []
        for x_t in x:
            h_in = h0 if mistake == "h0 every step" else h_t
            h_t, cache = sol.gru_cell_forward(x_t, h_in, params)
            hs.append(h_t)
            caches.append(cache)
        return np.stack(hs), caches

    return gru_forward


def cell_backward_with(mistake):
    """The model answer's cell backward with one mistake built in."""
    def gru_cell_backward(dh_next, cache):
        x_t, h_prev, z, r, h_tilde, params = cache
        H = h_prev.shape[0]
        slope = 1.0 if mistake == "no tanh derivative" else 1 - h_tilde**2
        da_h = dh_next * z * slope
        d_read = params["W_h"].T @ da_h
        sign = -1.0 if mistake == "dz sign" else 1.0
        da_z = sign * dh_next * (h_tilde - h_prev) * z * (1 - z)
        da_r = d_read[:H] * h_prev * r * (1 - r)
        if mistake == "no path through z":
            da_z = 0.0 * da_z
        if mistake == "no path through r":
            da_r = 0.0 * da_r
        hx = np.concatenate((h_prev, x_t))
        d_hx = params["W_z"].T @ da_z + params["W_r"].T @ da_r
        direct = 0.0 if mistake == "no direct path" else dh_next * (1 - z)
        reset = 1.0 if mistake == "no reset on h" else r
        read_h = hx if mistake == "dW_h without reset" else np.concatenate((r * h_prev, x_t))
        total = "mean" if mistake == "bias averaged" else "sum"
        grads = {
            "dx_t": d_read[H:] + d_hx[H:],
            "dh_prev": direct + d_read[:H] * reset + d_hx[:H],
            "dW_z": hx @ da_z.T if mistake == "dW transposed" else da_z @ hx.T,
            "dW_r": da_r @ hx.T, "dW_h": da_h @ read_h.T,
            **{f"db_{g}": getattr(da, total)(axis=1, keepdims=True)
               for g, da in (("z", da_z), ("r", da_r), ("h", da_h))},
        }
        if mistake == "missing key":
            del grads["dh_prev"]
        return grads

    return gru_cell_backward


def backward_with(mistake):
    def gru_backward(dh, caches):
        grads = {f"d{k}_{g}": 0.0 for g in "zrh" for k in "Wb"}
        dh_next = np.zeros_like(dh[0])
        dx = [None] * len(caches)
        for t in reversed(range(len(caches))):
            outside = dh[t] if mistake != "last dh only" or t == len(caches) - 1 else 0.0
            if mistake == "modifies dh":
                dh[t] += dh_next
                step = sol.gru_cell_backward(dh[t], caches[t])
            else:
                step = sol.gru_cell_backward(outside + dh_next, caches[t])
            dx[t] = step["dx_t"]
            dh_next = 0.0 * dh_next if mistake == "no flow" else step["dh_prev"]
            for key in grads:
                grads[key] = step[key] if mistake == "overwrite" else grads[key] + step[key]
        dx = dx[::-1] if mistake == "dx reversed" else dx
        return {"dx": np.stack(dx), "dh0": dh_next, **grads}

    return gru_backward


CASES = {
    "update gate with tanh": (
        checks.check_update_gate, (lambda x, h, p: np.tanh(pre("z", x, h, p)),),
        ["z_t: " + said("update_gate.tanh")]),
    "reset gate with x first": (
        checks.check_reset_gate, (lambda x, h, p: sol.sigmoid(pre("r", x, h, p, first="x")),),
        ["r_t: " + said("reset_gate.x_first")]),
    "update gate with the reset gate's parameters": (
        checks.check_update_gate, (sol.reset_gate,),
        [said("update_gate.parameters_of_reset_gate")]),
    "reset gate transposed": (
        checks.check_reset_gate, (lambda x, h, p: sol.reset_gate(x, h, p).T,),
        ["Is it transposed?"]),
    "candidate without reset": (
        checks.check_candidate, (candidate_without_reset,), [said("candidate.no_reset")]),
    "candidate as torch.nn.GRU": (
        checks.check_candidate,
        (lambda x, h, r, p: np.tanh(
            p["W_h"][:, h.shape[0]:] @ x + r * (p["W_h"][:, :h.shape[0]] @ h) + p["b_h"]),),
        [said("candidate.reset_after_product")]),
    "candidate with the sigmoid": (
        checks.check_candidate, (lambda x, h, r, p: sol.sigmoid(pre("h", x, r * h, p)),),
        ["h_tilde: " + said("candidate.sigmoid")]),
    "interpolation as torch.nn.GRU": (
        checks.check_interpolate, (lambda h, h_tilde, z: z * h + (1 - z) * h_tilde,),
        ["h_t: " + said("interpolate.swapped")]),
    "interpolation keeping all of h_prev": (
        checks.check_interpolate, (lambda h, h_tilde, z: h + z * h_tilde,),
        [said("interpolate.keeps_all")]),
    "cell with the gates swapped": (
        checks.check_gru_cell_forward, (cell_forward_gates_swapped,),
        [said("cell_forward.gates_swapped")]),
    "cell returning the candidate": (
        checks.check_gru_cell_forward,
        (cell_with(sol.update_gate, sol.reset_gate, sol.candidate, lambda h, ht, z: ht),),
        [said("cell_forward.returns_candidate")]),
    "cell modifying h_prev": (
        checks.check_gru_cell_forward,
        (cell_with(sol.update_gate, sol.reset_gate, sol.candidate, sol.interpolate,
                   modifies_h_prev=True),),
        ["modified its argument h_prev"]),
    "cell returning h_next alone": (
        checks.check_gru_cell_forward, (lambda x, h, p: sol.gru_cell_forward(x, h, p)[0],),
        ["should return a tuple of 2 items"]),
    "forward ignoring h0": (
        checks.check_gru_forward, (forward_with("ignores h0"),), [said("forward.ignores_h0")]),
    "forward from h0 at every step": (
        checks.check_gru_forward, (forward_with("h0 every step"),),
        [said("forward.h0_every_step")]),
    "forward including h0": (
        checks.check_gru_forward, (forward_with("includes h0"),),
        ["h has shape (6, 4, 2) but should have shape (5, 4, 2)"]),
    "cell backward without the direct road": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "no direct path")), ["dh_prev: " + said("cell_backward.no_direct_path")]),
    "cell backward without the road through z": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "no path through z")), [said("cell_backward.no_path_through_z")]),
    "cell backward without the road through r": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "no path through r")), [said("cell_backward.no_path_through_r")]),
    "cell backward without r on the candidate's road": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "no reset on h")), ["dh_prev: " + said("cell_backward.no_reset_on_h")]),
    "cell backward with dz of the wrong sign": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with("dz sign")),
        [said("cell_backward.dz_sign")]),
    "cell backward with dW_h reading h_prev": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "dW_h without reset")), ["dW_h: " + said("cell_backward.dW_h_without_reset")]),
    "cell backward without the tanh derivative": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "no tanh derivative")), [said("cell_backward.no_tanh_derivative")]),
    "cell backward averaging the biases": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "bias averaged")), [said("cell_backward.bias_averaged")]),
    "cell backward with dW transposed": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "dW transposed")), ["dW_z has shape (7, 4) but should have shape (4, 7)"]),
    "cell backward missing a key": (
        checks.check_gru_cell_backward, (sol.gru_cell_forward, cell_backward_with(
            "missing key")), ["grads is missing the keys dh_prev"]),
    "cell backward of a forward without reset": (
        checks.check_gru_cell_backward, (cell_forward_without_reset, sol.gru_cell_backward),
        [said("cell_forward.candidate_without_reset"), "consistent with your gru_cell_forward"]),
    "backward without flow in time": (
        checks.check_gru_backward, (sol.gru_forward, backward_with("no flow")),
        [said("backward.no_flow_from_next_step")]),
    "backward overwriting the parameter gradients": (
        checks.check_gru_backward, (sol.gru_forward, backward_with("overwrite")),
        [said("backward.assigns_param_grads")]),
    "backward with the last dh only": (
        checks.check_gru_backward, (sol.gru_forward, backward_with("last dh only")),
        [said("backward.only_last_dh")]),
    "backward with dx reversed": (
        checks.check_gru_backward, (sol.gru_forward, backward_with("dx reversed")),
        ["dx: " + said("backward.dx_reversed")]),
    "backward modifying dh": (
        checks.check_gru_backward, (sol.gru_forward, backward_with("modifies dh")),
        ["modified its argument dh"]),
    "backward of a forward ignoring h0": (
        checks.check_gru_backward, (forward_with("ignores h0"), sol.gru_backward),
        [said("forward.ignores_h0"), "consistent with your gru_forward"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_implementation_gets_a_helpful_cross(case):
    check, functions, fragments = CASES[case]
    assert_flags(run(check, *functions), *fragments)


def test_one_mistake_in_several_gradients_is_one_line():
    printed = run(checks.check_gru_cell_backward, sol.gru_cell_forward,
                  cell_backward_with("no path through z"))
    reason = said("cell_backward.no_path_through_z")
    lines = [line for line in fail_lines(printed) if reason in line]
    assert len(lines) == 1
    assert lines[0].startswith("✗ dx_t, dh_prev, dW_z, db_z: "), printed
    assert "✓ dW_h: shape (4, 7) and correct values" in printed


def test_messages_follow_the_language():
    with i18n.speaking("es"):
        printed = run(checks.check_gru_backward, sol.gru_forward, backward_with("no flow"))
    assert_flags(printed, plain(MISTAKES["backward.no_flow_from_next_step"].es))


# --- the registry's two oracles ----------------------------------------------------------------

def test_the_two_oracles_make_every_mistake_alike():
    """The public checks' torch oracle and the hidden suite's, on the reference solution, agree
    on the right values and on the wrong value of every mistake of the registry, and every
    mistake changes what it spoils."""
    rng = np.random.default_rng(9)
    T, D, H, N = 3, 2, 4, 2
    p = {f"{kind}_{g}": rng.normal(0, 0.6, (H, H + D) if kind == "W" else (H, 1))
         for g in "zrh" for kind in "Wb"}
    x, h0, dh = rng.normal(size=(T, D, N)), rng.normal(0, 0.5, (H, N)), rng.normal(size=(T, H, N))
    x_t = x[0]
    r, z = sol.reset_gate(x_t, h0, p), sol.update_gate(x_t, h0, p)
    h_tilde = sol.candidate(x_t, h0, r, p)
    inputs = {"update_gate": (x_t, h0, p), "reset_gate": (x_t, h0, p),
              "candidate": (x_t, h0, r, p), "interpolate": (h0, h_tilde, z),
              "gru_cell_forward": (x_t, h0, p), "gru_forward": (x, h0, p),
              "gru_cell_backward": (dh[0], x_t, h0, p), "gru_backward": (dh, x, h0, p)}
    h, caches = sol.gru_forward(x, h0, p)
    right = {**{f: getattr(sol, f)(*inputs[f]) for f in ("update_gate", "reset_gate",
                                                          "candidate", "interpolate")},
             "gru_cell_forward": sol.gru_cell_forward(x_t, h0, p)[0], "gru_forward": h,
             "gru_cell_backward": sol.gru_cell_backward(dh[0], caches[0]),
             "gru_backward": sol.gru_backward(dh, caches)}
    torch_oracle, reference = checks.ORACLE, ReferenceOracle()
    for oracle in (torch_oracle, reference):
        for key, value in oracle.bptt(dh, x, h0, p).items():
            np.testing.assert_allclose(value, right["gru_backward"][key], atol=1e-12)
        np.testing.assert_allclose(oracle.forward(x, h0, p), h, atol=1e-12)
    for mistake in MISTAKES:
        args = inputs[mistake.function]
        by_torch, by_reference = mistake.wrong(torch_oracle, *args), mistake.wrong(reference, *args)
        if isinstance(by_torch, dict):
            assert by_torch.keys() == by_reference.keys(), mistake.id
            for key in by_torch:
                np.testing.assert_allclose(by_torch[key], by_reference[key], atol=1e-12,
                                           err_msg=f"{mistake.id}: {key}")
            assert any(not close(value, right[mistake.function][key])
                       for key, value in by_torch.items()), mistake.id
        else:
            np.testing.assert_allclose(by_torch, by_reference, atol=1e-12, err_msg=mistake.id)
            assert not close(by_torch, right[mistake.function]), mistake.id
