"""rnn_forward fills a module-level (T, H, N) buffer and returns it, with caches holding views.

The states are right when returned, but the next call with the same shapes overwrites them:
the h returned earlier and the h_prev stored in the earlier caches (views of the buffer).

loses: rnn_forward
hidden only: yes
costs backward: yes
feedback: returned changed after a later call
"""

import numpy as np

_STATES = {}


def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    if (T, H, N) not in _STATES:
        _STATES[(T, H, N)] = np.empty((T, H, N))
    h = _STATES[(T, H, N)]
    caches = []
    h_prev = h0
    for t in range(T):
        h[t], cache = rnn_cell_forward(x[t], h_prev, params)
        caches.append(cache)
        h_prev = h[t]
    return h, caches
