"""Caches are dicts with named entries (cache = {"x": ..., "h_prev": ..., ...}); explicit loops.

The clipping computes the squared norm with a Python loop and copies the arrays it keeps.
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    a = np.dot(params["W_hh"], h_prev) + np.dot(params["W_xh"], x_t) + params["b_h"]
    h_next = np.tanh(a)
    cache = {"x": x_t, "h_prev": h_prev, "h_next": h_next, "params": params}
    return h_next, cache


def rnn_forward(x, h0, params):
    T, _, N = x.shape
    H = params["W_hh"].shape[0]
    h = np.empty((T, H, N))
    caches = []
    h_prev = h0
    for t in range(T):
        h_prev, cache = rnn_cell_forward(x[t], h_prev, params)
        h[t, :, :] = h_prev
        caches.append(cache)
    return h, caches


def rnn_cell_backward(dh_next, cache):
    p = cache["params"]
    da = dh_next - dh_next * cache["h_next"] * cache["h_next"]
    return {
        "dx_t": np.dot(p["W_xh"].T, da),
        "dh_prev": np.dot(p["W_hh"].T, da),
        "dW_xh": np.dot(da, cache["x"].T),
        "dW_hh": np.dot(da, cache["h_prev"].T),
        "db_h": da.sum(axis=-1).reshape(-1, 1),
    }


def rnn_backward(dh, caches):
    p = caches[0]["params"]
    dx = np.zeros((len(caches),) + caches[0]["x"].shape)
    grads = {"dW_xh": np.zeros(p["W_xh"].shape), "dW_hh": np.zeros(p["W_hh"].shape),
             "db_h": np.zeros(p["b_h"].shape)}
    dh_prev = np.zeros(dh.shape[1:])
    for t in range(len(caches) - 1, -1, -1):
        step = rnn_cell_backward(dh[t] + dh_prev, caches[t])
        dx[t] = step["dx_t"]
        dh_prev = step["dh_prev"]
        for name in grads:
            grads[name] += step[name]
    return {"dx": dx, "dh0": dh_prev, **grads}


def clip_gradients(grads, max_norm):
    squares = 0.0
    for g in grads.values():
        for value in np.asarray(g).flat:
            squares += value * value
    total = squares ** 0.5
    out = {}
    for name, g in grads.items():
        if total > max_norm:
            out[name] = g * (max_norm / (total + 1e-6))
        else:
            out[name] = g.copy()
    return out
