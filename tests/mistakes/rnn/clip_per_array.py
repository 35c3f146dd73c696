"""clip_gradients scales each array by its own norm instead of the global norm of all of them.

loses: clip_gradients
mistake: clip.per_array_norm
"""

import numpy as np


def clip_gradients(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        norm = np.sqrt(np.sum(g**2))
        clipped[name] = g * min(1.0, max_norm / (norm + 1e-6))
    return clipped
