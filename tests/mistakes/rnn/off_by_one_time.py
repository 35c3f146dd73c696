"""rnn_forward stores the state before updating it: returns h_0 … h_{T-1}, not h_1 … h_T.

loses: rnn_forward
mistake: forward.returns_h0_to_hT_minus_1
"""

import numpy as np


def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = h0
    for t in range(T):
        h[t] = h_t
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        caches.append(cache)
    return h, caches
