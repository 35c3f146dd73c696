"""output_backward assigns dW_hy and db_y at every step of its loop instead of adding them up.

loses: output_backward
mistake: output_backward.assigns_param_grads
"""

import numpy as np


def output_backward(dscores, h, W_hy):
    dh = np.zeros_like(h)
    for t in range(len(h)):
        dh[t] = W_hy.T @ dscores[t]
        dW_hy = dscores[t] @ h[t].T
        db_y = dscores[t].sum(axis=1, keepdims=True)
    return dh, dW_hy, db_y
