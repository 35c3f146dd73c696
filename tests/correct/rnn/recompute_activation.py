"""The cache holds only the step's inputs; the backward pass recomputes tanh from them.

rnn_forward and rnn_backward run whole sequences through the cell functions; clipping uses
the norm as the square root of a dot product of all entries concatenated.
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    cache = (x_t, h_prev, params)
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    return np.tanh(a), cache


def rnn_forward(x, h0, params):
    h = []
    caches = []
    for t in range(len(x)):
        h_prev = h0 if t == 0 else h[-1]
        h_t, cache = rnn_cell_forward(x[t], h_prev, params)
        h.append(h_t)
        caches.append(cache)
    return np.asarray(h), caches


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, params = cache
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    da = dh_next / np.cosh(a) ** 2
    return {
        "dx_t": params["W_xh"].T @ da,
        "dh_prev": params["W_hh"].T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": np.sum(da, axis=1)[:, None],
    }


def rnn_backward(dh, caches):
    keys = ("dW_xh", "dW_hh", "db_h")
    total = {}
    dx = np.zeros((len(caches),) + caches[0][0].shape)
    upstream = np.zeros_like(dh[-1])
    for t in range(len(caches) - 1, -1, -1):
        step = rnn_cell_backward(dh[t] + upstream, caches[t])
        dx[t] = step["dx_t"]
        upstream = step["dh_prev"]
        for k in keys:
            total[k] = total[k] + step[k] if k in total else step[k]
    return {"dx": dx, "dh0": upstream, **total}


def clip_gradients(grads, max_norm):
    flat = np.concatenate([g.reshape(-1) for g in grads.values()])
    total = np.sqrt(flat @ flat)
    if total <= max_norm:
        return {k: g.copy() for k, g in grads.items()}
    return {k: g * (max_norm / (total + 1e-6)) for k, g in grads.items()}
