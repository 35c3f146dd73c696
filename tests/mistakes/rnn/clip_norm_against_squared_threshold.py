"""clip_gradients compares the global norm with max_norm**2 instead of max_norm.

Right when max_norm = 1, and whenever the norm is above both or below both; wrong (no clipping,
or clipping too soon when max_norm < 1) for norms between max_norm and max_norm**2.

loses: clip_gradients
mistake: clip.unchanged_above_max_norm
"""

import numpy as np


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    if total > max_norm**2:
        return {name: g * (max_norm / (total + 1e-6)) for name, g in grads.items()}
    return {name: g.copy() for name, g in grads.items()}
