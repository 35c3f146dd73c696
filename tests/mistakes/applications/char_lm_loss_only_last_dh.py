"""char_lm_loss sends rnn_backward the output's gradient into the last state only, many-to-one.

loses: char_lm_loss
mistake: char_lm_loss.only_last_dh
"""

import numpy as np


def char_lm_loss(x, y, mask, h0, params):
    h, caches = rnn_forward(x, h0, params)
    scores = output_forward(h, params["W_hy"], params["b_y"])
    loss, dscores = softmax_loss(scores, y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    last_only = np.zeros_like(dh)
    last_only[-1] = dh[-1]
    rnn = rnn_backward(last_only, caches)
    return loss, {"W_xh": rnn["dW_xh"], "W_hh": rnn["dW_hh"], "b_h": rnn["db_h"],
                  "W_hy": dW_hy, "b_y": db_y}
