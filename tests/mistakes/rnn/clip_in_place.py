"""clip_gradients scales the arrays of the input dict in place (g *= scale) and returns that dict.

loses: clip_gradients
feedback: modified its arguments
"""

import numpy as np


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / (total + 1e-6)
    return grads
