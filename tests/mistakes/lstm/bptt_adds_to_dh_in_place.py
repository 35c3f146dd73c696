"""lstm_backward adds the carried gradient into dh itself (dh_t = dh[t]; dh_t += dh_next).

The gradients are right, but the caller's dh is modified.

loses: lstm_backward
feedback: modified its arguments
"""

import numpy as np


def lstm_backward(dh, caches):
    T, H, N = dh.shape
    params = caches[0][-1]
    D = params["W_f"].shape[1] - H
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    dx = np.zeros((T, D, N))
    dh_next = np.zeros((H, N))
    dc_next = np.zeros((H, N))
    for t in reversed(range(T)):
        dh_t = dh[t]
        dh_t += dh_next
        step = lstm_cell_backward(dh_t, dc_next, caches[t])
        dx[t] = step["dx_t"]
        for name in grads:
            grads[name] += step[name]
        dh_next = step["dh_prev"]
        dc_next = step["dc_prev"]
    grads["dx"] = dx
    grads["dh0"] = dh_next
    grads["dc0"] = dc_next
    return grads
