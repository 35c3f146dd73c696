"""The model answer solutions/lstm.py against PyTorch, in float64.

Forward passes are compared with torch.nn.LSTM / torch.nn.LSTMCell, whose weights are packed
from ours (torch stacks the gates in the order i, f, g, o and keeps the input and recurrent
matrices and biases apart); gradients with torch autograd of the same modules. The gates alone
are compared with their equations written in torch.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from solutions import lstm

TOL = 1e-10
TORCH_ORDER = ("i", "f", "c", "o")  # torch's i, f, g, o; our candidate C~ is its g

# (T, D, H, N): single step, single example, D < H, D > H, D = H.
SHAPES = [(1, 3, 2, 1), (1, 1, 1, 1), (4, 3, 5, 2), (6, 5, 3, 4), (3, 2, 2, 1), (7, 4, 6, 3)]


def make_problem(T, D, H, N, seed):
    rng = np.random.default_rng(seed)
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(scale=0.6, size=(H, H + D))
        params[f"b_{gate}"] = rng.normal(scale=0.5, size=(H, 1))
    return {
        "x": rng.normal(size=(T, D, N)),
        "h0": rng.normal(scale=0.8, size=(H, N)),
        "c0": rng.normal(scale=1.5, size=(H, N)),
        "params": params,
        "dh": rng.normal(size=(T, H, N)),
        "dc": rng.normal(size=(H, N)),
        "rng": rng,
    }


def pack(module, params, rng):
    """Load our params into a torch LSTM/LSTMCell; the bias is split randomly into two parts."""
    H = params["b_f"].shape[0]
    W = np.concatenate([params[f"W_{g}"] for g in TORCH_ORDER])  # (4H, H + D)
    b = np.concatenate([params[f"b_{g}"] for g in TORCH_ORDER])[:, 0]
    b_hh = rng.normal(size=b.shape)
    suffix = "_l0" if isinstance(module, torch.nn.LSTM) else ""
    with torch.no_grad():
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(W[:, :H]))
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(W[:, H:]))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(b - b_hh))
        getattr(module, "bias_hh" + suffix).copy_(torch.from_numpy(b_hh))
    return module


def unpack_grads(module, H):
    """Torch's parameter gradients in our layout: dW_* = [d(hh rows) | d(ih rows)]."""
    suffix = "_l0" if isinstance(module, torch.nn.LSTM) else ""
    w_ih = getattr(module, "weight_ih" + suffix).grad.numpy()
    w_hh = getattr(module, "weight_hh" + suffix).grad.numpy()
    b_ih = getattr(module, "bias_ih" + suffix).grad.numpy()
    b_hh = getattr(module, "bias_hh" + suffix).grad.numpy()
    np.testing.assert_allclose(b_ih, b_hh, rtol=0, atol=TOL)  # both biases see the same gradient
    grads = {}
    for k, g in enumerate(TORCH_ORDER):
        rows = slice(k * H, (k + 1) * H)
        grads[f"dW_{g}"] = np.concatenate((w_hh[rows], w_ih[rows]), axis=1)
        grads[f"db_{g}"] = b_ih[rows][:, None]
    return grads


def leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def assert_close(got, expected):
    assert isinstance(got, np.ndarray)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


def snapshot(*values):
    """Deep copies of arrays and dicts of arrays, to check that nothing was modified."""
    out = []
    for value in values:
        if isinstance(value, dict):
            out.append({k: v.copy() for k, v in value.items()})
        else:
            out.append(value.copy())
    return out


def assert_unchanged(before, after):
    for old, new in zip(before, after, strict=True):
        if isinstance(old, dict):
            for key in old:
                np.testing.assert_array_equal(old[key], new[key])
        else:
            np.testing.assert_array_equal(old, new)


# --- gates -------------------------------------------------------------------------------------

GATE_FUNCTIONS = {
    "f": (lstm.forget_gate, torch.sigmoid),
    "i": (lstm.input_gate, torch.sigmoid),
    "c": (lstm.candidate, torch.tanh),
    "o": (lstm.output_gate, torch.sigmoid),
}


@pytest.mark.parametrize("gate", list(GATE_FUNCTIONS))
@pytest.mark.parametrize("shape", SHAPES)
def test_gate_matches_its_equation_in_torch(gate, shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=1)
    x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
    fn, activation = GATE_FUNCTIONS[gate]
    before = snapshot(x_t, h_prev, params)

    got = fn(x_t, h_prev, params)

    z = torch.cat((torch.from_numpy(h_prev), torch.from_numpy(x_t)), dim=0)
    expected = activation(torch.from_numpy(params[f"W_{gate}"]) @ z
                          + torch.from_numpy(params[f"b_{gate}"]))
    assert_close(got, expected.numpy())
    assert_unchanged(before, [x_t, h_prev, params])


