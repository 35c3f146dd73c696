"""rnn_cell_forward uses the logistic sigmoid as activation instead of tanh.

loses: rnn_cell_forward
mistake: cell_forward.sigmoid
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    a = W_hh @ h_prev + W_xh @ x_t + b_h
    h_next = 1.0 / (1.0 + np.exp(-a))
    return h_next, (x_t, h_prev, h_next, W_xh, W_hh)
