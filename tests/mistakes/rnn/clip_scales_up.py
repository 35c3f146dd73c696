"""clip_gradients always rescales to max_norm, also scaling small gradients up (no min(1, ...)).

loses: clip_gradients
mistake: clip.always_scales
"""

import numpy as np


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = max_norm / (total + 1e-6)
    return {name: g * scale for name, g in grads.items()}
