"""softmax_loss exponentiates the scores as they are: right, until a score of 1000 overflows.

loses: softmax_loss
feedback: contains NaN or infinity
"""

import numpy as np


def softmax_loss(scores, y, mask):
    T, V, N = scores.shape
    e = np.exp(scores)
    p = e / e.sum(axis=1, keepdims=True)
    right = np.arange(V)[None, :, None] == y[:, None, :]
    kept = mask[:, None, :]
    p_right = np.sum(p * right, axis=1)
    loss = -np.sum(np.log(np.where(mask, p_right, 1.0))) / N
    return loss, (p - right) * kept / N
