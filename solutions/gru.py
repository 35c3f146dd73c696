"""Model answer of the GRU assignment: the gates, one cell and a whole sequence, forward and
backward, and the translation of the parameters to and from ``torch.nn.GRU``.

Conventions (the same as the RNN and LSTM assignments):
- Examples are columns. An input step x_t is (D, N); a hidden state h_t is (H, N); whole
  sequences are (T, D, N) and (T, H, N), with time first, holding h_1 ... h_T.
- The gates read the concatenation [h_{t-1}; x_t] of shape (H + D, N), hidden part first, so
  each weight matrix is (H, H + D): its first H columns multiply the hidden part and its last D
  columns multiply x_t. Each bias is (H, 1) and broadcasts over the batch.
- ``params`` holds W_z, b_z (update gate), W_r, b_r (reset gate) and W_h, b_h (candidate h~_t).

The equations of one step (elementwise products written *):

    z_t  = sigmoid(W_z [h_{t-1}; x_t] + b_z)          update gate
    r_t  = sigmoid(W_r [h_{t-1}; x_t] + b_r)          reset gate
    h~_t = tanh(W_h [r_t * h_{t-1}; x_t] + b_h)       candidate state
    h_t  = (1 - z_t) * h_{t-1} + z_t * h~_t           interpolation

This is the GRU of Cho et al. (2014): the reset gate scales h_{t-1} *before* the recurrent
product. torch.nn.GRU computes another variant, see ``to_torch_layout``.

No function modifies its arguments, and every gradient has the shape of what it differentiates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

GATES = ("z", "r", "h")
# torch.nn.GRU stacks three blocks of rows, r, z, n: for each, our gate and the sign that turns
# ours into torch's (torch's z' is 1 - z = sigmoid(-a_z), see to_torch_layout).
TORCH_BLOCKS = (("r", 1.0), ("z", -1.0), ("h", 1.0))

Params = Mapping[str, np.ndarray]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function, elementwise: sigmoid(a) = (1 + tanh(a / 2)) / 2, the same value as
    1 / (1 + exp(-a)) without overflow for any float (the notebook's set-up cell defines its
    own, which the answer cells use).

    Inputs:
    - a: array of any shape

    Returns:
    - array of the same shape, in [0, 1]
    """
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def update_gate(x_t: np.ndarray, h_prev: np.ndarray, params: Params) -> np.ndarray:
    """Update gate z_t = sigmoid(W_z [h_{t-1}; x_t] + b_z).

    Entry (k, n) is the fraction of h_t[k, n] taken from the candidate; the rest, 1 - z_t, is
    kept from h_{t-1}[k, n]. It plays both LSTM roles at once: forget (1 - z) and input (z).

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_z, shape (H, H + D), and b_z, shape (H, 1); other keys are ignored

    Returns:
    - z_t: shape (H, N), entries in [0, 1]
    """
    hx = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_z"] @ hx + params["b_z"])


def reset_gate(x_t: np.ndarray, h_prev: np.ndarray, params: Params) -> np.ndarray:
    """Reset gate r_t = sigmoid(W_r [h_{t-1}; x_t] + b_r).

    Entry (k, n) says how much of h_{t-1}[k, n] the candidate may read: 0 hides it (the
    candidate is computed as if the past were empty), 1 shows it whole.

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_r, shape (H, H + D), and b_r, shape (H, 1); other keys are ignored

    Returns:
    - r_t: shape (H, N), entries in [0, 1]
    """
    hx = np.concatenate((h_prev, x_t), axis=0)
    return sigmoid(params["W_r"] @ hx + params["b_r"])


def candidate(x_t: np.ndarray, h_prev: np.ndarray, r_t: np.ndarray,
              params: Params) -> np.ndarray:
    """Candidate state h~_t = tanh(W_h [r_t * h_{t-1}; x_t] + b_h).

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - r_t: reset gate of this step, shape (H, N)
    - params: dict with W_h, shape (H, H + D), and b_h, shape (H, 1); other keys are ignored

    Returns:
    - h_tilde: shape (H, N), entries in [-1, 1]
    """
    hx = np.concatenate((r_t * h_prev, x_t), axis=0)
    return np.tanh(params["W_h"] @ hx + params["b_h"])


