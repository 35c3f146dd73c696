"""lstm_cell_backward averages the bias gradients over the batch: db = da.mean(axis=1).

The loss sums over the examples, so each column of da contributes in full: every db is exactly
the right value divided by N (right only when N = 1).

loses: lstm_cell_backward
mistake: cell_backward.bias_averaged
"""

import numpy as np


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    H = h_prev.shape[0]
    z = np.concatenate((h_prev, x_t), axis=0)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    da = {"f": dc * c_prev * f * (1 - f), "i": dc * c_tilde * i * (1 - i),
          "c": dc * i * (1 - c_tilde**2), "o": dh_next * tanh_c * o * (1 - o)}
    grads = {}
    dz = np.zeros_like(z)
    for name in "fico":
        grads["dW_" + name] = da[name] @ z.T
        grads["db_" + name] = np.mean(da[name], axis=1, keepdims=True)
        dz = dz + params["W_" + name].T @ da[name]
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    grads["dc_prev"] = dc * f
    return grads
