"""The reference solution of the RNN assignment agrees with PyTorch in float64.

Forward passes are compared with ``torch.nn.RNNCell`` / ``torch.nn.RNN``, every gradient with
torch autograd through those modules, and ``clip_gradients`` with
``torch.nn.utils.clip_grad_norm_``. Our layout has examples in columns (x is (T, D, N)); torch's
(batch_first=False) has them in rows (x is (T, N, D)), so values are transposed on the way in and
out. torch adds two biases, bias_ih + bias_hh: b_h is split between them at random so that the
test also shows that only their sum matters.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from solutions.rnn import (
    clip_gradients,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

TOL = 1e-10

# (T, D, H, N): single step, single example, D != H, D == H, wider batches, a longer sequence.
SHAPES = [
    (1, 3, 4, 2),
    (4, 3, 5, 1),
    (1, 1, 1, 1),
    (5, 4, 4, 3),
    (7, 2, 6, 4),
    (12, 5, 3, 2),
]


def make_inputs(T, D, H, N, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(T, D, N))
    h0 = rng.normal(scale=0.5, size=(H, N))
    params = {
        "W_xh": rng.normal(scale=0.6, size=(H, D)),
        "W_hh": rng.normal(scale=0.6, size=(H, H)),
        "b_h": rng.normal(scale=0.5, size=(H, 1)),
    }
    dh = rng.normal(size=(T, H, N))
    return x, h0, params, dh


def as_tensor(array, grad=False):
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def load(module, params, suffix, seed):
    """Copy our parameters into a torch RNN module, splitting b_h into its two biases."""
    split = np.random.default_rng(seed).normal(size=params["b_h"].shape[0])
    with torch.no_grad():
        getattr(module, f"weight_ih{suffix}").copy_(as_tensor(params["W_xh"]))
        getattr(module, f"weight_hh{suffix}").copy_(as_tensor(params["W_hh"]))
        getattr(module, f"bias_ih{suffix}").copy_(as_tensor(params["b_h"][:, 0] - split))
        getattr(module, f"bias_hh{suffix}").copy_(as_tensor(split))


def torch_rnn(x, h0, params, dh):
    """h (T, H, N) and all gradients of sum(h * dh) from torch.nn.RNN and autograd."""
    T, D, N = x.shape
    H = h0.shape[0]
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=False).double()
    load(rnn, params, "_l0", seed=1)
    x_in = as_tensor(x.transpose(0, 2, 1), grad=True)  # (T, N, D)
    h0_in = as_tensor(h0.T[None], grad=True)           # (num_layers, N, H)
    out, h_last = rnn(x_in, h0_in)
    (out * as_tensor(dh.transpose(0, 2, 1))).sum().backward()
    h = out.detach().numpy().transpose(0, 2, 1)
    assert np.allclose(h[-1], h_last.detach().numpy()[0].T, rtol=0, atol=TOL)
    db_ih, db_hh = rnn.bias_ih_l0.grad.numpy(), rnn.bias_hh_l0.grad.numpy()
    assert np.allclose(db_ih, db_hh, rtol=0, atol=TOL)  # both biases enter the same sum
    grads = {
        "dx": x_in.grad.numpy().transpose(0, 2, 1),
        "dh0": h0_in.grad.numpy()[0].T,
        "dW_xh": rnn.weight_ih_l0.grad.numpy(),
        "dW_hh": rnn.weight_hh_l0.grad.numpy(),
        "db_h": db_ih[:, None],
    }
    return h, grads


def torch_cell(x_t, h_prev, params, dh_next):
    """h_next (H, N) and all gradients of sum(h_next * dh_next) from torch.nn.RNNCell."""
    D, H = x_t.shape[0], h_prev.shape[0]
    cell = torch.nn.RNNCell(D, H, nonlinearity="tanh").double()
    load(cell, params, "", seed=2)
    x_in, h_in = as_tensor(x_t.T, grad=True), as_tensor(h_prev.T, grad=True)
    out = cell(x_in, h_in)
    (out * as_tensor(dh_next.T)).sum().backward()
    grads = {
        "dx_t": x_in.grad.numpy().T,
        "dh_prev": h_in.grad.numpy().T,
        "dW_xh": cell.weight_ih.grad.numpy(),
        "dW_hh": cell.weight_hh.grad.numpy(),
        "db_h": cell.bias_ih.grad.numpy()[:, None],
    }
    return out.detach().numpy().T, grads


def assert_matches(got, expected, name):
    assert isinstance(got, np.ndarray), f"{name} is {type(got).__name__}, not an ndarray"
    assert got.dtype == np.float64, f"{name} has dtype {got.dtype}"
    assert got.shape == expected.shape, f"{name}: shape {got.shape} != {expected.shape}"
    error = float(np.max(np.abs(got - expected))) if got.size else 0.0
    assert error <= TOL, f"{name}: max abs error {error:.3g} > {TOL}"


def snapshot(*values):
    return [({k: v.copy() for k, v in value.items()} if isinstance(value, dict) else value.copy())
            for value in values]


def assert_unchanged(before, after):
    for old, new in zip(before, after, strict=True):
        if isinstance(old, dict):
            assert old.keys() == new.keys()
            for key in old:
                assert np.array_equal(old[key], new[key]), f"argument entry {key} was modified"
        else:
            assert np.array_equal(old, new), "an argument was modified"


@pytest.mark.parametrize("T, D, H, N", SHAPES)
def test_cell_forward_and_backward_match_torch(T, D, H, N):
    x, h0, params, dh = make_inputs(T, D, H, N, seed=T + 10 * D + 100 * H + 1000 * N)
    expected_h, expected_grads = torch_cell(x[0], h0, params, dh[0])
    before = snapshot(x[0], h0, params, dh[0])

    h_next, cache = rnn_cell_forward(x[0], h0, params)
    grads = rnn_cell_backward(dh[0], cache)

    assert_matches(h_next, expected_h, "h_next")
    assert set(grads) == {"dx_t", "dh_prev", "dW_xh", "dW_hh", "db_h"}
    for key, value in expected_grads.items():
        assert_matches(grads[key], value, key)
    assert_unchanged(before, [x[0], h0, params, dh[0]])


@pytest.mark.parametrize("T, D, H, N", SHAPES)
def test_rnn_forward_and_backward_match_torch(T, D, H, N):
    x, h0, params, dh = make_inputs(T, D, H, N, seed=T + 10 * D + 100 * H + 1000 * N)
    expected_h, expected_grads = torch_rnn(x, h0, params, dh)
    before = snapshot(x, h0, params, dh)

    h, caches = rnn_forward(x, h0, params)
    grads = rnn_backward(dh, caches)

    assert_matches(h, expected_h, "h")
    assert len(caches) == T
    assert set(grads) == {"dx", "dh0", "dW_xh", "dW_hh", "db_h"}
    for key, value in expected_grads.items():
        assert_matches(grads[key], value, key)
    assert_unchanged(before, [x, h0, params, dh])


@pytest.mark.parametrize("T", [1, 6])
def test_loss_at_last_step_only(T):
    """A many-to-one model: dh is zero except at the last step, and the gradient still reaches
    every input and h0 through the recurrence."""
    x, h0, params, dh = make_inputs(T, 3, 4, 2, seed=7)
    dh[:-1] = 0.0
    _, expected_grads = torch_rnn(x, h0, params, dh)
    grads = rnn_backward(dh, rnn_forward(x, h0, params)[1])
    for key, value in expected_grads.items():
        assert_matches(grads[key], value, key)
    assert np.all(np.abs(grads["dx"]).sum(axis=(1, 2)) > 0)


def test_torch_oracle_tells_a_wrong_rnn_apart():
    """The comparison is sharp: an RNN that forgets the bias, or that never carries the
    gradient back from step t+1, is rejected."""
    x, h0, params, dh = make_inputs(4, 3, 5, 2, seed=3)
    expected_h, expected_grads = torch_rnn(x, h0, params, dh)

    no_bias = {**params, "b_h": np.zeros_like(params["b_h"])}
    with pytest.raises(AssertionError):
        assert_matches(rnn_forward(x, h0, no_bias)[0], expected_h, "h")

    caches = rnn_forward(x, h0, params)[1]
    cut = sum(rnn_cell_backward(dh[t], caches[t])["dW_hh"] for t in range(4))
    with pytest.raises(AssertionError):
        assert_matches(cut, expected_grads["dW_hh"], "dW_hh")


def torch_clip(grads, max_norm):
    tensors = [as_tensor(g) for g in grads.values()]
    for tensor in tensors:
        tensor.grad = tensor.detach().clone()
    norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return {k: t.grad.numpy() for k, t in zip(grads, tensors, strict=True)}, float(norm)


def make_grads(scale, seed=0):
    rng = np.random.default_rng(seed)
    return {"dW_xh": scale * rng.normal(size=(4, 3)), "dW_hh": scale * rng.normal(size=(4, 4)),
            "db_h": scale * rng.normal(size=(4, 1)), "dh0": scale * rng.normal(size=(4, 2))}


@pytest.mark.parametrize("scale, max_norm, clips", [
    (3.0, 5.0, True),     # total norm about 15: clipped
    (100.0, 0.5, True),   # far above the limit
    (0.1, 5.0, False),    # total norm about 0.5: unchanged
    (1.0, 1e6, False),
])
def test_clip_gradients_matches_torch(scale, max_norm, clips):
    grads = make_grads(scale)
    before = snapshot(grads)[0]
    expected, total = torch_clip(grads, max_norm)
    assert (total > max_norm) == clips

    out = clip_gradients(grads, max_norm)

    assert out is not grads and out.keys() == grads.keys()
    for key, value in expected.items():
        assert_matches(out[key], value, key)
        assert out[key] is not grads[key]
    after_norm = np.sqrt(sum(np.sum(g**2) for g in out.values()))
    if clips:
        assert after_norm <= max_norm and after_norm == pytest.approx(max_norm, rel=1e-5)
    else:
        for key in grads:
            assert np.array_equal(out[key], grads[key])
    assert_unchanged([before], [grads])


def test_clip_gradients_of_zero_gradients():
    grads = {"dW": np.zeros((2, 3)), "db": np.zeros((2, 1))}
    out = clip_gradients(grads, 1.0)
    expected, _ = torch_clip(grads, 1.0)
    for key in grads:
        assert_matches(out[key], expected[key], key)
