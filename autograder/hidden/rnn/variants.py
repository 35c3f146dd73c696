"""Known wrong versions of the RNN functions, so feedback can name the mistake a student made.

Each returns what a typical mistaken implementation returns on the same inputs; the hidden
tests pass them to :func:`rnnkit.compare.explain_mismatch` as ``variants``. Shapes follow the
student contract: x (T, D, N), h (T, H, N), params W_xh (H, D), W_hh (H, H), b_h (H, 1).
"""

from __future__ import annotations

import numpy as np

from rnnkit.compare import Variant, close
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
    """Wrong cell gradients, per key (only where they differ from the right ones): the tanh
    derivative taken at h_prev, left out, or taken of tanh(h_next) (tanh applied twice); dW_hh
    computed with h_next instead of h_prev; db_h averaged over the batch instead of summed."""
    h_next = np.tanh(p["W_hh"] @ h_prev + p["W_xh"] @ x_t + p["b_h"])
    da = dh * (1 - h_next**2)
    right = _cell_grads(da, x_t, h_prev, p)
    wrong: list[tuple[dict, str]] = [
        (_cell_grads(dh * (1 - h_prev**2), x_t, h_prev, p), say(
            es="la derivada de tanh se evalúa en h_prev; va en h_next: 1 − h_t².",
            en="the tanh derivative is taken at h_prev; it belongs at h_next: 1 − h_t².")),
        (_cell_grads(dh, x_t, h_prev, p), say(
            es="falta la derivada de tanh (1 − h_t²).",
            en="the tanh derivative (1 − h_t²) is missing.")),
        (_cell_grads(dh * (1 - np.tanh(h_next) ** 2), x_t, h_prev, p), _tanh_twice_message()),
        ({"dW_hh": da @ h_next.T}, say(
            es="dW_hh usa h_next; W_hh multiplica a h_prev en el forward, así que "
               "dW_hh = da · h_prevᵀ.",
            en="dW_hh uses h_next; W_hh multiplies h_prev in the forward pass, so "
               "dW_hh = da · h_prevᵀ.")),
        ({"db_h": da.mean(axis=1, keepdims=True)}, _bias_averaged_message()),
    ]
    variants: dict[str, list[Variant]] = {key: [] for key in right}
    for grads, message in wrong:
        for key, value in grads.items():
            if not close(value, right[key]):
                variants[key].append((value, message))
    return variants


def backward_variants(dh: np.ndarray, x: np.ndarray, h0: np.ndarray,
                      p: dict) -> dict[str, list[Variant]]:
    """Wrong BPTT gradients, per key (only where they differ from the right ones): nothing
    flowing back from step t+1; weight gradients assigned at each step instead of accumulated;
    tanh applied twice; dW_hh built from the current state h_t, from h0 at every step, or from
    the last state h_T at every step (caches sharing one state array); db_h averaged over the
    batch; dh0 left at zeros."""
    h = _states(x, h0, p)
    right = _bptt(dh, x, h, p)
    variants: dict[str, list[Variant]] = {key: [] for key in right}
    for mistake, message in _bptt_mistakes().items():
        for key, value in _bptt(dh, x, h, p, mistake).items():
            variants[key].append((value, message))
    variants["db_h"].append((right["db_h"] / dh.shape[2], _bias_averaged_message()))
    variants["dh0"].append((np.zeros_like(h0), say(
        es="dh0 es todo ceros: dh0 es el dh_prev que devuelve el primer paso (t = 1), el "
           "último del bucle hacia atrás.",
        en="dh0 is all zeros: dh0 is the dh_prev returned by the first step (t = 1), the last "
           "one of the backward loop.")))
    # e.g. with N = 1 the mean is the sum; with saturated states dh0 may be all zeros
    return {key: [(value, message) for value, message in found if not close(value, right[key])]
            for key, found in variants.items()}


