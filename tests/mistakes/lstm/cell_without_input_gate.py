"""lstm_cell_forward writes the whole candidate into the cell: c = f * c_prev + C~.

loses: lstm_cell_forward
mistake: cell_forward.no_input_gate
"""

import numpy as np


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    c_next = f * c_prev + c_tilde
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    return h_next, c_next, (x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params)
