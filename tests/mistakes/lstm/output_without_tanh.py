"""lstm_cell_forward forgets tanh on the output: h = o * c.

loses: lstm_cell_forward
mistake: cell_forward.no_tanh_on_output
"""

import numpy as np


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    c_next = f * c_prev + i * c_tilde
    h_next = o * c_next
    return h_next, c_next, (x_t, h_prev, c_prev, f, i, c_tilde, o, np.tanh(c_next), params)