def interpolate(h_prev: np.ndarray, h_tilde: np.ndarray, z_t: np.ndarray) -> np.ndarray:
    """New hidden state h_t = (1 - z_t) * h_{t-1} + z_t * h~_t, a per-entry weighted average.

    Inputs:
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - h_tilde: candidate state h~_t, shape (H, N)
    - z_t: update gate, shape (H, N)

    Returns:
    - h_t: shape (H, N)
    """
    return (1.0 - z_t) * h_prev + z_t * h_tilde


def gru_cell_forward(x_t: np.ndarray, h_prev: np.ndarray,
                     params: Params) -> tuple[np.ndarray, Any]:
    """One GRU step.

    Inputs:
    - x_t: input at step t, shape (D, N)
    - h_prev: hidden state h_{t-1}, shape (H, N)
    - params: dict with W_z, W_r, W_h, each (H, H + D), and b_z, b_r, b_h, each (H, 1)

    Returns a tuple of:
    - h_next: hidden state h_t, shape (H, N)
    - cache: what gru_cell_backward needs: the inputs, z_t, r_t, h~_t and params
    """
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    h_next = interpolate(h_prev, h_tilde, z)
    cache = (x_t, h_prev, z, r, h_tilde, params)
    return h_next, cache


def gru_forward(x: np.ndarray, h0: np.ndarray, params: Params) -> tuple[np.ndarray, list]:
    """Run the GRU over a whole sequence.

    Inputs:
    - x: input sequence, shape (T, D, N)
    - h0: initial hidden state, shape (H, N)
    - params: dict of the six GRU parameters (see gru_cell_forward)

    Returns a tuple of:
    - h: hidden states h_1 ... h_T, shape (T, H, N)
    - caches: list of the T step caches, in time order
    """
    h_t = h0
    hs, caches = [], []
    for x_t in x:
        h_t, cache = gru_cell_forward(x_t, h_t, params)
        hs.append(h_t)
        caches.append(cache)
    return np.stack(hs), caches


def gru_cell_backward(dh_next: np.ndarray, cache: Any) -> dict[str, np.ndarray]:
    """Backward pass of one GRU step.

    With a_z, a_r, a_h the pre-activations (sigmoid' = s(1-s), tanh' = 1-tanh^2) and
    q = r * h_{t-1} the filtered past the candidate reads, going back through
    h_t = (1 - z) h_{t-1} + z h~ and then through the three affine maps:
        dh~ = dh_next * z                 dz = dh_next * (h~ - h_{t-1})
        da_h = dh~ * (1 - h~^2)           dW_h = da_h [q; x_t]^T
        [dq; dx_t from h~] = W_h^T da_h   dr = dq * h_{t-1}
        da_z = dz * z (1 - z)             da_r = dr * r (1 - r)
        dW_z = da_z [h_{t-1}; x_t]^T      dW_r = da_r [h_{t-1}; x_t]^T
    and each db sums its da over the batch. h_{t-1} reaches h_t along three roads, whose
    gradients add up: directly, dh_next * (1 - z); through the candidate, dq * r; and through
    the two gates, the first H rows of W_z^T da_z + W_r^T da_r. x_t reaches it through the
    candidate and the gates.

    Inputs:
    - dh_next: gradient of the loss with respect to h_t, shape (H, N)
    - cache: the cache returned by gru_cell_forward for this step

    Returns a dict with:
    - dx_t: shape (D, N)
    - dh_prev: gradient with respect to h_{t-1}, shape (H, N)
    - dW_z, dW_r, dW_h: shape (H, H + D)
    - db_z, db_r, db_h: shape (H, 1)
    """
    x_t, h_prev, z, r, h_tilde, params = cache
    H = h_prev.shape[0]

    da_h = dh_next * z * (1.0 - h_tilde**2)
    d_q_x = params["W_h"].T @ da_h  # gradient of the candidate's input [r * h_{t-1}; x_t]
    da_r = d_q_x[:H] * h_prev * r * (1.0 - r)
    da_z = dh_next * (h_tilde - h_prev) * z * (1.0 - z)

    hx = np.concatenate((h_prev, x_t), axis=0)
    qx = np.concatenate((r * h_prev, x_t), axis=0)
    d_hx = params["W_z"].T @ da_z + params["W_r"].T @ da_r  # gradient of the gates' input
    return {
        "dx_t": d_q_x[H:] + d_hx[H:],
        "dh_prev": dh_next * (1.0 - z) + d_q_x[:H] * r + d_hx[:H],
        "dW_z": da_z @ hx.T,
        "db_z": da_z.sum(axis=1, keepdims=True),
        "dW_r": da_r @ hx.T,
        "db_r": da_r.sum(axis=1, keepdims=True),
        "dW_h": da_h @ qx.T,
        "db_h": da_h.sum(axis=1, keepdims=True),
    }


def gru_backward(dh: np.ndarray, caches: list) -> dict[str, np.ndarray]:
    """Backpropagation through time for the whole sequence.

    Going from t = T down to 1, the gradient reaching h_t is the outside one, dh[t], plus the
    dh_prev returned by step t+1 (zero at t = T). The parameters are shared by all steps, so
    their gradients add up over time.

    Inputs:
    - dh: gradient of the loss with respect to h_1 ... h_T from outside the recurrence (e.g. an
      output layer), shape (T, H, N)
    - caches: the list returned by gru_forward

    Returns a dict with:
    - dx: shape (T, D, N)
    - dh0: gradient with respect to the initial state, shape (H, N)
    - dW_z, dW_r, dW_h: shape (H, H + D); db_z, db_r, db_h: shape (H, 1)
    """
    params = caches[0][-1]
    grads = {
        f"d{kind}_{gate}": np.zeros_like(params[f"{kind}_{gate}"], dtype=float)
        for gate in GATES
        for kind in ("W", "b")
    }
    dh_carry = np.zeros_like(dh[0], dtype=float)
    dx = [None] * len(caches)

    for t in reversed(range(len(caches))):
        step = gru_cell_backward(dh[t] + dh_carry, caches[t])
        dx[t] = step["dx_t"]
        dh_carry = step["dh_prev"]
        for name in grads:
            grads[name] += step[name]

    grads["dx"] = np.stack(dx)
    grads["dh0"] = dh_carry
    return grads


# --- torch.nn.GRU --------------------------------------------------------------------------------


def to_torch_layout(params: Params) -> dict[str, np.ndarray]:
    """Our six GRU parameters in the layout of ``torch.nn.GRU`` (one layer).

    torch.nn.GRU is a different model. With its blocks r, z, n of rows stacked in that order:

        r' = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z' = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n  = tanh(W_in x + b_in + r' * (W_hn h + b_hn))
        h' = (1 - z') * n + z' * h

    Two differences from ours. (1) Its z' weighs the *old* state, ours the candidate. Since
    1 - sigmoid(a) = sigmoid(-a), negating the update gate's weights and bias gives exactly
    z' = 1 - z, so that part is only a change of sign. (2) Its reset gate scales the recurrent
    product W_hn h, ours scales h before W_h. With r' = r, b_hn = 0 and W_hn the h-part of W_h,
    the arguments of the two tanh differ by
        gap = r * (W_hn h_{t-1}) - W_hn (r * h_{t-1}),
    entry k of which is sum_j W_hn[k, j] (r_k - r_j) h_{t-1}[j]. So one step agrees exactly
    (for the same h_{t-1}) where gap = 0 or z = 0, for instance: h_{t-1} = 0 (the first step
    from h0 = 0); the reset gate equal across units of each example (r = 1, saturated open,
    r = 0, or any constant); W_hn diagonal (W_hn = 0 included), so each unit reads only its own
    past. A whole sequence agrees when every step does. Elsewhere the two models differ.

    Inputs:
    - params: dict with W_z, W_r, W_h, each (H, H + D), and b_z, b_r, b_h, each (H, 1)

    Returns a dict of numpy arrays named like the parameters of torch.nn.GRU:
    - weight_ih_l0: shape (3H, D), the x-parts (last D columns) of W_r, -W_z, W_h stacked
    - weight_hh_l0: shape (3H, H), the h-parts (first H columns), stacked the same way
    - bias_ih_l0: shape (3H,), b_r, -b_z, b_h stacked
    - bias_hh_l0: shape (3H,), zeros (b_hn must be zero: torch would scale it by r')
    """
    H = params["b_z"].shape[0]
    W = np.concatenate([sign * params[f"W_{gate}"] for gate, sign in TORCH_BLOCKS], axis=0)
    b = np.concatenate([sign * params[f"b_{gate}"] for gate, sign in TORCH_BLOCKS]).ravel()
    return {
        "weight_ih_l0": W[:, H:],
        "weight_hh_l0": W[:, :H],
        "bias_ih_l0": b,
        "bias_hh_l0": np.zeros_like(b),
    }


