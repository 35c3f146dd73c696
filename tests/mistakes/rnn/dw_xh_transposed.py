"""rnn_cell_backward computes dW_xh as x_t @ da.T, the transpose of the right gradient.

loses: rnn_cell_backward
feedback: Is it transposed?
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - h_next**2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": x_t @ da.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
