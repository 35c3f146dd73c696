"""Model answer of the LSTM assignment: one cell and a whole sequence, forward and backward, and
the translation of the parameters into the layout of ``torch.nn.LSTM``.

Conventions (the same as the RNN assignment):
- Examples are columns. An input step x_t is (D, N); the states h_t and c_t are (H, N); whole
  sequences are (T, D, N) and (T, H, N), with time first.
- Every gate reads the concatenation z_t = [h_{t-1}; x_t] of shape (H + D, N), hidden part
  first, so each weight matrix is (H, H + D): its first H columns multiply h_{t-1} and its last
  D columns multiply x_t. Each bias is (H, 1) and broadcasts over the batch.
- ``params`` holds W_f, b_f (forget gate), W_i, b_i (input gate), W_c, b_c (candidate c~_t) and
  W_o, b_o (output gate).

The equations of one step:

    f_t  = sigmoid(W_f z_t + b_f)           forget gate
    i_t  = sigmoid(W_i z_t + b_i)           input gate
    c~_t = tanh(W_c z_t + b_c)              candidate values
    o_t  = sigmoid(W_o z_t + b_o)           output gate
    c_t  = f_t * c_{t-1} + i_t * c~_t       cell state (elementwise products)
    h_t  = o_t * tanh(c_t)                  hidden state

No function modifies its arguments, and every gradient has the shape of what it differentiates.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """Logistic function 1 / (1 + exp(-a)), elementwise, without overflow for any float.

    exp(-a) overflows for very negative a, so we only ever exponentiate -|a| <= 0 and use
    sigmoid(a) = 1 / (1 + e) for a >= 0 and sigmoid(a) = e / (1 + e) for a < 0, e = exp(-|a|).

    Inputs:
    - a: array of any shape

    Returns:
    - array of the same shape, every entry in [0, 1]
    """
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def forget_gate(x_t, h_prev, params):
    """Forget gate f_t = sigmoid(W_f [h_{t-1}; x_t] + b_f).

    Entry (k, n) says which fraction of c_{t-1}[k, n] survives into c_t: 0 erases it, 1 keeps
    it whole.

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_f, shape (H, H + D), and b_f, shape (H, 1); other keys are ignored

    Returns:
    - f_t: shape (H, N), entries in (0, 1)
    """
    z = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_f"] @ z + params["b_f"])


def input_gate(x_t, h_prev, params):
    """Input gate i_t = sigmoid(W_i [h_{t-1}; x_t] + b_i).

    Entry (k, n) says how much of the candidate c~_t[k, n] is written into the cell state.

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_i, shape (H, H + D), and b_i, shape (H, 1); other keys are ignored

    Returns:
    - i_t: shape (H, N), entries in (0, 1)
    """
    z = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_i"] @ z + params["b_i"])


def candidate(x_t, h_prev, params):
    """Candidate values c~_t = tanh(W_c [h_{t-1}; x_t] + b_c).

    The new content the cell may store; tanh lets it both raise and lower the cell state.

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_c, shape (H, H + D), and b_c, shape (H, 1); other keys are ignored

    Returns:
    - c_tilde: shape (H, N), entries in (-1, 1)
    """
    z = np.concatenate((h_prev, x_t), axis=0)
    return np.tanh(params["W_c"] @ z + params["b_c"])


def output_gate(x_t, h_prev, params):
    """Output gate o_t = sigmoid(W_o [h_{t-1}; x_t] + b_o).

    Entry (k, n) says how much of tanh(c_t)[k, n] is shown in the hidden state h_t.

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_o, shape (H, H + D), and b_o, shape (H, 1); other keys are ignored

    Returns:
    - o_t: shape (H, N), entries in (0, 1)
    """
    z = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_o"] @ z + params["b_o"])


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    """One LSTM step: c_t = f_t * c_{t-1} + i_t * c~_t and h_t = o_t * tanh(c_t).

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - c_prev: cell state c_{t-1}, shape (H, N)
    - params: dict with W_f, W_i, W_c, W_o, each (H, H + D), and b_f, b_i, b_c, b_o, each (H, 1)

    Returns a tuple of:
    - h_next: hidden state h_t, shape (H, N)
    - c_next: cell state c_t, shape (H, N)
    - cache: what lstm_cell_backward needs: the inputs, the four gate values and tanh(c_t)
    """
    f = forget_gate(x_t, h_prev, params)
    i = input_gate(x_t, h_prev, params)
    c_tilde = candidate(x_t, h_prev, params)
    o = output_gate(x_t, h_prev, params)

    c_next = f * c_prev + i * c_tilde
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c

    cache = (x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params)
    return h_next, c_next, cache


def lstm_forward(x, h0, params, c0=None):
    """Run the LSTM over a whole sequence, carrying h and c from each step to the next.

    Inputs:
    - x: input sequence, shape (T, D, N)
    - h0: initial hidden state, shape (H, N)
    - params: dict of the eight LSTM parameters (see lstm_cell_forward)
    - c0: initial cell state, shape (H, N); None means zeros

    Returns a tuple of:
    - h: hidden states h_1 ... h_T, shape (T, H, N)
    - c: cell states c_1 ... c_T, shape (T, H, N)
    - caches: list of the T step caches, in time order
    """
    if c0 is None:
        c0 = np.zeros_like(h0, dtype=float)
    h_t, c_t = h0, c0
    hs, cs, caches = [], [], []
    for x_t in x:
        h_t, c_t, cache = lstm_cell_forward(x_t, h_t, c_t, params)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(cache)
    return np.stack(hs), np.stack(cs), caches


def lstm_cell_backward(dh_next, dc_next, cache):
    """Backward pass of one LSTM step.

    The cell state reaches the loss along two roads, directly (dc_next, from step t+1) and
    through h_t = o_t * tanh(c_t), so its total gradient is
        dc_t = dc_next + dh_next * o_t * (1 - tanh(c_t)^2).
    From there, with a_* the pre-activation of each gate (sigmoid' = s(1-s), tanh' = 1-tanh^2):
        da_o = dh_next * tanh(c_t) * o_t (1 - o_t)
        da_f = dc_t * c_{t-1} * f_t (1 - f_t)
        da_i = dc_t * c~_t * i_t (1 - i_t)
        da_c = dc_t * i_t * (1 - c~_t^2)
        dc_{t-1} = dc_t * f_t
    and each affine map a_* = W_* z_t + b_* gives dW_* = da_* z_t^T, db_* = sum of da_* over the
    batch, dz_t = sum over the gates of W_*^T da_*, split into dh_{t-1} (first H rows) and dx_t.

    Inputs:
    - dh_next: gradient of the loss with respect to h_t, shape (H, N)
    - dc_next: gradient of the loss with respect to c_t, shape (H, N)
    - cache: the cache returned by lstm_cell_forward for this step

    Returns a dict with:
    - dx_t: shape (D, N)
    - dh_prev, dc_prev: gradients with respect to h_{t-1} and c_{t-1}, shape (H, N)
    - dW_f, dW_i, dW_c, dW_o: shape (H, H + D)
    - db_f, db_i, db_c, db_o: shape (H, 1)
    """
    x_t, h_prev, c_prev, f, i, c_tilde, o, tanh_c, params = cache

    dc = dc_next + dh_next * o * (1.0 - tanh_c**2)
    da = {
        "f": dc * c_prev * f * (1.0 - f),
        "i": dc * c_tilde * i * (1.0 - i),
        "c": dc * i * (1.0 - c_tilde**2),
        "o": dh_next * tanh_c * o * (1.0 - o),
    }

    z = np.concatenate((h_prev, x_t), axis=0)
    grads = {}
    dz = np.zeros_like(z, dtype=float)
    for gate in ("f", "i", "c", "o"):
        grads[f"dW_{gate}"] = da[gate] @ z.T
        grads[f"db_{gate}"] = da[gate].sum(axis=1, keepdims=True)
        dz += params[f"W_{gate}"].T @ da[gate]

    H = h_prev.shape[0]
    grads["dh_prev"] = dz[:H]
    grads["dx_t"] = dz[H:]
    grads["dc_prev"] = dc * f
    return grads


def lstm_backward(dh, caches):
    """Backpropagation through time for the whole sequence.

    Going from t = T down to 1, the gradient reaching h_t is the outside one, dh[t], plus the
    dh_prev returned by step t+1; the gradient reaching c_t comes only from step t+1 (zero at
    t = T). The parameters are shared by all steps, so their gradients add up over time.

    Inputs:
    - dh: gradient of the loss with respect to h_1 ... h_T from outside the recurrence (e.g. an
      output layer), shape (T, H, N)
    - caches: the list returned by lstm_forward

    Returns a dict with:
    - dx: shape (T, D, N)
    - dh0, dc0: gradients with respect to the initial states, shape (H, N)
    - dW_f, dW_i, dW_c, dW_o: shape (H, H + D); db_f, db_i, db_c, db_o: shape (H, 1)
    """
    params = caches[0][-1]
    grads = {
        f"d{kind}_{gate}": np.zeros_like(params[f"{kind}_{gate}"], dtype=float)
        for gate in ("f", "i", "c", "o")
        for kind in ("W", "b")
    }
    dh_carry = np.zeros_like(dh[0], dtype=float)
    dc_carry = np.zeros_like(dh[0], dtype=float)
    dx = [None] * len(caches)

    for t in reversed(range(len(caches))):
        step = lstm_cell_backward(dh[t] + dh_carry, dc_carry, caches[t])
        dx[t] = step["dx_t"]
        dh_carry, dc_carry = step["dh_prev"], step["dc_prev"]
        for name in grads:
            grads[name] += step[name]

    grads["dx"] = np.stack(dx)
    grads["dh0"] = dh_carry
    grads["dc0"] = dc_carry
    return grads


def to_torch_layout(params):
    """Our eight LSTM parameters in the layout of ``torch.nn.LSTM`` (one layer).

    torch stacks the four gates in the order i, f, g, o (its g is our candidate c~), keeps the
    weights of the input and of the recurrence in separate matrices, and has two bias vectors
    that it adds together; any split of our bias between them is right, we put it all in the
    first.

    Inputs:
    - params: dict with W_f, W_i, W_c, W_o, each (H, H + D), and b_f, b_i, b_c, b_o, each (H, 1)

    Returns a dict of numpy arrays named like the parameters of torch.nn.LSTM:
    - weight_ih_l0: shape (4H, D), the x-part (last D columns) of W_i, W_f, W_c, W_o stacked
    - weight_hh_l0: shape (4H, H), the h-part (first H columns), stacked the same way
    - bias_ih_l0: shape (4H,), b_i, b_f, b_c, b_o stacked
    - bias_hh_l0: shape (4H,), zeros
    """
    H = params["b_f"].shape[0]
    order = ("i", "f", "c", "o")
    W = np.concatenate([params[f"W_{gate}"] for gate in order], axis=0)
    b = np.concatenate([params[f"b_{gate}"] for gate in order], axis=0).ravel()
    return {
        "weight_ih_l0": W[:, H:],
        "weight_hh_l0": W[:, :H],
        "bias_ih_l0": b,
        "bias_hh_l0": np.zeros_like(b),
    }


# ----------------------------------------------------------------------------------------------
# Concept questions (rnnkit.checks.questions): each returns one answer per question
# ----------------------------------------------------------------------------------------------

# The choices of gate_saturation, as the notebook's set-up cell defines them
# (rnnkit.assignments.lstm.GATE_SATURATION).
ERASE_MEMORY, KEEP_MEMORY, WRITE_NOTHING, WRITE_CANDIDATE, HIDE_MEMORY, SHOW_MEMORY = (
    1, 2, 3, 4, 5, 6)


def gate_saturation():
    """What each gate does when it saturates at 0 or at 1, in
    c_t = f_t * c_{t-1} + i_t * c~_t and h_t = o_t * tanh(c_t).

    Returns a dict: "<gate>_<value>" -> its effect.
    """
    return {
        "forget_0": ERASE_MEMORY,     # c_t = i_t * c~_t: nothing of c_{t-1} is left
        "forget_1": KEEP_MEMORY,      # c_{t-1} goes on whole
        "input_0": WRITE_NOTHING,     # c_t = f_t * c_{t-1}: the candidate is ignored
        "input_1": WRITE_CANDIDATE,   # the whole candidate is added
        "output_0": HIDE_MEMORY,      # h_t = 0, while c_t keeps everything
        "output_1": SHOW_MEMORY,      # h_t = tanh(c_t)
    }


def gradient_facts():
    """True or False for each statement about the gradient along the belt:

    - belt_has_no_matrix: from c_t back to c_{t-1} the gradient is only multiplied,
      elementwise, by f_t (no weight matrix, no tanh derivative).
    - input_gate_must_be_open: for the gradient to travel along the belt, i_t must stay
      close to 1.
    - survives_with_forget_near_1: with f_t close to 1 the gradient reaches steps far back.
    - survives_with_forget_near_half: with f_t close to 0.5 it still reaches 40 steps back
      without much loss.

    Returns a dict: statement -> bool.
    """
    return {
        "belt_has_no_matrix": True,         # dc_{t-1} = dc_t * f_t
        "input_gate_must_be_open": False,   # i_t does not appear in that factor
        "survives_with_forget_near_1": True,
        "survives_with_forget_near_half": False,  # 0.5 ** 40 is about 1e-12
    }
