"""char_lm_loss backpropagates through the RNN by hand from rnn_forward's caches, and the
sampler writes each drawn character into a one-hot input sequence it keeps whole.
"""

import numpy as np


def char_lm_loss(x, y, mask, h0, params):
    h, caches = rnn_forward(x, h0, params)
    loss, dscores = softmax_loss(output_forward(h, params["W_hy"], params["b_y"]), y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    grads = {"W_xh": 0.0, "W_hh": 0.0, "b_h": 0.0}
    carried = np.zeros_like(h0)
    for t in reversed(range(len(x))):
        x_t, h_prev, h_next, W_xh, W_hh = caches[t]
        da = (dh[t] + carried) * (1.0 - h_next**2)
        grads["W_xh"] = grads["W_xh"] + da @ x_t.T
        grads["W_hh"] = grads["W_hh"] + da @ h_prev.T
        grads["b_h"] = grads["b_h"] + da.sum(axis=1, keepdims=True)
        carried = W_hh.T @ da
    return loss, {**grads, "W_hy": dW_hy, "b_y": db_y}


def sample_chars(params, first_index, length, rng):
    V, H = params["W_hy"].shape
    inputs = np.zeros((length + 1, V, 1))
    inputs[0, first_index, 0] = 1.0
    h = np.zeros((H, 1))
    drawn = np.zeros(length, dtype=np.int64)
    for t in range(length):
        h = np.tanh(params["W_hh"] @ h + params["W_xh"] @ inputs[t] + params["b_h"])
        scores = params["W_hy"] @ h + params["b_y"]
        p = np.exp(scores - scores.max())
        p = p[:, 0] / p.sum()
        drawn[t] = rng.choice(V, p=p)
        inputs[t + 1, drawn[t], 0] = 1.0
    return drawn
