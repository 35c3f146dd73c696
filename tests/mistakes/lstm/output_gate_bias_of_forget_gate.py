"""output_gate, copied from forget_gate, still adds the forget gate's bias b_f.

loses: output_gate
feedback: it uses the bias b_f
"""

import numpy as np


def output_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_o"] @ z + params["b_f"])
