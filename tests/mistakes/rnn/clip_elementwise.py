"""clip_gradients clips each entry with np.clip instead of scaling all by the global norm.

loses: clip_gradients
mistake: clip.elementwise
"""

import numpy as np


def clip_gradients(grads, max_norm):
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}
