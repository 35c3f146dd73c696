"""The new state is written as a step toward the candidate: h_t = h_prev + z * (h~ - h_prev).

The backward follows that form: h_prev reaches h_t with weight 1 - z (dh - dh * z), and
dz = dh * (h~ - h_prev) is read off the step itself.
"""

import numpy as np


def update_gate(x_t, h_prev, params):
    return 1 / (1 + np.exp(-(params["W_z"] @ np.concatenate((h_prev, x_t)) + params["b_z"])))


def reset_gate(x_t, h_prev, params):
    return 1 / (1 + np.exp(-(params["W_r"] @ np.concatenate((h_prev, x_t)) + params["b_r"])))


def candidate(x_t, h_prev, r_t, params):
    return np.tanh(params["W_h"] @ np.concatenate((r_t * h_prev, x_t)) + params["b_h"])


def interpolate(h_prev, h_tilde, z_t):
    return h_prev + z_t * (h_tilde - h_prev)


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    step = h_tilde - h_prev
    return h_prev + z * step, (x_t, h_prev, z, r, h_tilde, params)


def gru_forward(x, h0, params):
    hs, caches, h_t = [], [], h0
    for x_t in x:
        h_t, cache = gru_cell_forward(x_t, h_t, params)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs), caches


def gru_cell_backward(dh_next, cache):
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]
    step = h_tilde - h_prev
    dz = dh_next * step
    dstep = dh_next * z
    da_z = dz * z * (1 - z)
    da_h = dstep * (1 - h_tilde**2)
    d_read = params["W_h"].T @ da_h
    da_r = d_read[:H] * h_prev * r * (1 - r)
    hx = np.concatenate((h_prev, x_t))
    d_hx = params["W_z"].T @ da_z + params["W_r"].T @ da_r
    return {
        "dx_t": d_read[H:] + d_hx[H:],
        "dh_prev": dh_next - dstep + d_read[:H] * r + d_hx[:H],
        "dW_z": da_z @ hx.T, "db_z": da_z.sum(axis=1, keepdims=True),
        "dW_r": da_r @ hx.T, "db_r": da_r.sum(axis=1, keepdims=True),
        "dW_h": da_h @ np.concatenate((r * h_prev, x_t)).T,
        "db_h": da_h.sum(axis=1, keepdims=True),
    }


def gru_backward(dh, caches):
    params = caches[0][-1]
    total = {"d" + k: 0.0 for k in params}
    dxs = []
    carry = 0.0
    for t in reversed(range(len(caches))):
        step = gru_cell_backward(dh[t] + carry, caches[t])
        dxs.append(step["dx_t"])
        carry = step["dh_prev"]
        for k in total:
            total[k] = total[k] + step[k]
    return {"dx": np.stack(dxs[::-1]), "dh0": carry, **total}
