"""lstm_forward defaults c0 with `c0 or ...`, which fails for an array of several entries.

loses: lstm_forward
costs backward: yes
feedback: truth value of an array
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    c_t = c0 or np.zeros_like(h0)
    h_t = h0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.array(hs), np.array(cs), caches
