"""rnn_cell_forward multiplies h_prev by W_hh transposed.

loses: rnn_cell_forward
mistake: cell_forward.W_hh_transposed
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    h_next = np.tanh(W_hh.T @ h_prev + W_xh @ x_t + b_h)
    return h_next, (x_t, h_prev, h_next, W_xh, W_hh)
