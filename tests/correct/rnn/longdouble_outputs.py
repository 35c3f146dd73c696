"""Computes in extended precision (np.longdouble) and returns its arrays in that dtype.

The cache is a tuple of the extended-precision arrays; the gradients come back as
np.longdouble too.
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    W_xh = np.asarray(params["W_xh"], dtype=np.longdouble)
    W_hh = np.asarray(params["W_hh"], dtype=np.longdouble)
    a = W_hh @ h_prev + W_xh @ x_t + params["b_h"]
    h_next = np.tanh(a)
    return h_next, (x_t, h_prev, h_next, W_xh, W_hh)


def rnn_forward(x, h0, params):
    h = np.zeros((x.shape[0],) + h0.shape, dtype=np.longdouble)
    caches = []
    h_t = h0
    for t in range(x.shape[0]):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = np.asarray(dh_next, dtype=np.longdouble) * (1 - h_next**2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }


def rnn_backward(dh, caches):
    x_first, _, _, W_xh, W_hh = caches[0]
    T, H, N = dh.shape
    dx = np.zeros((T,) + x_first.shape, dtype=np.longdouble)
    dW_xh = np.zeros(W_xh.shape, dtype=np.longdouble)
    dW_hh = np.zeros(W_hh.shape, dtype=np.longdouble)
    db_h = np.zeros((H, 1), dtype=np.longdouble)
    dh_t = np.zeros((H, N), dtype=np.longdouble)
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[t] + dh_t, caches[t])
        dx[t] = step["dx_t"]
        dW_xh = dW_xh + step["dW_xh"]
        dW_hh = dW_hh + step["dW_hh"]
        db_h = db_h + step["db_h"]
        dh_t = step["dh_prev"]
    return {"dx": dx, "dh0": dh_t, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}


def clip_gradients(grads, max_norm):
    wide = {name: np.asarray(g, dtype=np.longdouble) for name, g in grads.items()}
    total = np.sqrt(sum(np.sum(g**2) for g in wide.values()))
    scale = min(np.longdouble(1), max_norm / (total + np.longdouble(1e-6)))
    return {name: g * scale for name, g in wide.items()}
