"""rnn_forward appends to a default mutable argument (caches=[]) that keeps growing across calls.

h is right, but the list returned is the same one every time: a second call appends its caches
after the first call's, so rnn_backward on it reads the caches of the first call.

loses: rnn_forward
hidden only: yes
costs backward: yes
feedback: returned changed after a later call
"""

import numpy as np


def rnn_forward(x, h0, params, caches=[]):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    h_t = h0
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches
