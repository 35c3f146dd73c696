"""The gates compute the sigmoid as e^a / (1 + e^a): NaN for pre-activations above 709.

Right for moderate pre-activations; for large ones e^a overflows and inf / inf is NaN, where
the sigmoid is 1. (1 / (1 + e^-a) is fine: it gives 0, not NaN, for very negative a.)

loses: forget_gate, input_gate, output_gate
hidden only: yes
feedback: contains NaN
"""

import numpy as np


def sigmoid(a):
    return np.exp(a) / (1 + np.exp(a))


def forget_gate(x_t, h_prev, params):
    return sigmoid(params["W_f"] @ np.concatenate((h_prev, x_t)) + params["b_f"])


def input_gate(x_t, h_prev, params):
    return sigmoid(params["W_i"] @ np.concatenate((h_prev, x_t)) + params["b_i"])


def output_gate(x_t, h_prev, params):
    return sigmoid(params["W_o"] @ np.concatenate((h_prev, x_t)) + params["b_o"])
