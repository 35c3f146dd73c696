"""lstm_backward walks back in time by popping the caches from the list it was given.

The gradients are right, but the caller's list is left empty: a second backward on the same
caches has nothing to work with.

loses: lstm_backward
hidden only: yes
feedback: called again on the same cache
"""

import numpy as np


def lstm_backward(dh, caches):
    T, H, N = dh.shape
    params = caches[0][-1]
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    dx = np.zeros((T, params["W_f"].shape[1] - H, N))
    dh_next, dc_next = np.zeros((H, N)), np.zeros((H, N))
    t = T
    while caches:
        t -= 1
        step = lstm_cell_backward(dh[t] + dh_next, dc_next, caches.pop())
        dx[t] = step["dx_t"]
        for name in grads:
            grads[name] += step[name]
        dh_next, dc_next = step["dh_prev"], step["dc_prev"]
    return {"dx": dx, "dh0": dh_next, "dc0": dc_next, **grads}
