"""The forward passes return lists, [h_next, c_next, cache] and [h, c, caches], instead of
tuples; the cache of a step is a types.SimpleNamespace, which is not numeric data.
"""

from types import SimpleNamespace

import numpy as np


def forget_gate(x_t, h_prev, params):
    z = np.concatenate([h_prev, x_t])
    return 1.0 / (1.0 + np.exp(-(params["W_f"] @ z + params["b_f"])))


def input_gate(x_t, h_prev, params):
    z = np.concatenate([h_prev, x_t])
    return 1.0 / (1.0 + np.exp(-(params["W_i"] @ z + params["b_i"])))


def candidate(x_t, h_prev, params):
    z = np.concatenate([h_prev, x_t])
    return np.tanh(params["W_c"] @ z + params["b_c"])


def output_gate(x_t, h_prev, params):
    z = np.concatenate([h_prev, x_t])
    return 1.0 / (1.0 + np.exp(-(params["W_o"] @ z + params["b_o"])))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    step = SimpleNamespace(x_t=x_t, h_prev=h_prev, c_prev=c_prev, params=params)
    step.f = forget_gate(x_t, h_prev, params)
    step.i = input_gate(x_t, h_prev, params)
    step.g = candidate(x_t, h_prev, params)
    step.o = output_gate(x_t, h_prev, params)
    c_next = step.f * c_prev + step.i * step.g
    step.tanh_c = np.tanh(c_next)
    return [step.o * step.tanh_c, c_next, step]


def lstm_forward(x, h0, params, c0=None):
    c_t = np.zeros(h0.shape) if c0 is None else c0
    h_t = h0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, step = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(step)
    return [np.array(hs), np.array(cs), caches]


def lstm_cell_backward(dh_next, dc_next, cache):
    s = cache
    dc = dc_next + dh_next * s.o * (1.0 - s.tanh_c**2)
    da = {"f": dc * s.c_prev * s.f * (1.0 - s.f), "i": dc * s.g * s.i * (1.0 - s.i),
          "c": dc * s.i * (1.0 - s.g**2), "o": dh_next * s.tanh_c * s.o * (1.0 - s.o)}
    z = np.concatenate([s.h_prev, s.x_t])
    grads = {}
    for gate in "fico":
        grads["dW_" + gate] = da[gate] @ z.T
        grads["db_" + gate] = da[gate].sum(axis=1, keepdims=True)
    dz = sum(s.params["W_" + gate].T @ da[gate] for gate in "fico")
    H = s.h_prev.shape[0]
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    grads["dc_prev"] = dc * s.f
    return grads


def lstm_backward(dh, caches):
    params = caches[0].params
    names = ["dW_" + gate for gate in "fico"] + ["db_" + gate for gate in "fico"]
    grads = {name: np.zeros(params[name[1:]].shape) for name in names}
    dx = [None] * len(caches)
    dh_t = np.zeros(dh.shape[1:])
    dc_t = np.zeros(dh.shape[1:])
    for t in reversed(range(len(caches))):
        step = lstm_cell_backward(dh[t] + dh_t, dc_t, caches[t])
        dx[t] = step["dx_t"]
        dh_t, dc_t = step["dh_prev"], step["dc_prev"]
        for name in names:
            grads[name] = grads[name] + step[name]
    grads.update(dx=np.array(dx), dh0=dh_t, dc0=dc_t)
    return grads
