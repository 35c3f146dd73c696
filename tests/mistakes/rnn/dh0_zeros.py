"""rnn_backward returns dh0 as zeros, as if nothing reached the initial state.

loses: rnn_backward
mistake: backward.dh0_zero
"""

import numpy as np


def rnn_backward(dh, caches):
    T, H, N = dh.shape
    D = caches[0][0].shape[0]
    dx = np.zeros((T, D, N))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros((H, 1))
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[t] + dh_next, caches[t])
        dx[t] = step["dx_t"]
        dW_xh += step["dW_xh"]
        dW_hh += step["dW_hh"]
        db_h += step["db_h"]
        dh_next = step["dh_prev"]
    dh0 = np.zeros((H, N))
    return {"dx": dx, "dh0": dh0, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}
