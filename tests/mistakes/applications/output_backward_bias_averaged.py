"""output_backward averages db_y over the batch instead of summing it.

loses: output_backward
mistake: output_backward.bias_averaged
"""

import numpy as np


def output_backward(dscores, h, W_hy):
    dh = W_hy.T @ dscores
    dW_hy = np.einsum("tvn,thn->vh", dscores, h)
    db_y = dscores.sum(axis=0).mean(axis=1, keepdims=True)
    return dh, dW_hy, db_y
