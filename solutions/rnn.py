"""Reference solution of the RNN assignment: a vanilla (Elman) RNN in numpy, forward and backward.

Conventions, as in the lecture equations: every example is a column.

- one time step ``x_t`` is (D, N) and a hidden state ``h`` is (H, N);
- a sequence ``x`` is (T, D, N) and its hidden states ``h`` are (T, H, N), holding h_1 … h_T;
- ``params = {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H, 1)}``.

One step of the recurrence is

    a_t = W_hh h_{t-1} + W_xh x_t + b_h
    h_t = tanh(a_t)

Every gradient has the shape of the value it differentiates, and no function modifies its
arguments. All arithmetic is plain float64 numpy, so these functions agree with
``torch.nn.RNN`` and torch autograd to about 1e-14 (see tests/test_solutions_rnn.py).
"""

from __future__ import annotations

import numpy as np


def rnn_cell_forward(x_t, h_prev, params):
    """One step of the RNN: h_next = tanh(W_hh h_prev + W_xh x_t + b_h).

    Inputs:
    - x_t: input at this step, shape (D, N).
    - h_prev: hidden state from the previous step, shape (H, N).
    - params: dict with
      - "W_xh": input-to-hidden weights, shape (H, D);
      - "W_hh": hidden-to-hidden weights, shape (H, H);
      - "b_h": bias, shape (H, 1), broadcast over the N columns.

    Returns a tuple (h_next, cache):
    - h_next: new hidden state, shape (H, N).
    - cache: what rnn_cell_backward needs, (x_t, h_prev, h_next, W_xh, W_hh).
    """
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    a = W_hh @ h_prev + W_xh @ x_t + b_h
    h_next = np.tanh(a)
    cache = (x_t, h_prev, h_next, W_xh, W_hh)
    return h_next, cache


def rnn_forward(x, h0, params):
    """Run the RNN over a whole sequence, starting from the hidden state h0.

    The same parameters are used at every step (the unrolled network shares its weights).

    Inputs:
    - x: input sequence, shape (T, D, N); x[t] is the input of step t+1.
    - h0: initial hidden state, shape (H, N).
    - params: dict with "W_xh" (H, D), "W_hh" (H, H) and "b_h" (H, 1).

    Returns a tuple (h, caches):
    - h: hidden states h_1 … h_T, shape (T, H, N); h[t] is the state after reading x[t].
      h0 is not included.
    - caches: list of the T caches of rnn_cell_forward, in time order.
    """
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = h0
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches


def rnn_cell_backward(dh_next, cache):
    """Backward pass of one RNN step.

    With a = W_hh h_prev + W_xh x_t + b_h and h_next = tanh(a), the chain rule gives
    da = dh_next * (1 - h_next**2), because tanh'(a) = 1 - tanh(a)**2, and then one matrix
    product per input. The bias was broadcast over the N columns, so its gradient sums them.

    Inputs:
    - dh_next: gradient of the loss with respect to h_next, shape (H, N).
    - cache: the cache returned by rnn_cell_forward for this step.

    Returns a dict of gradients of the loss:
    - "dx_t": with respect to x_t, shape (D, N);
    - "dh_prev": with respect to h_prev, shape (H, N);
    - "dW_xh": with respect to W_xh, shape (H, D);
    - "dW_hh": with respect to W_hh, shape (H, H);
    - "db_h": with respect to b_h, shape (H, 1).
    """
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * (1.0 - h_next**2)
    return {
        "dx_t": W_xh.T @ da,
        "dh_prev": W_hh.T @ da,
        "dW_xh": da @ x_t.T,
        "dW_hh": da @ h_prev.T,
        "db_h": da.sum(axis=1, keepdims=True),
    }


