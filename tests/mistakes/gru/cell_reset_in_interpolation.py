"""gru_cell_forward resets the old state in the interpolation instead of in the candidate.

loses: gru_cell_forward
mistake: cell_forward.reset_in_interpolation
costs backward: yes
"""

import numpy as np


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, np.ones_like(r), params)
    h_next = (1 - z) * (r * h_prev) + z * h_tilde
    return h_next, (x_t, h_prev, z, r, h_tilde, params)
