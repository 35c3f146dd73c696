"""sample_chars takes the most likely character at every step instead of drawing one.

loses: sample_chars
mistake: sample_chars.argmax
"""

import numpy as np


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    h = np.zeros((H, 1))
    index = first_index
    indices = np.zeros(length, dtype=np.int64)
    for t in range(length):
        x_t = np.zeros((V, 1))
        x_t[index] = 1.0
        h, _ = rnn_cell_forward(x_t, h, params)
        index = int(np.argmax(params["W_hy"] @ h + params["b_y"]))
        indices[t] = index
    return indices
