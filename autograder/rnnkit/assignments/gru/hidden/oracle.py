"""The oracle the hidden suite hands to the mistakes (rnnkit.assignments.gru.mistakes): the
reference solution, and a backward whose knobs (Paths) make the known mistakes.
Instructor-only."""

from __future__ import annotations

import numpy as np

from rnnkit.assignments.gru.mistakes import RIGHT, Paths
from solutions import gru as reference

Array = np.ndarray
PARAM_KEYS = tuple(f"{kind}_{g}" for g in "zrh" for kind in ("W", "b"))


class ReferenceOracle:
    """rnnkit.assignments.gru.mistakes.Oracle in numpy, on the reference solution."""

    def gates(self, x_t: Array, h_prev: Array, params: dict) -> dict[str, Array]:
        r = reference.reset_gate(x_t, h_prev, params)
        return {"z": reference.update_gate(x_t, h_prev, params), "r": r,
                "h": reference.candidate(x_t, h_prev, r, params)}

    def candidate(self, x_t: Array, h_prev: Array, r_t: Array, params: dict) -> Array:
        return reference.candidate(x_t, h_prev, r_t, params)

    def interpolate(self, h_prev: Array, h_tilde: Array, z_t: Array) -> Array:
        return reference.interpolate(h_prev, h_tilde, z_t)

    def cell_forward(self, x_t: Array, h_prev: Array, params: dict) -> Array:
        return reference.gru_cell_forward(x_t, h_prev, params)[0]

    def forward(self, x: Array, h0: Array, params: dict, *,
                every_h: Array | None = None) -> Array:
        h, hs = h0, []
        for x_t in x:
            h = self.cell_forward(x_t, h, params)
            hs.append(h)
            h = h if every_h is None else every_h
        return np.stack(hs)

    def cell_backward(self, dh_next: Array, x_t: Array, h_prev: Array, params: dict, *,
                      paths: Paths = RIGHT) -> dict[str, Array]:
        return step_grads(dh_next, reference.gru_cell_forward(x_t, h_prev, params)[1], paths)

    def bptt(self, dh: Array, x: Array, h0: Array, params: dict, *, paths: Paths = RIGHT,
             carry: bool = True, only_step: int | None = None) -> dict[str, Array]:
        _, caches = reference.gru_forward(x, h0, params)
        steps = range(len(x))
        kept = steps[only_step] if only_step is not None else None
        grads = {f"d{k}": np.zeros_like(params[k], dtype=float) for k in PARAM_KEYS}
        dx = np.zeros_like(x, dtype=float)
        dh_carry = np.zeros_like(h0, dtype=float)
        for t in reversed(steps):
            step = step_grads(dh[t] + (dh_carry if carry else 0.0), caches[t], paths)
            dx[t] = step["dx_t"]
            if kept is None or t == kept:
                for key in grads:
                    grads[key] = grads[key] + step[key]
            dh_carry = step["dh_prev"]
        return {"dx": dx, "dh0": dh_carry, **grads}


def step_grads(dh_next: Array, cache: tuple, paths: Paths = RIGHT) -> dict[str, Array]:
    """The gradients of gru_cell_backward on ``cache`` (as reference.gru_cell_forward makes
    it), going back along ``paths`` (rnnkit.assignments.gru.mistakes.Paths)."""
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    gate_slope = paths.gate_slope or (lambda s: s * (1.0 - s))
    candidate_slope = paths.candidate_slope or (lambda h: 1.0 - h**2)

    da_h = dh_next * z * candidate_slope(h_tilde)
    d_read = params["W_h"].T @ da_h  # gradient of the candidate's [r ⊙ h_{t-1}; x_t]
    dz = paths.dz_sign * dh_next * (h_tilde - h_prev)
    da = {"z": float(paths.through_z) * dz * gate_slope(z),
          "r": float(paths.through_r) * d_read[:H] * h_prev * gate_slope(r),
          "h": da_h}
    hx = np.concatenate((h_prev, x_t))
    read = {"z": hx, "r": hx,
            "h": np.concatenate((r * h_prev, x_t)) if paths.dW_h_reads_reset else hx}
    grads = {}
    for g in "zrh":
        grads[f"dW_{g}"] = da[g] @ read[g].T
        grads[f"db_{g}"] = da[g].sum(axis=1, keepdims=True)
    d_gates = params["W_z"].T @ da["z"] + params["W_r"].T @ da["r"]
    grads["dh_prev"] = (float(paths.direct) * dh_next * (1.0 - z)
                        + d_read[:H] * (r if paths.reset_on_h else 1.0) + d_gates[:H])
    grads["dx_t"] = d_read[H:] + d_gates[H:]
    return grads


ORACLE = ReferenceOracle()
