"""lstm_cell_backward differentiates the candidate as if it were a sigmoid: C~ (1 - C~).

loses: lstm_cell_backward
mistake: cell_backward.candidate_derivative_as_sigmoid
"""

import numpy as np


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params = cache
    H = h_prev.shape[0]
    z = np.concatenate((h_prev, x_t), axis=0)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    do = dh_next * tanh_c * o * (1 - o)
    df = dc * c_prev * f * (1 - f)
    di = dc * c_tilde * i * (1 - i)
    dct = dc * i * c_tilde * (1 - c_tilde)
    grads = {}
    dz = np.zeros_like(z)
    for name, da in (("f", df), ("i", di), ("c", dct), ("o", do)):
        grads["dW_" + name] = da @ z.T
        grads["db_" + name] = np.sum(da, axis=1, keepdims=True)
        dz = dz + params["W_" + name].T @ da
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    grads["dc_prev"] = dc * f
    return grads
