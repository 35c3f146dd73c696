"""The cache of a step is a namedtuple read by field name; gates take np.concatenate."""

from collections import namedtuple

import numpy as np

GRUCache = namedtuple("GRUCache", "x_t h_prev z r h_tilde params")


def update_gate(x_t, h_prev, params):
    hx = np.concatenate([h_prev, x_t])
    return 1 / (1 + np.exp(-params["W_z"] @ hx - params["b_z"]))


def reset_gate(x_t, h_prev, params):
    hx = np.concatenate([h_prev, x_t])
    return 1 / (1 + np.exp(-params["W_r"] @ hx - params["b_r"]))


def candidate(x_t, h_prev, r_t, params):
    return np.tanh(params["W_h"] @ np.concatenate([r_t * h_prev, x_t]) + params["b_h"])


def interpolate(h_prev, h_tilde, z_t):
    return (1 - z_t) * h_prev + z_t * h_tilde


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    return interpolate(h_prev, h_tilde, z), GRUCache(x_t, h_prev, z, r, h_tilde, params)


def gru_forward(x, h0, params):
    states, caches = [], []
    h_t = h0
    for t in range(len(x)):
        h_t, cache = gru_cell_forward(x[t], h_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.array(states), caches


def gru_cell_backward(dh_next, cache):
    c = cache
    H = c.h_prev.shape[0]
    da = {
        "z": dh_next * (c.h_tilde - c.h_prev) * c.z * (1 - c.z),
        "h": dh_next * c.z * (1 - c.h_tilde**2),
    }
    d_read = c.params["W_h"].T @ da["h"]
    da["r"] = d_read[:H] * c.h_prev * c.r * (1 - c.r)
    hx = np.concatenate([c.h_prev, c.x_t])
    reads = {"z": hx, "r": hx, "h": np.concatenate([c.r * c.h_prev, c.x_t])}
    grads = {}
    for g in ("z", "r", "h"):
        grads["dW_" + g] = da[g] @ reads[g].T
        grads["db_" + g] = da[g].sum(axis=1, keepdims=True)
    d_hx = c.params["W_z"].T @ da["z"] + c.params["W_r"].T @ da["r"]
    grads["dh_prev"] = dh_next * (1 - c.z) + d_read[:H] * c.r + d_hx[:H]
    grads["dx_t"] = d_read[H:] + d_hx[H:]
    return grads


def gru_backward(dh, caches):
    params = caches[0].params
    grads = {"d" + name: np.zeros_like(value, dtype=float) for name, value in params.items()}
    dx = [None] * len(caches)
    dh_t = np.zeros_like(dh[0])
    for t in reversed(range(len(caches))):
        step = gru_cell_backward(dh[t] + dh_t, caches[t])
        dx[t] = step["dx_t"]
        dh_t = step["dh_prev"]
        grads = {name: grads[name] + step[name] for name in grads}
    return {**grads, "dx": np.stack(dx), "dh0": dh_t}
