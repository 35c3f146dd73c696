"""The gates use a sigmoid that never overflows: exp of -|a| only, chosen by the sign of a.

Right for the pre-activations of ±1000 where 1 / (1 + exp(-a)) only warns and
exp(a) / (1 + exp(a)) gives NaN. The rest follows the model answer's layout.
"""

import numpy as np


def sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def update_gate(x_t, h_prev, params):
    return sigmoid(params["W_z"] @ np.concatenate((h_prev, x_t)) + params["b_z"])


def reset_gate(x_t, h_prev, params):
    return sigmoid(params["W_r"] @ np.concatenate((h_prev, x_t)) + params["b_r"])


def candidate(x_t, h_prev, r_t, params):
    return np.tanh(params["W_h"] @ np.concatenate((r_t * h_prev, x_t)) + params["b_h"])


def interpolate(h_prev, h_tilde, z_t):
    return (1 - z_t) * h_prev + z_t * h_tilde


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    return interpolate(h_prev, h_tilde, z), (x_t, h_prev, z, r, h_tilde, params)


def gru_forward(x, h0, params):
    h = np.empty((len(x), *h0.shape))
    caches = []
    h_t = h0
    for t, x_t in enumerate(x):
        h_t, cache = gru_cell_forward(x_t, h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    da_h = dh_next * z * (1 - h_tilde**2)
    d_read = params["W_h"].T @ da_h
    da_r = d_read[:H] * h_prev * r * (1 - r)
    da_z = dh_next * (h_tilde - h_prev) * z * (1 - z)
    hx = np.concatenate((h_prev, x_t))
    d_hx = params["W_z"].T @ da_z + params["W_r"].T @ da_r
    return {
        "dx_t": d_read[H:] + d_hx[H:],
        "dh_prev": dh_next * (1 - z) + d_read[:H] * r + d_hx[:H],
        "dW_z": da_z @ hx.T, "db_z": da_z.sum(axis=1, keepdims=True),
        "dW_r": da_r @ hx.T, "db_r": da_r.sum(axis=1, keepdims=True),
        "dW_h": da_h @ np.concatenate((r * h_prev, x_t)).T,
        "db_h": da_h.sum(axis=1, keepdims=True),
    }


def gru_backward(dh, caches):
    T, H, N = dh.shape
    params = caches[0][-1]
    grads = {"d" + k: np.zeros_like(v, dtype=float) for k, v in params.items()}
    dx = np.zeros((T, params["W_z"].shape[1] - H, N))
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        step = gru_cell_backward(dh[t] + dh_next, caches[t])
        dx[t] = step["dx_t"]
        dh_next = step["dh_prev"]
        for k in grads:
            grads[k] = grads[k] + step[k]
    return {"dx": dx, "dh0": dh_next, **grads}
