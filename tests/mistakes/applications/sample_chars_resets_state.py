"""sample_chars starts every step from h = 0: each character depends on the previous one only.

loses: sample_chars
mistake: sample_chars.resets_state
"""

import numpy as np


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    index = first_index
    indices = np.zeros(length, dtype=np.int64)
    for t in range(length):
        x_t = np.zeros((V, 1))
        x_t[index] = 1.0
        h, _ = rnn_cell_forward(x_t, np.zeros((H, 1)), params)
        p = softmax(params["W_hy"] @ h + params["b_y"])
        index = rng.choice(V, p=p[:, 0])
        indices[t] = index
    return indices
