"""The cache is a dict of the step's inputs only; the backward recomputes the gates by calling the
gate functions again.

lstm_backward takes the parameter shapes from the cache's params and uses np.add to accumulate.
"""

import numpy as np


def forget_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t))
    return 1 / (1 + np.exp(-params["W_f"].dot(z) - params["b_f"]))


def input_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t))
    return 1 / (1 + np.exp(-params["W_i"].dot(z) - params["b_i"]))


def candidate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t))
    return np.tanh(params["W_c"].dot(z) + params["b_c"])


def output_gate(x_t, h_prev, params):
    z = np.concatenate((h_prev, x_t))
    return 1 / (1 + np.exp(-params["W_o"].dot(z) - params["b_o"]))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    c_next = (forget_gate(x_t, h_prev, params) * c_prev
              + input_gate(x_t, h_prev, params) * candidate(x_t, h_prev, params))
    h_next = output_gate(x_t, h_prev, params) * np.tanh(c_next)
    cache = {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, "params": params}
    return h_next, c_next, cache


def lstm_forward(x, h0, params, c0=None):
    if c0 is None:
        c0 = np.zeros_like(h0)
    T = len(x)
    h = np.empty((T,) + h0.shape)
    c = np.empty((T,) + h0.shape)
    caches = []
    h_prev, c_prev = h0, c0
    for t in range(T):
        h[t], c[t], cache = lstm_cell_forward(x[t], h_prev, c_prev, params)
        h_prev, c_prev = h[t], c[t]
        caches.append(cache)
    return h, c, caches


def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, params = cache["x_t"], cache["h_prev"], cache["c_prev"], cache["params"]
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    g = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)
    tanh_c = np.tanh(f * c_prev + i * g)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    z = np.concatenate((h_prev, x_t))
    H = h_prev.shape[0]
    grads = {"dc_prev": dc * f}
    dz = np.zeros(z.shape)
    for name, da in (("f", dc * c_prev * f * (1 - f)), ("i", dc * g * i * (1 - i)),
                     ("c", dc * i * (1 - g**2)), ("o", dh_next * tanh_c * o * (1 - o))):
        grads["dW_" + name] = da.dot(z.T)
        grads["db_" + name] = da.sum(axis=1).reshape(-1, 1)
        dz = dz + params["W_" + name].T.dot(da)
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    return grads


def lstm_backward(dh, caches):
    params = caches[0]["params"]
    grads = {"d" + name: np.zeros(value.shape) for name, value in params.items()}
    grads["dx"] = np.zeros((len(caches),) + caches[0]["x_t"].shape)
    dh_next = np.zeros(dh.shape[1:])
    dc_next = np.zeros(dh.shape[1:])
    for t in reversed(range(len(caches))):
        step = lstm_cell_backward(dh[t] + dh_next, dc_next, caches[t])
        grads["dx"][t] = step["dx_t"]
        for name in params:
            np.add(grads["d" + name], step["d" + name], out=grads["d" + name])
        dh_next, dc_next = step["dh_prev"], step["dc_prev"]
    grads["dh0"] = dh_next
    grads["dc0"] = dc_next
    return grads
