"""The LSTM's torch oracle: the right values of the public checks, and those the known mistakes
depart from (rnnkit.assignments.lstm.mistakes.Oracle), in float64: the LSTM equations written in
torch for values, torch autograd for gradients and ``torch.nn.LSTM`` for the PyTorch-layout
exercise.

The public checks reach it through ``rnnkit.assignments.lstm.checks.ORACLE``, which reads its
answers on the checks' fixed inputs from the stored file (rnnkit.checks.stored) and imports this
module, and torch, only for what is not stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from rnnkit.assignments.lstm.checks import GATES, PARAM_KEYS, TORCH_KEYS, D, H
from rnnkit.assignments.lstm.mistakes import RIGHT, Slopes

# Short names keep the formulas readable.
from rnnkit.checks.feedback import to_numpy as _np
from rnnkit.checks.feedback import to_torch as _t


def _tensors(params: Mapping[str, np.ndarray], grad: bool = False) -> dict[str, torch.Tensor]:
    """The parameters as float64 tensors (leaves autograd differentiates, with ``grad``)."""
    return {k: _t(v, grad) for k, v in params.items()}


def _slope(rule: Callable | None, *values: torch.Tensor) -> Any:
    """A mistake's slope ``rule`` (rnnkit.assignments.lstm.mistakes.Slopes) at the numpy values
    of ``values``; None when there is no rule (the right derivative)."""
    return None if rule is None else rule(*(_np(v) for v in values))


def _bent(value: torch.Tensor, at: torch.Tensor, slope: Any) -> torch.Tensor:
    """``value``, a function of ``at``, whose derivative with respect to ``at`` autograd takes
    as ``slope`` (a mistake's) instead of the true one; ``value`` itself when slope is None."""
    if slope is None:
        return value
    return value.detach() + _t(slope) * (at - at.detach())


def _forget(f: torch.Tensor, c: torch.Tensor, c_read: torch.Tensor | None,
            memory: Any) -> torch.Tensor:
    """f ⊙ c, whose gradient with respect to f reads ``c_read`` (the c_{t-1} a cache holds;
    None: c itself) and whose derivative with respect to c is ``memory`` (a mistake's; None:
    f, the right one)."""
    if c_read is None and memory is None:
        return f * c
    c_read = c.detach() if c_read is None else c_read
    to_c = f.detach() if memory is None else _t(memory)
    return f * c_read + f.detach() * (c.detach() - c_read) + to_c * (c - c.detach())


def _gate_tensors(z: torch.Tensor, P: Mapping[str, torch.Tensor], slopes: Slopes = RIGHT,
                  z_read: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """The four gates {f, i, c, o} of one step from z = [h_{t-1}; x_t] and the parameters P.
    ``slopes`` bend the derivatives of the activations; ``z_read``, the z a cache holds, is
    what the weights' gradients read (values and the gradient of z stay those of z)."""
    gates = {}
    for g in GATES:
        W, b = P[f"W_{g}"], P[f"b_{g}"]
        a = W @ z + b if z_read is None else W @ z_read + W.detach() @ (z - z_read) + b
        if g == "c":
            gates[g] = _bent(torch.tanh(a), a, _slope(slopes.candidate, torch.tanh(a)))
        else:
            gates[g] = _bent(torch.sigmoid(a), a, _slope(slopes.gate, torch.sigmoid(a)))
    return gates


def _torch_step(x, h, c, P, slopes: Slopes = RIGHT, cached: tuple | None = None):
    """One LSTM step in torch: (h_next, c_next). ``slopes`` and ``cached`` change the gradients
    autograd finds, never the values: ``slopes`` are a mistake's local derivatives;
    ``cached``, the arrays (h_prev, c_prev) a cache holds in place of h and c, are what the
    gradients of the parameters and of the forget gate read."""
    z = torch.cat((h, x))
    z_read = None if cached is None else torch.cat((_t(cached[0]), x.detach()))
    g = _gate_tensors(z, P, slopes, z_read)
    c_read = None if cached is None else _t(cached[1])
    c_next = _forget(g["f"], c, c_read, _slope(slopes.memory, g["f"])) + g["i"] * g["c"]
    tanh_c = torch.tanh(c_next)
    return g["o"] * _bent(tanh_c, c_next, _slope(slopes.cell, c_next, tanh_c)), c_next


def _torch_run(x, h0, c0, step_params: list, *, slopes: Slopes = RIGHT, carry_h: bool = True,
               carry_c: bool = True, every_h: np.ndarray | None = None,
               every_c: np.ndarray | None = None, cached: tuple | None = None):
    """(h, c), each (T, H, N): the LSTM unrolled in torch over x (T, D, N), with the
    parameters step_params[t] at step t, and the knobs of TorchOracle.forward (``every_h``,
    ``every_c``) and TorchOracle.bptt (``slopes``, ``carry_h``, ``carry_c``; ``cached``, the
    previous states (T, H, N) h and c the steps' caches hold)."""
    h, c, hs, cs = h0, c0, [], []
    for t in range(x.shape[0]):
        h, c = _torch_step(x[t], h, c, step_params[t], slopes,
                           None if cached is None else (cached[0][t], cached[1][t]))
        hs.append(h)
        cs.append(c)
        h = (h if carry_h else h.detach()) if every_h is None else _t(every_h)
        c = (c if carry_c else c.detach()) if every_c is None else _t(every_c)
    return torch.stack(hs), torch.stack(cs)


def _torch_cell_forward(x_t, h_prev, c_prev, params) -> tuple[np.ndarray, np.ndarray]:
    """(h_next, c_next), each (H, N), of one LSTM step in torch."""
    with torch.no_grad():
        h, c = _torch_step(_t(x_t), _t(h_prev), _t(c_prev), _tensors(params))
    return _np(h), _np(c)


def _torch_lstm_module(packed: Mapping[str, Any], x, h0, c0) -> np.ndarray:
    """h (T, H, N) of torch.nn.LSTM loaded with the packed arrays, on x from (h0, c0)."""
    with torch.random.fork_rng(devices=[]):  # creating the module must not touch the user's RNG
        module = torch.nn.LSTM(D, H, dtype=torch.float64)
    with torch.no_grad():
        for key in TORCH_KEYS:
            getattr(module, key).copy_(_t(packed[key]))
        out, _ = module(_t(x.transpose(0, 2, 1)), (_t(h0.T[None]), _t(c0.T[None])))
    return out.numpy().transpose(0, 2, 1)


class TorchOracle:
    """The right values of the public checks, and the right computations the known mistakes
    depart from (rnnkit.assignments.lstm.mistakes.Oracle), by torch and autograd."""

    def lstm_module(self, packed, x, h0, c0) -> np.ndarray:
        """h (T, H, N) of torch.nn.LSTM loaded with ``packed`` (to_torch_layout's arrays)."""
        return _torch_lstm_module(packed, x, h0, c0)

    def gates(self, x_t, h_prev, params) -> dict[str, np.ndarray]:
        with torch.no_grad():
            gates = _gate_tensors(torch.cat((_t(h_prev), _t(x_t))), _tensors(params))
        return {g: _np(value) for g, value in gates.items()}

    def cell_forward(self, x_t, h_prev, c_prev, params) -> tuple[np.ndarray, np.ndarray]:
        return _torch_cell_forward(x_t, h_prev, c_prev, params)

    def forward(self, x, h0, params, c0, *, every_h=None, every_c=None
                ) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            h, c = _torch_run(_t(x), _t(h0), _t(c0), [_tensors(params)] * len(x),
                              every_h=every_h, every_c=every_c)
        return _np(h), _np(c)

    def cell_backward(self, dh_next, dc_next, x_t, h_prev, c_prev, params, *,
                      slopes: Slopes = RIGHT) -> dict[str, np.ndarray]:
        x, h, c = _t(x_t, grad=True), _t(h_prev, grad=True), _t(c_prev, grad=True)
        P = _tensors(params, grad=True)
        h_next, c_next = _torch_step(x, h, c, P, slopes)
        ((h_next * _t(dh_next)).sum() + (c_next * _t(dc_next)).sum()).backward()
        return {"dx_t": _np(x.grad, x_t), "dh_prev": _np(h.grad, h_prev),
                "dc_prev": _np(c.grad, c_prev),
                **{f"d{k}": _np(P[k].grad, params[k]) for k in PARAM_KEYS}}

    def bptt(self, dh, x, h0, params, c0, *, slopes: Slopes = RIGHT, carry_h: bool = True,
             carry_c: bool = True, only_step: int | None = None, cached: Callable | None = None
             ) -> dict[str, np.ndarray]:
        # One copy of the parameters per step shows each step's share of their gradients.
        steps = [_tensors(params, grad=True) for _ in range(len(x))]
        read = None
        if cached is not None:
            h, c = self.forward(x, h0, params, c0)
            read = cached(np.concatenate((h0[None], h)), np.concatenate((c0[None], c)))
        x_in, h0_in, c0_in = _t(x, grad=True), _t(h0, grad=True), _t(c0, grad=True)
        h, _ = _torch_run(x_in, h0_in, c0_in, steps, slopes=slopes, carry_h=carry_h,
                          carry_c=carry_c, cached=read)
        (h * _t(dh)).sum().backward()
        used = steps if only_step is None else [steps[only_step]]
        return {"dx": _np(x_in.grad, x), "dh0": _np(h0_in.grad, h0), "dc0": _np(c0_in.grad, c0),
                **{f"d{k}": sum(_np(step[k].grad, params[k]) for step in used)
                   for k in PARAM_KEYS}}


ORACLE = TorchOracle()
