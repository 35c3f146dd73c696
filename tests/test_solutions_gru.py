"""The model answer solutions/gru.py against PyTorch, in float64.

torch.nn.GRU is another GRU (its reset gate scales W_hn h_{t-1} instead of h_{t-1}, and its
update gate weighs the old state), so the oracle for our equations is their direct transcription
in torch, differentiated by autograd. torch.nn.GRU itself, loaded through the converter, must
agree with us exactly where the two models coincide (h_{t-1} = 0, a reset gate equal across
units, W_hn diagonal, z = 0), disagree elsewhere, and differ by precisely the term the
converter's docstring names. Gradients are also checked against finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnkit.gradcheck import numerical_gradient, relative_error
from solutions import gru

TOL = 1e-10
PARAM_NAMES = [f"{kind}_{gate}" for gate in "zrh" for kind in "Wb"]
CELL_KEYS = {"dx_t", "dh_prev"} | {f"d{name}" for name in PARAM_NAMES}
SEQUENCE_KEYS = {"dx", "dh0"} | {f"d{name}" for name in PARAM_NAMES}

# (T, D, H, N): single step, single example, D < H, D > H, D = H, a longer sequence.
SHAPES = [(1, 3, 2, 1), (1, 1, 1, 1), (4, 3, 5, 2), (6, 5, 3, 4), (3, 2, 2, 1), (9, 4, 6, 3)]


def make_problem(T, D, H, N, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for gate in "zrh":
        params[f"W_{gate}"] = rng.normal(scale=0.6, size=(H, H + D))
        params[f"b_{gate}"] = rng.normal(scale=0.5, size=(H, 1))
    return {
        "x": rng.normal(size=(T, D, N)),
        "h0": rng.normal(scale=0.8, size=(H, N)),
        "params": params,
        "dh": rng.normal(size=(T, H, N)),
    }


def leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def assert_close(got, expected, tol=TOL):
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float64
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=0, atol=tol)


def snapshot(*values):
    """Deep copies of arrays and dicts of arrays, to check that nothing was modified."""
    return [{k: v.copy() for k, v in value.items()} if isinstance(value, dict) else value.copy()
            for value in values]


def assert_unchanged(before, after):
    for old, new in zip(before, after, strict=True):
        if isinstance(old, dict):
            assert old.keys() == new.keys()
            for key in old:
                np.testing.assert_array_equal(old[key], new[key])
        else:
            np.testing.assert_array_equal(old, new)


# --- the oracle: our equations written in torch ------------------------------------------------


def torch_gates(x, h, P):
    """z, r, h~ and h_t of one step of OUR GRU, on torch tensors in our (features, N) layout."""
    hx = torch.cat((h, x), dim=0)
    z = torch.sigmoid(P["W_z"] @ hx + P["b_z"])
    r = torch.sigmoid(P["W_r"] @ hx + P["b_r"])
    h_tilde = torch.tanh(P["W_h"] @ torch.cat((r * h, x), dim=0) + P["b_h"])
    return z, r, h_tilde, (1 - z) * h + z * h_tilde


def torch_sequence(x, h0, params):
    """Leaves for x, h0 and every parameter, and h (T, H, N) computed from them in torch."""
    leaves = {"x": leaf(x), "h0": leaf(h0)} | {name: leaf(params[name]) for name in PARAM_NAMES}
    h, hs = leaves["h0"], []
    for t in range(x.shape[0]):
        h = torch_gates(leaves["x"][t], h, leaves)[-1]
        hs.append(h)
    return leaves, torch.stack(hs)


def autograd_grads(leaves, output, upstream, renames):
    """Gradients of sum(output * upstream) with respect to every leaf, named like ours."""
    (output * torch.from_numpy(upstream)).sum().backward()
    return {renames.get(name, f"d{name}"): value.grad.numpy() for name, value in leaves.items()}


# --- gates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_gates_match_their_equations_in_torch(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=1)
    x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
    before = snapshot(x_t, h_prev, params)

    z = gru.update_gate(x_t, h_prev, params)
    r = gru.reset_gate(x_t, h_prev, params)
    h_tilde = gru.candidate(x_t, h_prev, r, params)
    h_next = gru.interpolate(h_prev, h_tilde, z)

    P = {name: torch.from_numpy(value) for name, value in params.items()}
    expected = torch_gates(torch.from_numpy(x_t), torch.from_numpy(h_prev), P)
    for got, want in zip((z, r, h_tilde, h_next), expected, strict=True):
        assert_close(got, want.numpy())
    assert_unchanged(before, [x_t, h_prev, params])


def test_gates_read_only_their_own_parameters():
    p = make_problem(1, 3, 4, 2, seed=2)
    x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
    r = gru.reset_gate(x_t, h_prev, params)
    only = {gate: {f"W_{gate}": params[f"W_{gate}"], f"b_{gate}": params[f"b_{gate}"]}
            for gate in "zrh"}
    assert_close(gru.update_gate(x_t, h_prev, only["z"]), gru.update_gate(x_t, h_prev, params))
    assert_close(gru.reset_gate(x_t, h_prev, only["r"]), r)
    assert_close(gru.candidate(x_t, h_prev, r, only["h"]), gru.candidate(x_t, h_prev, r, params))


def test_candidate_uses_the_reset_gate_it_is_given():
    """r = 0 hides the past: the candidate is tanh(W_h^x x_t + b_h), whatever h_{t-1} is."""
    p = make_problem(1, 3, 4, 2, seed=3)
    x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
    H = h_prev.shape[0]
    hidden = gru.candidate(x_t, h_prev, np.zeros_like(h_prev), params)
    assert_close(hidden, np.tanh(params["W_h"][:, H:] @ x_t + params["b_h"]))
    shown = gru.candidate(x_t, h_prev, np.ones_like(h_prev), params)
    assert np.abs(shown - hidden).max() > 1e-2


def test_interpolation_endpoints():
    rng = np.random.default_rng(4)
    h_prev, h_tilde = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    assert_close(gru.interpolate(h_prev, h_tilde, np.zeros((3, 2))), h_prev, tol=0)
    assert_close(gru.interpolate(h_prev, h_tilde, np.ones((3, 2))), h_tilde, tol=0)


def test_gates_are_finite_at_huge_pre_activations():
    p = make_problem(1, 2, 3, 2, seed=5)
    params = {name: 1e4 * value for name, value in p["params"].items()}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is harmless
        h_next, _ = gru.gru_cell_forward(p["x"][0], p["h0"], params)
    assert np.all(np.isfinite(h_next))


# --- forward -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_forward_matches_the_torch_oracle(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=6)
    x, h0, params = p["x"], p["h0"], p["params"]
    before = snapshot(x, h0, params)

    h, caches = gru.gru_forward(x, h0, params)
    h_cell, _ = gru.gru_cell_forward(x[0], h0, params)

    _, expected = torch_sequence(x, h0, params)
    assert_close(h, expected.detach().numpy())
    assert_close(h_cell, expected.detach().numpy()[0])
    assert len(caches) == T
    assert_unchanged(before, [x, h0, params])


# --- backward ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_cell_backward_matches_autograd(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=7)
    x_t, h_prev, params, dh_next = p["x"][:1], p["h0"], p["params"], p["dh"][0]

    _, cache = gru.gru_cell_forward(x_t[0], h_prev, params)
    before = snapshot(dh_next, x_t, h_prev, params)
    grads = gru.gru_cell_backward(dh_next, cache)
    again = gru.gru_cell_backward(dh_next, cache)  # the cache is not consumed
    assert_unchanged(before, [dh_next, x_t, h_prev, params])
    assert set(grads) == CELL_KEYS

    leaves, h = torch_sequence(x_t, h_prev, params)
    expected = autograd_grads(leaves, h[0], dh_next, {"x": "dx_t", "h0": "dh_prev"})
    expected["dx_t"] = expected["dx_t"][0]
    for key, value in expected.items():
        assert_close(grads[key], value)
        assert_close(again[key], grads[key], tol=0)


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_backward_matches_autograd(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=8)
    _, caches = gru.gru_forward(p["x"], p["h0"], p["params"])
    before = snapshot(p["dh"], p["x"], p["h0"], p["params"])
    grads = gru.gru_backward(p["dh"], caches)
    assert_unchanged(before, [p["dh"], p["x"], p["h0"], p["params"]])
    assert set(grads) == SEQUENCE_KEYS

    leaves, h = torch_sequence(p["x"], p["h0"], p["params"])
    expected = autograd_grads(leaves, h, p["dh"], {"x": "dx", "h0": "dh0"})
    for key, value in expected.items():
        assert_close(grads[key], value)


def test_outside_gradient_at_every_step_matters():
    """A loss on h_1 alone gives zero dx after step 1 and non-zero gradients at step 1."""
    p = make_problem(4, 3, 2, 2, seed=9)
    _, caches = gru.gru_forward(p["x"], p["h0"], p["params"])
    dh = np.zeros((4, 2, 2))
    dh[0] = 1.0
    grads = gru.gru_backward(dh, caches)
    assert np.all(grads["dx"][1:] == 0.0)
    assert np.abs(grads["dx"][0]).max() > 1e-3
    assert np.abs(grads["dh0"]).max() > 1e-3


def test_cell_gradients_match_finite_differences():
    p = make_problem(1, 3, 4, 2, seed=10)
    x_t, h_prev, params, dh_next = p["x"][0].copy(), p["h0"].copy(), p["params"], p["dh"][0]
    _, cache = gru.gru_cell_forward(x_t, h_prev, params)
    grads = gru.gru_cell_backward(dh_next, cache)

    def h_next():
        return gru.gru_cell_forward(x_t, h_prev, params)[0]

    inputs = {"dx_t": x_t, "dh_prev": h_prev} | {f"d{n}": params[n] for n in PARAM_NAMES}
    for key, array in inputs.items():
        numerical = numerical_gradient(lambda _: h_next(), array, dh_next)
        assert relative_error(grads[key], numerical) < 1e-7, key


def test_sequence_gradients_match_finite_differences():
    p = make_problem(5, 2, 3, 2, seed=11)
    x, h0, params, dh = p["x"].copy(), p["h0"].copy(), p["params"], p["dh"]
    _, caches = gru.gru_forward(x, h0, params)
    grads = gru.gru_backward(dh, caches)

    inputs = {"dx": x, "dh0": h0} | {f"d{n}": params[n] for n in PARAM_NAMES}
    for key, array in inputs.items():
        numerical = numerical_gradient(lambda _: gru.gru_forward(x, h0, params)[0], array, dh)
        assert relative_error(grads[key], numerical) < 1e-7, key


def test_the_oracle_tells_a_wrong_gru_apart():
    """Resetting after the recurrent product (torch's variant) is caught by the oracle."""
    p = make_problem(4, 3, 3, 2, seed=12)
    params = p["params"]
    H = 3
    h_t, hs = p["h0"], []
    for x_t in p["x"]:
        z = gru.update_gate(x_t, h_t, params)
        r = gru.reset_gate(x_t, h_t, params)
        h_tilde = np.tanh(params["W_h"][:, H:] @ x_t + r * (params["W_h"][:, :H] @ h_t)
                          + params["b_h"])
        h_t = gru.interpolate(h_t, h_tilde, z)
        hs.append(h_t)
    _, expected = torch_sequence(p["x"], p["h0"], params)
    with pytest.raises(AssertionError):
        assert_close(np.stack(hs), expected.detach().numpy())


# --- torch.nn.GRU through the converter --------------------------------------------------------


def torch_gru(params, x, h0, leaves=False):
    """torch.nn.GRU (float64) loaded with to_torch_layout(params); returns (module, h, inputs)."""
    D, H = x.shape[1], h0.shape[0]
    module = torch.nn.GRU(D, H, dtype=torch.float64)
    with torch.no_grad():
        for name, value in gru.to_torch_layout(params).items():
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    make = leaf if leaves else (lambda a: torch.tensor(a, dtype=torch.float64))
    inputs = (make(x.transpose(0, 2, 1)), make(h0.T[None]))  # torch wants (T, N, D), (1, N, H)
    out, h_last = module(*inputs)
    h = out.detach().numpy().transpose(0, 2, 1)
    np.testing.assert_array_equal(h[-1], h_last.detach().numpy()[0].T)
    return module, out, inputs


def reset_gate_constant_across_units(params, value):
    return {**params, "W_r": np.zeros_like(params["W_r"]),
            "b_r": np.full_like(params["b_r"], value)}


def candidate_reads_only_its_own_unit(params):
    H = params["b_h"].shape[0]
    W_h = params["W_h"].copy()
    W_h[:, :H] = np.diag(np.diag(W_h[:, :H]))
    return {**params, "W_h": W_h}


AGREEING = {
    "reset_saturated_open": lambda P: {**P, "b_r": np.full_like(P["b_r"], 40.0)},
    "reset_closed": lambda P: {**P, "b_r": np.full_like(P["b_r"], -1000.0)},
    "reset_constant": lambda P: reset_gate_constant_across_units(P, 0.3),
    "candidate_diagonal": candidate_reads_only_its_own_unit,
    "candidate_blind_to_past": lambda P: {**P, "W_h": np.concatenate(
        (np.zeros_like(P["W_h"][:, :P["b_h"].shape[0]]), P["W_h"][:, P["b_h"].shape[0]:]), 1)},
    "update_shut": lambda P: {**P, "b_z": np.full_like(P["b_z"], -1000.0)},
}


@pytest.mark.parametrize("case", list(AGREEING))
@pytest.mark.parametrize("shape", SHAPES)
def test_torch_gru_agrees_where_the_models_coincide(shape, case):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=13)
    params = AGREEING[case](p["params"])
    h, _ = gru.gru_forward(p["x"], p["h0"], params)
    _, out, _ = torch_gru(params, p["x"], p["h0"])
    assert_close(h, out.detach().numpy().transpose(0, 2, 1))


@pytest.mark.parametrize("shape", SHAPES)
def test_torch_gru_agrees_on_the_first_step_from_zero(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=14)
    h0 = np.zeros((H, N))
    h, _ = gru.gru_forward(p["x"], h0, p["params"])
    _, out, _ = torch_gru(p["params"], p["x"], h0)
    torch_h = out.detach().numpy().transpose(0, 2, 1)
    assert_close(h[0], torch_h[0])
    if T > 1 and H > 1:  # from h_1 != 0 on, the reset gate acts differently
        assert np.abs(h[1:] - torch_h[1:]).max() > 1e-4


@pytest.mark.parametrize("shape", [s for s in SHAPES if s[2] > 1])
def test_torch_gru_differs_in_general_by_the_named_gap(shape):
    """One step of torch.nn.GRU equals ours with r * (W_hn h) - W_hn (r * h) added inside tanh,
    and that gap is not small for generic parameters."""
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=15)
    x_t, h_prev, params = p["x"][:1], p["h0"], p["params"]
    _, out, _ = torch_gru(params, x_t, h_prev)
    torch_h = out.detach().numpy()[0].T

    ours, _ = gru.gru_cell_forward(x_t[0], h_prev, params)
    z = gru.update_gate(x_t[0], h_prev, params)
    r = gru.reset_gate(x_t[0], h_prev, params)
    W_hn = params["W_h"][:, :H]
    gap = r * (W_hn @ h_prev) - W_hn @ (r * h_prev)
    pre = params["W_h"] @ np.concatenate((r * h_prev, x_t[0])) + params["b_h"]
    assert_close(torch_h, gru.interpolate(h_prev, np.tanh(pre + gap), z))
    assert np.abs(gap).max() > 1e-2
    assert np.abs(torch_h - ours).max() > 1e-4


def test_torch_gru_gradients_agree_when_the_reset_gate_is_saturated():
    """With r = 1 exactly (sigmoid(40) rounds to 1 in float64) the two models are the same
    function of every input and parameter, so torch's autograd must give our gradients."""
    T, D, H, N = 5, 3, 4, 2
    p = make_problem(T, D, H, N, seed=16)
    params = AGREEING["reset_saturated_open"](p["params"])
    _, caches = gru.gru_forward(p["x"], p["h0"], params)
    grads = gru.gru_backward(p["dh"], caches)

    module, out, (x, h0) = torch_gru(params, p["x"], p["h0"], leaves=True)
    (out * torch.from_numpy(p["dh"].transpose(0, 2, 1))).sum().backward()
    assert_close(grads["dx"], x.grad.numpy().transpose(0, 2, 1))
    assert_close(grads["dh0"], h0.grad.numpy()[0].T)
    torch_grads = {name: value.grad.numpy() for name, value in module.named_parameters()}
    # Each of our biases is torch's sum bias_ih + bias_hh, so both get its gradient (b_hn too,
    # since r = 1); the weights' gradients map like the weights.
    np.testing.assert_allclose(torch_grads["bias_ih_l0"], torch_grads["bias_hh_l0"], atol=TOL)
    as_ours = gru.from_torch_layout({**torch_grads, "bias_hh_l0": np.zeros(3 * H)})
    for name in PARAM_NAMES:
        assert_close(grads[f"d{name}"], as_ours[name])


def test_the_update_gate_sign_matters():
    """Without negating the update gate, torch.nn.GRU keeps what ours replaces."""
    p = make_problem(4, 3, 3, 2, seed=17)
    params = AGREEING["reset_saturated_open"](p["params"])
    h, _ = gru.gru_forward(p["x"], p["h0"], params)
    packed = gru.to_torch_layout(params)
    H = 3
    for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0"):
        packed[name][H:2 * H] *= -1.0
    module = torch.nn.GRU(3, H, dtype=torch.float64)
    with torch.no_grad():
        for name, value in packed.items():
            getattr(module, name).copy_(torch.from_numpy(value))
        out, _ = module(torch.from_numpy(p["x"].transpose(0, 2, 1)),
                        torch.from_numpy(p["h0"].T[None]))
    with pytest.raises(AssertionError):
        assert_close(h, out.numpy().transpose(0, 2, 1))


@pytest.mark.parametrize("shape", SHAPES)
def test_converter_round_trips_and_leaves_its_input_alone(shape):
    T, D, H, N = shape
    params = make_problem(T, D, H, N, seed=18)["params"]
    before = snapshot(params)
    packed = gru.to_torch_layout(params)
    assert_unchanged(before, [params])
    assert {k: v.shape for k, v in packed.items()} == {
        "weight_ih_l0": (3 * H, D), "weight_hh_l0": (3 * H, H),
        "bias_ih_l0": (3 * H,), "bias_hh_l0": (3 * H,)}
    packed_before = snapshot(packed)
    back = gru.from_torch_layout(packed)
    assert_unchanged(packed_before, [packed])
    assert set(back) == set(params)
    for name in PARAM_NAMES:
        assert_close(back[name], params[name], tol=0)


