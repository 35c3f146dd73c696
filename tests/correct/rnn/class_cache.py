"""The cache of a step is an instance of a small class that also knows the tanh derivative.

The clipping sums np.vdot(g, g) over the arrays.
"""

import numpy as np


class StepCache:
    """What one RNN step remembers for its backward pass."""

    def __init__(self, x_t, h_prev, h_next, params):
        self.x_t = x_t
        self.h_prev = h_prev
        self.h_next = h_next
        self.W_xh = params["W_xh"]
        self.W_hh = params["W_hh"]

    def da(self, dh_next):
        return dh_next * (1.0 - self.h_next**2)


def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(params["W_xh"] @ x_t + params["W_hh"] @ h_prev + params["b_h"])
    return h_next, StepCache(x_t, h_prev, h_next, params)


def rnn_forward(x, h0, params):
    pairs = []
    h_t = h0
    for t in range(x.shape[0]):
        pairs.append(rnn_cell_forward(x[t], h_t, params))
        h_t = pairs[-1][0]
    return np.array([h for h, _ in pairs]), [c for _, c in pairs]


def rnn_cell_backward(dh_next, cache):
    da = cache.da(dh_next)
    return {
        "dx_t": cache.W_xh.T @ da,
        "dh_prev": cache.W_hh.T @ da,
        "dW_xh": da @ cache.x_t.T,
        "dW_hh": da @ cache.h_prev.T,
        "db_h": da @ np.ones((da.shape[1], 1)),
    }


def rnn_backward(dh, caches):
    T = len(caches)
    dx = np.zeros((T,) + caches[0].x_t.shape)
    dW_xh = np.zeros_like(caches[0].W_xh)
    dW_hh = np.zeros_like(caches[0].W_hh)
    db_h = np.zeros((dh.shape[1], 1))
    dh_t = np.zeros(dh.shape[1:])
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[t] + dh_t, caches[t])
        dx[t] = step["dx_t"]
        dW_xh = dW_xh + step["dW_xh"]
        dW_hh = dW_hh + step["dW_hh"]
        db_h = db_h + step["db_h"]
        dh_t = step["dh_prev"]
    return {"dx": dx, "dh0": dh_t, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}


def clip_gradients(grads, max_norm):
    total = float(np.sqrt(np.sum([np.vdot(g, g) for g in grads.values()])))
    scale = min(1.0, max_norm / (total + 1e-6))
    return {name: scale * np.array(g, dtype=float) for name, g in grads.items()}
