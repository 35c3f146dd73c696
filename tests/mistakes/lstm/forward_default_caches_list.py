"""lstm_forward appends to a default mutable argument (caches=[]) that keeps growing across calls.

h and c are right, but the list returned is the same one every time: a second call appends its
caches after the first call's, so lstm_backward on it reads the caches of the first call.

loses: lstm_forward
hidden only: yes
costs backward: yes
feedback: returned changed after a later call
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None, caches=[]):
    if c0 is None:
        c0 = np.zeros_like(h0)
    h_t, c_t = h0, c0
    hs, cs = [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.stack(hs), np.stack(cs), caches