def test_from_torch_layout_reads_a_torch_module():
    """A torch.nn.GRU whose W_hn is diagonal is a GRU of ours, b_hn folded into b_h where
    r = 1; the state_dict's tensors are accepted as they come."""
    D, H, N, T = 3, 4, 2, 6
    torch.manual_seed(0)
    module = torch.nn.GRU(D, H, dtype=torch.float64)
    with torch.no_grad():
        module.weight_hh_l0[2 * H:] = torch.diag(torch.diagonal(module.weight_hh_l0[2 * H:]))
    rng = np.random.default_rng(19)
    x, h0 = rng.normal(size=(T, D, N)), rng.normal(size=(H, N))
    with torch.no_grad():
        out, _ = module(torch.from_numpy(x.transpose(0, 2, 1)), torch.from_numpy(h0.T[None]))
        module.bias_hh_l0[2 * H:] = 0.0  # b_hn is scaled by r in torch: only zero is exact
        out_zero, _ = module(torch.from_numpy(x.transpose(0, 2, 1)), torch.from_numpy(h0.T[None]))

    params = gru.from_torch_layout(dict(module.named_parameters()))
    h, _ = gru.gru_forward(x, h0, params)
    assert_close(h, out_zero.numpy().transpose(0, 2, 1))
    assert np.abs(out.numpy() - out_zero.numpy()).max() > 1e-3  # b_hn did matter
