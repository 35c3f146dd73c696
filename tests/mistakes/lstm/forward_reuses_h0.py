"""lstm_forward gives h0 to every step instead of the previous hidden state.

loses: lstm_forward
mistake: forward.h0_every_step
"""

import numpy as np


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros_like(h0)
    c_t = c0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h0, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.array(hs), np.array(cs), caches
