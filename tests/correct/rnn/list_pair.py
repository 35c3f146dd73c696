"""The forward passes return lists, [h_next, cache] and [h, caches], instead of tuples; the
cache of a step is a types.SimpleNamespace, which is not numeric data.
"""

from types import SimpleNamespace

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(params["W_xh"] @ x_t + params["W_hh"] @ h_prev + params["b_h"])
    cache = SimpleNamespace(x_t=x_t, h_prev=h_prev, h_next=h_next, params=params)
    return [h_next, cache]


def rnn_forward(x, h0, params):
    h = np.zeros((x.shape[0],) + h0.shape)
    caches = []
    for t in range(x.shape[0]):
        h_prev = h0 if t == 0 else h[t - 1]
        h[t], cache = rnn_cell_forward(x[t], h_prev, params)
        caches.append(cache)
    return [h, caches]


def rnn_cell_backward(dh_next, cache):
    da = dh_next * (1.0 - cache.h_next**2)
    W_xh, W_hh = cache.params["W_xh"], cache.params["W_hh"]
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ cache.x_t.T,
        "dW_hh": da @ cache.h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }


def rnn_backward(dh, caches):
    params = caches[0].params
    dx = np.zeros((len(caches),) + caches[0].x_t.shape)
    dW_xh = np.zeros(params["W_xh"].shape)
    dW_hh = np.zeros(params["W_hh"].shape)
    db_h = np.zeros(params["b_h"].shape)
    dh_t = np.zeros(dh.shape[1:])
    for t in reversed(range(len(caches))):
        step = rnn_cell_backward(dh[t] + dh_t, caches[t])
        dx[t] = step["dx_t"]
        dW_xh = dW_xh + step["dW_xh"]
        dW_hh = dW_hh + step["dW_hh"]
        db_h = db_h + step["db_h"]
        dh_t = step["dh_prev"]
    return {"dx": dx, "dh0": dh_t, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values()))
    scale = min(1.0, max_norm / (total + 1e-6))
    return {name: np.asarray(g) * scale for name, g in grads.items()}