def from_torch_layout(torch_params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The parameters of a one-layer ``torch.nn.GRU`` as our six, the inverse of
    ``to_torch_layout``.

    The two biases of r and z add up; the candidate's b_hn has no place in our model (torch
    multiplies it by r'), so it is added to b_h, which is exact where r' = 1. The resulting
    GRU equals torch's under the conditions of ``to_torch_layout`` when b_hn = 0; in general
    it is the closest GRU of our kind, not the same function.

    Inputs:
    - torch_params: mapping with weight_ih_l0 (3H, D), weight_hh_l0 (3H, H), bias_ih_l0 (3H,)
      and bias_hh_l0 (3H,), as numpy arrays or torch tensors (e.g. ``module.state_dict()``)

    Returns:
    - params: dict with W_z, W_r, W_h, each (H, H + D), and b_z, b_r, b_h, each (H, 1)
    """
    arrays = {}
    for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
        value = torch_params[name]
        if hasattr(value, "detach"):  # a torch tensor, maybe a Parameter that requires grad
            value = value.detach().cpu().numpy()
        arrays[name] = np.array(value, dtype=float)
    W = np.concatenate((arrays["weight_hh_l0"], arrays["weight_ih_l0"]), axis=1)
    b = (arrays["bias_ih_l0"] + arrays["bias_hh_l0"])[:, None]
    H = W.shape[0] // 3
    params = {}
    for k, (gate, sign) in enumerate(TORCH_BLOCKS):
        rows = slice(k * H, (k + 1) * H)
        params[f"W_{gate}"] = sign * W[rows]
        params[f"b_{gate}"] = sign * b[rows]
    return params


# ----------------------------------------------------------------------------------------------
# Concept questions (rnnkit.checks.questions): each returns one answer per question
# ----------------------------------------------------------------------------------------------

# The choices of gate_saturation and lstm_counterparts, as the notebook's set-up cell defines
# them (rnnkit.assignments.gru.GATE_SATURATION and LSTM_COUNTERPARTS).
KEEP_STATE, REPLACE_STATE, ERASE_STATE, CANDIDATE_WITHOUT_PAST, CANDIDATE_WITH_PAST = (
    1, 2, 3, 4, 5)
Z_T, ONE_MINUS_Z_T, R_T, NO_GATE = 6, 7, 8, 9


def gate_saturation() -> dict[str, int]:
    """What each gate does when it saturates at 0 or at 1, in
    h~_t = tanh(W_h [r_t * h_{t-1}; x_t] + b_h) and h_t = (1 - z_t) * h_{t-1} + z_t * h~_t.

    Returns a dict: "<gate>_<value>" -> its effect.
    """
    return {
        "update_0": KEEP_STATE,               # h_t = h_{t-1}
        "update_1": REPLACE_STATE,            # h_t = h~_t
        "reset_0": CANDIDATE_WITHOUT_PAST,    # h~_t from x_t alone; h_{t-1} still goes on
        "reset_1": CANDIDATE_WITH_PAST,       # h~_t reads all of h_{t-1}, like an RNN's cell
    }


def lstm_counterparts() -> dict[str, int]:
    """What plays, in the GRU, the part of each LSTM gate.

    Returns a dict: LSTM gate -> Z_T, ONE_MINUS_Z_T, R_T or NO_GATE.
    """
    return {
        "forget_gate": ONE_MINUS_Z_T,  # the fraction of h_{t-1} that is kept
        "input_gate": Z_T,             # the fraction of the candidate that is written
        "output_gate": NO_GATE,        # h_t is shown whole: memory and output are one state
    }
