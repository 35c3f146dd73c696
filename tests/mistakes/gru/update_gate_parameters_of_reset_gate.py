"""update_gate was copied from reset_gate and still reads W_r and b_r.

loses: update_gate
mistake: update_gate.parameters_of_reset_gate
"""

import numpy as np


def update_gate(x_t, h_prev, params):
    hx = np.concatenate((h_prev, x_t))
    return sigmoid(params["W_r"] @ hx + params["b_r"])
