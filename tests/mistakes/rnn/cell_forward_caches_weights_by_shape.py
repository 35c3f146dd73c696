"""rnn_cell_forward stacks [W_hh W_xh] once per input shape and reuses it for any later weights.

The stacked matrix is computed on the first call with given shapes and kept in a module-level
dict keyed by those shapes, so a later call with other weights of the same shapes still uses
the first weights. Every first call per shape is right.

loses: rnn_cell_forward
hidden only: yes
feedback: wrong values
"""

import numpy as np

_STACKED_WEIGHTS = {}


def rnn_cell_forward(x_t, h_prev, params):
    key = (x_t.shape, h_prev.shape)
    if key not in _STACKED_WEIGHTS:  # "only stack the weights once"
        _STACKED_WEIGHTS[key] = np.hstack((params["W_hh"], params["W_xh"]))
    W = _STACKED_WEIGHTS[key]
    h_next = np.tanh(W @ np.vstack((h_prev, x_t)) + params["b_h"])
    cache = (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])
    return h_next, cache
