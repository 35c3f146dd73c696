"""output_gate returns the pre-activation W_o [h; x] + b_o, without the sigmoid.

loses: output_gate
mistake: output_gate.no_activation
"""

import numpy as np


def output_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return params["W_o"] @ z + params["b_o"]
