"""lstm_cell_forward writes h_next and c_next into module-level buffers and returns them.

Each call's results are right when returned, but the next call with the same shapes overwrites
them (and tanh(c_t) in the earlier caches): in lstm_forward every stored state is the last one.

loses: lstm_cell_forward
hidden only: yes
costs backward: yes
feedback: returned changed after a later call
"""

import numpy as np

_OUT = {}


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    if h_prev.shape not in _OUT:
        _OUT[h_prev.shape] = (np.empty(h_prev.shape), np.empty(h_prev.shape),
                              np.empty(h_prev.shape))
    h_next, c_next, tanh_c = _OUT[h_prev.shape]
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    np.multiply(f, c_prev, out=c_next)
    c_next += i * c_tilde
    np.tanh(c_next, out=tanh_c)
    np.multiply(o, tanh_c, out=h_next)
    return h_next, c_next, (x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params)
