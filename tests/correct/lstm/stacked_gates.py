"""The cell computes all four gates with one stacked product [W_f; W_i; W_c; W_o] @ [h; x].

The backward stacks the four da the same way: one product gives the four dW, one more dz.
"""

import numpy as np

GATE_ORDER = ("f", "i", "c", "o")


def forget_gate(x_t, h_prev, params):
    a = params["W_f"] @ np.vstack((h_prev, x_t)) + params["b_f"]
    return 1.0 / (1.0 + np.exp(-a))


def input_gate(x_t, h_prev, params):
    a = params["W_i"] @ np.vstack((h_prev, x_t)) + params["b_i"]
    return 1.0 / (1.0 + np.exp(-a))


def candidate(x_t, h_prev, params):
    return np.tanh(params["W_c"] @ np.vstack((h_prev, x_t)) + params["b_c"])


def output_gate(x_t, h_prev, params):
    a = params["W_o"] @ np.vstack((h_prev, x_t)) + params["b_o"]
    return 1.0 / (1.0 + np.exp(-a))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    H = h_prev.shape[0]
    W = np.vstack([params["W_" + k] for k in GATE_ORDER])
    b = np.vstack([params["b_" + k] for k in GATE_ORDER])
    z = np.vstack((h_prev, x_t))
    a = W @ z + b
    f = 1.0 / (1.0 + np.exp(-a[:H]))
    i = 1.0 / (1.0 + np.exp(-a[H:2 * H]))
    g = np.tanh(a[2 * H:3 * H])
    o = 1.0 / (1.0 + np.exp(-a[3 * H:]))
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    cache = {"z": z, "c_prev": c_prev, "c_next": c_next, "gates": (f, i, g, o), "W": W}
    return h_next, c_next, cache


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros(h0.shape)
    h_t, c_t = h0, c0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.stack(hs), np.stack(cs), caches


def lstm_cell_backward(dh_next, dc_next, cache):
    f, i, g, o = cache["gates"]
    H = f.shape[0]
    tc = np.tanh(cache["c_next"])
    dc = dc_next + dh_next * o * (1.0 - tc**2)
    da = np.vstack([
        dc * cache["c_prev"] * f * (1.0 - f),
        dc * g * i * (1.0 - i),
        dc * i * (1.0 - g**2),
        dh_next * tc * o * (1.0 - o),
    ])
    dW = da @ cache["z"].T
    db = da.sum(axis=1, keepdims=True)
    dz = cache["W"].T @ da
    grads = {"dh_prev": dz[:H], "dx_t": dz[H:], "dc_prev": dc * f}
    for n, k in enumerate(GATE_ORDER):
        grads["dW_" + k] = dW[n * H:(n + 1) * H]
        grads["db_" + k] = db[n * H:(n + 1) * H]
    return grads


def lstm_backward(dh, caches):
    T, H, N = dh.shape
    D = caches[0]["z"].shape[0] - H
    dx = np.zeros((T, D, N))
    dW = np.zeros((4 * H, H + D))
    db = np.zeros((4 * H, 1))
    dh_t = np.zeros((H, N))
    dc_t = np.zeros((H, N))
    for t in reversed(range(T)):
        step = lstm_cell_backward(dh[t] + dh_t, dc_t, caches[t])
        dx[t] = step["dx_t"]
        dW += np.vstack([step["dW_" + k] for k in GATE_ORDER])
        db += np.vstack([step["db_" + k] for k in GATE_ORDER])
        dh_t, dc_t = step["dh_prev"], step["dc_prev"]
    grads = {"dx": dx, "dh0": dh_t, "dc0": dc_t}
    for n, k in enumerate(GATE_ORDER):
        grads["dW_" + k] = dW[n * H:(n + 1) * H]
        grads["db_" + k] = db[n * H:(n + 1) * H]
    return grads
