"""The typical mistakes of assignment "gru", each written once (see rnnkit.mistakes).

Inputs follow the student contract: x_t (D, N), h_prev (H, N), x (T, D, N), h0 (H, N); params
W_z, W_r, W_h (H, H + D) and b_z, b_r, b_h (H, 1), where W_z and W_r multiply [h_{t-1}; x_t]
and W_h multiplies [r_t ⊙ h_{t-1}; x_t] (the hidden part first); gate values r_t, z_t and the
candidate h̃_t (H, N); upstream gradients dh_next (H, N) and dh (T, H, N). A mistake takes the
inputs of the function it spoils, in the student's order (a backward's: its upstream gradient,
then its forward's inputs), and gives:

- update_gate, reset_gate ``(x_t, h_prev, params)``; candidate ``(x_t, h_prev, r_t, params)``;
  interpolate ``(h_prev, h_tilde, z_t)``; gru_cell_forward ``(x_t, h_prev, params)``;
  gru_forward ``(x, h0, params)``: the wrong value returned;
- gru_cell_backward ``(dh_next, x_t, h_prev, params)`` and gru_backward
  ``(dh, x, h0, params)``: a dict of the gradients the mistake changes.

A mistake departs from the right computation through an :class:`Oracle`; a backward that
leaves out or bends one of the roads back through a step is a :class:`Paths` that the oracle's
backward takes in place of the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from rnnkit.mistakes import SHARED, Mistake, MistakeBook

Array = np.ndarray
Params = Mapping[str, Array]

CANDIDATE = "h̃_t = tanh(W_h [r_t ⊙ h_{t-1}; x_t] + b_h)"
INTERPOLATION = "h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t"


@dataclass(frozen=True)
class Paths:
    """How a backward goes back through one step; the defaults are the right way.

    - direct: dh_prev receives dh_next ⊙ (1 − z_t), the road of h_{t-1} straight into h_t.
    - through_z, through_r: the gradient flows back through the update gate, the reset gate
      (False: da_z, or da_r, is zero, and so are that gate's share of dh_prev and dx_t).
    - reset_on_h: the candidate's share of dh_prev is multiplied by r_t (False: it is not).
    - dz_sign: dz = dz_sign · dh_next ⊙ (h̃_t − h_{t-1}).
    - dW_h_reads_reset: dW_h = da_h [r_t ⊙ h_{t-1}; x_t]ᵀ (False: da_h [h_{t-1}; x_t]ᵀ).
    - gate_slope(s), candidate_slope(h̃): the derivative of a gate's sigmoid from its value s,
      of the candidate's tanh from h̃_t; each an array broadcasting to (H, N), or a number
      (None: the right one).
    """

    direct: bool = True
    through_z: bool = True
    through_r: bool = True
    reset_on_h: bool = True
    dz_sign: float = 1.0
    dW_h_reads_reset: bool = True
    gate_slope: Callable[[Array], Any] | None = None
    candidate_slope: Callable[[Array], Any] | None = None


RIGHT = Paths()


class Oracle(Protocol):
    """The right computations of the GRU that the mistakes below depart from."""

    def gates(self, x_t: Array, h_prev: Array, params: Params) -> dict[str, Array]:
        """z (update gate), r (reset gate) and h (the candidate h̃_t) of one step, each
        (H, N)."""

    def candidate(self, x_t: Array, h_prev: Array, r_t: Array, params: Params) -> Array:
        """h̃_t (H, N) for the reset gate's value r_t."""

    def interpolate(self, h_prev: Array, h_tilde: Array, z_t: Array) -> Array:
        """h_t (H, N) from h_{t-1}, h̃_t and z_t."""

    def cell_forward(self, x_t: Array, h_prev: Array, params: Params) -> Array:
        """h_next (H, N) of one step."""

    def forward(self, x: Array, h0: Array, params: Params, *,
                every_h: Array | None = None) -> Array:
        """h (T, H, N): h_1 … h_T from h0; ``every_h``, when given, is the state every step
        after the first receives instead of the previous step's."""

    def cell_backward(self, dh_next: Array, x_t: Array, h_prev: Array, params: Params, *,
                      paths: Paths = RIGHT) -> dict[str, Array]:
        """The gradients gru_cell_backward returns (dx_t, dh_prev, dW_*, db_*) of
        sum(h_next * dh_next), taken along ``paths``."""

    def bptt(self, dh: Array, x: Array, h0: Array, params: Params, *, paths: Paths = RIGHT,
             carry: bool = True, only_step: int | None = None) -> dict[str, Array]:
        """The gradients gru_backward returns (dx, dh0, dW_*, db_*) of sum(h * dh) over
        h = forward(x, h0, params), with knobs: ``paths`` at every step; ``carry=False``,
        nothing flows from step t+1 back into h_t; ``only_step``, the parameter gradients
        hold that step's contribution alone (0 the first, -1 the last)."""


# ---------------------------------------------------------------------------------- helpers

def _sigmoid(a: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # cannot overflow, even at ±1000


def _pre_activation(x_t: Array, hidden: Array, p: Params, gate: str, *,
                    x_first: bool = False, bias: bool = True) -> Array:
    """W_{gate} [hidden; x_t] + b_{gate} (``hidden`` is h_{t-1}, or r_t ⊙ h_{t-1} for the
    candidate), with [x_t; hidden] when ``x_first`` and no bias unless ``bias``."""
    parts = (x_t, hidden) if x_first else (hidden, x_t)
    return p[f"W_{gate}"] @ np.concatenate(parts) + (p[f"b_{gate}"] if bias else 0.0)


def _reset_after_product(x_t: Array, h_prev: Array, r_t: Array, p: Params) -> Array:
    """torch.nn.GRU's candidate: r_t scales the recurrent product, not h_{t-1}."""
    H = h_prev.shape[0]
    W_h = p["W_h"]
    return np.tanh(W_h[:, H:] @ x_t + r_t * (W_h[:, :H] @ h_prev) + p["b_h"])


def _cell(o: Oracle, x_t: Array, h_prev: Array, p: Params, *,
          step: Callable[[dict[str, Array], Array], Array]) -> Array:
    """A mistake of h_next: ``step(gates, h_prev)`` with the right gate values."""
    return step(o.gates(x_t, h_prev, p), h_prev)


def _only_last(dh: Array) -> Array:
    kept = np.zeros_like(dh)
    kept[-1] = dh[-1]
    return kept


def _averaged_bias(grads: Mapping[str, Array], n: int) -> dict[str, Array]:
    return {f"db_{g}": grads[f"db_{g}"] / n for g in "zrh"}


# ---------------------------------------------------------------------------------- messages
# What a mistake of one step function says again where a student writes the cell inline.

CANDIDATE_WITHOUT_RESET = dict(
    es=f"falta la puerta de reinicio en el candidato: lee r_t ⊙ h_{{t-1}}, no h_{{t-1}}: "
       f"{CANDIDATE}.",
    en=f"the reset gate is missing from the candidate: it reads r_t ⊙ h_{{t-1}}, not "
       f"h_{{t-1}}: {CANDIDATE}.")
RESET_AFTER_PRODUCT = dict(
    es="aplicas r_t después del producto, r_t ⊙ (W_h^h h_{t-1}) con W_h^h las primeras H "
       "columnas de W_h, como hace torch.nn.GRU; el GRU de este curso (Cho et al., 2014) "
       f"reinicia h_{{t-1}} antes del producto: {CANDIDATE}.",
    en="you apply r_t after the product, r_t ⊙ (W_h^h h_{t-1}) with W_h^h the first H columns "
       "of W_h, as torch.nn.GRU does; this course's GRU (Cho et al., 2014) resets h_{t-1} "
       f"before the product: {CANDIDATE}.")
INTERPOLATION_SWAPPED = dict(
    es="z_t y 1 − z_t están intercambiados: tomas z_t de h_{t-1} y 1 − z_t del candidato, "
       "como hace torch.nn.GRU; aquí z_t es la parte que se toma del candidato: "
       f"{INTERPOLATION}.",
    en="z_t and 1 − z_t are swapped: you take z_t of h_{t-1} and 1 − z_t of the candidate, "
       "as torch.nn.GRU does; here z_t is the share taken from the candidate: "
       f"{INTERPOLATION}.")


# ------------------------------------------------------------ update_gate and reset_gate

def _gate_mistakes(function: str, gate: str, other: tuple[str, str]) -> list[Mistake]:
    """The mistakes of the gate ``function`` (its letter ``gate``): tanh or no activation,
    [x; h] concatenated, the bias missing, the parameters of the ``other`` gate (its function
    and its letter)."""
    other_function, o_gate = other

    def fill(es: str, en: str) -> dict[str, str]:
        fields = {"g": gate, "o": o_gate, "other": other_function, "fn": function}
        return {"es": es.format(**fields), "en": en.format(**fields)}

    return [
        Mistake(f"{function}.tanh", function, **fill(
            es="usa tanh; una puerta usa la sigmoide σ, para que sus valores estén entre 0 y 1.",
            en="it uses tanh; a gate uses the sigmoid σ, so that its values lie between 0 "
               "and 1."),
            wrong=lambda o, x_t, h, p: np.tanh(_pre_activation(x_t, h, p, gate))),
        Mistake(f"{function}.no_activation", function, **fill(
            es="falta la activación: devuelves la preactivación W_{g} [h_{{t-1}}; x_t] + b_{g}; "
               "aplícale la sigmoide σ.",
            en="the activation is missing: you return the pre-activation "
               "W_{g} [h_{{t-1}}; x_t] + b_{g}; apply the sigmoid σ to it."),
            wrong=lambda o, x_t, h, p: _pre_activation(x_t, h, p, gate)),
        Mistake(f"{function}.x_first", function, **fill(
            es="concatenaste [x_t; h_{{t-1}}], pero los pesos esperan [h_{{t-1}}; x_t], con h "
               "primero: las primeras H columnas de W_{g} multiplican a h_{{t-1}}.",
            en="you concatenated [x_t; h_{{t-1}}], but the weights expect [h_{{t-1}}; x_t], h "
               "first: the first H columns of W_{g} multiply h_{{t-1}}."),
            wrong=lambda o, x_t, h, p: _sigmoid(_pre_activation(x_t, h, p, gate, x_first=True))),
        Mistake(f"{function}.no_bias", function, **fill(
            es="falta sumar el sesgo b_{g}.", en="the bias b_{g} is missing: add it."),
            wrong=lambda o, x_t, h, p: _sigmoid(_pre_activation(x_t, h, p, gate, bias=False))),
        Mistake(f"{function}.parameters_of_{other_function}", function, **fill(
            es="usa los parámetros de {other} (W_{o}, b_{o}); {fn} tiene los suyos, W_{g} y "
               "b_{g}.",
            en="it uses the parameters of {other} (W_{o}, b_{o}); {fn} has its own, W_{g} and "
               "b_{g}."),
            wrong=lambda o, x_t, h, p: o.gates(x_t, h, p)[o_gate]),
    ]


# ------------------------------------------------------------------------------- candidate

_CANDIDATE = [
    Mistake("candidate.no_reset", "candidate", **CANDIDATE_WITHOUT_RESET,
            wrong=lambda o, x_t, h, r, p: o.candidate(x_t, h, np.ones_like(r), p)),
    Mistake("candidate.reset_after_product", "candidate", **RESET_AFTER_PRODUCT,
            wrong=lambda o, x_t, h, r, p: _reset_after_product(x_t, h, r, p)),
    Mistake(
        "candidate.sigmoid", "candidate",
        es="usa la sigmoide σ; el candidato usa tanh, para poder proponer valores entre −1 y 1.",
        en="it uses the sigmoid σ; the candidate uses tanh, so that it can propose values "
           "between −1 and 1.",
        wrong=lambda o, x_t, h, r, p: _sigmoid(_pre_activation(x_t, r * h, p, "h"))),
    Mistake(
        "candidate.no_activation", "candidate",
        es="falta la activación: devuelves la preactivación W_h [r_t ⊙ h_{t-1}; x_t] + b_h; "
           "aplícale tanh.",
        en="the activation is missing: you return the pre-activation "
           "W_h [r_t ⊙ h_{t-1}; x_t] + b_h; apply tanh to it.",
        wrong=lambda o, x_t, h, r, p: _pre_activation(x_t, r * h, p, "h")),
    Mistake(
        "candidate.x_first", "candidate",
        es="concatenaste [x_t; r_t ⊙ h_{t-1}], pero W_h espera [r_t ⊙ h_{t-1}; x_t], con la "
           "parte oculta primero: sus primeras H columnas la multiplican.",
        en="you concatenated [x_t; r_t ⊙ h_{t-1}], but W_h expects [r_t ⊙ h_{t-1}; x_t], the "
           "hidden part first: its first H columns multiply it.",
        wrong=lambda o, x_t, h, r, p: np.tanh(_pre_activation(x_t, r * h, p, "h",
                                                              x_first=True))),
    Mistake(
        "candidate.no_bias", "candidate",
        es="falta sumar el sesgo b_h.", en="the bias b_h is missing: add it.",
        wrong=lambda o, x_t, h, r, p: np.tanh(_pre_activation(x_t, r * h, p, "h", bias=False))),
]


# ----------------------------------------------------------------------------- interpolate

_INTERPOLATE = [
    Mistake("interpolate.swapped", "interpolate", **INTERPOLATION_SWAPPED,
            wrong=lambda o, h, h_tilde, z: o.interpolate(h, h_tilde, 1.0 - z)),
    Mistake(
        "interpolate.no_keep", "interpolate",
        es="falta el término (1 − z_t) ⊙ h_{t-1}, lo que se conserva del estado anterior: "
           f"{INTERPOLATION}.",
        en="the term (1 − z_t) ⊙ h_{t-1} is missing, what is kept of the previous state: "
           f"{INTERPOLATION}.",
        wrong=lambda o, h, h_tilde, z: o.interpolate(np.zeros_like(h), h_tilde, z)),
    Mistake(
        "interpolate.keeps_all", "interpolate",
        es="conservas h_{t-1} entero y le sumas z_t ⊙ h̃_t; es una media ponderada, h_{t-1} "
           f"pesa 1 − z_t: {INTERPOLATION}.",
        en="you keep all of h_{t-1} and add z_t ⊙ h̃_t to it; it is a weighted average, "
           f"h_{{t-1}} weighs 1 − z_t: {INTERPOLATION}.",
        wrong=lambda o, h, h_tilde, z: h + z * h_tilde),
]


# ------------------------------------------------------------------------ gru_cell_forward

_CELL_FORWARD = [
    Mistake(
        "cell_forward.gates_swapped", "gru_cell_forward",
        es="las puertas cambian de papel: r_t va al candidato y z_t a la interpolación "
           f"({INTERPOLATION}); tú pasas z_t a candidate y r_t a interpolate.",
        en="the gates swap roles: r_t goes into the candidate and z_t into the interpolation "
           f"({INTERPOLATION}); you pass z_t to candidate and r_t to interpolate.",
        wrong=lambda o, x_t, h, p: _cell(o, x_t, h, p, step=lambda g, h: o.interpolate(
            h, o.candidate(x_t, h, g["z"], p), g["r"]))),
    Mistake(
        "cell_forward.reset_in_interpolation", "gru_cell_forward",
        es="aplicas la puerta de reinicio a h_{t-1} en la interpolación y no en el candidato: "
           f"r_t va dentro del candidato, {CANDIDATE}, y la interpolación toma h_{{t-1}} "
           "entero.",
        en="you apply the reset gate to h_{t-1} in the interpolation, not in the candidate: "
           f"r_t belongs inside the candidate, {CANDIDATE}, and the interpolation takes the "
           "whole h_{t-1}.",
        wrong=lambda o, x_t, h, p: _cell(o, x_t, h, p, step=lambda g, h: o.interpolate(
            g["r"] * h, o.candidate(x_t, h, np.ones_like(h), p), g["z"]))),
    Mistake(
        "cell_forward.returns_candidate", "gru_cell_forward",
        es="devuelves el candidato h̃_t como h_next; h_next interpola entre h_{t-1} y h̃_t: "
           f"{INTERPOLATION}.",
        en="you return the candidate h̃_t as h_next; h_next interpolates between h_{t-1} and "
           f"h̃_t: {INTERPOLATION}.",
        wrong=lambda o, x_t, h, p: o.gates(x_t, h, p)["h"]),
    Mistake("cell_forward.interpolation_swapped", "gru_cell_forward", **INTERPOLATION_SWAPPED,
            wrong=lambda o, x_t, h, p: _cell(o, x_t, h, p, step=lambda g, h: o.interpolate(
                h, g["h"], 1.0 - g["z"]))),
    Mistake("cell_forward.candidate_without_reset", "gru_cell_forward",
            **CANDIDATE_WITHOUT_RESET,
            wrong=lambda o, x_t, h, p: _cell(o, x_t, h, p, step=lambda g, h: o.interpolate(
                h, o.candidate(x_t, h, np.ones_like(h), p), g["z"]))),
    Mistake("cell_forward.reset_after_product", "gru_cell_forward", **RESET_AFTER_PRODUCT,
            wrong=lambda o, x_t, h, p: _cell(o, x_t, h, p, step=lambda g, h: o.interpolate(
                h, _reset_after_product(x_t, h, g["r"], p), g["z"]))),
]


# ----------------------------------------------------------------------------- gru_forward

_FORWARD = [
    Mistake(
        "forward.ignores_h0", "gru_forward",
        **SHARED["forward.ignores_h0"],
        wrong=lambda o, x, h0, p: o.forward(x, np.zeros_like(h0), p)),
    Mistake(
        "forward.h0_every_step", "gru_forward",
        **SHARED["forward.h0_every_step"],
        wrong=lambda o, x, h0, p: o.forward(x, h0, p, every_h=h0)),
    Mistake(
        "forward.returns_h0_to_hT_minus_1", "gru_forward",
        **SHARED["forward.returns_h0_to_hT_minus_1"],
        wrong=lambda o, x, h0, p: np.concatenate([h0[None], o.forward(x, h0, p)[:-1]])),
    Mistake(
        "forward.last_state_everywhere", "gru_forward",
        **SHARED["forward.last_state_everywhere"],
        wrong=lambda o, x, h0, p: np.broadcast_to(o.forward(x, h0, p)[-1], (len(x), *h0.shape))),
]


# ----------------------------------------------- the roads back: gru_cell_backward, gru_backward
# Each is made in the cell's backward, and so at every step of the sequence's.

_PATHS = [  # (name, messages, the paths taken)
    ("no_direct_path", dict(
        es="a dh_prev le falta el camino directo: como " + INTERPOLATION + ", h_{t-1} llega a "
           "h_t también sin pasar por ninguna puerta, y aporta dh_next ⊙ (1 − z_t) a dh_prev.",
        en="dh_prev is missing the direct road: since " + INTERPOLATION + ", h_{t-1} also "
           "reaches h_t through no gate at all, which adds dh_next ⊙ (1 − z_t) to dh_prev."),
     Paths(direct=False)),
    ("no_path_through_z", dict(
        es="no fluye nada hacia atrás a través de la puerta de actualización: "
           "dz = dh_next ⊙ (h̃_t − h_{t-1}) y da_z = dz ⊙ z_t(1 − z_t); de da_z salen dW_z, "
           "db_z y su parte de dh_prev y dx_t (W_zᵀ da_z).",
        en="nothing flows back through the update gate: dz = dh_next ⊙ (h̃_t − h_{t-1}) and "
           "da_z = dz ⊙ z_t(1 − z_t); dW_z, db_z and its share of dh_prev and dx_t (W_zᵀ da_z) "
           "come from da_z."),
     Paths(through_z=False)),
    ("no_path_through_r", dict(
        es="no fluye nada hacia atrás a través de la puerta de reinicio: el candidato lee "
           "r_t ⊙ h_{t-1}, así que dr = (W_hᵀ da_h)[:H] ⊙ h_{t-1} y da_r = dr ⊙ r_t(1 − r_t); "
           "de da_r salen dW_r, db_r y su parte de dh_prev y dx_t (W_rᵀ da_r).",
        en="nothing flows back through the reset gate: the candidate reads r_t ⊙ h_{t-1}, so "
           "dr = (W_hᵀ da_h)[:H] ⊙ h_{t-1} and da_r = dr ⊙ r_t(1 − r_t); dW_r, db_r and its "
           "share of dh_prev and dx_t (W_rᵀ da_r) come from da_r."),
     Paths(through_r=False)),
    ("no_reset_on_h", dict(
        es="a la parte de dh_prev que llega por el candidato le falta el factor r_t: el "
           "candidato lee r_t ⊙ h_{t-1}, así que esa parte es (W_hᵀ da_h)[:H] ⊙ r_t.",
        en="the share of dh_prev that comes through the candidate is missing the factor r_t: "
           "the candidate reads r_t ⊙ h_{t-1}, so that share is (W_hᵀ da_h)[:H] ⊙ r_t."),
     Paths(reset_on_h=False)),
    ("dz_sign", dict(
        es="dz tiene el signo cambiado: h_t = h_{t-1} + z_t ⊙ (h̃_t − h_{t-1}), así que "
           "dz = dh_next ⊙ (h̃_t − h_{t-1}), no dh_next ⊙ (h_{t-1} − h̃_t).",
        en="dz has the wrong sign: h_t = h_{t-1} + z_t ⊙ (h̃_t − h_{t-1}), so "
           "dz = dh_next ⊙ (h̃_t − h_{t-1}), not dh_next ⊙ (h_{t-1} − h̃_t)."),
     Paths(dz_sign=-1.0)),
    ("dW_h_without_reset", dict(
        es="dW_h multiplica da_h por [h_{t-1}; x_t]ᵀ; W_h multiplica [r_t ⊙ h_{t-1}; x_t] en "
           "el forward, así que dW_h = da_h [r_t ⊙ h_{t-1}; x_t]ᵀ.",
        en="dW_h multiplies da_h by [h_{t-1}; x_t]ᵀ; W_h multiplies [r_t ⊙ h_{t-1}; x_t] in the "
           "forward pass, so dW_h = da_h [r_t ⊙ h_{t-1}; x_t]ᵀ."),
     Paths(dW_h_reads_reset=False)),
    ("no_tanh_derivative", dict(
        es="falta la derivada de tanh en el candidato: da_h = dh_next ⊙ z_t ⊙ (1 − h̃_t²).",
        en="the tanh derivative of the candidate is missing: "
           "da_h = dh_next ⊙ z_t ⊙ (1 − h̃_t²)."),
     Paths(candidate_slope=lambda h_tilde: 1.0)),
    ("no_sigmoid_derivative", dict(
        es="falta la derivada de la sigmoide en las puertas: da_z = dz ⊙ z_t(1 − z_t) y "
           "da_r = dr ⊙ r_t(1 − r_t).",
        en="the sigmoid derivative of the gates is missing: da_z = dz ⊙ z_t(1 − z_t) and "
           "da_r = dr ⊙ r_t(1 − r_t)."),
     Paths(gate_slope=lambda s: 1.0)),
    ("sigmoid_derivative_as_tanh", dict(
        es="tomas la derivada de una puerta como 1 − σ², que es la de tanh; la de la sigmoide "
           "es σ(1 − σ).",
        en="you take a gate's derivative as 1 − σ², which is that of tanh; the sigmoid's is "
           "σ(1 − σ)."),
     Paths(gate_slope=lambda s: 1.0 - s**2)),
]

BIAS_AVERAGED = dict(
    es="promedias los gradientes de los sesgos sobre el lote (cada uno es exactamente el valor "
       "esperado / N): la pérdida suma los ejemplos, así que suma sobre el lote: "
       "db = da.sum(axis=1, keepdims=True).",
    en="you average the bias gradients over the batch (each is exactly the expected value / "
       "N): the loss adds up the examples, so sum over the batch instead: "
       "db = da.sum(axis=1, keepdims=True).")


def _cell_grads(paths: Paths) -> Callable[..., dict]:
    return lambda o, dh, x_t, h, p: o.cell_backward(dh, x_t, h, p, paths=paths)


def _bptt(**knobs: Any) -> Callable[..., dict]:
    return lambda o, dh, x, h0, p: o.bptt(dh, x, h0, p, **knobs)


_CELL_BACKWARD = [
    *(Mistake(f"cell_backward.{name}", "gru_cell_backward", **messages, wrong=_cell_grads(paths))
      for name, messages, paths in _PATHS),
    Mistake("cell_backward.bias_averaged", "gru_cell_backward", **BIAS_AVERAGED,
            wrong=lambda o, dh, x_t, h, p: _averaged_bias(o.cell_backward(dh, x_t, h, p),
                                                          dh.shape[1])),
]


# ---------------------------------------------------------------------------- gru_backward

_BACKWARD = [
    Mistake(
        "backward.no_flow_from_next_step", "gru_backward",
        **SHARED["backward.no_flow_from_next_step"],
        wrong=_bptt(carry=False)),
    Mistake(
        "backward.assigns_param_grads", "gru_backward",
        **SHARED["backward.assigns_param_grads"],
        wrong=_bptt(only_step=0)),  # the last step the backward loop visits
    Mistake(
        "backward.only_last_step_params", "gru_backward",
        **SHARED["backward.only_last_step_params"],
        wrong=_bptt(only_step=-1)),
    Mistake(
        "backward.only_last_dh", "gru_backward",
        **SHARED["backward.only_last_dh"],
        wrong=lambda o, dh, x, h0, p: o.bptt(_only_last(dh), x, h0, p)),
    *(Mistake(f"backward.{name}", "gru_backward", **messages, wrong=_bptt(paths=paths))
      for name, messages, paths in _PATHS),
    Mistake("backward.bias_averaged", "gru_backward", **BIAS_AVERAGED,
            wrong=lambda o, dh, x, h0, p: _averaged_bias(o.bptt(dh, x, h0, p), dh.shape[2])),
    Mistake(
        "backward.dh0_zero", "gru_backward",
        **SHARED["backward.dh0_zero"],
        wrong=lambda o, dh, x, h0, p: {"dh0": np.zeros_like(h0)}),
    Mistake(
        "backward.dx_reversed", "gru_backward",
        **SHARED["backward.dx_reversed"],
        wrong=lambda o, dh, x, h0, p: {"dx": o.bptt(dh, x, h0, p)["dx"][::-1]}),
]

MISTAKES = MistakeBook([
    *_gate_mistakes("update_gate", "z", ("reset_gate", "r")),
    *_gate_mistakes("reset_gate", "r", ("update_gate", "z")),
    *_CANDIDATE,
    *_INTERPOLATE,
    *_CELL_FORWARD,
    *_FORWARD,
    *_CELL_BACKWARD,
    *_BACKWARD,
])