def test_gates_read_only_their_own_parameters():
    p = make_problem(1, 3, 4, 2, seed=2)
    x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
    for gate, (fn, _) in GATE_FUNCTIONS.items():
        own = {f"W_{gate}": params[f"W_{gate}"], f"b_{gate}": params[f"b_{gate}"]}
        assert_close(fn(x_t, h_prev, own), fn(x_t, h_prev, params))


def test_sigmoid_is_stable_and_exact():
    a = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would raise here
        s = lstm.sigmoid(a)
    np.testing.assert_allclose(s, torch.sigmoid(torch.from_numpy(a)).numpy(), rtol=1e-15, atol=0)
    assert s[0] == 0.0 and s[3] == 0.5 and s[-1] == 1.0
    np.testing.assert_allclose(s + lstm.sigmoid(-a), 1.0, rtol=0, atol=1e-15)


# --- forward -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_cell_forward_matches_torch_lstm_cell(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=3)
    x_t, h_prev, c_prev, params = p["x"][0], p["h0"], p["c0"], p["params"]
    before = snapshot(x_t, h_prev, c_prev, params)

    h_next, c_next, _ = lstm.lstm_cell_forward(x_t, h_prev, c_prev, params)

    cell = pack(torch.nn.LSTMCell(D, H, dtype=torch.float64), params, p["rng"])
    with torch.no_grad():
        h_ref, c_ref = cell(torch.from_numpy(x_t.T), (torch.from_numpy(h_prev.T),
                                                     torch.from_numpy(c_prev.T)))
    assert_close(h_next, h_ref.numpy().T)
    assert_close(c_next, c_ref.numpy().T)
    assert_unchanged(before, [x_t, h_prev, c_prev, params])


def run_torch_lstm(p, use_c0):
    """torch.nn.LSTM on problem p; returns the module, outputs and the input leaves."""
    T, D, N = p["x"].shape
    H = p["h0"].shape[0]
    module = pack(torch.nn.LSTM(D, H, dtype=torch.float64), p["params"], p["rng"])
    x = leaf(p["x"].transpose(0, 2, 1))  # torch wants (T, N, D)
    h0 = leaf(p["h0"].T[None])  # (1, N, H)
    c0 = leaf(p["c0"].T[None] if use_c0 else np.zeros((1, N, H)))
    out, (h_last, c_last) = module(x, (h0, c0))
    return module, out, c_last, (x, h0, c0)


@pytest.mark.parametrize("use_c0", [True, False], ids=["c0", "no_c0"])
@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_forward_matches_torch_lstm(shape, use_c0):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=4)
    x, h0, c0, params = p["x"], p["h0"], p["c0"], p["params"]
    before = snapshot(x, h0, c0, params)

    if use_c0:
        h, c, caches = lstm.lstm_forward(x, h0, params, c0=c0)
    else:
        h, c, caches = lstm.lstm_forward(x, h0, params)

    _, out, c_last, _ = run_torch_lstm(p, use_c0)
    assert_close(h, out.detach().numpy().transpose(0, 2, 1))
    assert_close(c[-1], c_last.detach().numpy()[0].T)
    assert len(caches) == T
    assert_unchanged(before, [x, h0, c0, params])


def test_lstm_forward_cell_states_match_stepwise_torch():
    """torch.nn.LSTM only returns the last c; check every c_t with LSTMCell step by step."""
    p = make_problem(5, 3, 4, 2, seed=5)
    h, c, _ = lstm.lstm_forward(p["x"], p["h0"], p["params"], c0=p["c0"])
    cell = pack(torch.nn.LSTMCell(3, 4, dtype=torch.float64), p["params"], p["rng"])
    state = (torch.from_numpy(p["h0"].T), torch.from_numpy(p["c0"].T))
    with torch.no_grad():
        for t in range(5):
            state = cell(torch.from_numpy(p["x"][t].T), state)
            assert_close(h[t], state[0].numpy().T)
            assert_close(c[t], state[1].numpy().T)


# --- backward ----------------------------------------------------------------------------------

