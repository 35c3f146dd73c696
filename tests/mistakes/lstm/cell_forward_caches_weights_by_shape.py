"""lstm_cell_forward stacks the four weight matrices once per shape and reuses them for any
later weights.

The stacked (4H, H + D) matrix and bias are computed on the first call with given shapes and
kept in a module-level dict keyed by those shapes, so a later call with other parameters of
the same shapes still uses the first ones. Every first call per shape is right.

loses: lstm_cell_forward
hidden only: yes
costs backward: yes
feedback: wrong values
"""

import numpy as np

_STACKED = {}


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    H = h_prev.shape[0]
    key = (x_t.shape, h_prev.shape)
    if key not in _STACKED:  # "only stack the weights once"
        _STACKED[key] = (np.vstack([params["W_" + g] for g in "fico"]),
                         np.vstack([params["b_" + g] for g in "fico"]))
    W, b = _STACKED[key]
    a = W @ np.vstack((h_prev, x_t)) + b
    f = 1 / (1 + np.exp(-a[:H]))
    i = 1 / (1 + np.exp(-a[H:2 * H]))
    c_tilde = np.tanh(a[2 * H:3 * H])
    o = 1 / (1 + np.exp(-a[3 * H:]))
    c_next = f * c_prev + i * c_tilde
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    return h_next, c_next, (x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params)
