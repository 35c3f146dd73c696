"""candidate applies the sigmoid, like the gates, instead of tanh.

loses: candidate
mistake: candidate.sigmoid
"""

import numpy as np


def candidate(x_t, h_prev, r_t, params):
    read = np.concatenate((r_t * h_prev, x_t))
    return sigmoid(params["W_h"] @ read + params["b_h"])
