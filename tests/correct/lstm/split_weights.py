"""Each W is used in two slices, W[:, :H] @ h + W[:, H:] @ x, instead of one product with [h; x].

The backward builds each dW from the two blocks da h_prev^T and da x_t^T side by side.
"""

import numpy as np


def forget_gate(x_t, h_prev, params):
    H = h_prev.shape[0]
    W = params["W_f"]
    return 1.0 / (1.0 + np.exp(-(W[:, :H] @ h_prev + W[:, H:] @ x_t + params["b_f"])))


def input_gate(x_t, h_prev, params):
    H = h_prev.shape[0]
    W = params["W_i"]
    return 1.0 / (1.0 + np.exp(-(W[:, :H] @ h_prev + W[:, H:] @ x_t + params["b_i"])))


def candidate(x_t, h_prev, params):
    H = h_prev.shape[0]
    W = params["W_c"]
    return np.tanh(W[:, :H] @ h_prev + W[:, H:] @ x_t + params["b_c"])


def output_gate(x_t, h_prev, params):
    H = h_prev.shape[0]
    W = params["W_o"]
    return 1.0 / (1.0 + np.exp(-(W[:, :H] @ h_prev + W[:, H:] @ x_t + params["b_o"])))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    g = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    cache = (x_t, h_prev, c_prev, c_next, f, i, g, o, params)
    return h_next, c_next, cache


def lstm_forward(x, h0, params, c0=None):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    c = np.zeros((T, H, N))
    h_t = h0
    c_t = np.zeros((H, N)) if c0 is None else c0
    caches = []
    for t in range(T):
        h_t, c_t, cache = lstm_cell_forward(x[t], h_t, c_t, params)
        h[t], c[t] = h_t, c_t
        caches.append(cache)
    return h, c, caches


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, c_next, f, i, g, o, params = cache
    H = h_prev.shape[0]
    tc = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1.0 - tc * tc)
    da = {
        "f": dc * c_prev * f * (1.0 - f),
        "i": dc * g * i * (1.0 - i),
        "c": dc * i * (1.0 - g * g),
        "o": dh_next * tc * o * (1.0 - o),
    }
    grads = {"dh_prev": np.zeros_like(h_prev), "dx_t": np.zeros_like(x_t)}
    for k in ("f", "i", "c", "o"):
        W = params["W_" + k]
        grads["dW_" + k] = np.hstack([da[k] @ h_prev.T, da[k] @ x_t.T])
        grads["db_" + k] = np.sum(da[k], axis=1, keepdims=True)
        grads["dh_prev"] = grads["dh_prev"] + W[:, :H].T @ da[k]
        grads["dx_t"] = grads["dx_t"] + W[:, H:].T @ da[k]
    grads["dc_prev"] = f * dc
    return grads


def lstm_backward(dh, caches):
    T, H, N = dh.shape
    params = caches[0][-1]
    D = caches[0][0].shape[0]
    grads = {"dx": np.zeros((T, D, N))}
    for k in ("f", "i", "c", "o"):
        grads["dW_" + k] = np.zeros((H, H + D))
        grads["db_" + k] = np.zeros((H, 1))
    dh_prev = np.zeros((H, N))
    dc_prev = np.zeros((H, N))
    for t in range(T - 1, -1, -1):
        step = lstm_cell_backward(dh[t] + dh_prev, dc_prev, caches[t])
        grads["dx"][t] = step["dx_t"]
        for name in params:
            grads["d" + name] = grads["d" + name] + step["d" + name]
        dh_prev, dc_prev = step["dh_prev"], step["dc_prev"]
    grads["dh0"] = dh_prev
    grads["dc0"] = dc_prev
    return grads
