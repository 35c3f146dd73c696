"""input_gate, copied from forget_gate, still multiplies by the forget gate's weights W_f.

loses: input_gate
mistake: input_gate.weights_of_forget_gate
"""

import numpy as np


def input_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_f"] @ z + params["b_i"])
