"""rnn_forward updates a copy of h0 in place (h_t[:] = h_next), so every cache's h_prev is one
array that ends up holding the last state h_T.

h is right and h0 is untouched, but the caches are corrupted through that shared array: a
backward on them builds dW_hh from h_T at every step.

The caches are the student's design and opaque to the suite, so the mistake shows (and costs
points) where they are used: in the backward. rnn_forward itself returns the right states.

loses: rnn_backward
mistake: backward.dW_hh_with_h_T
"""

import numpy as np


def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = h0.copy()
    for t in range(T):
        h_next, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_next
        h_t[:] = h_next
        caches.append(cache)
    return h, caches
