"""The cache of a step is a namedtuple, read by field name in the backward pass.

The gates stack [h_prev; x_t] with np.vstack; the sequence forward fills preallocated arrays.
"""

from collections import namedtuple

import numpy as np

LSTMCache = namedtuple("LSTMCache", "x_t h_prev c_prev f i g o tanh_c params")


def forget_gate(x_t, h_prev, params):
    return 1.0 / (1.0 + np.exp(-(params["W_f"] @ np.vstack([h_prev, x_t]) + params["b_f"])))


def input_gate(x_t, h_prev, params):
    return 1.0 / (1.0 + np.exp(-(params["W_i"] @ np.vstack([h_prev, x_t]) + params["b_i"])))


def candidate(x_t, h_prev, params):
    return np.tanh(params["W_c"] @ np.vstack([h_prev, x_t]) + params["b_c"])


def output_gate(x_t, h_prev, params):
    return 1.0 / (1.0 + np.exp(-(params["W_o"] @ np.vstack([h_prev, x_t]) + params["b_o"])))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    g = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    return o * tanh_c, c_next, LSTMCache(x_t, h_prev, c_prev, f, i, g, o, tanh_c, params)


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros(h0.shape)
    h = np.zeros((x.shape[0],) + h0.shape)
    c = np.zeros((x.shape[0],) + h0.shape)
    caches = []
    h_t, c_t = h0, c0
    for t in range(x.shape[0]):
        h_t, c_t, cache = lstm_cell_forward(x[t], h_t, c_t, params)
        h[t], c[t] = h_t, c_t
        caches.append(cache)
    return h, c, caches


def lstm_cell_backward(dh_next, dc_next, cache):
    dc = dc_next + dh_next * cache.o * (1.0 - cache.tanh_c**2)
    da = {
        "f": dc * cache.c_prev * cache.f * (1.0 - cache.f),
        "i": dc * cache.g * cache.i * (1.0 - cache.i),
        "c": dc * cache.i * (1.0 - cache.g**2),
        "o": dh_next * cache.tanh_c * cache.o * (1.0 - cache.o),
    }
    z = np.vstack([cache.h_prev, cache.x_t])
    grads = {}
    dz = np.zeros(z.shape)
    for gate, d in da.items():
        grads["dW_" + gate] = d @ z.T
        grads["db_" + gate] = np.sum(d, axis=1, keepdims=True)
        dz = dz + cache.params["W_" + gate].T @ d
    H = cache.h_prev.shape[0]
    grads["dh_prev"], grads["dx_t"] = dz[:H], dz[H:]
    grads["dc_prev"] = dc * cache.f
    return grads


def lstm_backward(dh, caches):
    params = caches[0].params
    grads = {"d" + name: np.zeros(params[name].shape) for name in params}
    dx = np.zeros((len(caches),) + caches[0].x_t.shape)
    dh_t = np.zeros(dh.shape[1:])
    dc_t = np.zeros(dh.shape[1:])
    for t in reversed(range(len(caches))):
        step = lstm_cell_backward(dh[t] + dh_t, dc_t, caches[t])
        dx[t] = step["dx_t"]
        dh_t, dc_t = step["dh_prev"], step["dc_prev"]
        for name in grads:
            grads[name] = grads[name] + step[name]
    return {**grads, "dx": dx, "dh0": dh_t, "dc0": dc_t}