def _bptt_mistakes() -> dict[str, str]:
    """The mistakes :func:`_bptt` can make, each with its message."""
    return {
        "no_flow": say(
            es="no llega nada desde el paso siguiente: en BPTT el gradiente de h_t es dh_t más "
               "el dh_prev que devuelve el paso t+1.",
            en="nothing flows back from the next step: in BPTT the gradient of h_t is dh_t "
               "plus the dh_prev returned by step t+1."),
        "assigned": say(
            es="asignas los gradientes de los pesos en cada paso en vez de acumularlos (+=) "
               "sobre todos los pasos.",
            en="you assign the weight gradients at each step instead of accumulating them (+=) "
               "over all steps."),
        "tanh_twice": _tanh_twice_message(),
        "dW_hh_at_h_t": say(
            es="dW_hh usa el estado actual h_t en cada paso; W_hh multiplica al estado anterior "
               "h_{t-1} en el forward, así que el paso t suma da_t · h_{t-1}ᵀ.",
            en="dW_hh uses the current state h_t at each step; W_hh multiplies the previous "
               "state h_{t-1} in the forward pass, so step t adds da_t · h_{t-1}ᵀ."),
        "dW_hh_at_h0": say(
            es="dW_hh usa h0 en cada paso; W_hh multiplica al estado anterior h_{t-1}, así que "
               "el paso t suma da_t · h_{t-1}ᵀ (h0 solo en t = 1): toma h_prev de la caché de "
               "cada paso.",
            en="dW_hh uses h0 at every step; W_hh multiplies the previous state h_{t-1}, so "
               "step t adds da_t · h_{t-1}ᵀ (h0 only at t = 1): take h_prev from each step's "
               "cache."),
        "dW_hh_at_h_T": say(
            es="dW_hh es el que sale si el h_prev de cada paso es el último estado h_T: las "
               "cachés comparten un mismo arreglo de estado que los pasos siguientes "
               "sobrescriben (p. ej. h_t[:] = h_next en rnn_forward); cada paso debe guardar "
               "un arreglo nuevo (h_t = h_next).",
            en="dW_hh is what you get when every step's h_prev is the last state h_T: the "
               "caches share one state array that later steps overwrite (e.g. h_t[:] = h_next "
               "in rnn_forward); each step must keep a new array (h_t = h_next)."),
    }


def _tanh_twice_message() -> str:
    return say(es="aplicas tanh dos veces en el backward: h_next ya es tanh(a), así que la "
                  "derivada es 1 − h_next², no 1 − tanh(h_next)².",
               en="tanh applied twice in the backward: h_next is already tanh(a), so the "
                  "derivative is 1 − h_next², not 1 − tanh(h_next)².")


def _bias_averaged_message() -> str:
    return say(es="promedias el gradiente del sesgo sobre el lote (es exactamente el valor "
                  "esperado / N): la pérdida suma los ejemplos, así que suma sobre el lote: "
                  "db_h = da.sum(axis=1, keepdims=True).",
               en="you average the bias gradient over the batch (it is exactly the expected "
                  "value / N): the loss adds up the examples, so sum over the batch instead: "
                  "db_h = da.sum(axis=1, keepdims=True).")


def _states(x: np.ndarray, h0: np.ndarray, p: dict) -> np.ndarray:
    h, states = h0, [h0]
    for x_t in x:
        h = np.tanh(p["W_hh"] @ h + p["W_xh"] @ x_t + p["b_h"])
        states.append(h)
    return np.stack(states)


def _bptt(dh: np.ndarray, x: np.ndarray, h: np.ndarray, p: dict,
          mistake: str | None = None) -> dict:
    """BPTT over states h (T+1, H, N) holding h_0 … h_T, with one of the mistakes of
    :func:`_bptt_mistakes` or none."""
    grads = {"dx": np.zeros_like(x), "dW_xh": np.zeros_like(p["W_xh"]),
             "dW_hh": np.zeros_like(p["W_hh"]), "db_h": np.zeros_like(p["b_h"])}
    dh_next = np.zeros_like(h[0])
    for t in reversed(range(len(x))):
        h_next = h[t + 1]
        slope = 1 - (np.tanh(h_next) if mistake == "tanh_twice" else h_next) ** 2
        da = (dh[t] + (0 if mistake == "no_flow" else dh_next)) * slope
        # the state dW_hh multiplies (dh_prev does not depend on it)
        h_prev = {"dW_hh_at_h_t": h_next, "dW_hh_at_h0": h[0], "dW_hh_at_h_T": h[-1]}.get(
            mistake, h[t])
        step = _cell_grads(da, x[t], h_prev, p)
        grads["dx"][t] = step["dx_t"]
        for key in ("dW_xh", "dW_hh", "db_h"):
            grads[key] = step[key] if mistake == "assigned" else grads[key] + step[key]
        dh_next = step["dh_prev"]
    grads["dh0"] = dh_next
    return grads


def _cell_grads(da: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray, p: dict) -> dict:
    return {"dx_t": p["W_xh"].T @ da, "dh_prev": p["W_hh"].T @ da, "dW_xh": da @ x_t.T,
            "dW_hh": da @ h_prev.T, "db_h": da.sum(axis=1, keepdims=True)}
