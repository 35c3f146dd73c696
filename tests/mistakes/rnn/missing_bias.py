"""rnn_cell_forward leaves out the bias b_h.

loses: rnn_cell_forward
mistake: cell_forward.no_bias
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    W_xh, W_hh = params["W_xh"], params["W_hh"]
    h_next = np.tanh(W_hh @ h_prev + W_xh @ x_t)
    return h_next, (x_t, h_prev, h_next, W_xh, W_hh)
