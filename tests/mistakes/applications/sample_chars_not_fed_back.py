"""sample_chars reads first_index at every step instead of the character it just drew.

loses: sample_chars
mistake: sample_chars.not_fed_back
"""

import numpy as np


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    h = np.zeros((H, 1))
    x_t = np.zeros((V, 1))
    x_t[first_index] = 1.0
    indices = np.zeros(length, dtype=np.int64)
    for t in range(length):
        h, _ = rnn_cell_forward(x_t, h, params)
        p = softmax(params["W_hy"] @ h + params["b_y"])
        indices[t] = rng.choice(V, p=p[:, 0])
    return indices