CELL_KEYS = {"dx_t", "dh_prev", "dc_prev"} | {f"d{k}_{g}" for g in "fico" for k in "Wb"}


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_cell_backward_matches_autograd(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=6)
    x_t, h_prev, c_prev, params = p["x"][0], p["h0"], p["c0"], p["params"]
    dh_next, dc_next = p["dh"][0], p["dc"]

    _, _, cache = lstm.lstm_cell_forward(x_t, h_prev, c_prev, params)
    before = snapshot(dh_next, dc_next, x_t, h_prev, c_prev, params)
    grads = lstm.lstm_cell_backward(dh_next, dc_next, cache)
    assert_unchanged(before, [dh_next, dc_next, x_t, h_prev, c_prev, params])
    assert set(grads) == CELL_KEYS

    cell = pack(torch.nn.LSTMCell(D, H, dtype=torch.float64), params, p["rng"])
    x, h, c = leaf(x_t.T), leaf(h_prev.T), leaf(c_prev.T)
    h_out, c_out = cell(x, (h, c))
    loss = (h_out * torch.from_numpy(dh_next.T)).sum() + (c_out * torch.from_numpy(dc_next.T)).sum()
    loss.backward()

    assert_close(grads["dx_t"], x.grad.numpy().T)
    assert_close(grads["dh_prev"], h.grad.numpy().T)
    assert_close(grads["dc_prev"], c.grad.numpy().T)
    for key, value in unpack_grads(cell, H).items():
        assert_close(grads[key], value)


@pytest.mark.parametrize("use_c0", [True, False], ids=["c0", "no_c0"])
@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_backward_matches_autograd(shape, use_c0):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=7)
    c0 = p["c0"] if use_c0 else None
    _, _, caches = lstm.lstm_forward(p["x"], p["h0"], p["params"], c0=c0)
    dh = p["dh"]
    dh_before = dh.copy()
    grads = lstm.lstm_backward(dh, caches)
    np.testing.assert_array_equal(dh, dh_before)
    assert set(grads) == {"dx", "dh0", "dc0"} | {f"d{k}_{g}" for g in "fico" for k in "Wb"}

    module, out, _, (x, h0, c0_leaf) = run_torch_lstm(p, use_c0)
    (out * torch.from_numpy(dh.transpose(0, 2, 1))).sum().backward()

    assert_close(grads["dx"], x.grad.numpy().transpose(0, 2, 1))
    assert_close(grads["dh0"], h0.grad.numpy()[0].T)
    assert_close(grads["dc0"], c0_leaf.grad.numpy()[0].T)
    for key, value in unpack_grads(module, H).items():
        assert_close(grads[key], value)


def test_outside_gradient_at_every_step_matters():
    """A loss on h_1 alone must give non-zero gradients (guards against tests that only look
    at the last step)."""
    p = make_problem(4, 3, 2, 2, seed=8)
    _, _, caches = lstm.lstm_forward(p["x"], p["h0"], p["params"], c0=p["c0"])
    dh = np.zeros((4, 2, 2))
    dh[0] = 1.0
    grads = lstm.lstm_backward(dh, caches)
    assert np.all(grads["dx"][1:] == 0.0)
    assert np.abs(grads["dx"][0]).max() > 1e-3
    assert np.abs(grads["dc0"]).max() > 1e-3


# --- the tests themselves can fail -------------------------------------------------------------


def test_torch_packing_is_order_sensitive():
    """Packing the gates in our order (f, i, c, o) instead of torch's must be detected."""
    p = make_problem(3, 2, 3, 2, seed=9)
    h, _, _ = lstm.lstm_forward(p["x"], p["h0"], p["params"], c0=p["c0"])
    swapped = dict(p["params"])
    swapped["W_f"], swapped["W_i"] = p["params"]["W_i"], p["params"]["W_f"]
    swapped["b_f"], swapped["b_i"] = p["params"]["b_i"], p["params"]["b_f"]
    p["params"] = swapped
    _, out, _, _ = run_torch_lstm(p, use_c0=True)
    with pytest.raises(AssertionError):
        assert_close(h, out.detach().numpy().transpose(0, 2, 1))


@pytest.mark.parametrize("shape", SHAPES)
def test_to_torch_layout_drives_torch_lstm(shape):
    T, D, H, N = shape
    p = make_problem(T, D, H, N, seed=10)
    before = snapshot(p["params"])
    packed = lstm.to_torch_layout(p["params"])
    assert_unchanged(before, [p["params"]])
    assert {k: v.shape for k, v in packed.items()} == {
        "weight_ih_l0": (4 * H, D), "weight_hh_l0": (4 * H, H),
        "bias_ih_l0": (4 * H,), "bias_hh_l0": (4 * H,)}

    module = torch.nn.LSTM(D, H, dtype=torch.float64)
    with torch.no_grad():
        for name, value in packed.items():
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
        out, _ = module(torch.from_numpy(p["x"].transpose(0, 2, 1)),
                        (torch.from_numpy(p["h0"].T[None]), torch.from_numpy(p["c0"].T[None])))
    h, _, _ = lstm.lstm_forward(p["x"], p["h0"], p["params"], c0=p["c0"])
    assert_close(h, out.numpy().transpose(0, 2, 1))
