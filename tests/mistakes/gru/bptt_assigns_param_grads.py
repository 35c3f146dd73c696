"""gru_backward assigns the parameter gradients at each step instead of summing them.

loses: gru_backward
mistake: backward.assigns_param_grads
"""

import numpy as np


def gru_backward(dh, caches):
    T, H, N = dh.shape
    params = caches[0][-1]
    D = params["W_z"].shape[1] - H
    grads = {}
    dx = np.zeros((T, D, N))
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        step = gru_cell_backward(dh[t] + dh_next, caches[t])
        dx[t] = step["dx_t"]
        for name in params:
            grads["d" + name] = step["d" + name]
        dh_next = step["dh_prev"]
    grads["dx"] = dx
    grads["dh0"] = dh_next
    return grads
