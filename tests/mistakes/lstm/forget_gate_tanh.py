"""forget_gate applies tanh instead of the sigmoid.

loses: forget_gate
mistake: forget_gate.tanh
"""

import numpy as np


def forget_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return np.tanh(params["W_f"] @ z + params["b_f"])
