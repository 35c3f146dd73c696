"""rnn_cell_forward computes tanh as (e^a - e^-a) / (e^a + e^-a): NaN for |a| > 710.

Right for moderate pre-activations; for large ones both exponentials overflow and inf / inf is
NaN, where np.tanh gives ±1.

loses: rnn_cell_forward
hidden only: yes
feedback: contains NaN
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    h_next = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))
    cache = (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])
    return h_next, cache
