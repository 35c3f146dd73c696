"""Sampling draws one multinomial trial per step; the loss uses take_along_axis and the
notebook's softmax helper, and the output layer's backward reshapes time into the batch.
"""

import numpy as np


def softmax(scores):
    e = np.exp(scores - np.max(scores, axis=-2, keepdims=True))
    return e / np.sum(e, axis=-2, keepdims=True)


def output_forward(h, W_hy, b_y):
    T, H, N = h.shape
    flat = h.transpose(1, 0, 2).reshape(H, T * N)
    return (W_hy @ flat + b_y).reshape(-1, T, N).transpose(1, 0, 2)


def softmax_loss(scores, y, mask):
    N = scores.shape[2]
    p = softmax(scores)
    top = scores.max(axis=1, keepdims=True)
    log_p = scores - top - np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
    picked = np.take_along_axis(log_p, y[:, None, :], axis=1)[:, 0, :]
    loss = -np.sum(np.where(mask, picked, 0.0)) / N
    dscores = p.copy()
    np.put_along_axis(dscores, y[:, None, :], np.take_along_axis(p, y[:, None, :], 1) - 1, 1)
    return loss, dscores * mask[:, None, :] / N


def output_backward(dscores, h, W_hy):
    T, V, N = dscores.shape
    flat_d = dscores.transpose(1, 0, 2).reshape(V, T * N)
    flat_h = h.transpose(1, 0, 2).reshape(-1, T * N)
    dh = (W_hy.T @ flat_d).reshape(-1, T, N).transpose(1, 0, 2)
    return dh, flat_d @ flat_h.T, flat_d.sum(axis=1, keepdims=True)


def char_lm_loss(x, y, mask, h0, params):
    h, caches = rnn_forward(x, h0, params)
    loss, dscores = softmax_loss(output_forward(h, params["W_hy"], params["b_y"]), y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    rnn = rnn_backward(dh, caches)
    return loss, {"W_xh": rnn["dW_xh"], "W_hh": rnn["dW_hh"], "b_h": rnn["db_h"],
                  "W_hy": dW_hy, "b_y": db_y}


def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    step = 0
    while step < steps:
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        clipped = clip_gradients(grads, max_norm)
        params = {k: v - learning_rate * clipped[k] for k, v in params.items()}
        losses.append(float(loss))
        step += 1
    return params, tuple(losses)


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    h = np.zeros((H, 1))
    index = first_index
    drawn = np.zeros(length, dtype=np.int64)
    for t in range(length):
        x_t = np.zeros((V, 1))
        x_t[index, 0] = 1.0
        h, _ = rnn_cell_forward(x_t, h, params)
        p = softmax(params["W_hy"] @ h + params["b_y"])[:, 0]
        index = int(np.flatnonzero(rng.multinomial(1, p / p.sum()))[0])
        drawn[t] = index
    return drawn
