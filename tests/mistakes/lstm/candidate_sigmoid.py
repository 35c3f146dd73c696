"""candidate applies the sigmoid, like the gates, instead of tanh.

loses: candidate
mistake: candidate.sigmoid
"""

import numpy as np


def candidate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return 1 / (1 + np.exp(-(params["W_c"] @ z + params["b_c"])))
