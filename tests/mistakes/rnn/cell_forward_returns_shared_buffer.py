"""rnn_cell_forward writes h_next into a module-level buffer and returns it without copying.

Each call's h_next is right when returned, but the next call with the same shapes overwrites
it, and with it the h_next (and, in rnn_forward, the h_prev) stored in the earlier caches.

loses: rnn_cell_forward
hidden only: yes
costs backward: yes
feedback: returned changed after a later call
"""

import numpy as np

_OUT = {}


def rnn_cell_forward(x_t, h_prev, params):
    if h_prev.shape not in _OUT:
        _OUT[h_prev.shape] = np.empty(h_prev.shape)
    h_next = _OUT[h_prev.shape]
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    np.tanh(a, out=h_next)
    cache = (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])
    return h_next, cache
