"""lstm_cell_backward takes tanh of the cached tanh(c_t) again: 1 - np.tanh(tanh_c)**2.

The cache already holds tanh(c_t), so the derivative on the way from h_t to c_t is
1 - tanh_c**2.

loses: lstm_cell_backward
mistake: cell_backward.tanh_twice_on_c
"""

import numpy as np


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    H = h_prev.shape[0]
    z = np.concatenate((h_prev, x_t), axis=0)
    dc = dc_next + dh_next * o * (1 - np.tanh(tanh_c) ** 2)
    da = {"f": dc * c_prev * f * (1 - f), "i": dc * c_tilde * i * (1 - i),
          "c": dc * i * (1 - c_tilde**2), "o": dh_next * tanh_c * o * (1 - o)}
    grads = {}
    dz = np.zeros_like(z)
    for name in "fico":
        grads["dW_" + name] = da[name] @ z.T
        grads["db_" + name] = da[name].sum(axis=1, keepdims=True)
        dz = dz + params["W_" + name].T @ da[name]
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    grads["dc_prev"] = dc * f
    return grads
