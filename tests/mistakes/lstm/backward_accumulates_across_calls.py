"""lstm_backward accumulates the parameter gradients into module-level buffers it never resets.

The buffers are allocated once per shape ("to avoid reallocating") and each call adds its
gradients to what the earlier calls left there, so only the first call per shape is right.

loses: lstm_backward
hidden only: yes
feedback: keeps state between calls
"""

import numpy as np

_GRAD_BUFFERS = {}


def lstm_backward(dh, caches):
    T, H, N = dh.shape
    params = caches[0][-1]
    key = params["W_f"].shape
    if key not in _GRAD_BUFFERS:
        _GRAD_BUFFERS[key] = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    grads = _GRAD_BUFFERS[key]
    dx = np.zeros((T, params["W_f"].shape[1] - H, N))
    dh_next, dc_next = np.zeros((H, N)), np.zeros((H, N))
    for t in reversed(range(T)):
        step = lstm_cell_backward(dh[t] + dh_next, dc_next, caches[t])
        dx[t] = step["dx_t"]
        for name in grads:
            grads[name] += step[name]
        dh_next, dc_next = step["dh_prev"], step["dc_prev"]
    return {"dx": dx, "dh0": dh_next, "dc0": dc_next,
            **{name: value.copy() for name, value in grads.items()}}
