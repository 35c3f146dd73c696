"""softmax_loss's gradient forgets to subtract 1 at the right character: dscores = p · mask / N.

loses: softmax_loss
mistake: softmax_loss.dscores_without_target
"""

import numpy as np


def softmax_loss(scores, y, mask):
    T, V, N = scores.shape
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    right = np.arange(V)[None, :, None] == y[:, None, :]
    kept = mask[:, None, :]
    loss = -np.sum(log_p * right * kept) / N
    return loss, np.exp(log_p) * kept / N
