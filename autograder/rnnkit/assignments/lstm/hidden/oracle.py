"""The oracle the hidden suite hands to the mistakes (rnnkit.assignments.lstm.mistakes): the
reference solution, and a backward whose knobs make the known mistakes. Instructor-only."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnkit.assignments.lstm.mistakes import LETTER, RIGHT, Slopes
from solutions import lstm as reference

Array = np.ndarray
PARAM_KEYS = tuple(f"{kind}_{g}" for g in LETTER.values() for kind in ("W", "b"))


class ReferenceOracle:
    """rnnkit.assignments.lstm.mistakes.Oracle in numpy, on the reference solution."""

    def gates(self, x_t: Array, h_prev: Array, params: dict) -> dict[str, Array]:
        return {g: getattr(reference, function)(x_t, h_prev, params)
                for function, g in LETTER.items()}

    def cell_forward(self, x_t: Array, h_prev: Array, c_prev: Array, params: dict
                     ) -> tuple[Array, Array]:
        h_next, c_next, _ = reference.lstm_cell_forward(x_t, h_prev, c_prev, params)
        return h_next, c_next

    def forward(self, x: Array, h0: Array, params: dict, c0: Array, *,
                every_h: Array | None = None, every_c: Array | None = None
                ) -> tuple[Array, Array]:
        h, c, hs, cs = h0, c0, [], []
        for x_t in x:
            h, c = self.cell_forward(x_t, h, c, params)
            hs.append(h)
            cs.append(c)
            h = h if every_h is None else every_h
            c = c if every_c is None else every_c
        return np.stack(hs), np.stack(cs)

    def cell_backward(self, dh_next: Array, dc_next: Array, x_t: Array, h_prev: Array,
                      c_prev: Array, params: dict, *, slopes: Slopes = RIGHT) -> dict:
        _, c_next, cache = reference.lstm_cell_forward(x_t, h_prev, c_prev, params)
        return _step_grads(dh_next, dc_next, cache, c_next, slopes)

    def bptt(self, dh: Array, x: Array, h0: Array, params: dict, c0: Array, *,
             slopes: Slopes = RIGHT, carry_h: bool = True, carry_c: bool = True,
             only_step: int | None = None,
             cached: Callable[[Array, Array], tuple[Array, Array]] | None = None) -> dict:
        h, c, caches = reference.lstm_forward(x, h0, params, c0)
        if cached is not None:  # the caches' previous states, the rest as the forward made it
            h_read, c_read = cached(np.concatenate((h0[None], h)), np.concatenate((c0[None], c)))
            caches = [(x_t, h_read[t], c_read[t], *cache[3:])
                      for t, (x_t, cache) in enumerate(zip(x, caches, strict=True))]
        steps = range(len(x))
        kept = steps[only_step] if only_step is not None else None
        grads = {f"d{k}": np.zeros_like(params[k], dtype=float) for k in PARAM_KEYS}
        dx = np.zeros_like(x, dtype=float)
        dh_carry = dc_carry = np.zeros_like(h0, dtype=float)
        for t in reversed(steps):
            step = _step_grads(dh[t] + (dh_carry if carry_h else 0.0),
                               dc_carry if carry_c else np.zeros_like(dc_carry), caches[t], c[t],
                               slopes)
            dx[t] = step["dx_t"]
            if kept is None or t == kept:
                for key in grads:
                    grads[key] = grads[key] + step[key]
            dh_carry, dc_carry = step["dh_prev"], step["dc_prev"]
        return {"dx": dx, "dh0": dh_carry, "dc0": dc_carry, **grads}


def _step_grads(dh_next: Array, dc_next: Array, cache: tuple, c_next: Array,
                slopes: Slopes) -> dict[str, Array]:
    """The gradients of lstm_cell_backward on ``cache`` (as reference.lstm_cell_forward makes
    it; c_next is the step's cell state), each local derivative taken from ``slopes`` where it
    gives one."""
    x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    gate_slope = slopes.gate or (lambda s: s * (1.0 - s))
    candidate_slope = slopes.candidate or (lambda ct: 1.0 - ct**2)
    cell_slope = slopes.cell or (lambda c, tc: 1.0 - tc**2)
    memory = slopes.memory or (lambda forget: forget)

    dc = dc_next + dh_next * o * cell_slope(c_next, tanh_c)
    da = {"f": dc * c_prev * gate_slope(f), "i": dc * c_tilde * gate_slope(i),
          "c": dc * i * candidate_slope(c_tilde), "o": dh_next * tanh_c * gate_slope(o)}
    z = np.concatenate((h_prev, x_t))
    grads, dz = {}, np.zeros_like(z, dtype=float)
    for g in LETTER.values():
        grads[f"dW_{g}"] = da[g] @ z.T
        grads[f"db_{g}"] = da[g].sum(axis=1, keepdims=True)
        dz = dz + params[f"W_{g}"].T @ da[g]
    H = h_prev.shape[0]
    grads["dh_prev"], grads["dx_t"] = dz[:H], dz[H:]
    grads["dc_prev"] = dc * memory(f)
    return grads


ORACLE = ReferenceOracle()
