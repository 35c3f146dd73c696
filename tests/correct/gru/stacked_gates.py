"""The cell computes both gates with one stacked product [W_z; W_r] @ [h; x].

The backward stacks da_z and da_r the same way: one product gives dW_z and dW_r, one more
their share of the gradient of [h; x].
"""

import numpy as np


def update_gate(x_t, h_prev, params):
    return 1.0 / (1.0 + np.exp(-(params["W_z"] @ np.vstack((h_prev, x_t)) + params["b_z"])))


def reset_gate(x_t, h_prev, params):
    return 1.0 / (1.0 + np.exp(-(params["W_r"] @ np.vstack((h_prev, x_t)) + params["b_r"])))


def candidate(x_t, h_prev, r_t, params):
    return np.tanh(params["W_h"] @ np.vstack((r_t * h_prev, x_t)) + params["b_h"])


def interpolate(h_prev, h_tilde, z_t):
    return (1.0 - z_t) * h_prev + z_t * h_tilde


def gru_cell_forward(x_t, h_prev, params):
    H = h_prev.shape[0]
    hx = np.vstack((h_prev, x_t))
    W = np.vstack((params["W_z"], params["W_r"]))
    b = np.vstack((params["b_z"], params["b_r"]))
    gates = 1.0 / (1.0 + np.exp(-(W @ hx + b)))
    z, r = gates[:H], gates[H:]
    h_tilde = np.tanh(params["W_h"] @ np.vstack((r * h_prev, x_t)) + params["b_h"])
    h_next = (1.0 - z) * h_prev + z * h_tilde
    cache = {"hx": hx, "gates": gates, "h_tilde": h_tilde, "W": W, "W_h": params["W_h"]}
    return h_next, cache


def gru_forward(x, h0, params):
    h_t, hs, caches = h0, [], []
    for x_t in x:
        h_t, cache = gru_cell_forward(x_t, h_t, params)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs), caches


def gru_cell_backward(dh_next, cache):
    hx, gates, h_tilde = cache["hx"], cache["gates"], cache["h_tilde"]
    H = h_tilde.shape[0]
    h_prev, x_t = hx[:H], hx[H:]
    z, r = gates[:H], gates[H:]
    da_h = dh_next * z * (1.0 - h_tilde**2)
    d_read = cache["W_h"].T @ da_h
    d_gates = np.vstack((dh_next * (h_tilde - h_prev), d_read[:H] * h_prev))
    da = d_gates * gates * (1.0 - gates)
    dW = da @ hx.T
    db = da.sum(axis=1, keepdims=True)
    d_hx = cache["W"].T @ da
    return {
        "dx_t": d_read[H:] + d_hx[H:],
        "dh_prev": dh_next * (1.0 - z) + d_read[:H] * r + d_hx[:H],
        "dW_z": dW[:H], "dW_r": dW[H:], "db_z": db[:H], "db_r": db[H:],
        "dW_h": da_h @ np.vstack((r * h_prev, x_t)).T,
        "db_h": da_h.sum(axis=1, keepdims=True),
    }


def gru_backward(dh, caches):
    T, H, N = dh.shape
    D = caches[0]["hx"].shape[0] - H
    dx = np.zeros((T, D, N))
    dW = np.zeros((2 * H, H + D))
    db = np.zeros((2 * H, 1))
    dW_h = np.zeros((H, H + D))
    db_h = np.zeros((H, 1))
    carry = np.zeros((H, N))
    for t in reversed(range(T)):
        step = gru_cell_backward(dh[t] + carry, caches[t])
        dx[t] = step["dx_t"]
        carry = step["dh_prev"]
        dW += np.vstack((step["dW_z"], step["dW_r"]))
        db += np.vstack((step["db_z"], step["db_r"]))
        dW_h += step["dW_h"]
        db_h += step["db_h"]
    return {"dx": dx, "dh0": carry, "dW_z": dW[:H], "dW_r": dW[H:], "db_z": db[:H],
            "db_r": db[H:], "dW_h": dW_h, "db_h": db_h}
