"""lstm_forward gives every step a cell state of zeros instead of the previous c.

The forward then ignores the forget gate's parameters, so a zero dW_f, db_f earns nothing
against it (a backward returning zeros would match it for free).

loses: lstm_forward
costs backward: yes
mistake: forward.resets_c
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    c = np.zeros((T, H, N))
    caches = []
    h_t = h0
    for t in range(T):
        h_t, c_t, cache = lstm_cell_forward(x[t], h_t, np.zeros((H, N)), params)
        h[t] = h_t
        c[t] = c_t
        caches.append(cache)
    return h, c, caches
