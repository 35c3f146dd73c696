"""char_lm_loss names its gradients as rnn_backward does (dW_xh, ...), not as the parameters.

loses: char_lm_loss
feedback: is missing the keys W_xh, W_hh, b_h, W_hy, b_y
"""


def char_lm_loss(x, y, mask, h0, params):
    h, caches = rnn_forward(x, h0, params)
    scores = output_forward(h, params["W_hy"], params["b_y"])
    loss, dscores = softmax_loss(scores, y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    grads = rnn_backward(dh, caches)
    return loss, {"dW_xh": grads["dW_xh"], "dW_hh": grads["dW_hh"], "db_h": grads["db_h"],
                  "dW_hy": dW_hy, "db_y": db_y}
