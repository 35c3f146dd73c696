"""sample_chars draws with numpy's global generator and ignores the rng it is given.

Its characters follow the model, but a seed does not reproduce them.

loses: sample_chars
feedback: Two generators with the same seed give different samples
hidden only: yes
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
        p = softmax(params["W_hy"] @ h + params["b_y"])
        index = np.random.choice(V, p=p[:, 0])
        indices[t] = index
    return indices
