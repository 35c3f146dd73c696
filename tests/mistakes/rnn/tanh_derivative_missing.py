"""rnn_cell_backward forgets the tanh derivative and backpropagates dh_next as if it were da.

loses: rnn_cell_backward
mistake: cell_backward.no_tanh_slope
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
