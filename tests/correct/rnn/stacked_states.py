"""rnn_forward keeps h_0 … h_T in one (T+1, H, N) array and returns a copy of its slice [1:].

rnn_backward walks back with a while loop, without rnn_cell_backward, and returns its keys in
another order. Clipping takes the global norm as the norm of the per-array norms.
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    h_next = np.tanh(np.matmul(W_hh, h_prev) + np.matmul(W_xh, x_t) + b_h)
    return h_next, (x_t, h_prev, h_next, W_xh, W_hh)


def rnn_forward(x, h0, params):
    T = x.shape[0]
    states = np.zeros((T + 1,) + h0.shape)
    states[0] = h0
    caches = []
    for t in range(1, T + 1):
        states[t], cache = rnn_cell_forward(x[t - 1], states[t - 1], params)
        caches.append(cache)
    return states[1:].copy(), caches


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = (1 - h_next) * (1 + h_next) * dh_next
    return {
        "dx_t": np.matmul(W_xh.T, da),
        "dh_prev": np.matmul(W_hh.T, da),
        "dW_xh": np.matmul(da, x_t.T),
        "dW_hh": np.matmul(da, h_prev.T),
        "db_h": da.sum(1, keepdims=True),
    }


def rnn_backward(dh, caches):
    T = len(caches)
    W_xh, W_hh = caches[0][3], caches[0][4]
    dx = np.zeros((T,) + caches[0][0].shape)
    dW_xh, dW_hh = 0 * W_xh, 0 * W_hh
    db_h = np.zeros((W_hh.shape[0], 1))
    g = np.zeros(dh.shape[1:])
    t = T - 1
    while t >= 0:
        x_t, h_prev, h_next, _, _ = caches[t]
        da = (dh[t] + g) * (1 - h_next**2)
        dx[t] = W_xh.T @ da
        dW_xh = dW_xh + da @ x_t.T
        dW_hh = dW_hh + da @ h_prev.T
        db_h = db_h + da.sum(axis=1, keepdims=True)
        g = W_hh.T @ da
        t -= 1
    return {"dh0": g, "dx": dx, "db_h": db_h, "dW_hh": dW_hh, "dW_xh": dW_xh}


def clip_gradients(grads, max_norm):
    norms = np.array([np.linalg.norm(np.ravel(g)) for g in grads.values()])
    total = np.linalg.norm(norms)
    scale = 1.0 if total <= max_norm else max_norm / (total + 1e-6)
    return {name: np.copy(g) * scale for name, g in grads.items()}
