"""Known wrong versions of the RNN functions, so feedback can name the mistake a student made.

Each returns what a typical mistaken implementation returns on the same inputs; the hidden
tests pass them to :func:`rnnkit.compare.explain_mismatch` as ``variants``. Shapes follow the
student contract: x (T, D, N), h (T, H, N), params W_xh (H, D), W_hh (H, H), b_h (H, 1).
"""

from __future__ import annotations

import numpy as np

from rnnkit.compare import Variant
from rnnkit.i18n import say


def cell_forward_variants(x_t: np.ndarray, h_prev: np.ndarray, p: dict) -> list[Variant]:
    """Wrong h_next values: without h_prev, without bias, W_hh transposed, sigmoid, no tanh."""
    pre = p["W_hh"] @ h_prev + p["W_xh"] @ x_t + p["b_h"]
    return [
        (np.tanh(p["W_xh"] @ x_t + p["b_h"]), say(
            es="no depende de h_prev: falta el término recurrente W_hh h_{t-1}.",
            en="does not depend on h_prev: the recurrent term W_hh h_{t-1} is missing.")),
        (np.tanh(p["W_hh"] @ h_prev + p["W_xh"] @ x_t), say(
            es="falta el sesgo b_h.", en="the bias b_h is missing.")),
        (np.tanh(p["W_hh"].T @ h_prev + p["W_xh"] @ x_t + p["b_h"]), say(
            es="usa W_hh traspuesta.", en="uses W_hh transposed.")),
        (1 / (1 + np.exp(-pre)), say(
            es="usa la sigmoide donde va tanh.", en="uses the sigmoid where tanh belongs.")),
        (pre, say(es="falta la tanh: devuelves la preactivación.",
                  en="tanh is missing: you return the pre-activation.")),
    ]


def forward_variants(x: np.ndarray, h0: np.ndarray, p: dict, reference) -> list[Variant]:
    """Wrong h sequences: h0 ignored, h0 reused at every step, h_0 … h_{T-1} returned."""
    h_zero, _ = reference.rnn_forward(x, np.zeros_like(h0), p)
    h_true, _ = reference.rnn_forward(x, h0, p)
    from_h0 = np.stack([reference.rnn_cell_forward(x[t], h0, p)[0] for t in range(len(x))])
    with_h0 = np.concatenate([h0[None], h_true[:-1]])
    return [
        (h_zero, say(es="ignora h0: empieza desde ceros en vez del estado inicial dado.",
                     en="ignores h0: starts from zeros instead of the given initial state.")),
        (from_h0, say(es="usa h0 en cada paso en vez del estado del paso anterior.",
                      en="uses h0 at every step instead of the previous step's state.")),
        (with_h0, say(es="devuelve h_0 … h_{T-1}; debe devolver h_1 … h_T.",
                      en="returns h_0 … h_{T-1}; it must return h_1 … h_T.")),
    ]


def cell_backward_variants(dh: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray,
                           p: dict) -> dict[str, list[Variant]]:
    """Wrong cell gradients, per key: the tanh derivative taken at h_prev, or left out; dW_hh
    computed with h_next instead of h_prev."""
    wrong_state = dh * (1 - h_prev**2)
    no_derivative = dh
    message_state = say(es="la derivada de tanh se evalúa en h_prev; va en h_next: 1 − h_t².",
                        en="the tanh derivative is taken at h_prev; it belongs at h_next: "
                           "1 − h_t².")
    message_missing = say(es="falta la derivada de tanh (1 − h_t²).",
                          en="the tanh derivative (1 − h_t²) is missing.")
    variants: dict[str, list[Variant]] = {}
    for da, message in ((wrong_state, message_state), (no_derivative, message_missing)):
        grads = _cell_grads(da, x_t, h_prev, p)
        for key, value in grads.items():
            variants.setdefault(key, []).append((value, message))
    h_next = np.tanh(p["W_hh"] @ h_prev + p["W_xh"] @ x_t + p["b_h"])
    variants["dW_hh"].append((dh * (1 - h_next**2) @ h_next.T, say(
        es="dW_hh usa h_next; W_hh multiplica a h_prev en el forward, así que "
           "dW_hh = da · h_prevᵀ.",
        en="dW_hh uses h_next; W_hh multiplies h_prev in the forward pass, so "
           "dW_hh = da · h_prevᵀ.")))
    return variants


def backward_variants(dh: np.ndarray, x: np.ndarray, h0: np.ndarray,
                      p: dict) -> dict[str, list[Variant]]:
    """Wrong BPTT gradients, per key: nothing flowing back from step t+1; weight gradients
    assigned at each step instead of accumulated; dh0 left at zeros."""
    h = _states(x, h0, p)
    no_flow = _bptt(dh, x, h, p, accumulate=True, flow=False)
    assigned = _bptt(dh, x, h, p, accumulate=False, flow=True)
    variants: dict[str, list[Variant]] = {}
    for grads, message in (
        (no_flow, say(es="no llega nada desde el paso siguiente: en BPTT el gradiente de h_t es "
                         "dh_t más el dh_prev que devuelve el paso t+1.",
                      en="nothing flows back from the next step: in BPTT the gradient of h_t is "
                         "dh_t plus the dh_prev returned by step t+1.")),
        (assigned, say(es="asignas los gradientes de los pesos en cada paso en vez de "
                          "acumularlos (+=) sobre todos los pasos.",
                       en="you assign the weight gradients at each step instead of "
                          "accumulating them (+=) over all steps.")),
    ):
        for key, value in grads.items():
            variants.setdefault(key, []).append((value, message))
    variants["dh0"].append((np.zeros_like(h0), say(
        es="dh0 es todo ceros: dh0 es el dh_prev que devuelve el primer paso (t = 1), el "
           "último del bucle hacia atrás.",
        en="dh0 is all zeros: dh0 is the dh_prev returned by the first step (t = 1), the last "
           "one of the backward loop.")))
    return variants


def _states(x: np.ndarray, h0: np.ndarray, p: dict) -> np.ndarray:
    h, states = h0, [h0]
    for x_t in x:
        h = np.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b_h"])
        states.append(h)
    return np.stack(states)


def _bptt(dh: np.ndarray, x: np.ndarray, h: np.ndarray, p: dict, *,
          accumulate: bool, flow: bool) -> dict:
    """BPTT over states h (T+1, H, N) holding h_0 … h_T, with two mistakes switchable."""
    grads = {"dx": np.zeros_like(x), "dW_xh": np.zeros_like(p["W_xh"]),
             "dW_hh": np.zeros_like(p["W_hh"]), "db_h": np.zeros_like(p["b_h"])}
    dh_next = np.zeros_like(h[0])
    for t in reversed(range(len(x))):
        da = (dh[t] + (dh_next if flow else 0)) * (1 - h[t + 1] ** 2)
        step = _cell_grads(da, x[t], h[t], p)
        grads["dx"][t] = step["dx_t"]
        for key in ("dW_xh", "dW_hh", "db_h"):
            grads[key] = grads[key] + step[key] if accumulate else step[key]
        dh_next = step["dh_prev"]
    grads["dh0"] = dh_next
    return grads


def _cell_grads(da: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray, p: dict) -> dict:
    return {"dx_t": p["W_xh"].T @ da, "dh_prev": p["W_hh"].T @ da, "dW_xh": da @ x_t.T,
            "dW_hh": da @ h_prev.T, "db_h": da.sum(axis=1, keepdims=True)}
