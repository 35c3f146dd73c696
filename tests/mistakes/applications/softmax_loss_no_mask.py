"""softmax_loss counts the padding steps after each word's end as if they were characters.

loses: softmax_loss
mistake: softmax_loss.no_mask
"""

import numpy as np


def softmax_loss(scores, y, mask):
    T, V, N = scores.shape
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    right = np.arange(V)[None, :, None] == y[:, None, :]
    loss = -np.sum(log_p * right) / N
    return loss, (np.exp(log_p) - right) / N
