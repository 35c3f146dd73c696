"""train_char_lm updates the caller's parameter arrays in place (params[k] -= ...).

It learns as well as the model answer, but the initial parameters the caller passed are gone.

loses: train_char_lm
feedback: `train_char_lm` modified its arguments
"""

import numpy as np


def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    for _ in range(steps):
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        grads = clip_gradients(grads, max_norm)
        for k in params:
            params[k] -= learning_rate * grads[k]
        losses.append(float(loss))
    return params, losses
