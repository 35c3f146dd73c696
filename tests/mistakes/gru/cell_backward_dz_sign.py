"""gru_cell_backward takes dz = dh * (h_prev - h~): the sign of the update gate's gradient.

loses: gru_cell_backward
mistake: cell_backward.dz_sign
"""

import numpy as np


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    dz = dh_next * (h_prev - h_tilde)
    dh_tilde = dh_next * z
    da_z = dz * z * (1 - z)
    da_h = dh_tilde * (1 - h_tilde**2)
    d_read = params["W_h"].T @ da_h
    dr = d_read[:H] * h_prev
    da_r = dr * r * (1 - r)
    hx = np.concatenate((h_prev, x_t))
    d_hx = params["W_z"].T @ da_z + params["W_r"].T @ da_r
    return {
        "dx_t": d_read[H:] + d_hx[H:],
        "dh_prev": dh_next * (1 - z) + d_read[:H] * r + d_hx[:H],
        "dW_z": da_z @ hx.T, "db_z": da_z.sum(axis=1, keepdims=True),
        "dW_r": da_r @ hx.T, "db_r": da_r.sum(axis=1, keepdims=True),
        "dW_h": da_h @ np.concatenate((r * h_prev, x_t)).T,
        "db_h": da_h.sum(axis=1, keepdims=True),
    }
