"""rnn_forward passes h0 to every step instead of the state of the previous step.

loses: rnn_forward
costs backward: yes
mistake: forward.h0_every_step
"""

import numpy as np


def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h0, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches
