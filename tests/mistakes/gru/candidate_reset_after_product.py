"""candidate follows torch.nn.GRU: the reset gate scales W_hh h_prev, not h_prev.

loses: candidate
mistake: candidate.reset_after_product
"""

import numpy as np


def candidate(x_t, h_prev, r_t, params):
    H = h_prev.shape[0]
    W_hh, W_hx = params["W_h"][:, :H], params["W_h"][:, H:]
    return np.tanh(W_hx @ x_t + r_t * (W_hh @ h_prev) + params["b_h"])
