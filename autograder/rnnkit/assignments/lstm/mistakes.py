"""The typical mistakes of assignment "lstm", each written once (see rnnkit.mistakes).

Inputs follow the student contract: x_t (D, N), h_prev and c_prev (H, N), x (T, D, N), h0 and
c0 (H, N); params W_f, W_i, W_c, W_o (H, H + D), which multiply [h_{t-1}; x_t] (h first), and
b_f, b_i, b_c, b_o (H, 1); upstream gradients dh_next and dc_next (H, N), dh (T, H, N). A
mistake takes the inputs of the function it spoils, in the student's order (a backward's: its
upstream gradients, then its forward's inputs), and gives:

- a gate, ``(x_t, h_prev, params)``: the gate's value;
- lstm_cell_forward, ``(x_t, h_prev, c_prev, params)``: a dict of ``h_next`` and/or ``c_next``;
- lstm_forward, ``(x, h0, params, c0)``: a dict of ``h`` and/or ``c``;
- lstm_cell_backward, ``(dh_next, dc_next, x_t, h_prev, c_prev, params)``: gradients;
- lstm_backward, ``(dh, x, h0, params, c0)``: gradients.

A mistake departs from the right computation through an :class:`Oracle`; a wrong derivative is
a :class:`Slopes` the oracle's backward uses in place of the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from rnnkit.assignments.lstm import GATES
from rnnkit.compare import Variant, as_numeric_array, close
from rnnkit.i18n import say
from rnnkit.mistakes import SHARED, Mistake, MistakeBook

Array = np.ndarray
Params = Mapping[str, Array]

LETTER = dict(zip(GATES, "fico", strict=True))  # gate function -> its letter (c: candidate c̃)
UPDATE = "c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t"
OUTPUT = "h_t = o_t ⊙ tanh(c_t)"
DC = "dc_t = dc_next + dh_next ⊙ o_t ⊙ (1 − tanh²(c_t))"


@dataclass(frozen=True)
class Slopes:
    """Local derivatives a mistaken backward takes in place of the right ones (None: the right
    one). Each is a function of numpy values giving an array that broadcasts to (H, N), or a
    number:

    - gate(s): the sigmoid's derivative, from a gate's value s;
    - candidate(c̃): the derivative of the candidate's tanh, from c̃_t;
    - cell(c, tanh_c): the derivative of tanh(c_t) on the way from h_t to c_t, from c_t and
      tanh(c_t);
    - memory(f): the derivative of c_t with respect to c_{t-1}, from f_t.
    """

    gate: Callable[[Array], Any] | None = None
    candidate: Callable[[Array], Any] | None = None
    cell: Callable[[Array, Array], Any] | None = None
    memory: Callable[[Array], Any] | None = None


RIGHT = Slopes()


class Oracle(Protocol):
    """The right computations of the LSTM that the mistakes below depart from."""

    def gates(self, x_t: Array, h_prev: Array, params: Params) -> dict[str, Array]:
        """f, i, c (the candidate c̃) and o of one step, each (H, N)."""

    def cell_forward(self, x_t: Array, h_prev: Array, c_prev: Array, params: Params
                     ) -> tuple[Array, Array]:
        """(h_next, c_next) of one step, each (H, N)."""

    def forward(self, x: Array, h0: Array, params: Params, c0: Array, *,
                every_h: Array | None = None, every_c: Array | None = None
                ) -> tuple[Array, Array]:
        """(h, c), each (T, H, N): h_1 … h_T and c_1 … c_T from h0 and c0. ``every_h`` /
        ``every_c``, when given, is the state every step after the first receives instead of
        the previous step's."""

    def cell_backward(self, dh_next: Array, dc_next: Array, x_t: Array, h_prev: Array,
                      c_prev: Array, params: Params, *, slopes: Slopes = RIGHT
                      ) -> dict[str, Array]:
        """The gradients lstm_cell_backward returns (dx_t, dh_prev, dc_prev, dW_*, db_*) of
        sum(h_next * dh_next) + sum(c_next * dc_next), taken with ``slopes``."""

    def bptt(self, dh: Array, x: Array, h0: Array, params: Params, c0: Array, *,
             slopes: Slopes = RIGHT, carry_h: bool = True, carry_c: bool = True,
             only_step: int | None = None,
             cached: Callable[[Array, Array], tuple[Array, Array]] | None = None
             ) -> dict[str, Array]:
        """The gradients lstm_backward returns (dx, dh0, dc0, dW_*, db_*) of sum(h * dh) over
        (h, c) = forward(x, h0, params, c0), with knobs: ``slopes`` at every step;
        ``carry_h=False`` / ``carry_c=False``, nothing flows from step t+1 back into h_t / c_t;
        ``only_step``, the parameter gradients hold that step's contribution alone (0 the
        first, -1 the last); ``cached``, a function of the states h and c (T+1, H, N), holding
        h_0 … h_T and c_0 … c_T, giving the previous states (T, H, N) each step's cache holds
        instead of h_{t-1} and c_{t-1}: the gate values stay right, the backward reads these
        where it reads the cache (the parameter gradients [h_{t-1}; x_t] and the forget
        gate's c_{t-1})."""


