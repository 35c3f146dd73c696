"""lstm_forward updates copies of h0 and c0 in place (h_t[:] = h_next, c_t[:] = c_next), so
every cache's h_prev and c_prev are two arrays that end up holding the last states.

h and c are right and h0, c0 are untouched, but the caches are corrupted through those shared
arrays: a backward on them uses h_T and c_T as the previous states of every step.

The caches are the student's design and opaque to the suite, so the mistake shows (and costs
points) where they are used: in the backward. lstm_forward itself returns the right states.

loses: lstm_backward
mistake: backward.caches_hold_last_h_and_c
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros_like(h0)
    T = x.shape[0]
    h, c = np.zeros((T, *h0.shape)), np.zeros((T, *h0.shape))
    h_t, c_t = h0.copy(), c0.copy()
    caches = []
    for t in range(T):
        h_next, c_next, cache = lstm_cell_forward(x[t], h_t, c_t, params)
        h[t], c[t] = h_next, c_next
        h_t[:] = h_next
        c_t[:] = c_next
        caches.append(cache)
    return h, c, caches
