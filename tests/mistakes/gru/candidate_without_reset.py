"""candidate reads h_prev itself: the reset gate r_t it receives is never used.

loses: candidate
mistake: candidate.no_reset
"""

import numpy as np


def candidate(x_t, h_prev, r_t, params):
    hx = np.concatenate((h_prev, x_t))
    return np.tanh(params["W_h"] @ hx + params["b_h"])
