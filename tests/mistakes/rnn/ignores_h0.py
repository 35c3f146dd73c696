"""rnn_forward ignores h0: the loop starts from a zero state instead of the given initial state.

loses: rnn_forward
mistake: forward.ignores_h0
"""

import numpy as np


def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = np.zeros((H, N))
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches
