"""rnn_cell_backward evaluates the tanh derivative at h_prev (1 - h_prev**2) instead of at h_next.

loses: rnn_cell_backward
mistake: cell_backward.tanh_slope_at_h_prev
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - h_prev**2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
