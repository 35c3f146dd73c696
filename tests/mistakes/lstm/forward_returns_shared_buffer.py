"""lstm_forward fills module-level (T, H, N) buffers and returns them, with caches holding views.

The states are right when returned, but the next call with the same shapes overwrites them:
h and c returned earlier, and the h_prev and c_prev stored in the earlier caches (views).

loses: lstm_forward
hidden only: yes
feedback: returned changed after a later call
"""

import numpy as np

_STATES = {}


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros_like(h0)
    key = (x.shape[0], *h0.shape)
    if key not in _STATES:
        _STATES[key] = (np.empty(key), np.empty(key))
    h, c = _STATES[key]
    caches = []
    h_prev, c_prev = h0, c0
    for t in range(x.shape[0]):
        h[t], c[t], cache = lstm_cell_forward(x[t], h_prev, c_prev, params)
        caches.append(cache)
        h_prev, c_prev = h[t], c[t]
    return h, c, caches
