"""train_char_lm never clips the gradients: at the suite's learning rate the training blows up.

loses: train_char_lm
mistake: train_char_lm.no_clipping
"""

import numpy as np


def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    for _ in range(steps):
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        params = {k: v - learning_rate * grads[k] for k, v in params.items()}
        losses.append(float(loss))
    return params, losses
