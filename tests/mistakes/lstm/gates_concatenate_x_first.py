"""Every gate concatenates [x_t; h_prev] instead of [h_prev; x_t].

loses: forget_gate, input_gate, candidate, output_gate
feedback: you concatenated [x_t; h_{t-1}]
"""

import numpy as np


def forget_gate(x_t, h_prev, params):
    z = np.vstack([x_t, h_prev])
    return sigmoid(params["W_f"] @ z + params["b_f"])


def input_gate(x_t, h_prev, params):
    z = np.vstack([x_t, h_prev])
    return sigmoid(params["W_i"] @ z + params["b_i"])


def candidate(x_t, h_prev, params):
    z = np.vstack([x_t, h_prev])
    return np.tanh(params["W_c"] @ z + params["b_c"])


def output_gate(x_t, h_prev, params):
    z = np.vstack([x_t, h_prev])
    return sigmoid(params["W_o"] @ z + params["b_o"])
