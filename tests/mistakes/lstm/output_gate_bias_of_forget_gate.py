"""output_gate, copied from forget_gate, still adds the forget gate's bias b_f.

loses: output_gate
mistake: output_gate.bias_of_forget_gate
"""

import numpy as np


def output_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_o"] @ z + params["b_f"])
