"""clip_gradients compares the squared global norm (the sum of squares) with max_norm.

It scales by max_norm / norm like the reference, but decides whether to clip with ‖g‖² > c: it
clips gradients it should keep when √c < ‖g‖ ≤ c, and keeps some it should clip when c < 1.

loses: clip_gradients
hidden only: yes
mistake: clip.unchanged_above_max_norm
"""

import numpy as np


def clip_gradients(grads, max_norm):
    squared = sum(np.sum(g**2) for g in grads.values())
    if squared > max_norm:
        scale = max_norm / (np.sqrt(squared) + 1e-6)
        return {name: g * scale for name, g in grads.items()}
    return {name: g.copy() for name, g in grads.items()}
