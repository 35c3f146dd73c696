"""rnn_cell_backward averages the bias gradient over the batch: db_h = da.mean(axis=1).

The loss sums over the examples, so each column of da contributes in full: db_h is exactly the
right value divided by N (right only when N = 1).

loses: rnn_cell_backward
mistake: cell_backward.bias_averaged
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - h_next**2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.mean(axis=1, keepdims=True),
    }
