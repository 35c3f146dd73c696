"""softmax_loss averages over the real characters (mask.sum()) instead of over the batch.

loses: softmax_loss
mistake: softmax_loss.mean_over_characters
"""

import numpy as np


def softmax_loss(scores, y, mask):
    V = scores.shape[1]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    right = np.arange(V)[None, :, None] == y[:, None, :]
    count = mask.sum()
    loss = -np.sum(log_p * right * mask[:, None, :]) / count
    return loss, (np.exp(log_p) - right) * mask[:, None, :] / count
