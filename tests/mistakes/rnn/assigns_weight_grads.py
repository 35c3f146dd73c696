"""rnn_backward assigns the weight gradients at each step (dW_hh = ...) instead of summing them.

loses: rnn_backward
mistake: backward.assigns_param_grads
"""

import numpy as np


def rnn_backward(dh, caches):
    T, H, N = dh.shape
    D = caches[0][0].shape[0]
    dx = np.zeros((T, D, N))
    dW_xh = np.zeros((H, D))
    dW_hh = np.zeros((H, H))
    db_h = np.zeros((H, 1))
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[t] + dh_next, caches[t])
        dx[t] = step["dx_t"]
        dW_xh = step["dW_xh"]
        dW_hh = step["dW_hh"]
        db_h = step["db_h"]
        dh_next = step["dh_prev"]
    return {"dx": dx, "dh0": dh_next, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}
