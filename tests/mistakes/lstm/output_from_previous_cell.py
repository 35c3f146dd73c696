"""lstm_cell_forward computes the output from the old cell state: h = o * tanh(c_prev).

loses: lstm_cell_forward
mistake: cell_forward.output_from_c_prev
"""

import numpy as np


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    h_next = o * np.tanh(c_prev)
    c_next = f * c_prev + i * c_tilde
    return h_next, c_next, (x_t, h_prev, c_prev, f, i, c_tilde, o, np.tanh(c_next), params)
