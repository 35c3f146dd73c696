"""lstm_forward starts from a zero hidden state instead of h0.

loses: lstm_forward
mistake: forward.ignores_h0
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros_like(h0)
    h_t = np.zeros_like(h0)
    c_t = c0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.array(hs), np.array(cs), caches
