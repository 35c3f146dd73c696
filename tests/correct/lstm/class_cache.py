"""The cache of a step is an instance of a small class that also knows the cell-state gradient.

c0=None is handled with `if c0 is None`; the outputs are preallocated and filled step by step.
"""

import numpy as np


class LSTMStep:
    """What one LSTM step remembers for its backward pass."""

    def __init__(self, x_t, h_prev, c_prev, f, i, g, o, c_next, params):
        self.x_t, self.h_prev, self.c_prev = x_t, h_prev, c_prev
        self.f, self.i, self.g, self.o = f, i, g, o
        self.tanh_c = np.tanh(c_next)
        self.params = params

    def dc(self, dh_next, dc_next):
        return dc_next + dh_next * self.o * (1.0 - self.tanh_c**2)


def forget_gate(x_t, h_prev, params):
    return 0.5 * (1.0 + np.tanh(0.5 * (params["W_f"] @ np.r_[h_prev, x_t] + params["b_f"])))


def input_gate(x_t, h_prev, params):
    return 0.5 * (1.0 + np.tanh(0.5 * (params["W_i"] @ np.r_[h_prev, x_t] + params["b_i"])))


def candidate(x_t, h_prev, params):
    return np.tanh(params["W_c"] @ np.r_[h_prev, x_t] + params["b_c"])


def output_gate(x_t, h_prev, params):
    return 0.5 * (1.0 + np.tanh(0.5 * (params["W_o"] @ np.r_[h_prev, x_t] + params["b_o"])))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    g = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    c_next = f * c_prev + i * g
    step = LSTMStep(x_t, h_prev, c_prev, f, i, g, o, c_next, params)
    return o * step.tanh_c, c_next, step


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros(h0.shape)
    T = x.shape[0]
    h = np.zeros((T,) + h0.shape)
    c = np.zeros((T,) + h0.shape)
    caches = []
    for t in range(T):
        h_prev = h0 if t == 0 else h[t - 1]
        c_prev = c0 if t == 0 else c[t - 1]
        h[t], c[t], step = lstm_cell_forward(x[t], h_prev, c_prev, params)
        caches.append(step)
    return h, c, caches


def lstm_cell_backward(dh_next, dc_next, cache):
    s = cache
    dc = s.dc(dh_next, dc_next)
    z = np.r_[s.h_prev, s.x_t]
    da = {"f": dc * s.c_prev * s.f * (1.0 - s.f), "i": dc * s.g * s.i * (1.0 - s.i),
          "c": dc * s.i * (1.0 - s.g**2), "o": dh_next * s.tanh_c * s.o * (1.0 - s.o)}
    grads = {}
    for k in da:
        grads["dW_" + k] = np.einsum("hn,kn->hk", da[k], z)
        grads["db_" + k] = da[k] @ np.ones((da[k].shape[1], 1))
    dz = sum(s.params["W_" + k].T @ da[k] for k in da)
    H = s.h_prev.shape[0]
    grads["dh_prev"], grads["dx_t"] = dz[:H], dz[H:]
    grads["dc_prev"] = dc * s.f
    return grads


def lstm_backward(dh, caches):
    T = len(caches)
    grads = {"dx": np.zeros((T,) + caches[0].x_t.shape)}
    for k in "fico":
        grads["dW_" + k] = np.zeros_like(caches[0].params["W_" + k], dtype=float)
        grads["db_" + k] = np.zeros_like(caches[0].params["b_" + k], dtype=float)
    dh_t = np.zeros(dh.shape[1:])
    dc_t = np.zeros(dh.shape[1:])
    for t in range(T - 1, -1, -1):
        step = lstm_cell_backward(dh[t] + dh_t, dc_t, caches[t])
        grads["dx"][t] = step["dx_t"]
        for k in "fico":
            grads["dW_" + k] = grads["dW_" + k] + step["dW_" + k]
            grads["db_" + k] = grads["db_" + k] + step["db_" + k]
        dh_t, dc_t = step["dh_prev"], step["dc_prev"]
    grads["dh0"], grads["dc0"] = dh_t, dc_t
    return grads
