"""rnn_cell_backward multiplies da by h_next instead of h_prev in dW_hh.

loses: rnn_cell_backward
mistake: cell_backward.dW_hh_with_h_next
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - h_next**2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_next.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
