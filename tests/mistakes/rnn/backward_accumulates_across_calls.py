"""rnn_backward accumulates the weight gradients into module-level buffers it never resets.

The buffers are allocated once per shape ("to avoid reallocating") and each call adds its
gradients to what the earlier calls left there, so only the first call per shape is right.

loses: rnn_backward
hidden only: yes
feedback: keeps state between calls
"""

import numpy as np

_GRAD_BUFFERS = {}


def rnn_backward(dh, caches):
    T, H, N = dh.shape
    x_first, _, _, W_xh, W_hh = caches[0]
    D = x_first.shape[0]
    if (H, D) not in _GRAD_BUFFERS:
        _GRAD_BUFFERS[(H, D)] = (np.zeros((H, D)), np.zeros((H, H)), np.zeros((H, 1)))
    dW_xh, dW_hh, db_h = _GRAD_BUFFERS[(H, D)]
    dx = np.zeros((T, D, N))
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[t] + dh_next, caches[t])
        dx[t] = step["dx_t"]
        dW_xh += step["dW_xh"]
        dW_hh += step["dW_hh"]
        db_h += step["db_h"]
        dh_next = step["dh_prev"]
    return {"dx": dx, "dh0": dh_next, "dW_xh": dW_xh.copy(), "dW_hh": dW_hh.copy(),
            "db_h": db_h.copy()}
