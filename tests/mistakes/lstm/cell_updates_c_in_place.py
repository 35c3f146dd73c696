"""lstm_cell_forward updates the cell state in place (c_prev *= f; c_prev += i * C~).

c_prev is modified, and in lstm_forward every step returns the same array, so all the stored
cell states end up holding the last one.

loses: lstm_cell_forward
feedback: modified its arguments
"""

import numpy as np


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    old_c = c_prev.copy()
    c_prev *= f
    c_prev += i * c_tilde
    c_next = c_prev
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    return h_next, c_next, (x_t, h_prev, old_c, f, i, c_tilde, o, tanh_c, params)
