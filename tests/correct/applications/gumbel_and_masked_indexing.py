"""The loss reads only the real steps (boolean indexing), the gradients use tensordot, the
training clips inline, and sampling uses the Gumbel trick: argmax of log p plus Gumbel noise.
"""

import numpy as np


def output_forward(h, W_hy, b_y):
    return np.einsum("vh,thn->tvn", W_hy, h) + b_y


def softmax_loss(scores, y, mask):
    N = scores.shape[2]
    columns = np.moveaxis(scores, 1, 2)[mask]  # (real steps, V)
    targets = y[mask]
    shifted = columns - columns.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(targets))
    loss = -log_p[rows, targets].sum() / N
    grad = np.exp(log_p)
    grad[rows, targets] -= 1.0
    dscores = np.zeros_like(np.moveaxis(scores, 1, 2))
    dscores[mask] = grad / N
    return loss, np.moveaxis(dscores, 2, 1)


def output_backward(dscores, h, W_hy):
    dh = np.einsum("vh,tvn->thn", W_hy, dscores)
    dW_hy = np.tensordot(dscores, h, axes=([0, 2], [0, 2]))
    db_y = np.sum(dscores, axis=(0, 2), keepdims=True)[0]
    return dh, dW_hy, db_y


def char_lm_loss(x, y, mask, h0, params):
    h, caches = rnn_forward(x, h0, params)
    scores = output_forward(h, params["W_hy"], params["b_y"])
    loss, dscores = softmax_loss(scores, y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    rnn = rnn_backward(dh, caches)
    grads = {name: rnn["d" + name] for name in ("W_xh", "W_hh", "b_h")}
    grads.update(W_hy=dW_hy, b_y=db_y)
    return loss, grads


def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    for _ in range(steps):
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
        scale = min(1.0, max_norm / (norm + 1e-6))
        params = {k: params[k] - learning_rate * scale * grads[k] for k in params}
        losses.append(loss)
    return params, np.array(losses)


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    h = np.zeros((H, 1))
    x_t = np.eye(V)[:, [first_index]]
    drawn = np.empty(length, dtype=np.int64)
    for t in range(length):
        h, _ = rnn_cell_forward(x_t, h, params)
        scores = (params["W_hy"] @ h + params["b_y"])[:, 0]
        log_p = scores - np.log(np.sum(np.exp(scores - scores.max()))) - scores.max()
        drawn[t] = np.argmax(log_p + rng.gumbel(size=V))
        x_t = np.eye(V)[:, [drawn[t]]]
    return drawn
