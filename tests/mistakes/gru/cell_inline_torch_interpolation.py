"""gru_cell_forward is written inline, with torch.nn.GRU's interpolation z * h_prev + (1 - z) * h~.

The gate functions are right (the reference's); the cell does not call them.

loses: gru_cell_forward
mistake: cell_forward.interpolation_swapped
"""

import numpy as np


def gru_cell_forward(x_t, h_prev, params):
    hx = np.concatenate((h_prev, x_t))
    z = 1 / (1 + np.exp(-(params["W_z"] @ hx + params["b_z"])))
    r = 1 / (1 + np.exp(-(params["W_r"] @ hx + params["b_r"])))
    h_tilde = np.tanh(params["W_h"] @ np.concatenate((r * h_prev, x_t)) + params["b_h"])
    h_next = z * h_prev + (1 - z) * h_tilde
    return h_next, (x_t, h_prev, z, r, h_tilde, params)
