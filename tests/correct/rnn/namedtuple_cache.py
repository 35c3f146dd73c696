"""The cache of a step is a namedtuple, read by field name in the backward pass.

The sequence forward fills a preallocated array; the bias gradient is np.sum over the batch.
"""

from collections import namedtuple

import numpy as np

StepCache = namedtuple("StepCache", ["x_t", "h_prev", "h_next", "W_xh", "W_hh"])


def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"])
    return h_next, StepCache(x_t, h_prev, h_next, params["W_xh"], params["W_hh"])


def rnn_forward(x, h0, params):
    h = np.zeros((x.shape[0],) + h0.shape)
    caches = []
    h_t = h0
    for t in range(x.shape[0]):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches


def rnn_cell_backward(dh_next, cache):
    da = dh_next * (1.0 - cache.h_next**2)
    return {
        "dx_t": cache.W_xh.T @ da,
        "dh_prev": cache.W_hh.T @ da,
        "dW_xh": da @ cache.x_t.T,
        "dW_hh": da @ cache.h_prev.T,
        "db_h": np.sum(da, axis=1, keepdims=True),
    }


def rnn_backward(dh, caches):
    first = caches[0]
    dx = np.zeros((len(caches),) + first.x_t.shape)
    grads = {"dW_xh": np.zeros(first.W_xh.shape), "dW_hh": np.zeros(first.W_hh.shape),
             "db_h": np.zeros((first.W_hh.shape[0], 1))}
    dh_prev = np.zeros(dh.shape[1:])
    for t in range(len(caches) - 1, -1, -1):
        step = rnn_cell_backward(dh[t] + dh_prev, caches[t])
        dx[t] = step["dx_t"]
        dh_prev = step["dh_prev"]
        for name in grads:
            grads[name] = grads[name] + step[name]
    return {"dx": dx, "dh0": dh_prev, **grads}


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = min(1.0, max_norm / (total + 1e-6))
    return {name: g * scale for name, g in grads.items()}
