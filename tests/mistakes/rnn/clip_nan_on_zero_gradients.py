"""clip_gradients returns the direction g / norm times the clipped length: NaN for all-zero grads.

Without the 1e-6 of the reference, g / norm * min(norm, max_norm) is right for any non-zero
gradients (to about 1e-7 relative) but 0 / 0 = NaN when every gradient is zero.

loses: clip_gradients
hidden only: yes
feedback: contains NaN
"""

import numpy as np


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    length = min(total, max_norm)
    return {name: g / total * length for name, g in grads.items()}
