"""rnn_cell_backward takes the tanh derivative as 1 - tanh(h_next)**2: tanh applied twice.

h_next is already tanh(a), so tanh'(a) = 1 - h_next**2; 1 - np.tanh(h_next)**2 is wrong at
every entry, though close where h_next is small.

loses: rnn_cell_backward
mistake: cell_backward.tanh_twice
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - np.tanh(h_next) ** 2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
