"""lstm_backward assigns the parameter gradients at each step instead of summing them.

loses: lstm_backward
mistake: backward.assigns_param_grads
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
        step = lstm_cell_backward(dh[t] + dh_next, dc_next, caches[t])
        dx[t] = step["dx_t"]
        for name in grads:
            grads[name] = step[name]
        dh_next = step["dh_prev"]
        dc_next = step["dc_prev"]
    grads["dx"] = dx
    grads["dh0"] = dh_next
    grads["dc0"] = dc_next
    return grads
