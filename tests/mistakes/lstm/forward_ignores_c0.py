"""lstm_forward always starts from a zero cell state, whatever c0 it receives.

loses: lstm_forward
mistake: forward.ignores_c0
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    h_t = h0
    c_t = np.zeros_like(h0)
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.array(hs), np.array(cs), caches
