"""candidate adds the bias after tanh: tanh(W_c z) + b_c.

loses: candidate
mistake: candidate.bias_outside
"""

import numpy as np


def candidate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return np.tanh(params["W_c"] @ z) + params["b_c"]
