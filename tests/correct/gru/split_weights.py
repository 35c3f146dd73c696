"""Each weight matrix is split into its hidden and input blocks: W[:, :H] h + W[:, H:] x.

No concatenation anywhere: the backward computes each block's gradient on its own and sends
the gradient back to h_prev and x_t through each block's transpose.
"""

import numpy as np


def update_gate(x_t, h_prev, params):
    H = h_prev.shape[0]
    W = params["W_z"]
    return 1 / (1 + np.exp(-(W[:, :H] @ h_prev + W[:, H:] @ x_t + params["b_z"])))


def reset_gate(x_t, h_prev, params):
    H = h_prev.shape[0]
    W = params["W_r"]
    return 1 / (1 + np.exp(-(W[:, :H] @ h_prev + W[:, H:] @ x_t + params["b_r"])))


def candidate(x_t, h_prev, r_t, params):
    H = h_prev.shape[0]
    W = params["W_h"]
    return np.tanh(W[:, :H] @ (r_t * h_prev) + W[:, H:] @ x_t + params["b_h"])


def interpolate(h_prev, h_tilde, z_t):
    return (1 - z_t) * h_prev + z_t * h_tilde


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    return interpolate(h_prev, h_tilde, z), (x_t, h_prev, z, r, h_tilde, params)


def gru_forward(x, h0, params):
    h_t = h0
    hs, caches = [], []
    for x_t in x:
        h_t, cache = gru_cell_forward(x_t, h_t, params)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs), caches


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    Wz, Wr, Wh = params["W_z"], params["W_r"], params["W_h"]
    da_h = dh_next * z * (1 - h_tilde**2)
    da_z = dh_next * (h_tilde - h_prev) * z * (1 - z)
    d_rh = Wh[:, :H].T @ da_h
    da_r = d_rh * h_prev * r * (1 - r)
    return {
        "dx_t": Wh[:, H:].T @ da_h + Wz[:, H:].T @ da_z + Wr[:, H:].T @ da_r,
        "dh_prev": (dh_next * (1 - z) + d_rh * r + Wz[:, :H].T @ da_z
                    + Wr[:, :H].T @ da_r),
        "dW_z": np.hstack((da_z @ h_prev.T, da_z @ x_t.T)),
        "db_z": da_z.sum(axis=1, keepdims=True),
        "dW_r": np.hstack((da_r @ h_prev.T, da_r @ x_t.T)),
        "db_r": da_r.sum(axis=1, keepdims=True),
        "dW_h": np.hstack((da_h @ (r * h_prev).T, da_h @ x_t.T)),
        "db_h": da_h.sum(axis=1, keepdims=True),
    }


def gru_backward(dh, caches):
    T = len(caches)
    params = caches[0][-1]
    grads = {"d" + k: np.zeros(v.shape) for k, v in params.items()}
    dx = np.zeros((T, *caches[0][0].shape))
    dh_t = np.zeros(dh.shape[1:])
    for t in range(T - 1, -1, -1):
        step = gru_cell_backward(dh[t] + dh_t, caches[t])
        dx[t] = step["dx_t"]
        dh_t = step["dh_prev"]
        for k in grads:
            grads[k] += step[k]
    grads["dx"] = dx
    grads["dh0"] = dh_t
    return grads
