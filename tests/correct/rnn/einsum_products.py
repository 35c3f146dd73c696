"""Every product written with np.einsum; rnn_forward loops without calling rnn_cell_forward.

rnn_backward does BPTT inline without rnn_cell_backward, collecting every step's da and computing
the weight gradients at the end as sums over time and batch in one einsum each.
"""

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    a = (np.einsum("hk,kn->hn", params["W_hh"], h_prev)
         + np.einsum("hd,dn->hn", params["W_xh"], x_t) + params["b_h"])
    h_next = np.tanh(a)
    return h_next, (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])


def rnn_forward(x, h0, params):
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    inputs = np.einsum("hd,tdn->thn", W_xh, x)  # W_xh x_t for all steps at once
    h = np.zeros(inputs.shape)
    caches = []
    h_prev = h0
    for t in range(x.shape[0]):
        h[t] = np.tanh(np.einsum("hk,kn->hn", W_hh, h_prev) + inputs[t] + b_h)
        caches.append((x[t], h_prev, h[t], W_xh, W_hh))
        h_prev = h[t]
    return h, caches


def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1 - h_next * h_next)
    return {
        "dx_t": np.einsum("hd,hn->dn", W_xh, da),
        "dh_prev": np.einsum("hk,hn->kn", W_hh, da),
        "dW_xh": np.einsum("hn,dn->hd", da, x_t),
        "dW_hh": np.einsum("hn,kn->hk", da, h_prev),
        "db_h": np.einsum("hn->h", da)[:, np.newaxis],
    }


def rnn_backward(dh, caches):
    x = np.stack([c[0] for c in caches])
    h_prev = np.stack([c[1] for c in caches])
    h = np.stack([c[2] for c in caches])
    W_xh, W_hh = caches[0][3], caches[0][4]
    da = np.zeros(dh.shape)
    carry = np.zeros(dh.shape[1:])
    for t in reversed(range(len(caches))):
        da[t] = (dh[t] + carry) * (1 - h[t] ** 2)
        carry = np.einsum("hk,hn->kn", W_hh, da[t])
    return {
        "dx": np.einsum("hd,thn->tdn", W_xh, da),
        "dh0": carry,
        "dW_xh": np.einsum("thn,tdn->hd", da, x),
        "dW_hh": np.einsum("thn,tkn->hk", da, h_prev),
        "db_h": np.einsum("thn->h", da).reshape(-1, 1),
    }


def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.einsum("i,i->", g.ravel(), g.ravel()) for g in grads.values()))
    coef = np.minimum(max_norm / (total + 1e-6), 1.0)
    return {name: np.multiply(g, coef) for name, g in grads.items()}
