"""train_char_lm computes the updated parameters into a dict the next step never reads.

loses: train_char_lm
mistake: train_char_lm.no_update
"""

import numpy as np


def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    for _ in range(steps):
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        grads = clip_gradients(grads, max_norm)
        new_params = {k: v - learning_rate * grads[k] for k, v in params.items()}
        losses.append(float(loss))
    return new_params, losses
