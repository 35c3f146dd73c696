"""rnn_backward walks back in time by popping the caches from the list it was given.

The gradients are right, but the caller's list is left empty: a second backward on the same
caches has nothing to work with.

loses: rnn_backward
hidden only: yes
feedback: called again on the same cache
"""

import numpy as np


def rnn_backward(dh, caches):
    T, H, N = dh.shape
    x_first, _, _, W_xh, W_hh = caches[0]
    grads = {"dx": np.zeros((T, x_first.shape[0], N)), "dW_xh": np.zeros_like(W_xh),
             "dW_hh": np.zeros_like(W_hh), "db_h": np.zeros((H, 1))}
    dh_next = np.zeros((H, N))
    t = T
    while caches:
        t -= 1
        step = rnn_cell_backward(dh[t] + dh_next, caches.pop())
        grads["dx"][t] = step["dx_t"]
        for name in ("dW_xh", "dW_hh", "db_h"):
            grads[name] += step[name]
        dh_next = step["dh_prev"]
    grads["dh0"] = dh_next
    return grads
