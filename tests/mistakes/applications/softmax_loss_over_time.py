"""softmax_loss normalises the softmax over axis 0 (time), as if the scores were (V, N).

loses: softmax_loss
mistake: softmax_loss.softmax_over_time
"""

import numpy as np


def softmax_loss(scores, y, mask):
    T, V, N = scores.shape
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    right = np.arange(V)[None, :, None] == y[:, None, :]
    kept = mask[:, None, :]
    loss = -np.sum(np.log(p, where=right, out=np.zeros_like(p)) * kept) / N
    return loss, (p - right) * kept / N
