"""lstm_forward uses c0 as given, so the default c0=None reaches the cell and fails.

loses: lstm_forward
feedback: NoneType
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    h_t, c_t = h0, c0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.array(hs), np.array(cs), caches
