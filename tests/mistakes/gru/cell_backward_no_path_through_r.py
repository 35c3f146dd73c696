"""gru_cell_backward treats the reset gate as a constant: nothing flows back through r.

dW_r and db_r are zeros, and dh_prev and dx_t miss the reset gate's share.

loses: gru_cell_backward
mistake: cell_backward.no_path_through_r
"""

import numpy as np


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    hx = np.vstack((h_prev, x_t))
    da_h = dh_next * z * (1 - h_tilde**2)
    da_z = dh_next * (h_tilde - h_prev) * z * (1 - z)
    d_read = params["W_h"].T @ da_h
    d_z_input = params["W_z"].T @ da_z
    return {
        "dx_t": d_read[H:] + d_z_input[H:],
        "dh_prev": dh_next * (1 - z) + d_read[:H] * r + d_z_input[:H],
        "dW_z": da_z @ hx.T, "db_z": np.sum(da_z, axis=1, keepdims=True),
        "dW_r": np.zeros_like(params["W_r"]), "db_r": np.zeros_like(params["b_r"]),
        "dW_h": da_h @ np.vstack((r * h_prev, x_t)).T,
        "db_h": np.sum(da_h, axis=1, keepdims=True),
    }
