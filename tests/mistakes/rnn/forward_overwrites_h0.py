"""rnn_forward updates the state in place (h_t = h0, then h_t[:] = ...), overwriting h0.

Every cached h_prev is then the same array, holding the last state, so the caches are wrong too.

loses: rnn_forward
costs backward: yes
feedback: modified its arguments
"""

import numpy as np


def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = h0
    for t in range(T):
        h_next, cache = rnn_cell_forward(x[t], h_t, params)
        h_t[:] = h_next
        h[t] = h_t
        caches.append(cache)
    return h, caches
