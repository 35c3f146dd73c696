"""A numerically stable sigmoid of its own (np.where over exp(-|a|)); gradients through s - s**2.

The sequence functions use dicts of lists and Python's sum over the steps.
"""

import numpy as np


def sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), 1.0 - 1.0 / (1.0 + e))


def forget_gate(x_t, h_prev, params):
    return sigmoid(np.dot(params["W_f"], np.concatenate([h_prev, x_t])) + params["b_f"])


def input_gate(x_t, h_prev, params):
    return sigmoid(np.dot(params["W_i"], np.concatenate([h_prev, x_t])) + params["b_i"])


def candidate(x_t, h_prev, params):
    return np.tanh(np.dot(params["W_c"], np.concatenate([h_prev, x_t])) + params["b_c"])


def output_gate(x_t, h_prev, params):
    return sigmoid(np.dot(params["W_o"], np.concatenate([h_prev, x_t])) + params["b_o"])


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    gates = {
        "f": forget_gate(x_t, h_prev, params),
        "i": input_gate(x_t, h_prev, params),
        "c": candidate(x_t, h_prev, params),
        "o": output_gate(x_t, h_prev, params),
    }
    c_next = gates["f"] * c_prev + gates["i"] * gates["c"]
    h_next = gates["o"] * np.tanh(c_next)
    return h_next, c_next, (x_t, h_prev, c_prev, c_next, gates, params)


def lstm_forward(x, h0, params, c0=None):
    states = {"h": [], "c": []}
    caches = []
    h_t = h0
    c_t = c0 if c0 is not None else 0.0 * h0
    for t in range(len(x)):
        h_t, c_t, cache = lstm_cell_forward(x[t], h_t, c_t, params)
        states["h"].append(h_t)
        states["c"].append(c_t)
        caches.append(cache)
    return np.array(states["h"]), np.array(states["c"]), caches


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, c_next, gates, params = cache
    f, i, g, o = gates["f"], gates["i"], gates["c"], gates["o"]
    tanh_c = np.tanh(c_next)
    dc = dh_next * o * (1 - tanh_c**2) + dc_next
    da = {
        "f": dc * c_prev * (f - f**2),
        "i": dc * g * (i - i**2),
        "c": dc * i * (1 - g**2),
        "o": dh_next * tanh_c * (o - o**2),
    }
    z = np.concatenate([h_prev, x_t])
    dz = sum(np.dot(params["W_" + k].T, da[k]) for k in da)
    grads = {"dW_" + k: np.dot(da[k], z.T) for k in da}
    grads.update({"db_" + k: np.sum(da[k], axis=1, keepdims=True) for k in da})
    grads["dh_prev"] = dz[: h_prev.shape[0]]
    grads["dx_t"] = dz[h_prev.shape[0]:]
    grads["dc_prev"] = dc * f
    return grads


def lstm_backward(dh, caches):
    steps = [None] * len(caches)
    dh_carry = np.zeros_like(dh[0])
    dc_carry = np.zeros_like(dh[0])
    for t in range(len(caches) - 1, -1, -1):
        steps[t] = lstm_cell_backward(dh[t] + dh_carry, dc_carry, caches[t])
        dh_carry, dc_carry = steps[t]["dh_prev"], steps[t]["dc_prev"]
    grads = {"dx": np.array([s["dx_t"] for s in steps]), "dh0": dh_carry, "dc0": dc_carry}
    for name in ("W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o"):
        grads["d" + name] = sum(s["d" + name] for s in steps)
    return grads
