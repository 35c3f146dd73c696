"""clip_gradients clips whenever the global norm is above 1, whatever max_norm is.

Right when the norm is above both 1 and max_norm or below both; for 1 < norm < max_norm it
scales the gradients up, and for max_norm < norm ≤ 1 it does not clip.

loses: clip_gradients
hidden only: yes
mistake: clip.unchanged_above_max_norm
"""

import numpy as np


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    if total > 1:
        return {name: g * (max_norm / (total + 1e-6)) for name, g in grads.items()}
    return {name: g.copy() for name, g in grads.items()}
