"""reset_gate concatenates [x_t; h_prev], x first, although W_r expects h first.

loses: reset_gate
mistake: reset_gate.x_first
"""

import numpy as np


def reset_gate(x_t, h_prev, params):
    xh = np.vstack([x_t, h_prev])
    return 1.0 / (1.0 + np.exp(-(params["W_r"] @ xh + params["b_r"])))
