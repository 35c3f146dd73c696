"""rnn_cell_backward computes dx_t with W_hh (W_hh.T @ da) instead of W_xh.

loses: rnn_cell_backward
feedback: A gradient has the shape of what it differentiates
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - h_next**2)
    return {
        "dx_t": W_hh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
