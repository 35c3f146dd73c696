"""The RNN's torch oracle: the right values of the public checks, and those the known mistakes
depart from (rnnkit.assignments.rnn.mistakes.Oracle), by ``torch.nn.RNNCell``, ``torch.nn.RNN``,
autograd and ``torch.nn.utils.clip_grad_norm_``, all in float64.

The public checks reach it through ``rnnkit.assignments.rnn.checks.ORACLE``, which reads its
answers on the checks' fixed inputs from the stored file (rnnkit.checks.stored) and imports this
module, and torch, only for what is not stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from rnnkit.assignments.rnn.checks import CELL_GRAD_KEYS, PARAM_KEYS

# Short names keep the formulas readable.
from rnnkit.checks.feedback import to_numpy as _np
from rnnkit.checks.feedback import to_torch as _t


def _load(module: torch.nn.Module, suffix: str, params: Mapping) -> None:
    """Copy W_xh, W_hh, b_h into a torch RNN module (b_h goes to bias_ih; bias_hh is zero)."""
    with torch.no_grad():
        getattr(module, f"weight_ih{suffix}").copy_(_t(params["W_xh"]))
        getattr(module, f"weight_hh{suffix}").copy_(_t(params["W_hh"]))
        getattr(module, f"bias_ih{suffix}").copy_(_t(params["b_h"][:, 0]))
        getattr(module, f"bias_hh{suffix}").zero_()


def _torch_cell(x_t, h_prev, params):
    """torch.nn.RNNCell loaded with ``params``, run on x_t (D, N) and h_prev (H, N): (cell,
    x and h as torch leaves in its (N, ·) layout, h_next (N, H))."""
    with torch.random.fork_rng(devices=[]):  # module creation must not touch the user's RNG
        cell = torch.nn.RNNCell(x_t.shape[0], h_prev.shape[0], nonlinearity="tanh").double()
    _load(cell, "", params)
    x_in, h_in = _t(x_t.T, grad=True), _t(h_prev.T, grad=True)
    return cell, x_in, h_in, cell(x_in, h_in)  # torch puts examples in rows: (N, H)


def _torch_cell_forward(x_t, h_prev, params) -> np.ndarray:
    """h_next (H, N) of torch.nn.RNNCell."""
    return _np(_torch_cell(x_t, h_prev, params)[3]).T


def _torch_cell_backward(x_t, h_prev, params, dh_next) -> dict[str, np.ndarray]:
    """Autograd of sum(h_next * dh_next) through torch.nn.RNNCell: the grads dict."""
    cell, x_in, h_in, out = _torch_cell(x_t, h_prev, params)
    (out * _t(dh_next.T)).sum().backward()
    return {"dx_t": _np(x_in.grad).T, "dh_prev": _np(h_in.grad).T,
            "dW_xh": _np(cell.weight_ih.grad), "dW_hh": _np(cell.weight_hh.grad),
            "db_h": _np(cell.bias_ih.grad)[:, None]}


def _torch_rnn(x, h0, params, dh=None):
    """torch.nn.RNN on x (T, D, N) from h0 (H, N): returns (h (T, H, N), grads or None)."""
    with torch.random.fork_rng(devices=[]):
        rnn = torch.nn.RNN(x.shape[1], h0.shape[0], nonlinearity="tanh").double()
    _load(rnn, "_l0", params)
    x_in = _t(np.transpose(x, (0, 2, 1)), grad=True)  # torch layout (T, N, D)
    h0_in = _t(h0.T[None], grad=True)                  # (layers, N, H)
    out, _ = rnn(x_in, h0_in)
    h = np.transpose(_np(out), (0, 2, 1))
    if dh is None:
        return h, None
    (out * _t(np.transpose(dh, (0, 2, 1)))).sum().backward()
    return h, {"dx": np.transpose(_np(x_in.grad), (0, 2, 1)), "dh0": _np(h0_in.grad)[0].T,
               "dW_xh": _np(rnn.weight_ih_l0.grad), "dW_hh": _np(rnn.weight_hh_l0.grad),
               "db_h": _np(rnn.bias_ih_l0.grad)[:, None]}


def _torch_clip(grads: Mapping[str, np.ndarray], max_norm: float) -> dict[str, np.ndarray]:
    """What torch.nn.utils.clip_grad_norm_ makes of ``grads`` (copies; grads untouched)."""
    tensors = {name: _t(g) for name, g in grads.items()}
    for tensor in tensors.values():
        tensor.grad = tensor.detach().clone()
    torch.nn.utils.clip_grad_norm_(list(tensors.values()), max_norm)
    return {name: _np(tensor.grad) for name, tensor in tensors.items()}


class _TanhTwice(torch.autograd.Function):
    """tanh forward, and the backward of a student who applies tanh again: g ⊙ (1 − tanh(h)²)."""

    @staticmethod
    def forward(ctx: Any, a: torch.Tensor) -> torch.Tensor:
        out = torch.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (out,) = ctx.saved_tensors
        return grad * (1 - torch.tanh(out) ** 2)


class TorchOracle:
    """The right values of the public checks, and the right computations the known mistakes
    depart from (rnnkit.assignments.rnn.mistakes.Oracle), by torch and autograd."""

    def cell_forward(self, x_t, h_prev, params) -> np.ndarray:
        return _torch_cell_forward(x_t, h_prev, params)

    def forward(self, x, h0, params) -> np.ndarray:
        return _torch_rnn(x, h0, params)[0]

    def cell_backward(self, dh_next, x_t, h_prev, params) -> dict[str, np.ndarray]:
        """The grads dict of torch.nn.RNNCell (rnn_cell_backward's)."""
        return _torch_cell_backward(x_t, h_prev, params, dh_next)

    def rnn_grads(self, dh, x, h0, params) -> dict[str, np.ndarray]:
        """The grads dict of torch.nn.RNN (rnn_backward's)."""
        return _torch_rnn(x, h0, params, dh)[1]

    def clip(self, grads, max_norm) -> dict[str, np.ndarray]:
        """What torch.nn.utils.clip_grad_norm_ makes of ``grads``."""
        return _torch_clip(grads, max_norm)

    def linear_grads(self, da, x_t, h_prev, params) -> dict[str, np.ndarray]:
        x, h = _t(x_t, grad=True), _t(h_prev, grad=True)
        weights = [_t(params[k], grad=True) for k in PARAM_KEYS]
        W_xh, W_hh, b = weights
        a = W_hh @ h + W_xh @ x + b
        grads = torch.autograd.grad(a, (x, h, *weights), grad_outputs=_t(da))
        return dict(zip(CELL_GRAD_KEYS, (_np(g) for g in grads), strict=True))

    def bptt(self, dh, x, h0, params, *, carry: bool = True, only_step: int | None = None,
             tanh_twice: bool = False, dW_hh_states: Callable | None = None
             ) -> dict[str, np.ndarray]:
        # A hand-unrolled RNN with one copy of the weights per step shows each step's share of
        # the weight gradients; the pre-activations keep their gradients da_t.
        steps = x.shape[0]
        x_in, h0_in = _t(x, grad=True), _t(h0, grad=True)
        copies = {k: [_t(params[k], grad=True) for _ in range(steps)] for k in PARAM_KEYS}
        activation = _TanhTwice.apply if tanh_twice else torch.tanh
        h, loss, pre = h0_in, 0, []
        for t in range(steps):
            h_in = h if carry or t == 0 else h.detach()
            a = copies["W_hh"][t] @ h_in + copies["W_xh"][t] @ x_in[t] + copies["b_h"][t]
            a.retain_grad()
            pre.append(a)
            h = activation(a)
            loss = loss + (h * _t(dh[t])).sum()
        loss.backward()
        grads = {"dx": _np(x_in.grad, x), "dh0": _np(h0_in.grad, h0)}
        for k in PARAM_KEYS:
            shares = [_np(w.grad, params[k]) for w in copies[k]]
            grads[f"d{k}"] = sum(shares) if only_step is None else shares[only_step]
        if dW_hh_states is not None:
            states = dW_hh_states(np.concatenate([h0[None], self.forward(x, h0, params)]))
            grads["dW_hh"] = sum(_np(a.grad) @ states[t].T for t, a in enumerate(pre))
        return grads


ORACLE = TorchOracle()
