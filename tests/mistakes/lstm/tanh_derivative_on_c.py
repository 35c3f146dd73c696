"""lstm_cell_backward takes the tanh derivative as 1 - c^2 instead of 1 - tanh(c)^2.

The cache keeps c_next (instead of tanh(c_next)); the forward is right.

loses: lstm_cell_backward
mistake: cell_backward.tanh_derivative_on_c
"""

import numpy as np


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    c_next = f * c_prev + i * c_tilde
    h_next = o * np.tanh(c_next)
    return h_next, c_next, (x_t, h_prev, c_prev, f, i, c_tilde, o, c_next, params)


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, f, i, c_tilde, o, c_next, params = cache
    H = h_prev.shape[0]
    z = np.concatenate((h_prev, x_t), axis=0)
    dc = dc_next + dh_next * o * (1 - c_next**2)
    do = dh_next * np.tanh(c_next) * o * (1 - o)
    df = dc * c_prev * f * (1 - f)
    di = dc * c_tilde * i * (1 - i)
    dct = dc * i * (1 - c_tilde**2)
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
