"""gru_cell_backward never differentiates the update gate: dz is left out.

loses: gru_cell_backward
mistake: cell_backward.no_path_through_z
"""

import numpy as np


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    hx = np.concatenate((h_prev, x_t))
    da_h = dh_next * z * (1 - h_tilde**2)
    d_read = params["W_h"].T @ da_h
    da_r = d_read[:H] * h_prev * r * (1 - r)
    d_r_input = params["W_r"].T @ da_r
    return {
        "dx_t": d_read[H:] + d_r_input[H:],
        "dh_prev": dh_next * (1 - z) + d_read[:H] * r + d_r_input[:H],
        "dW_z": np.zeros(params["W_z"].shape), "db_z": np.zeros(params["b_z"].shape),
        "dW_r": da_r @ hx.T, "db_r": da_r.sum(axis=1, keepdims=True),
        "dW_h": da_h @ np.concatenate((r * h_prev, x_t)).T,
        "db_h": da_h.sum(axis=1, keepdims=True),
    }
