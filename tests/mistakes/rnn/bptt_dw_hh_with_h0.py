"""rnn_backward, written as one loop, builds dW_hh from h0 at every step instead of h_{t-1}.

h_prev is read once from the first cache, before the loop, and never updated.

loses: rnn_backward
mistake: backward.dW_hh_with_h0
"""

import numpy as np


def rnn_backward(dh, caches):
    T, H, N = dh.shape
    x_first, h_prev, _, W_xh, W_hh = caches[0]
    dx = np.zeros((T, x_first.shape[0], N))
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros((H, 1))
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        x_t, _, h_t, _, _ = caches[t]
        da = (dh[t] + dh_next) * (1 - h_t**2)
        dx[t] = W_xh.T @ da
        dW_xh += da @ x_t.T
        dW_hh += da @ h_prev.T
        db_h += da.sum(axis=1, keepdims=True)
        dh_next = W_hh.T @ da
    return {"dx": dx, "dh0": dh_next, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}
