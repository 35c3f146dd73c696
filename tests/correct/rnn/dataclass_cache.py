"""The cache of a step is a frozen dataclass instance, read by attribute in the backward pass.

The sequence forward collects the states in a list and stacks them at the end.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StepCache:
    """What one RNN step remembers for its backward pass."""

    x_t: np.ndarray
    h_prev: np.ndarray
    h_next: np.ndarray
    W_xh: np.ndarray
    W_hh: np.ndarray


def rnn_cell_forward(x_t, h_prev, params):
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    h_next = np.tanh(a)
    return h_next, StepCache(x_t=x_t, h_prev=h_prev, h_next=h_next, W_xh=params["W_xh"],
                             W_hh=params["W_hh"])


def rnn_forward(x, h0, params):
    states, caches = [], []
    h_t = h0
    for x_t in x:
        h_t, cache = rnn_cell_forward(x_t, h_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.stack(states), caches


def rnn_cell_backward(dh_next, cache):
    da = dh_next * (1.0 - cache.h_next * cache.h_next)
    return {
        "dx_t": cache.W_xh.T @ da,
        "dh_prev": cache.W_hh.T @ da,
        "dW_xh": da @ cache.x_t.T,
        "dW_hh": da @ cache.h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }


def rnn_backward(dh, caches):
    T = len(caches)
    dx = np.zeros((T,) + caches[0].x_t.shape)
    dW_xh = np.zeros(caches[0].W_xh.shape)
    dW_hh = np.zeros(caches[0].W_hh.shape)
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
    total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads.values()]))
    if total <= max_norm:
        return {name: np.array(g, dtype=float) for name, g in grads.items()}
    return {name: g * (max_norm / (total + 1e-6)) for name, g in grads.items()}
