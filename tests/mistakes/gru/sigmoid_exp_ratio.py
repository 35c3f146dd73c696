"""The gates compute the sigmoid as e^a / (1 + e^a): NaN for pre-activations above 709.

Right for moderate pre-activations; for large ones e^a overflows and inf / inf is NaN, where
the sigmoid is 1.

loses: update_gate, reset_gate
hidden only: yes
feedback: contains NaN
"""

import numpy as np


def sigmoid(a):
    return np.exp(a) / (1 + np.exp(a))


def update_gate(x_t, h_prev, params):
    return sigmoid(params["W_z"] @ np.concatenate((h_prev, x_t)) + params["b_z"])


def reset_gate(x_t, h_prev, params):
    return sigmoid(params["W_r"] @ np.concatenate((h_prev, x_t)) + params["b_r"])
