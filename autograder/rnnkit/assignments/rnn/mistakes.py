"""The typical mistakes of assignment "rnn", each written once (see rnnkit.mistakes).

Inputs follow the student contract: x_t (D, N), h_prev (H, N), x (T, D, N), h0 (H, N),
params W_xh (H, D), W_hh (H, H), b_h (H, 1), upstream gradients dh_next (H, N) and dh (T, H, N).
A mistake departs from the right computation through an :class:`Oracle`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from rnnkit.mistakes import SHARED, Mistake, MistakeBook

Array = np.ndarray
Params = Mapping[str, Array]


class Oracle(Protocol):
    """The right computations of the RNN that the mistakes below depart from."""

    def cell_forward(self, x_t: Array, h_prev: Array, params: Params) -> Array:
        """h_next (H, N) = tanh(W_hh h_prev + W_xh x_t + b_h)."""

    def forward(self, x: Array, h0: Array, params: Params) -> Array:
        """h (T, H, N): h_1 … h_T from h0."""

    def linear_grads(self, da: Array, x_t: Array, h_prev: Array, params: Params
                     ) -> dict[str, Array]:
        """dx_t, dh_prev, dW_xh, dW_hh, db_h of a = W_hh h_prev + W_xh x_t + b_h when da
        (H, N) reaches a."""

    def bptt(self, dh: Array, x: Array, h0: Array, params: Params, *, carry: bool = True,
             only_step: int | None = None, tanh_twice: bool = False,
             dW_hh_states: Callable[[Array], Array] | None = None) -> dict[str, Array]:
        """dx, dh0, dW_xh, dW_hh, db_h of sum(h * dh) over h = forward(x, h0), with a knob
        turned: ``carry=False``, nothing flows from step t+1 back into h_t; ``only_step``, the
        weight gradients hold that step's contribution alone (0 the first, -1 the last);
        ``tanh_twice``, the tanh slope is 1 − tanh(h_t)²; ``dW_hh_states``, a function of the
        states (T+1, H, N) holding h_0 … h_T giving the states (T, H, N) dW_hh multiplies at
        each step instead of h_{t-1}."""


def _sigmoid(a: Array) -> Array:
    return 1 / (1 + np.exp(-a))


def _pre_activation(x_t: Array, h_prev: Array, p: Params, *, recurrent: bool = True,
                    bias: bool = True, transposed: bool = False) -> Array:
    W_hh = p["W_hh"].T if transposed else p["W_hh"]
    return (W_hh @ h_prev if recurrent else 0) + p["W_xh"] @ x_t + (p["b_h"] if bias else 0)


def _tanh_slope_mistake(slope: Callable[[Array, Array], Array]) -> Callable[..., dict]:
    """The cell gradients when dh_next is multiplied by ``slope(h_prev, h_next)`` instead of
    1 − h_next²."""
    def wrong(o: Oracle, dh: Array, x_t: Array, h_prev: Array, p: Params) -> dict:
        return o.linear_grads(dh * slope(h_prev, o.cell_forward(x_t, h_prev, p)), x_t, h_prev, p)
    return wrong


def _right_cell_grads(o: Oracle, dh: Array, x_t: Array, h_prev: Array, p: Params) -> dict:
    h_next = o.cell_forward(x_t, h_prev, p)
    return o.linear_grads(dh * (1 - h_next**2), x_t, h_prev, p)


def _only_last_dh(dh: Array) -> Array:
    kept = np.zeros_like(dh)
    kept[-1] = dh[-1]
    return kept


def _everywhere(state: Callable[[Array], Array]) -> Callable[[Array], Array]:
    """dW_hh_states for a mistake that uses one state at every step."""
    return lambda h: np.broadcast_to(state(h), h[1:].shape)


def _global_norm(grads: Mapping[str, Array]) -> float:
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))


def _scaled(factor: Callable[[Array, float, float], float]) -> Callable[..., dict]:
    """Every non-zero array g scaled by ``factor(g, total norm, max_norm)`` (all-zero arrays
    stay zero whatever the mistake)."""
    def wrong(_: Any, grads: Mapping[str, Array], max_norm: float) -> dict:
        total = _global_norm(grads)
        return {k: g * factor(g, total, max_norm) if np.any(g) else g for k, g in grads.items()}
    return wrong


TANH_TWICE = dict(
    es="aplicas tanh dos veces en el backward: h_next ya es tanh(a), así que la derivada es "
       "1 − h_next², no 1 − tanh(h_next)².",
    en="tanh applied twice in the backward: h_next is already tanh(a), so the derivative is "
       "1 − h_next², not 1 − tanh(h_next)².")
BIAS_AVERAGED = dict(
    es="promedias el gradiente del sesgo sobre el lote (es exactamente el valor esperado / N): "
       "la pérdida suma los ejemplos, así que suma sobre el lote: "
       "db_h = da.sum(axis=1, keepdims=True).",
    en="you average the bias gradient over the batch (it is exactly the expected value / N): "
       "the loss adds up the examples, so sum over the batch instead: "
       "db_h = da.sum(axis=1, keepdims=True).")
SCALES_SMALL = dict(
    es="escalas aunque la norma global no pase de max_norm (o escalas hacia arriba los "
       "gradientes pequeños): solo se recorta cuando la supera; el factor es "
       "min(1, max_norm / norma).",
    en="you scale small gradients up, or scale although the global norm is at most max_norm: "
       "clip only when it exceeds max_norm; the factor is min(1, max_norm / norm).")

MISTAKES = MistakeBook([
    # ------------------------------------------------------------------ rnn_cell_forward
    Mistake(
        "cell_forward.no_recurrence", "rnn_cell_forward",
        es="no depende de h_prev: falta el término recurrente W_hh h_prev, la memoria de la red.",
        en="it does not depend on h_prev: the recurrent term W_hh h_prev, the network's "
           "memory, is missing.",
        wrong=lambda o, x_t, h, p: np.tanh(_pre_activation(x_t, h, p, recurrent=False))),
    Mistake(
        "cell_forward.no_bias", "rnn_cell_forward",
        es="falta sumar el sesgo b_h.", en="the bias b_h is missing: add it.",
        wrong=lambda o, x_t, h, p: np.tanh(_pre_activation(x_t, h, p, bias=False))),
    Mistake(
        "cell_forward.W_hh_transposed", "rnn_cell_forward",
        es="usa W_hh traspuesta: el término recurrente es W_hh @ h_prev, sin trasponer.",
        en="it uses W_hh transposed: the recurrent term is W_hh @ h_prev, not transposed.",
        wrong=lambda o, x_t, h, p: np.tanh(_pre_activation(x_t, h, p, transposed=True))),
    Mistake(
        "cell_forward.sigmoid", "rnn_cell_forward",
        es="usa la sigmoide donde va tanh.", en="it uses the sigmoid where tanh belongs.",
        wrong=lambda o, x_t, h, p: _sigmoid(_pre_activation(x_t, h, p))),
    Mistake(
        "cell_forward.no_tanh", "rnn_cell_forward",
        es="falta la tanh: devuelves la preactivación W_hh h_prev + W_xh x_t + b_h.",
        en="tanh is missing: you return the pre-activation W_hh h_prev + W_xh x_t + b_h.",
        wrong=lambda o, x_t, h, p: _pre_activation(x_t, h, p)),
    # ------------------------------------------------------------------ rnn_forward
    Mistake(
        "forward.ignores_h0", "rnn_forward",
        **SHARED["forward.ignores_h0"],
        wrong=lambda o, x, h0, p: o.forward(x, np.zeros_like(h0), p)),
    Mistake(
        "forward.h0_every_step", "rnn_forward",
        **SHARED["forward.h0_every_step"],
        wrong=lambda o, x, h0, p: np.stack([o.cell_forward(x_t, h0, p) for x_t in x])),
    Mistake(
        "forward.returns_h0_to_hT_minus_1", "rnn_forward",
        **SHARED["forward.returns_h0_to_hT_minus_1"],
        wrong=lambda o, x, h0, p: np.concatenate([h0[None], o.forward(x, h0, p)[:-1]])),
    Mistake(
        "forward.last_state_everywhere", "rnn_forward",
        **SHARED["forward.last_state_everywhere"],
        wrong=lambda o, x, h0, p: np.broadcast_to(o.forward(x, h0, p)[-1], (len(x), *h0.shape))),
    # ------------------------------------------------------------------ rnn_cell_backward
    Mistake(
        "cell_backward.tanh_slope_at_h_prev", "rnn_cell_backward",
        es="la derivada de tanh se evalúa en h_prev; va en la salida de la celda: 1 − h_next².",
        en="the tanh derivative is taken at h_prev; it belongs at the cell's output: "
           "1 − h_next².",
        wrong=_tanh_slope_mistake(lambda h_prev, h_next: 1 - h_prev**2)),
    Mistake(
        "cell_backward.no_tanh_slope", "rnn_cell_backward",
        es="falta la derivada de tanh: da = dh_next ⊙ (1 − h_next²).",
        en="the tanh derivative is missing: da = dh_next ⊙ (1 − h_next²).",
        wrong=_tanh_slope_mistake(lambda h_prev, h_next: 1.0)),
    Mistake(
        "cell_backward.tanh_twice", "rnn_cell_backward", **TANH_TWICE,
        wrong=_tanh_slope_mistake(lambda h_prev, h_next: 1 - np.tanh(h_next) ** 2)),
    Mistake(
        "cell_backward.dW_hh_with_h_next", "rnn_cell_backward",
        es="dW_hh usa h_next donde va h_prev: W_hh multiplica al estado que entra en la celda, "
           "así que dW_hh = da · h_prevᵀ.",
        en="dW_hh uses h_next where h_prev belongs: W_hh multiplies the state entering the "
           "cell, so dW_hh = da · h_prevᵀ.",
        wrong=lambda o, dh, x_t, h, p: {"dW_hh": o.linear_grads(
            dh * (1 - o.cell_forward(x_t, h, p) ** 2), x_t, o.cell_forward(x_t, h, p),
            p)["dW_hh"]}),
    Mistake(
        "cell_backward.bias_averaged", "rnn_cell_backward", **BIAS_AVERAGED,
        wrong=lambda o, dh, x_t, h, p: {
            "db_h": _right_cell_grads(o, dh, x_t, h, p)["db_h"] / dh.shape[1]}),
    # ------------------------------------------------------------------ rnn_backward
    Mistake(
        "backward.no_flow_from_next_step", "rnn_backward",
        **SHARED["backward.no_flow_from_next_step"],
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p, carry=False)),
    Mistake(
        "backward.assigns_param_grads", "rnn_backward",
        **SHARED["backward.assigns_param_grads"],
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p, only_step=0)),
    Mistake(
        "backward.only_last_step_params", "rnn_backward",
        **SHARED["backward.only_last_step_params"],
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p, only_step=-1)),
    Mistake(
        "backward.only_last_dh", "rnn_backward",
        **SHARED["backward.only_last_dh"],
        wrong=lambda o, dh, x, h0, p: o.bptt(_only_last_dh(dh), x, h0, p)),
    Mistake(
        "backward.tanh_twice", "rnn_backward", **TANH_TWICE,
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p, tanh_twice=True)),
    Mistake(
        "backward.dW_hh_with_h_t", "rnn_backward",
        es="dW_hh usa el estado actual h_t en cada paso; W_hh multiplica al estado anterior "
           "h_{t-1} en el forward, así que el paso t suma da_t · h_{t-1}ᵀ.",
        en="dW_hh uses the current state h_t at each step; W_hh multiplies the previous state "
           "h_{t-1} in the forward pass, so step t adds da_t · h_{t-1}ᵀ.",
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p, dW_hh_states=lambda h: h[1:])),
    Mistake(
        "backward.dW_hh_with_h0", "rnn_backward",
        es="dW_hh usa h0 en cada paso; W_hh multiplica al estado anterior h_{t-1}, así que el "
           "paso t suma da_t · h_{t-1}ᵀ (h0 solo en t = 1): toma h_prev de la caché de cada "
           "paso.",
        en="dW_hh uses h0 at every step; W_hh multiplies the previous state h_{t-1}, so step t "
           "adds da_t · h_{t-1}ᵀ (h0 only at t = 1): take h_prev from each step's cache.",
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p,
                                             dW_hh_states=_everywhere(lambda h: h[0]))),
    Mistake(
        "backward.dW_hh_with_h_T", "rnn_backward",
        es="dW_hh es el que sale si el h_prev de cada paso es el último estado h_T: las cachés "
           "comparten un mismo arreglo de estado que los pasos siguientes sobrescriben (p. ej. "
           "h_t[:] = h_next en rnn_forward); cada paso debe guardar un arreglo nuevo "
           "(h_t = h_next).",
        en="dW_hh is what you get when every step's h_prev is the last state h_T: the caches "
           "share one state array that later steps overwrite (e.g. h_t[:] = h_next in "
           "rnn_forward); each step must keep a new array (h_t = h_next).",
        wrong=lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p,
                                             dW_hh_states=_everywhere(lambda h: h[-1]))),
    Mistake(
        "backward.bias_averaged", "rnn_backward", **BIAS_AVERAGED,
        wrong=lambda o, dh, x, h0, p: {"db_h": o.bptt(dh, x, h0, p)["db_h"] / dh.shape[2]}),
    Mistake(
        "backward.dh0_zero", "rnn_backward",
        **SHARED["backward.dh0_zero"],
        wrong=lambda o, dh, x, h0, p: {"dh0": np.zeros_like(h0)}),
    Mistake(
        "backward.dx_reversed", "rnn_backward",
        **SHARED["backward.dx_reversed"],
        wrong=lambda o, dh, x, h0, p: {"dx": o.bptt(dh, x, h0, p)["dx"][::-1]}),
    # ------------------------------------------------------------------ clip_gradients
    # First: a student whose result is unchanged is told so, even where clipping entry by
    # entry or array by array would change nothing either.
    Mistake(
        "clip.unchanged_above_max_norm", "clip_gradients",
        es="devuelves los gradientes sin cambios, pero su norma global pasa de max_norm: "
           "recorta siempre que ‖g‖ > max_norm, comparando la norma misma (no su cuadrado) con "
           "max_norm mismo (no su cuadrado, ni 1).",
        en="you return the gradients unchanged, but their global norm is above max_norm: clip "
           "whenever ‖g‖ > max_norm, comparing the norm itself (not its square) with max_norm "
           "itself (not its square, nor 1).",
        wrong=lambda _, grads, c: dict(grads)),
    Mistake(
        "clip.per_array_norm", "clip_gradients",
        es="recortas cada arreglo con su propia norma; la norma es global: la de todos los "
           "arreglos juntos como un solo vector.",
        en="you clip each array by its own norm; the norm is global: that of all arrays "
           "together as one vector.",
        wrong=_scaled(lambda g, total, c: min(1.0, c / float(np.sqrt(np.sum(g**2)))))),
    Mistake(
        "clip.elementwise", "clip_gradients",
        es="recortas cada valor por separado (np.clip); hay que escalar todos los gradientes "
           "por un mismo factor.",
        en="you clip each entry on its own (np.clip); all gradients must be scaled by one "
           "common factor.",
        wrong=lambda _, grads, c: {k: np.clip(g, -c, c) for k, g in grads.items()}),
    Mistake(
        "clip.squared_norm", "clip_gradients",
        es="divides por la suma de cuadrados: falta la raíz cuadrada de la norma.",
        en="you divide by the sum of squares: the norm's square root is missing.",
        wrong=_scaled(lambda g, total, c: min(1.0, c / total**2))),
    Mistake(
        "clip.always_scales", "clip_gradients", **SCALES_SMALL,
        wrong=_scaled(lambda g, total, c: c / total)),
    Mistake(
        "clip.always_scales_with_eps", "clip_gradients", **SCALES_SMALL,
        wrong=_scaled(lambda g, total, c: c / (total + 1e-6))),
])
