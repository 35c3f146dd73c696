"""rnn_cell_backward computes 1 - h_next**2 in place, inside the array stored in the cache.

The first backward on a cache is right; the cache now holds 1 - h_next**2 instead of h_next,
so a second backward on the same cache gives other gradients.

loses: rnn_cell_backward
hidden only: yes
feedback: called again on the same cache
"""

import numpy as np


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    tanh_slope = h_next  # reuse the memory of h_next
    tanh_slope **= 2
    np.subtract(1.0, tanh_slope, out=tanh_slope)
    da = dh_next * tanh_slope
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }
