"""candidate computes tanh as (e^a - e^-a) / (e^a + e^-a): NaN for |a| > 710.

Right for moderate pre-activations; for large ones both exponentials overflow and inf / inf is
NaN, where np.tanh gives ±1.

loses: candidate
hidden only: yes
feedback: contains NaN
"""

import numpy as np


def candidate(x_t, h_prev, params):
    a = params["W_c"] @ np.concatenate((h_prev, x_t)) + params["b_c"]
    return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))
