"""The oracle the hidden suite hands to the mistakes (rnnkit.assignments.rnn.mistakes): the
reference solution, and a BPTT whose knobs make the known mistakes. Instructor-only."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solutions import rnn as reference

Array = np.ndarray


class ReferenceOracle:
    """rnnkit.assignments.rnn.mistakes.Oracle in numpy, on the reference solution."""

    def cell_forward(self, x_t: Array, h_prev: Array, params: dict) -> Array:
        return reference.rnn_cell_forward(x_t, h_prev, params)[0]

    def forward(self, x: Array, h0: Array, params: dict) -> Array:
        return reference.rnn_forward(x, h0, params)[0]

    def linear_grads(self, da: Array, x_t: Array, h_prev: Array, params: dict) -> dict:
        return {"dx_t": params["W_xh"].T @ da, "dh_prev": params["W_hh"].T @ da,
                "dW_xh": da @ x_t.T, "dW_hh": da @ h_prev.T,
                "db_h": da.sum(axis=1, keepdims=True)}

    def bptt(self, dh: Array, x: Array, h0: Array, params: dict, *, carry: bool = True,
             only_step: int | None = None, tanh_twice: bool = False,
             dW_hh_states: Callable[[Array], Array] | None = None) -> dict:
        h = np.concatenate([h0[None], self.forward(x, h0, params)])
        dW_states = h[:-1] if dW_hh_states is None else dW_hh_states(h)
        steps = range(len(x))
        kept = steps[only_step] if only_step is not None else None
        grads = {"dx": np.zeros_like(x), "dW_xh": np.zeros_like(params["W_xh"]),
                 "dW_hh": np.zeros_like(params["W_hh"]), "db_h": np.zeros_like(params["b_h"])}
        dh_next = np.zeros_like(h0)
        for t in reversed(steps):
            slope = 1 - (np.tanh(h[t + 1]) if tanh_twice else h[t + 1]) ** 2
            da = (dh[t] + (dh_next if carry else 0)) * slope
            step = self.linear_grads(da, x[t], h[t], params)
            step["dW_hh"] = da @ dW_states[t].T
            grads["dx"][t] = step["dx_t"]
            if kept is None or t == kept:
                for key in ("dW_xh", "dW_hh", "db_h"):
                    grads[key] = grads[key] + step[key]
            dh_next = step["dh_prev"]
        grads["dh0"] = dh_next
        return grads


ORACLE = ReferenceOracle()
