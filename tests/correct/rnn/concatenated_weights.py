"""One matrix product per step: [W_hh W_xh] @ vstack([h_prev, x_t]), split again in backward.

The global norm of the clipping is np.linalg.norm over all entries concatenated, without the 1e-6.
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    W = np.hstack([params["W_hh"], params["W_xh"]])
    z = np.vstack([h_prev, x_t])
    h_next = np.tanh(W @ z + params["b_h"])
    return h_next, (z, h_next, W, h_prev.shape[0])


def rnn_forward(x, h0, params):
    states = []
    caches = []
    h_t = h0
    for x_t in x:
        h_t, cache = rnn_cell_forward(x_t, h_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.stack(states), caches


def rnn_cell_backward(dh_next, cache):
    z, h_next, W, H = cache
    da = dh_next * (1 - np.square(h_next))
    dz = W.T @ da
    dW = da @ z.T
    return {
        "dx_t": dz[H:],
        "dh_prev": dz[:H],
        "dW_xh": dW[:, H:],
        "dW_hh": dW[:, :H],
        "db_h": np.sum(da, axis=1, keepdims=True),
    }


def rnn_backward(dh, caches):
    T = dh.shape[0]
    grads = None
    carry = np.zeros_like(dh[0])
    dx = []
    for t in range(T - 1, -1, -1):
        step = rnn_cell_backward(dh[t] + carry, caches[t])
        dx.insert(0, step["dx_t"])
        carry = step["dh_prev"]
        if grads is None:
            grads = {k: step[k].copy() for k in ("dW_xh", "dW_hh", "db_h")}
        else:
            for k in grads:
                grads[k] = grads[k] + step[k]
    grads["dx"] = np.stack(dx)
    grads["dh0"] = carry
    return grads


def clip_gradients(grads, max_norm):
    total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads.values()]))
    factor = max_norm / total if total > max_norm else 1.0
    return {k: g * factor for k, g in grads.items()}
