"""Every function loops over the time steps, and sampling inverts the cumulative distribution.

The loss takes a log-sum-exp per step; the sampler draws u = rng.random() and takes the first
character whose cumulative probability passes u.
"""

import numpy as np


def output_forward(h, W_hy, b_y):
    return np.stack([W_hy @ h_t + b_y for h_t in h])


def softmax_loss(scores, y, mask):
    T, V, N = scores.shape
    loss = 0.0
    dscores = np.zeros_like(scores)
    columns = np.arange(N)
    for t in range(T):
        top = scores[t].max(axis=0)
        log_total = top + np.log(np.exp(scores[t] - top).sum(axis=0))
        log_p_right = scores[t, y[t], columns] - log_total
        loss -= np.sum(log_p_right[mask[t]])
        dscores[t] = np.exp(scores[t] - log_total)
        dscores[t, y[t], columns] -= 1.0
        dscores[t] *= mask[t] / N
    return loss / N, dscores


def output_backward(dscores, h, W_hy):
    dh = np.zeros_like(h)
    dW_hy = np.zeros_like(W_hy)
    db_y = np.zeros((W_hy.shape[0], 1))
    for t in range(len(h)):
        dh[t] = W_hy.T @ dscores[t]
        dW_hy += dscores[t] @ h[t].T
        db_y += dscores[t].sum(axis=1, keepdims=True)
    return dh, dW_hy, db_y


def char_lm_loss(x, y, mask, h0, params):
    h, caches = rnn_forward(x, h0, params)
    loss, dscores = softmax_loss(output_forward(h, params["W_hy"], params["b_y"]), y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    grads = rnn_backward(dh, caches)
    return loss, {"W_xh": grads["dW_xh"], "W_hh": grads["dW_hh"], "b_h": grads["db_h"],
                  "W_hy": dW_hy, "b_y": db_y}


def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
    params = {name: value.copy() for name, value in params.items()}  # the caller's stay
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    for _ in range(steps):
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        grads = clip_gradients(grads, max_norm)
        for name in params:
            params[name] -= learning_rate * grads[name]
        losses.append(loss)
    return params, losses


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    h = np.zeros((H, 1))
    index = first_index
    drawn = []
    for _ in range(length):
        x_t = np.zeros((V, 1))
        x_t[index] = 1.0
        h, _ = rnn_cell_forward(x_t, h, params)
        scores = (params["W_hy"] @ h + params["b_y"])[:, 0]
        p = np.exp(scores - scores.max())
        cumulative = np.cumsum(p / p.sum())
        index = min(int(np.searchsorted(cumulative, rng.random(), side="right")), V - 1)
        drawn.append(index)
    return np.array(drawn, dtype=np.int64)
