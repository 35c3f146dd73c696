"""gru_forward fills a module-level (T, H, N) buffer and returns it, with caches holding views.

The states are right when returned, but the next call with the same shapes overwrites them:
h returned earlier, and the h_prev stored in the earlier caches (views of the buffer).

loses: gru_forward
hidden only: yes
feedback: returned changed after a later call
"""

import numpy as np

_STATES = {}


def gru_forward(x, h0, params):
    key = (x.shape[0], *h0.shape)
    if key not in _STATES:
        _STATES[key] = np.empty(key)
    h = _STATES[key]
    caches = []
    h_prev = h0
    for t in range(x.shape[0]):
        h[t], cache = gru_cell_forward(x[t], h_prev, params)
        caches.append(cache)
        h_prev = h[t]
    return h, caches
