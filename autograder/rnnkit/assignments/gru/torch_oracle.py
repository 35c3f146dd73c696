"""The GRU's torch oracle: the right values of the public checks, and those the known mistakes
depart from (rnnkit.assignments.gru.mistakes.Oracle), in float64: the GRU equations of the
notebook written in torch for values, torch autograd for gradients.

The public checks reach it through ``rnnkit.assignments.gru.checks.ORACLE``, which reads its
answers on the checks' fixed inputs from the stored file (rnnkit.checks.stored) and imports this
module, and torch, only for what is not stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch

from rnnkit.assignments.gru.checks import PARAM_KEYS
from rnnkit.assignments.gru.mistakes import RIGHT, Paths

# Short names keep the formulas readable.
from rnnkit.checks.feedback import to_numpy as _np
from rnnkit.checks.feedback import to_torch as _t


def _tensors(params: Mapping[str, np.ndarray], grad: bool = False) -> dict[str, torch.Tensor]:
    """The parameters as float64 tensors (leaves autograd differentiates, with ``grad``)."""
    return {k: _t(v, grad) for k, v in params.items()}


def _bent(value: torch.Tensor, at: torch.Tensor, slope: Callable | None) -> torch.Tensor:
    """``value``, a function of ``at``, whose derivative with respect to ``at`` autograd takes
    as ``slope`` (a mistake's, from the numpy value) instead of the true one; ``value`` itself
    when slope is None."""
    if slope is None:
        return value
    return value.detach() + _t(slope(_np(value))) * (at - at.detach())


def _gate(P: Mapping[str, torch.Tensor], g: str, hx: torch.Tensor, paths: Paths
          ) -> torch.Tensor:
    """The gate ``g`` (z or r) from [h_{t-1}; x_t], its derivative bent by ``paths``."""
    a = P[f"W_{g}"] @ hx + P[f"b_{g}"]
    return _bent(torch.sigmoid(a), a, paths.gate_slope)


def _candidate(x: torch.Tensor, reset_h: torch.Tensor, P: Mapping[str, torch.Tensor],
               paths: Paths = RIGHT, hx: torch.Tensor | None = None) -> torch.Tensor:
    """h̃_t from x_t and r_t ⊙ h_{t-1}; with ``paths.dW_h_reads_reset`` False, the gradient of
    W_h reads ``hx``, [h_{t-1}; x_t], instead (the value stays right)."""
    read = torch.cat((reset_h, x))
    W = P["W_h"]
    a = (W @ read if paths.dW_h_reads_reset else W.detach() @ read + (W - W.detach()) @ hx)
    a = a + P["b_h"]
    return _bent(torch.tanh(a), a, paths.candidate_slope)


def _interpolate(h: torch.Tensor, h_tilde: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    return (1 - z) * h + z * h_tilde


def _torch_step(x: torch.Tensor, h: torch.Tensor, P: Mapping[str, torch.Tensor],
                paths: Paths = RIGHT) -> tuple[torch.Tensor, ...]:
    """(z, r, h̃, h_next) of one GRU step in torch. ``paths`` (a mistake's) change the
    gradients autograd finds, never the values."""
    hx = torch.cat((h, x))
    z, r = _gate(P, "z", hx, paths), _gate(P, "r", hx, paths)
    z_in = z if paths.through_z else z.detach()
    r_in = r if paths.through_r else r.detach()
    # A road left out is a detached value; a bent derivative, value + slope · (v − v.detach()).
    reset_h = r_in * h if paths.reset_on_h else r_in * h.detach() + (h - h.detach())
    h_tilde = _candidate(x, reset_h, P, paths, hx.detach())
    z_in = z_in.detach() + paths.dz_sign * (z_in - z_in.detach())
    kept = h if paths.direct else h.detach()
    return z, r, h_tilde, _interpolate(kept, h_tilde, z_in)


def _torch_run(x: torch.Tensor, h0: torch.Tensor, step_params: list, *, paths: Paths = RIGHT,
               carry: bool = True, every_h: np.ndarray | None = None) -> torch.Tensor:
    """h (T, H, N): the GRU unrolled in torch over x (T, D, N) with the parameters
    step_params[t] at step t, and the knobs of TorchOracle.forward and TorchOracle.bptt."""
    h, hs = h0, []
    for t in range(x.shape[0]):
        h = _torch_step(x[t], h, step_params[t], paths)[-1]
        hs.append(h)
        h = (h if carry else h.detach()) if every_h is None else _t(every_h)
    return torch.stack(hs)


class TorchOracle:
    """The right values of the public checks, and the right computations the known mistakes
    depart from (rnnkit.assignments.gru.mistakes.Oracle), by torch and autograd."""

    def gates(self, x_t, h_prev, params) -> dict[str, np.ndarray]:
        with torch.no_grad():
            z, r, h_tilde, _ = _torch_step(_t(x_t), _t(h_prev), _tensors(params))
        return {"z": _np(z), "r": _np(r), "h": _np(h_tilde)}

    def candidate(self, x_t, h_prev, r_t, params) -> np.ndarray:
        with torch.no_grad():
            return _np(_candidate(_t(x_t), _t(r_t) * _t(h_prev), _tensors(params)))

    def interpolate(self, h_prev, h_tilde, z_t) -> np.ndarray:
        return _np(_interpolate(_t(h_prev), _t(h_tilde), _t(z_t)))

    def cell_forward(self, x_t, h_prev, params) -> np.ndarray:
        with torch.no_grad():
            return _np(_torch_step(_t(x_t), _t(h_prev), _tensors(params))[-1])

    def forward(self, x, h0, params, *, every_h=None) -> np.ndarray:
        with torch.no_grad():
            return _np(_torch_run(_t(x), _t(h0), [_tensors(params)] * len(x),
                                  every_h=every_h))

    def cell_backward(self, dh_next, x_t, h_prev, params, *, paths: Paths = RIGHT
                      ) -> dict[str, np.ndarray]:
        x, h = _t(x_t, grad=True), _t(h_prev, grad=True)
        P = _tensors(params, grad=True)
        (_torch_step(x, h, P, paths)[-1] * _t(dh_next)).sum().backward()
        return {"dx_t": _np(x.grad, x_t), "dh_prev": _np(h.grad, h_prev),
                **{f"d{k}": _np(P[k].grad, params[k]) for k in PARAM_KEYS}}

    def bptt(self, dh, x, h0, params, *, paths: Paths = RIGHT, carry: bool = True,
             only_step: int | None = None) -> dict[str, np.ndarray]:
        # One copy of the parameters per step shows each step's share of their gradients.
        steps = [_tensors(params, grad=True) for _ in range(len(x))]
        x_in, h0_in = _t(x, grad=True), _t(h0, grad=True)
        (_torch_run(x_in, h0_in, steps, paths=paths, carry=carry) * _t(dh)).sum().backward()
        used = steps if only_step is None else [steps[only_step]]
        return {"dx": _np(x_in.grad, x), "dh0": _np(h0_in.grad, h0),
                **{f"d{k}": sum(_np(step[k].grad, params[k]) for step in used)
                   for k in PARAM_KEYS}}


ORACLE = TorchOracle()