def rnn_backward(dh, caches):
    """Backpropagation through time over a whole sequence.

    The gradient reaching h_t has two parts: dh[t], which comes from outside the recurrence
    (for instance from an output layer at step t), and what flows back from step t+1 through
    h_t's role as that step's h_prev. Walking from t = T down to 1, each step's cell backward
    receives their sum. The weights are shared by all steps, so their gradients are the sum of
    the contributions of every step.

    Inputs:
    - dh: gradient of the loss with respect to each h_t from outside the recurrence,
      shape (T, H, N). It is zero at the steps whose state does not reach the loss directly
      (e.g. all but the last one in a many-to-one model).
    - caches: the list returned by rnn_forward.

    Returns a dict of gradients of the loss:
    - "dx": with respect to the inputs, shape (T, D, N);
    - "dh0": with respect to the initial state h0, shape (H, N);
    - "dW_xh": shape (H, D); "dW_hh": shape (H, H); "db_h": shape (H, 1).
    """
    T, H, N = dh.shape
    x_first, _, _, W_xh, W_hh = caches[0]
    D = x_first.shape[0]

    dx = np.zeros((T, D, N))
    dW_xh = np.zeros_like(W_xh, dtype=float)
    dW_hh = np.zeros_like(W_hh, dtype=float)
    db_h = np.zeros((H, 1))
    dh_from_next = np.zeros((H, N))  # nothing flows back into h_T from a step T+1

    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[t] + dh_from_next, caches[t])
        dx[t] = step["dx_t"]
        dW_xh += step["dW_xh"]
        dW_hh += step["dW_hh"]
        db_h += step["db_h"]
        dh_from_next = step["dh_prev"]

    return {"dx": dx, "dh0": dh_from_next, "dW_xh": dW_xh, "dW_hh": dW_hh, "db_h": db_h}


def clip_gradients(grads, max_norm):
    """Clip gradients by their global L2 norm, like ``torch.nn.utils.clip_grad_norm_``.

    The global norm treats all arrays as one long vector:
    total = sqrt(sum of the squares of every entry of every array). When total exceeds
    max_norm, every array is multiplied by the same factor max_norm / (total + 1e-6), so the
    update keeps its direction and its norm becomes (just under) max_norm. Otherwise the
    gradients are returned unchanged. The 1e-6 is torch's guard against dividing by zero.

    Inputs:
    - grads: dict mapping names to numpy arrays of any shapes.
    - max_norm: positive float, the largest global norm allowed.

    Returns a new dict with the same keys and new arrays of the same shapes; ``grads`` and
    its arrays are left untouched.
    """
    total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values()))
    coef = max_norm / (total + 1e-6)
    scale = min(coef, 1.0)  # torch clamps the factor to 1: gradients are never scaled up
    return {name: np.asarray(g) * scale for name, g in grads.items()}


# ----------------------------------------------------------------------------------------------
# Concept questions (rnnkit.checks.questions): each returns one answer per question
# ----------------------------------------------------------------------------------------------

# The choices of rnn_types, as the notebook's set-up cell defines them
# (rnnkit.assignments.rnn.RNN_TYPES).
ONE_TO_ONE, ONE_TO_MANY, MANY_TO_ONE, MANY_TO_MANY, MANY_TO_MANY_SYNCED = 1, 2, 3, 4, 5


def rnn_types():
    """The type of RNN each application needs, by how many inputs it reads and how many outputs
    it writes: ONE_TO_ONE, ONE_TO_MANY, MANY_TO_ONE, MANY_TO_MANY (T -> T', the whole input
    is read before the output is written) or MANY_TO_MANY_SYNCED (T -> T, one output per
    input, as it arrives).

    Returns a dict: application -> its type.
    """
    return {
        "image_classification": ONE_TO_ONE,  # one image, one label: no sequence at all
        "image_caption": ONE_TO_MANY,        # one image, a sentence written word by word
        "review_sentiment": MANY_TO_ONE,     # the whole review, then one label
        "translation": MANY_TO_MANY,         # read the sentence, then write another length
        "video_frames": MANY_TO_MANY_SYNCED,  # a label per frame
        "stock_index": MANY_TO_ONE,          # the past values, then one forecast
        "anomaly_alerts": MANY_TO_MANY_SYNCED,  # a verdict at every reading: early alerts
        "word_roles": MANY_TO_MANY_SYNCED,   # a grammatical role per word
    }


def clipping_facts():
    """True or False for each statement about clipping by the global norm,
    g <- g * min(1, c / (||g|| + eps)):

    - shortens_long_gradients: when ||g|| > c, it scales g down to norm c.
    - keeps_direction: it keeps the direction of the whole gradient.
    - lengthens_short_gradients: when the gradient has vanished (||g|| far below c), it
      scales it up.
    - restores_distant_steps: it gives the distant time steps back their share of the
      gradient.

    Returns a dict: statement -> bool.
    """
    return {
        "shortens_long_gradients": True,
        "keeps_direction": True,     # one positive factor for every array
        "lengthens_short_gradients": False,  # the factor is at most 1
        "restores_distant_steps": False,     # one factor for the whole sum over time steps
    }
