"""rnn_cell_backward computes da in place on its argument (dh_next *= 1 - h_next**2).

loses: rnn_cell_backward
feedback: modified its arguments
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    dh_next *= 1.0 - h_next**2
    da = dh_next
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
