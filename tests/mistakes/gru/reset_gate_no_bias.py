"""reset_gate forgets the bias b_r.

loses: reset_gate
mistake: reset_gate.no_bias
"""

import numpy as np


def reset_gate(x_t, h_prev, params):
    return sigmoid(params["W_r"] @ np.concatenate((h_prev, x_t)))
