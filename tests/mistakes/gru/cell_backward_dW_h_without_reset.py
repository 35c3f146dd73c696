"""gru_cell_backward computes dW_h with [h_prev; x_t], forgetting that W_h reads r * h_prev.

loses: gru_cell_backward
mistake: cell_backward.dW_h_without_reset
"""

import numpy as np


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    hx = np.concatenate((h_prev, x_t))
    da = {
        "z": dh_next * (h_tilde - h_prev) * z * (1 - z),
        "h": dh_next * z * (1 - h_tilde**2),
    }
    d_read = params["W_h"].T @ da["h"]
    da["r"] = d_read[:H] * h_prev * r * (1 - r)
    grads = {}
    for g in "zrh":
        grads["dW_" + g] = da[g] @ hx.T
        grads["db_" + g] = da[g].sum(axis=1, keepdims=True)
    d_hx = params["W_z"].T @ da["z"] + params["W_r"].T @ da["r"]
    grads["dh_prev"] = dh_next * (1 - z) + d_read[:H] * r + d_hx[:H]
    grads["dx_t"] = d_read[H:] + d_hx[H:]
    return grads
