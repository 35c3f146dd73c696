"""gru_cell_backward averages the bias gradients over the batch instead of summing them.

loses: gru_cell_backward
mistake: cell_backward.bias_averaged
"""

import numpy as np


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    da_h = dh_next * z * (1 - h_tilde**2)
    d_read = params["W_h"].T @ da_h
    da_r = d_read[:H] * h_prev * r * (1 - r)
    da_z = dh_next * (h_tilde - h_prev) * z * (1 - z)
    hx = np.concatenate((h_prev, x_t))
    d_hx = params["W_z"].T @ da_z + params["W_r"].T @ da_r
    return {
        "dx_t": d_read[H:] + d_hx[H:],
        "dh_prev": dh_next * (1 - z) + d_read[:H] * r + d_hx[:H],
        "dW_z": da_z @ hx.T, "db_z": da_z.mean(axis=1, keepdims=True),
        "dW_r": da_r @ hx.T, "db_r": da_r.mean(axis=1, keepdims=True),
        "dW_h": da_h @ np.concatenate((r * h_prev, x_t)).T,
        "db_h": da_h.mean(axis=1, keepdims=True),
    }
