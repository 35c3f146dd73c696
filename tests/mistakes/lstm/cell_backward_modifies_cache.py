"""lstm_cell_backward computes 1 - tanh²(c_t) in place, inside the tanh(c_t) stored in the cache.

The first backward on a cache is right (do is taken before); the cache now holds 1 - tanh²(c_t)
instead of tanh(c_t), so a second backward on the same cache gives other gradients.

loses: lstm_cell_backward
hidden only: yes
feedback: called again on the same cache
"""

import numpy as np


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    H = h_prev.shape[0]
    z = np.concatenate((h_prev, x_t), axis=0)
    do = dh_next * tanh_c * o * (1 - o)
    tanh_slope = tanh_c  # reuse the memory of tanh_c
    tanh_slope **= 2
    np.subtract(1.0, tanh_slope, out=tanh_slope)
    dc = dc_next + dh_next * o * tanh_slope
    df = dc * c_prev * f * (1 - f)
    di = dc * c_tilde * i * (1 - i)
    dct = dc * i * (1 - c_tilde**2)
    grads = {}
    dz = np.zeros_like(z)
    for name, da in (("f", df), ("i", di), ("c", dct), ("o", do)):
        grads["dW_" + name] = da @ z.T
        grads["db_" + name] = da.sum(axis=1, keepdims=True)
        dz = dz + params["W_" + name].T @ da
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    grads["dc_prev"] = dc * f
    return grads
