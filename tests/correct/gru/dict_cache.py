"""The cache of a step is a dict read by key; the sequence forward fills a preallocated array."""

import numpy as np


def update_gate(x_t, h_prev, params):
    a = params["W_z"] @ np.vstack([h_prev, x_t]) + params["b_z"]
    return 1.0 / (1.0 + np.exp(-a))


def reset_gate(x_t, h_prev, params):
    a = params["W_r"] @ np.vstack([h_prev, x_t]) + params["b_r"]
    return 1.0 / (1.0 + np.exp(-a))


def candidate(x_t, h_prev, r_t, params):
    return np.tanh(params["W_h"] @ np.vstack([r_t * h_prev, x_t]) + params["b_h"])


def interpolate(h_prev, h_tilde, z_t):
    return h_prev * (1.0 - z_t) + h_tilde * z_t


def gru_cell_forward(x_t, h_prev, params):
    cache = {"x": x_t, "h": h_prev, "params": params}
    cache["z"] = update_gate(x_t, h_prev, params)
    cache["r"] = reset_gate(x_t, h_prev, params)
    cache["h_tilde"] = candidate(x_t, h_prev, cache["r"], params)
    return interpolate(h_prev, cache["h_tilde"], cache["z"]), cache


def gru_forward(x, h0, params):
    h = np.zeros((x.shape[0],) + h0.shape)
    caches = []
    h_t = h0
    for t in range(x.shape[0]):
        h_t, cache = gru_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches


def gru_cell_backward(dh_next, cache):
    x, h, z, r, h_tilde = cache["x"], cache["h"], cache["z"], cache["r"], cache["h_tilde"]
    p = cache["params"]
    H = h.shape[0]
    da_h = dh_next * z * (1.0 - h_tilde * h_tilde)
    d_read = p["W_h"].T @ da_h
    da_z = dh_next * (h_tilde - h) * z * (1.0 - z)
    da_r = d_read[:H] * h * r * (1.0 - r)
    hx = np.vstack([h, x])
    d_hx = p["W_z"].T @ da_z + p["W_r"].T @ da_r
    grads = {
        "dW_z": da_z @ hx.T,
        "dW_r": da_r @ hx.T,
        "dW_h": da_h @ np.vstack([r * h, x]).T,
        "db_z": np.sum(da_z, axis=1, keepdims=True),
        "db_r": np.sum(da_r, axis=1, keepdims=True),
        "db_h": np.sum(da_h, axis=1, keepdims=True),
    }
    grads["dh_prev"] = dh_next * (1.0 - z) + d_read[:H] * r + d_hx[:H]
    grads["dx_t"] = d_read[H:] + d_hx[H:]
    return grads


def gru_backward(dh, caches):
    p = caches[0]["params"]
    grads = {"d" + name: np.zeros(p[name].shape) for name in p}
    dx = np.zeros((len(caches),) + caches[0]["x"].shape)
    carry = np.zeros(dh.shape[1:])
    for t in reversed(range(len(caches))):
        step = gru_cell_backward(dh[t] + carry, caches[t])
        dx[t] = step["dx_t"]
        carry = step["dh_prev"]
        for name in grads:
            grads[name] = grads[name] + step[name]
    return {"dx": dx, "dh0": carry, **grads}