# ---------------------------------------------------------------------------------- helpers

def _sigmoid(a: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # cannot overflow, even at ±1000


def _pre_activation(x_t: Array, h_prev: Array, p: Params, weights: str, bias: str | None, *,
                    x_first: bool = False) -> Array:
    """W_{weights} z + b_{bias} (no bias when None), z = [h_{t-1}; x_t] ([x_t; h_{t-1}] when
    ``x_first``); ``weights`` and ``bias`` are gate letters."""
    z = np.concatenate((x_t, h_prev) if x_first else (h_prev, x_t))
    return p[f"W_{weights}"] @ z + (0 if bias is None else p[f"b_{bias}"])


def _fill(es: str, en: str, **fields: str) -> dict[str, str]:
    """The two messages of a mistake made per gate, with ``fields`` filled in."""
    return {"es": es.format(**fields), "en": en.format(**fields)}


def _cell_state(update: Callable[[dict, Array], Array]) -> Callable[..., dict]:
    """A mistake of c_next: ``update(gates, c_prev)`` in place of the cell update."""
    return lambda o, x_t, h_prev, c_prev, p: {"c_next": update(o.gates(x_t, h_prev, p), c_prev)}


def _cell_output(output: Callable[[dict, Array, Array], Array]) -> Callable[..., dict]:
    """A mistake of h_next: ``output(gates, c_next, c_prev)`` in place of the output."""
    def wrong(o: Oracle, x_t: Array, h_prev: Array, c_prev: Array, p: Params) -> dict:
        c_next = o.cell_forward(x_t, h_prev, c_prev, p)[1]
        return {"h_next": output(o.gates(x_t, h_prev, p), c_next, c_prev)}
    return wrong


def _states(h: Array, c: Array) -> dict[str, Array]:
    return {"h": h, "c": c}


def _last_everywhere(states: Array) -> Array:
    """The last of the states (T+1, H, N) at each of the T steps."""
    return np.broadcast_to(states[-1], states[1:].shape)


def _only_last(dh: Array) -> Array:
    kept = np.zeros_like(dh)
    kept[-1] = dh[-1]
    return kept


def _cell_grads(slopes: Slopes) -> Callable[..., dict]:
    return lambda o, dh, dc, x_t, h, c, p: o.cell_backward(dh, dc, x_t, h, c, p, slopes=slopes)


def _bptt(**knobs: Any) -> Callable[..., dict]:
    return lambda o, dh, x, h0, p, c0: o.bptt(dh, x, h0, p, c0, **knobs)


def _averaged_bias(grads: Mapping[str, Array], n: int) -> dict[str, Array]:
    return {f"db_{g}": grads[f"db_{g}"] / n for g in LETTER.values()}


# ---------------------------------------------------------------------------------- the gates

_TANH_GATE = dict(
    es="usa tanh; una puerta usa la sigmoide σ, para que sus valores estén entre 0 (no deja "
       "pasar nada) y 1 (deja pasar todo).",
    en="it uses tanh; a gate uses the sigmoid σ, so that its values lie between 0 (lets "
       "nothing through) and 1 (lets everything through).")
_SIGMOID_CANDIDATE = dict(
    es="usa la sigmoide σ; el candidato c̃_t usa tanh, para poder proponer también valores "
       "negativos (entre −1 y 1) que bajen la memoria.",
    en="it uses the sigmoid σ; the candidate c̃_t uses tanh, so that it can also propose "
       "negative values (between −1 and 1) that lower the memory.")


def _gate_mistakes(function: str) -> list[Mistake]:
    """The mistakes of one gate function: the other activation or none, [x; h] concatenated,
    the bias missing or outside the activation, the weights, the bias or both of another
    gate."""
    g = LETTER[function]
    candidate = g == "c"
    act, other = (np.tanh, _sigmoid) if candidate else (_sigmoid, np.tanh)
    fields = {"g": g, "act": "tanh" if candidate else "σ"}
    mistakes = [
        Mistake(f"{function}.{'sigmoid' if candidate else 'tanh'}", function,
                **(_SIGMOID_CANDIDATE if candidate else _TANH_GATE),
                wrong=lambda o, x_t, h, p: other(_pre_activation(x_t, h, p, g, g))),
        Mistake(f"{function}.no_activation", function, **_fill(
            es="falta la activación: devuelves la preactivación W_{g} [h_{{t-1}}; x_t] + b_{g}; "
               "aplícale {act}.",
            en="the activation is missing: you return the pre-activation "
               "W_{g} [h_{{t-1}}; x_t] + b_{g}; apply {act} to it.", **fields),
            wrong=lambda o, x_t, h, p: _pre_activation(x_t, h, p, g, g)),
        Mistake(f"{function}.x_first", function, **_fill(
            es="concatenaste [x_t; h_{{t-1}}], pero los pesos esperan [h_{{t-1}}; x_t], con h "
               "primero: las primeras H columnas de W_{g} multiplican a h_{{t-1}}.",
            en="you concatenated [x_t; h_{{t-1}}], but the weights expect [h_{{t-1}}; x_t], h "
               "first: the first H columns of W_{g} multiply h_{{t-1}}.", **fields),
            wrong=lambda o, x_t, h, p: act(_pre_activation(x_t, h, p, g, g, x_first=True))),
        Mistake(f"{function}.no_bias", function, **_fill(
            es="falta sumar el sesgo b_{g}.", en="the bias b_{g} is missing.", **fields),
            wrong=lambda o, x_t, h, p: act(_pre_activation(x_t, h, p, g, None))),
        Mistake(f"{function}.bias_outside", function, **_fill(
            es="sumas el sesgo después de {act}; va dentro: {act}(W_{g} [h_{{t-1}}; x_t] + "
               "b_{g}).",
            en="you add the bias after {act}; it goes inside: {act}(W_{g} [h_{{t-1}}; x_t] + "
               "b_{g}).", **fields),
            wrong=lambda o, x_t, h, p: act(_pre_activation(x_t, h, p, g, None)) + p[f"b_{g}"]),
    ]
    for other_function in GATES:
        if other_function != function:
            mistakes += _parameters_of(function, other_function, act)
    return mistakes


def _parameters_of(function: str, other_function: str, act: Callable) -> list[Mistake]:
    """The mistakes of ``function`` that use the bias, the weights or both of another gate
    (a gate function copied from another and not fully adapted)."""
    g, o = LETTER[function], LETTER[other_function]
    fields = {"g": g, "o": o, "fn": other_function}

    def gate(weights: str, bias: str) -> Callable[..., Array]:
        return lambda _, x_t, h, p: act(_pre_activation(x_t, h, p, weights, bias))

    return [
        Mistake(f"{function}.bias_of_{other_function}", function, **_fill(
            es="usa el sesgo b_{o}, el de `{fn}`; el de esta función es b_{g}.",
            en="it uses the bias b_{o}, that of `{fn}`; this function's bias is b_{g}.",
            **fields), wrong=gate(g, o)),
        Mistake(f"{function}.weights_of_{other_function}", function, **_fill(
            es="usa los pesos W_{o}, los de `{fn}`; los de esta función son W_{g}.",
            en="it uses the weights W_{o}, those of `{fn}`; this function's weights are W_{g}.",
            **fields), wrong=gate(o, g)),
        Mistake(f"{function}.params_of_{other_function}", function, **_fill(
            es="usa W_{o} y b_{o}, los parámetros de `{fn}`; esta función usa W_{g} y b_{g}.",
            en="it uses W_{o} and b_{o}, the parameters of `{fn}`; this function uses W_{g} "
               "and b_{g}.", **fields), wrong=gate(o, o)),
    ]


# ------------------------------------------------------------------------- lstm_cell_forward

_CELL_FORWARD = [
    # c_next
    Mistake(
        "cell_forward.no_input_gate", "lstm_cell_forward",
        es=f"falta la puerta de entrada: {UPDATE}; i_t decide cuánto del candidato se escribe.",
        en=f"the input gate is missing: {UPDATE}; i_t decides how much of the candidate is "
           "written.",
        wrong=_cell_state(lambda g, c_prev: g["f"] * c_prev + g["c"])),
    Mistake(
        "cell_forward.no_forget_gate", "lstm_cell_forward",
        es=f"falta la puerta de olvido: {UPDATE}; f_t decide cuánto de c_{{t-1}} se conserva.",
        en=f"the forget gate is missing: {UPDATE}; f_t decides how much of c_{{t-1}} is kept.",
        wrong=_cell_state(lambda g, c_prev: c_prev + g["i"] * g["c"])),
    Mistake(
        "cell_forward.no_candidate", "lstm_cell_forward",
        es=f"falta el candidato c̃_t: la puerta de entrada lo multiplica ({UPDATE}).",
        en=f"the candidate c̃_t is missing: the input gate multiplies it ({UPDATE}).",
        wrong=_cell_state(lambda g, c_prev: g["f"] * c_prev + g["i"])),
    Mistake(
        "cell_forward.gates_swapped", "lstm_cell_forward",
        es="intercambiaste las puertas: f_t multiplica a la memoria vieja c_{t-1} e i_t al "
           "candidato c̃_t.",
        en="you swapped the gates: f_t multiplies the old memory c_{t-1} and i_t the "
           "candidate c̃_t.",
        wrong=_cell_state(lambda g, c_prev: g["i"] * c_prev + g["f"] * g["c"])),
    Mistake(
        "cell_forward.ignores_c_prev", "lstm_cell_forward",
        es=f"no depende de c_prev: falta el término f_t ⊙ c_{{t-1}} de {UPDATE}.",
        en=f"it does not depend on c_prev: the term f_t ⊙ c_{{t-1}} of {UPDATE} is missing.",
        wrong=lambda o, x_t, h, c, p: {
            "c_next": o.cell_forward(x_t, h, np.zeros_like(c), p)[1]}),
    # h_next
    Mistake(
        "cell_forward.output_from_c_prev", "lstm_cell_forward",
        es=f"calculas la salida con la memoria vieja c_{{t-1}}; se usa la nueva: {OUTPUT}.",
        en=f"you compute the output from the old memory c_{{t-1}}; it uses the new one: "
           f"{OUTPUT}.",
        wrong=_cell_output(lambda g, c_next, c_prev: g["o"] * np.tanh(c_prev))),
    Mistake(
        "cell_forward.no_tanh_on_output", "lstm_cell_forward",
        es=f"falta tanh en la salida: {OUTPUT}, no o_t ⊙ c_t.",
        en=f"tanh is missing on the output: {OUTPUT}, not o_t ⊙ c_t.",
        wrong=_cell_output(lambda g, c_next, c_prev: g["o"] * c_next)),
    Mistake(
        "cell_forward.no_output_gate", "lstm_cell_forward",
        es=f"falta la puerta de salida: {OUTPUT}.", en=f"the output gate is missing: {OUTPUT}.",
        wrong=_cell_output(lambda g, c_next, c_prev: np.tanh(c_next))),
    # both
    Mistake(
        "cell_forward.h_c_swapped", "lstm_cell_forward",
        es="h_next y c_next están intercambiados: lstm_cell_forward devuelve "
           "(h_next, c_next, cache), en ese orden.",
        en="h_next and c_next are swapped: lstm_cell_forward returns (h_next, c_next, cache), "
           "in that order.",
        wrong=lambda o, x_t, h, c, p: dict(zip(("c_next", "h_next"),
                                               o.cell_forward(x_t, h, c, p), strict=True))),
]

FOLLOWS_C_NEXT = dict(
    es="es o_t ⊙ tanh(c_t) con tu c_next, que está mal: corrige c_next primero.",
    en="it is o_t ⊙ tanh(c_t) with your c_next, which is wrong: fix c_next first.")


def follows_wrong_c_next(o: Oracle, x_t: Array, h_prev: Array, c_prev: Array, params: Params,
                         c_next: Any) -> list[Variant]:
    """Not a mistake of h_next: h_next as the right output equation makes it from the
    student's own ``c_next``, when that is a numeric array of the right shape but wrong (so
    that h_next only follows the mistake of c_next); else no variant."""
    right = o.cell_forward(x_t, h_prev, c_prev, params)[1]
    own = as_numeric_array(c_next)
    if own is None or own.shape != right.shape or close(own, right):
        return []
    return [(o.gates(x_t, h_prev, params)["o"] * np.tanh(own), say(**FOLLOWS_C_NEXT))]


# ------------------------------------------------------------------------------ lstm_forward

def _last_state_everywhere(state: str) -> Mistake:
    """lstm_forward storing one array of ``state`` ("h" or "c") at every step and updating it
    in place, so that every stored state is the last one."""
    index = "hc".index(state)
    return Mistake(
        f"forward.last_{state}_everywhere", "lstm_forward", **_fill(
            es="todos los {s}_t valen lo mismo que el último, {s}_T: guardas el mismo arreglo en "
               "cada paso y lo modificas en su sitio (p. ej. con *= o +=); cada paso debe crear "
               "un arreglo nuevo.",
            en="every {s}_t equals the last one, {s}_T: you store the same array at every step "
               "and modify it in place (e.g. with *= or +=); each step must create a new array.",
            s=state),
        wrong=lambda o, x, h0, p, c0: {state: np.broadcast_to(
            o.forward(x, h0, p, c0)[index][-1], (len(x), *h0.shape))})


_FORWARD = [
    Mistake(
        "forward.ignores_h0", "lstm_forward",
        es="ignora h0: el primer paso empieza desde ceros en vez del estado oculto inicial dado.",
        en="it ignores h0: the first step starts from zeros instead of the given initial "
           "hidden state.",
        wrong=lambda o, x, h0, p, c0: _states(*o.forward(x, np.zeros_like(h0), p, c0))),
    Mistake(
        "forward.ignores_c0", "lstm_forward",
        es="ignora c0: el primer paso empieza con la memoria en ceros en vez del c0 dado "
           "(ceros solo cuando c0 es None).",
        en="it ignores c0: the first step starts from a zero cell state instead of the given "
           "c0 (zeros only when c0 is None).",
        wrong=lambda o, x, h0, p, c0: _states(*o.forward(x, h0, p, np.zeros_like(c0)))),
    Mistake(
        "forward.resets_c", "lstm_forward",
        es="la memoria vuelve a ceros en cada paso: cada paso debe recibir el c_t del paso "
           "anterior (c_{t-1}).",
        en="the cell state starts from zeros at every step: each step must receive the c_t of "
           "the step before (c_{t-1}).",
        wrong=lambda o, x, h0, p, c0: _states(*o.forward(
            x, h0, p, np.zeros_like(c0), every_c=np.zeros_like(c0)))),
    Mistake(
        "forward.h0_every_step", "lstm_forward",
        es="usa h0 en cada paso en vez del estado oculto del paso anterior, h_{t-1}.",
        en="it uses h0 at every step instead of the previous step's hidden state h_{t-1}.",
        wrong=lambda o, x, h0, p, c0: _states(*o.forward(x, h0, p, c0, every_h=h0))),
    Mistake(
        "forward.c0_every_step", "lstm_forward",
        es="usa c0 en cada paso en vez de la memoria del paso anterior, c_{t-1}.",
        en="it uses c0 at every step instead of the previous step's cell state c_{t-1}.",
        wrong=lambda o, x, h0, p, c0: _states(*o.forward(x, h0, p, c0, every_c=c0))),
    *(_last_state_everywhere(state) for state in "hc"),
    Mistake(
        "forward.h_c_swapped", "lstm_forward",
        es="h y c están intercambiados: lstm_forward devuelve (h, c, caches), en ese orden.",
        en="h and c are swapped: lstm_forward returns (h, c, caches), in that order.",
        wrong=lambda o, x, h0, p, c0: dict(zip("ch", o.forward(x, h0, p, c0), strict=True))),
]


# ------------------------------------------------ derivatives: lstm_cell_backward, lstm_backward
# Each is made in the cell's backward, and so in every step of the sequence's.

_DERIVATIVES = [  # (name, messages, the slopes taken)
    ("dc_prev_without_f", dict(
        es=f"a dc_prev le falta el producto con la puerta de olvido: como {UPDATE}, "
           "dc_prev = dc_t ⊙ f_t.",
        en=f"dc_prev is missing the product with the forget gate: since {UPDATE}, "
           "dc_prev = dc_t ⊙ f_t."),
     Slopes(memory=lambda f: 1.0)),
    ("no_dh_into_c", dict(
        es=f"a dc_t le falta lo que llega a través de h_t: {DC}.",
        en=f"dc_t is missing what arrives through h_t: {DC}."),
     Slopes(cell=lambda c, tanh_c: 0.0)),
    ("tanh_derivative_on_c", dict(
        es="tomas la derivada de tanh como 1 − c_t²; es 1 − tanh²(c_t), el cuadrado de "
           "tanh(c_t) y no el de c_t.",
        en="you take the derivative of tanh as 1 − c_t²; it is 1 − tanh²(c_t), the square of "
           "tanh(c_t), not of c_t."),
     Slopes(cell=lambda c, tanh_c: 1.0 - c**2)),
    ("no_tanh_derivative", dict(
        es=f"falta la derivada de tanh, (1 − tanh²(c_t)), al pasar dh_next a c_t: {DC}.",
        en="the derivative of tanh, (1 − tanh²(c_t)), is missing where dh_next passes to "
           f"c_t: {DC}."),
     Slopes(cell=lambda c, tanh_c: 1.0)),
    ("sigmoid_derivative_plus", dict(
        es="la derivada de la sigmoide es σ(1 − σ), no σ(1 + σ).",
        en="the derivative of the sigmoid is σ(1 − σ), not σ(1 + σ)."),
     Slopes(gate=lambda s: s * (1.0 + s))),
    ("sigmoid_derivative_as_tanh", dict(
        es="tomas la derivada de una puerta como 1 − σ², que es la de tanh; la de la sigmoide "
           "es σ(1 − σ).",
        en="you take a gate's derivative as 1 − σ², which is that of tanh; the sigmoid's is "
           "σ(1 − σ)."),
     Slopes(gate=lambda s: 1.0 - s**2)),
    ("candidate_derivative_as_sigmoid", dict(
        es="tomas la derivada del candidato como c̃_t(1 − c̃_t), la de una sigmoide; c̃_t usa "
           "tanh, cuya derivada es 1 − c̃_t².",
        en="you take the candidate's derivative as c̃_t(1 − c̃_t), that of a sigmoid; c̃_t uses "
           "tanh, whose derivative is 1 − c̃_t²."),
     Slopes(candidate=lambda c_tilde: c_tilde * (1.0 - c_tilde))),
    ("no_activation_derivatives", dict(
        es="faltan las derivadas de las activaciones: σ(1 − σ) en las puertas y 1 − c̃_t² en "
           "el candidato.",
        en="the derivatives of the activations are missing: σ(1 − σ) for the gates and "
           "1 − c̃_t² for the candidate."),
     Slopes(gate=lambda s: 1.0, candidate=lambda c_tilde: 1.0)),
    ("tanh_twice_on_c", dict(
        es="aplicas tanh dos veces en el backward: la caché ya guarda tanh(c_t), así que la "
           "derivada es 1 − tanh²(c_t), no 1 − tanh(tanh(c_t))².",
        en="tanh applied twice in the backward: the cache already holds tanh(c_t), so the "
           "derivative is 1 − tanh²(c_t), not 1 − tanh(tanh(c_t))²."),
     Slopes(cell=lambda c, tanh_c: 1.0 - np.tanh(tanh_c) ** 2)),
    ("tanh_twice_on_candidate", dict(
        es="aplicas tanh dos veces en el backward: c̃_t ya es la tanh de su preactivación, "
           "así que su derivada es 1 − c̃_t², no 1 − tanh(c̃_t)².",
        en="tanh applied twice in the backward: c̃_t is already the tanh of its "
           "pre-activation, so its derivative is 1 − c̃_t², not 1 − tanh(c̃_t)²."),
     Slopes(candidate=lambda c_tilde: 1.0 - np.tanh(c_tilde) ** 2)),
]

BIAS_AVERAGED = dict(
    es="promedias los gradientes de los sesgos sobre el lote (cada uno es exactamente el valor "
       "esperado / N): la pérdida suma los ejemplos, así que suma sobre el lote: "
       "db = da.sum(axis=1, keepdims=True).",
    en="you average the bias gradients over the batch (each is exactly the expected value / "
       "N): the loss adds up the examples, so sum over the batch instead: "
       "db = da.sum(axis=1, keepdims=True).")

_CELL_BACKWARD = [
    *(Mistake(f"cell_backward.{name}", "lstm_cell_backward", **messages,
              wrong=_cell_grads(slopes))
      for name, messages, slopes in _DERIVATIVES),
    Mistake(
        "cell_backward.no_dc_next", "lstm_cell_backward",
        es=f"falta dc_next, el gradiente que llega a c_t desde el paso t+1: {DC}.",
        en=f"dc_next is missing, the gradient reaching c_t from step t+1: {DC}.",
        wrong=lambda o, dh, dc, x_t, h, c, p: o.cell_backward(dh, np.zeros_like(dc), x_t, h, c,
                                                              p)),
    Mistake(
        "cell_backward.bias_averaged", "lstm_cell_backward", **BIAS_AVERAGED,
        wrong=lambda o, dh, dc, x_t, h, c, p: _averaged_bias(
            o.cell_backward(dh, dc, x_t, h, c, p), dh.shape[1])),
]


# ----------------------------------------------------------------------------- lstm_backward

def _caches_hold_last(*names: str) -> Mistake:
    """lstm_backward on caches whose previous states ``names`` ("h", "c") are all the last
    ones: lstm_forward kept one state array and overwrote it at every step."""
    return Mistake(
        f"backward.caches_hold_last_{'_and_'.join(names)}", "lstm_backward", **_fill(
            es="es lo que sale si la caché de cada paso guarda los últimos estados ({estados}) "
               "como estados anteriores: las cachés comparten arreglos de estado que los pasos "
               "siguientes sobrescriben (p. ej. h_t[:] = h_next o c_t[:] = c_next en "
               "lstm_forward); cada paso debe guardar arreglos nuevos (h_t = h_next).",
            en="it is what you get when every step's cache holds the last states ({states}) as "
               "its previous states: the caches share state arrays that later steps overwrite "
               "(e.g. h_t[:] = h_next or c_t[:] = c_next in lstm_forward); each step must keep "
               "new arrays (h_t = h_next).",
            estados=" y ".join(f"{n}_T" for n in names),
            states=" and ".join(f"{n}_T" for n in names)),
        wrong=_bptt(cached=lambda h, c: (_last_everywhere(h) if "h" in names else h[:-1],
                                         _last_everywhere(c) if "c" in names else c[:-1])))


def _initial_gradient_zero(state: str) -> Mistake:
    """lstm_backward returning zeros as the gradient of the initial ``state`` ("h" or "c")."""
    key = f"d{state}0"
    return Mistake(
        f"backward.{key}_zero", "lstm_backward", **_fill(
            es="{key} es todo ceros: es el d{s}_prev que devuelve el primer paso (t = 1), el "
               "último del bucle hacia atrás.",
            en="{key} is all zeros: it is the d{s}_prev returned by the first step (t = 1), the "
               "last one of the backward loop.", key=key, s=state),
        wrong=lambda o, dh, x, h0, p, c0: {key: np.zeros_like(h0)})


_BACKWARD = [
    Mistake(
        "backward.no_flow_through_c", "lstm_backward",
        es="no llega a c_t ningún gradiente desde el paso t+1: lstm_backward debe pasar el "
           "dc_prev del paso t+1 como dc_next del paso t (ceros solo en t = T), y "
           "lstm_cell_backward sumarlo a dc_t.",
        en="no gradient reaches c_t from step t+1: lstm_backward must pass the dc_prev of step "
           "t+1 as dc_next of step t (zeros only at t = T), and lstm_cell_backward must add it "
           "to dc_t.",
        wrong=_bptt(carry_c=False)),
    Mistake(
        "backward.no_flow_through_h", "lstm_backward",
        es="no fluye nada hacia atrás a través de h: el gradiente que llega a h_t es dh[t] más "
           "el dh_prev que devuelve el paso t+1.",
        en="nothing flows back through h: the gradient reaching h_t is dh[t] plus the dh_prev "
           "returned by step t+1.",
        wrong=_bptt(carry_h=False)),
    Mistake(
        "backward.assigns_param_grads", "lstm_backward",
        **SHARED["backward.assigns_param_grads"],
        wrong=_bptt(only_step=0)),  # the last step the backward loop visits
    Mistake(
        "backward.only_last_step_params", "lstm_backward",
        **SHARED["backward.only_last_step_params"],
        wrong=_bptt(only_step=-1)),
    Mistake(
        "backward.only_last_dh", "lstm_backward",
        **SHARED["backward.only_last_dh"],
        wrong=lambda o, dh, x, h0, p, c0: o.bptt(_only_last(dh), x, h0, p, c0)),
    _caches_hold_last("h", "c"),
    _caches_hold_last("h"),
    _caches_hold_last("c"),
    *(Mistake(f"backward.{name}", "lstm_backward", **messages, wrong=_bptt(slopes=slopes))
      for name, messages, slopes in _DERIVATIVES),
    Mistake(
        "backward.bias_averaged", "lstm_backward", **BIAS_AVERAGED,
        wrong=lambda o, dh, x, h0, p, c0: _averaged_bias(o.bptt(dh, x, h0, p, c0),
                                                         dh.shape[2])),
    *(_initial_gradient_zero(state) for state in "hc"),
    Mistake(
        "backward.dx_reversed", "lstm_backward",
        **SHARED["backward.dx_reversed"],
        wrong=lambda o, dh, x, h0, p, c0: {"dx": o.bptt(dh, x, h0, p, c0)["dx"][::-1]}),
]

MISTAKES = MistakeBook([
    *(mistake for function in GATES for mistake in _gate_mistakes(function)),
    *_CELL_FORWARD,
    *_FORWARD,
    *_CELL_BACKWARD,
    *_BACKWARD,
])
