"""rnn_forward centres its input in place (x -= x.mean(...)), changing the caller's x.

loses: rnn_forward
feedback: modified its arguments
"""

import numpy as np


def rnn_forward(x, h0, params):
    x -= x.mean(axis=0, keepdims=True)
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = h0
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches
