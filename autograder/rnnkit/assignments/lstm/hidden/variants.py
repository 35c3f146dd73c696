"""Known wrong versions of the LSTM functions, so feedback can name the mistake a student made.

Each function returns what a typical mistaken implementation returns on the same inputs; the
hidden tests pass them to :func:`rnnkit.compare.explain_mismatch` as ``variants``. Everything is
plain numpy, written independently of the reference. Shapes follow the student contract: x_t
(D, N), h and c (H, N), sequences (T, D, N) and (T, H, N); W_f, W_i, W_c, W_o (H, H + D)
multiply [h_{t-1}; x_t] (h first), b_f, b_i, b_c, b_o are (H, 1).
"""

from __future__ import annotations

import numpy as np

from rnnkit.compare import Variant, close
from rnnkit.i18n import say

GATES = ("f", "i", "c", "o")  # forget, input, candidate C~, output
FUNCTION_OF = {"f": "forget_gate", "i": "input_gate", "c": "candidate", "o": "output_gate"}
PARAM_GRADS = tuple(f"d{kind}_{g}" for g in GATES for kind in ("W", "b"))

UPDATE = "c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t"
OUTPUT = "h_t = o_t ⊙ tanh(c_t)"
DC = "dc_t = dc_next + dh_next ⊙ o_t ⊙ (1 − tanh²(c_t))"


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def activation(gate: str):
    return np.tanh if gate == "c" else sigmoid


# ---------------------------------------------------------------------------------- the gates

def gate_variants(gate: str, x_t: np.ndarray, h_prev: np.ndarray, p: dict) -> list[Variant]:
    """Wrong values of one gate: the other activation, none, [x; h] concatenated, the bias
    missing or outside the activation, the weights, the bias or both of another gate."""
    act = activation(gate)
    act_name = "tanh" if gate == "c" else "σ"
    W, b = p[f"W_{gate}"], p[f"b_{gate}"]
    z = np.concatenate((h_prev, x_t))
    if gate == "c":
        other_activation = (sigmoid(W @ z + b), say(
            es="usa la sigmoide σ; el candidato c̃_t usa tanh, para poder proponer también "
               "valores negativos (entre −1 y 1) que bajen la memoria.",
            en="it uses the sigmoid σ; the candidate c̃_t uses tanh, so that it can also "
               "propose negative values (between −1 and 1) that lower the memory."))
    else:
        other_activation = (np.tanh(W @ z + b), say(
            es="usa tanh; una puerta usa la sigmoide σ, para que sus valores estén entre 0 (no "
               "deja pasar nada) y 1 (deja pasar todo).",
            en="it uses tanh; a gate uses the sigmoid σ, so that its values lie between 0 "
               "(lets nothing through) and 1 (lets everything through)."))
    variants = [
        other_activation,
        (W @ z + b, say(
            es="falta la activación: devuelves la preactivación W_{g} [h_{{t-1}}; x_t] + b_{g}; "
               "aplícale {act}.",
            en="the activation is missing: you return the pre-activation "
               "W_{g} [h_{{t-1}}; x_t] + b_{g}; apply {act} to it.", g=gate, act=act_name)),
        (act(W @ np.concatenate((x_t, h_prev)) + b), say(
            es="concatenaste [x_t; h_{{t-1}}], pero los pesos esperan [h_{{t-1}}; x_t], con h "
               "primero: las primeras H columnas de W_{g} multiplican a h_{{t-1}}.",
            en="you concatenated [x_t; h_{{t-1}}], but the weights expect [h_{{t-1}}; x_t], h "
               "first: the first H columns of W_{g} multiply h_{{t-1}}.", g=gate)),
        (act(W @ z), say(es="falta sumar el sesgo b_{g}.", en="the bias b_{g} is missing.",
                         g=gate)),
        (act(W @ z) + b, say(
            es="sumas el sesgo después de {act}; va dentro: {act}(W_{g} [h_{{t-1}}; x_t] + b_{g}).",
            en="you add the bias after {act}; it goes inside: {act}(W_{g} [h_{{t-1}}; x_t] + "
               "b_{g}).", g=gate, act=act_name)),
    ]
    for other in GATES:
        if other == gate:
            continue
        W_other, b_other = p[f"W_{other}"], p[f"b_{other}"]
        fields = dict(g=gate, o=other, fn=FUNCTION_OF[other])
        variants += [
            (act(W @ z + b_other), say(
                es="usa el sesgo b_{o}, el de `{fn}`; el de esta función es b_{g}.",
                en="it uses the bias b_{o}, that of `{fn}`; this function's bias is b_{g}.",
                **fields)),
            (act(W_other @ z + b), say(
                es="usa los pesos W_{o}, los de `{fn}`; los de esta función son W_{g}.",
                en="it uses the weights W_{o}, those of `{fn}`; this function's weights are "
                   "W_{g}.",
                **fields)),
            (act(W_other @ z + b_other), say(
                es="usa W_{o} y b_{o}, los parámetros de `{fn}`; esta función usa W_{g} y "
                   "b_{g}.",
                en="it uses W_{o} and b_{o}, the parameters of `{fn}`; this function uses W_{g} "
                   "and b_{g}.", **fields)),
        ]
    return variants


def gates(x_t: np.ndarray, h_prev: np.ndarray, p: dict) -> dict[str, np.ndarray]:
    """The four right gate values f, i, c (the candidate C~) and o."""
    z = np.concatenate((h_prev, x_t))
    return {g: activation(g)(p[f"W_{g}"] @ z + p[f"b_{g}"]) for g in GATES}


# ------------------------------------------------------------------------------ one step forward

def cell_c_variants(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                    p: dict) -> list[Variant]:
    """Wrong c_next values: a gate or the candidate left out of the update, the two gates
    swapped, c_prev ignored, h_next returned in its place."""
    g = gates(x_t, h_prev, p)
    c_next = g["f"] * c_prev + g["i"] * g["c"]
    return [
        (g["f"] * c_prev + g["c"], say(
            es="falta la puerta de entrada: {eq}; i_t decide cuánto del candidato se escribe.",
            en="the input gate is missing: {eq}; i_t decides how much of the candidate is "
               "written.", eq=UPDATE)),
        (c_prev + g["i"] * g["c"], say(
            es="falta la puerta de olvido: {eq}; f_t decide cuánto de c_{{t-1}} se conserva.",
            en="the forget gate is missing: {eq}; f_t decides how much of c_{{t-1}} is kept.",
            eq=UPDATE)),
        (g["f"] * c_prev + g["i"], say(
            es="falta el candidato c̃_t: la puerta de entrada lo multiplica ({eq}).",
            en="the candidate c̃_t is missing: the input gate multiplies it ({eq}).", eq=UPDATE)),
        (g["i"] * c_prev + g["f"] * g["c"], say(
            es="intercambiaste las puertas: f_t multiplica a la memoria vieja c_{t-1} e i_t al "
               "candidato c̃_t.",
            en="you swapped the gates: f_t multiplies the old memory c_{t-1} and i_t the "
               "candidate c̃_t.")),
        (g["i"] * g["c"], say(
            es="no depende de c_prev: falta el término f_t ⊙ c_{{t-1}} de {eq}.",
            en="it does not depend on c_prev: the term f_t ⊙ c_{{t-1}} of {eq} is missing.",
            eq=UPDATE)),
        (g["o"] * np.tanh(c_next), say(
            es="es h_next: lstm_cell_forward devuelve (h_next, c_next, cache), en ese orden.",
            en="it is h_next: lstm_cell_forward returns (h_next, c_next, cache), in that "
               "order.")),
    ]


def cell_h_variants(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, p: dict,
                    student_c: object = None) -> list[Variant]:
    """Wrong h_next values: from c_prev, without tanh, without the output gate, c_next returned
    in its place, or right but computed from the student's own wrong c_next."""
    g = gates(x_t, h_prev, p)
    c_next = g["f"] * c_prev + g["i"] * g["c"]
    variants = [
        (g["o"] * np.tanh(c_prev), say(
            es="calculas la salida con la memoria vieja c_{{t-1}}; se usa la nueva: {eq}.",
            en="you compute the output from the old memory c_{{t-1}}; it uses the new one: "
               "{eq}.", eq=OUTPUT)),
        (g["o"] * c_next, say(
            es="falta tanh en la salida: {eq}, no o_t ⊙ c_t.",
            en="tanh is missing on the output: {eq}, not o_t ⊙ c_t.", eq=OUTPUT)),
        (np.tanh(c_next), say(es="falta la puerta de salida: {eq}.",
                              en="the output gate is missing: {eq}.", eq=OUTPUT)),
        (c_next, say(
            es="es c_next: lstm_cell_forward devuelve (h_next, c_next, cache), en ese orden.",
            en="it is c_next: lstm_cell_forward returns (h_next, c_next, cache), in that "
               "order.")),
    ]
    if _is_state(student_c, c_next.shape) and not close(student_c, c_next):
        variants.append((g["o"] * np.tanh(np.asarray(student_c, dtype=float)), say(
            es="es o_t ⊙ tanh(c_t) con tu c_next, que está mal: corrige c_next primero.",
            en="it is o_t ⊙ tanh(c_t) with your c_next, which is wrong: fix c_next first.")))
    return variants


def own_gates_variants(own: tuple, x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                       p: dict) -> tuple[list[Variant], list[Variant]]:
    """(variants of c_next, variants of h_next): the cell's equations applied to ``own``, the
    values (f, i, C~, o) of the student's own gate functions, when those are wrong."""
    right = gates(x_t, h_prev, p)
    if all(close(value, right[g]) for value, g in zip(own, GATES, strict=True)):
        return [], []
    f, i, c_tilde, o = own
    c_next = f * c_prev + i * c_tilde
    wrong = [FUNCTION_OF[g] for value, g in zip(own, GATES, strict=True)
             if not close(value, right[g])]
    names = ", ".join(f"`{fn}`" for fn in wrong)

    def message(eq: str) -> str:
        if len(wrong) == 1:
            return say(es="sigue {eq} con los valores de tus puertas, pero {fns} no es correcta: "
                          "corrígela primero (mira sus pruebas).",
                       en="it follows {eq} with the values of your gates, but {fns} is not "
                          "right: fix it first (see its tests).", eq=eq, fns=names)
        return say(es="sigue {eq} con los valores de tus puertas, pero {fns} no son correctas: "
                      "corrígelas primero (mira sus pruebas).",
                   en="it follows {eq} with the values of your gates, but {fns} are not right: "
                      "fix them first (see their tests).", eq=eq, fns=names)

    return [(c_next, message(UPDATE))], [(o * np.tanh(c_next), message(OUTPUT))]


def own_cell_variant(value: np.ndarray) -> Variant:
    """The student's own lstm_cell_forward chained over the sequence (when that is wrong)."""
    return (value, say(
        es="es lo que da tu lstm_cell_forward paso a paso, pero lstm_cell_forward no es "
           "correcta: corrígela primero (mira sus pruebas).",
        en="it is what your lstm_cell_forward gives step by step, but lstm_cell_forward is not "
           "right: fix it first (see its tests)."))


# -------------------------------------------------------------------------- the sequence forward

def forward_variants(x: np.ndarray, h0: np.ndarray, c0: np.ndarray,
                     p: dict) -> tuple[list[Variant], list[Variant]]:
    """(variants of h, variants of c) of lstm_forward with a non-zero c0: h0 or c0 ignored, c
    reset to zeros at every step, h0 or c0 used at every step, h and c swapped."""
    zeros = np.zeros_like(h0)
    mistakes = [
        (dict(h0=zeros), say(
            es="ignora h0: el primer paso empieza desde ceros en vez del estado oculto inicial "
               "dado.",
            en="ignores h0: the first step starts from zeros instead of the given initial "
               "hidden state.")),
        (dict(c0=zeros), say(
            es="ignora c0: el primer paso empieza con la memoria en ceros en vez del c0 dado "
               "(ceros solo cuando c0 es None).",
            en="ignores c0: the first step starts from a zero cell state instead of the given "
               "c0 (zeros only when c0 is None).")),
        (dict(c0=zeros, every_c=zeros), say(
            es="la memoria vuelve a ceros en cada paso: cada paso debe recibir el c_t del paso "
               "anterior (c_{t-1}).",
            en="the cell state starts from zeros at every step: each step must receive the "
               "c_t of the step before (c_{t-1}).")),
        (dict(every_h=h0), say(
            es="usa h0 en cada paso en vez del estado oculto del paso anterior, h_{t-1}.",
            en="uses h0 at every step instead of the previous step's hidden state h_{t-1}.")),
        (dict(every_c=c0), say(
            es="usa c0 en cada paso en vez de la memoria del paso anterior, c_{t-1}.",
            en="uses c0 at every step instead of the previous step's cell state c_{t-1}.")),
    ]
    h_variants, c_variants = [], []
    for options, message in mistakes:
        start = {"h0": h0, "c0": c0, **options}
        h, c = run(x, start.pop("h0"), start.pop("c0"), p, **start)
        h_variants.append((h, message))
        c_variants.append((c, message))
    h, c = run(x, h0, c0, p)
    if len(x) > 1:
        for name, states, found in (("h", h, h_variants), ("c", c, c_variants)):
            found.append((np.repeat(states[-1:], len(x), axis=0), say(
                es="todos los {name}_t valen lo mismo que el último, {name}_T: guardas el mismo "
                   "arreglo en cada paso y lo modificas en su sitio (p. ej. con *= o +=); cada "
                   "paso debe crear un arreglo nuevo.",
                en="every {name}_t equals the last one, {name}_T: you store the same array at "
                   "every step and modify it in place (e.g. with *= or +=); each step must "
                   "create a new array.", name=name)))
    h_variants.append((c, say(
        es="son los estados de memoria c: lstm_forward devuelve (h, c, caches), en ese orden.",
        en="it holds the cell states c: lstm_forward returns (h, c, caches), in that order.")))
    c_variants.append((h, say(
        es="son los estados ocultos h: lstm_forward devuelve (h, c, caches), en ese orden.",
        en="it holds the hidden states h: lstm_forward returns (h, c, caches), in that order.")))
    return h_variants, c_variants


def run(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, p: dict, *,
        every_h: np.ndarray | None = None,
        every_c: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """h and c (T, H, N) of an LSTM whose steps after the first receive ``every_h`` /
    ``every_c`` (when given) instead of the previous step's states."""
    h, c, hs, cs = h0, c0, [], []
    for x_t in x:
        g = gates(x_t, h, p)
        c = g["f"] * c + g["i"] * g["c"]
        h = g["o"] * np.tanh(c)
        hs.append(h)
        cs.append(c)
        h = h if every_h is None else every_h
        c = c if every_c is None else every_c
    return np.stack(hs), np.stack(cs)


# ---------------------------------------------------------------------------- the backward passes

def cell_mistakes() -> dict[str, str]:
    """The mistakes of lstm_cell_backward that step_grads can make, each with its message."""
    return {
        "dc_prev_without_f": say(
            es="a dc_prev le falta el producto con la puerta de olvido: como {eq}, "
               "dc_prev = dc_t ⊙ f_t.",
            en="dc_prev is missing the product with the forget gate: since {eq}, "
               "dc_prev = dc_t ⊙ f_t.", eq=UPDATE),
        "no_dh_into_c": say(
            es="a dc_t le falta lo que llega a través de h_t: {eq}.",
            en="dc_t is missing what arrives through h_t: {eq}.", eq=DC),
        "no_dc_next": say(
            es="falta dc_next, el gradiente que llega a c_t desde el paso t+1: {eq}.",
            en="dc_next is missing, the gradient reaching c_t from step t+1: {eq}.", eq=DC),
        "tanh_derivative_on_c": say(
            es="tomas la derivada de tanh como 1 − c_t²; es 1 − tanh²(c_t), el cuadrado de "
               "tanh(c_t) y no el de c_t.",
            en="you take the derivative of tanh as 1 − c_t²; it is 1 − tanh²(c_t), the square of "
               "tanh(c_t), not of c_t."),
        "no_tanh_derivative": say(
            es="falta la derivada de tanh, (1 − tanh²(c_t)), al pasar dh_next a c_t: {eq}.",
            en="the derivative of tanh, (1 − tanh²(c_t)), is missing where dh_next passes to "
               "c_t: {eq}.", eq=DC),
        "sigmoid_derivative_plus": say(
            es="la derivada de la sigmoide es σ(1 − σ), no σ(1 + σ).",
            en="the derivative of the sigmoid is σ(1 − σ), not σ(1 + σ)."),
        "sigmoid_derivative_as_tanh": say(
            es="tomas la derivada de una puerta como 1 − σ², que es la de tanh; la de la sigmoide "
               "es σ(1 − σ).",
            en="you take a gate's derivative as 1 − σ², which is that of tanh; the sigmoid's is "
               "σ(1 − σ)."),
        "candidate_derivative_as_sigmoid": say(
            es="tomas la derivada del candidato como c̃_t(1 − c̃_t), la de una sigmoide; c̃_t usa "
               "tanh, cuya derivada es 1 − c̃_t².",
            en="you take the candidate's derivative as c̃_t(1 − c̃_t), that of a sigmoid; c̃_t uses "
               "tanh, whose derivative is 1 − c̃_t²."),
        "no_activation_derivatives": say(
            es="faltan las derivadas de las activaciones: σ(1 − σ) en las puertas y 1 − c̃_t² en "
               "el candidato.",
            en="the derivatives of the activations are missing: σ(1 − σ) for the gates and "
               "1 − c̃_t² for the candidate."),
        "tanh_twice_on_c": say(
            es="aplicas tanh dos veces en el backward: la caché ya guarda tanh(c_t), así que la "
               "derivada es 1 − tanh²(c_t), no 1 − tanh(tanh(c_t))².",
            en="tanh applied twice in the backward: the cache already holds tanh(c_t), so the "
               "derivative is 1 − tanh²(c_t), not 1 − tanh(tanh(c_t))²."),
        "tanh_twice_on_candidate": say(
            es="aplicas tanh dos veces en el backward: c̃_t ya es la tanh de su preactivación, "
               "así que su derivada es 1 − c̃_t², no 1 − tanh(c̃_t)².",
            en="tanh applied twice in the backward: c̃_t is already the tanh of its "
               "pre-activation, so its derivative is 1 − c̃_t², not 1 − tanh(c̃_t)²."),
        "bias_averaged": say(
            es="promedias los gradientes de los sesgos sobre el lote (cada uno es exactamente el "
               "valor esperado / N): la pérdida suma los ejemplos, así que suma sobre el lote: "
               "db = da.sum(axis=1, keepdims=True).",
            en="you average the bias gradients over the batch (each is exactly the expected "
               "value / N): the loss adds up the examples, so sum over the batch instead: "
               "db = da.sum(axis=1, keepdims=True)."),
    }


def cell_backward_variants(dh: np.ndarray, dc: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray,
                           c_prev: np.ndarray, p: dict) -> dict[str, list[Variant]]:
    """Wrong gradients of lstm_cell_backward, per key (only where they differ from the right
    ones)."""
    step = _step(x_t, h_prev, c_prev, p)
    right = step_grads(dh, dc, step)
    variants: dict[str, list[Variant]] = {key: [] for key in right}
    for mistake, message in cell_mistakes().items():
        for key, value in step_grads(dh, dc, step, mistake).items():
            if not close(value, right[key]):
                variants[key].append((value, message))
    return variants


def backward_variants(dh: np.ndarray, x: np.ndarray, h0: np.ndarray, c0: np.ndarray,
                      p: dict) -> dict[str, list[Variant]]:
    """Wrong gradients of lstm_backward, per key (only where they differ from the right ones):
    nothing carried back through c or through h, parameter gradients assigned instead of
    accumulated, caches whose previous states are all the last ones (state arrays shared and
    overwritten by lstm_forward), dh0 or dc0 left at zeros, dx reversed in time, and every
    mistake of the cell backward carried through BPTT."""
    right = bptt(dh, x, h0, c0, p)
    mistakes = [
        (dict(carry_c=False), say(
            es="no llega a c_t ningún gradiente desde el paso t+1: lstm_backward debe pasar el "
               "dc_prev del paso t+1 como dc_next del paso t (ceros solo en t = T), y "
               "lstm_cell_backward sumarlo a dc_t.",
            en="no gradient reaches c_t from step t+1: lstm_backward must pass the dc_prev of "
               "step t+1 as dc_next of step t (zeros only at t = T), and lstm_cell_backward "
               "must add it to dc_t.")),
        (dict(carry_h=False), say(
            es="no fluye nada hacia atrás a través de h: el gradiente que llega a h_t es dh[t] "
               "más el dh_prev que devuelve el paso t+1.",
            en="nothing flows back through h: the gradient reaching h_t is dh[t] plus the "
               "dh_prev returned by step t+1.")),
        (dict(accumulate=False), say(
            es="asignas los gradientes de los parámetros en cada paso en vez de acumularlos "
               "(+=) sobre todos los pasos: los parámetros se comparten en el tiempo.",
            en="you assign the parameter gradients at each step instead of accumulating them "
               "(+=) over all steps: the parameters are shared over time.")),
        *((dict(stale=states), say(
            es="es lo que sale si la caché de cada paso guarda los últimos estados ({names}) "
               "como estados anteriores: las cachés comparten arreglos de estado que los pasos "
               "siguientes sobrescriben (p. ej. h_t[:] = h_next o c_t[:] = c_next en "
               "lstm_forward); cada paso debe guardar arreglos nuevos (h_t = h_next).",
            en="it is what you get when every step's cache holds the last states ({names}) as "
               "its previous states: the caches share state arrays that later steps overwrite "
               "(e.g. h_t[:] = h_next or c_t[:] = c_next in lstm_forward); each step must keep "
               "new arrays (h_t = h_next).", names=" and ".join(f"{s}_T" for s in states)))
          for states in (("h", "c"), ("h",), ("c",))),
        *((dict(mistake=m), message) for m, message in cell_mistakes().items()
          if m != "no_dc_next"),  # the same values as carry_c=False
    ]
    variants: dict[str, list[Variant]] = {key: [] for key in right}
    for options, message in mistakes:
        for key, value in bptt(dh, x, h0, c0, p, **options).items():
            variants[key].append((value, message))
    for key, name in (("dh0", "dh_prev"), ("dc0", "dc_prev")):
        variants[key].append((np.zeros_like(h0), say(
            es="{key} es todo ceros: es el {name} que devuelve el primer paso (t = 1), el último "
               "del bucle hacia atrás.",
            en="{key} is all zeros: it is the {name} returned by the first step (t = 1), the "
               "last one of the backward loop.", key=key, name=name)))
    variants["dx"].append((right["dx"][::-1], say(
        es="dx está en orden inverso en el tiempo: guarda el gradiente del paso t en dx[t].",
        en="dx is reversed in time: store the gradient of step t in dx[t].")))
    # Only the wrong values that differ from the right ones: dx reversed is right when T = 1,
    # and saturated states may make the right dh0, dc0 or dx all zeros.
    return {key: [(value, message) for value, message in found if not close(value, right[key])]
            for key, found in variants.items()}


def bptt(dh: np.ndarray, x: np.ndarray, h0: np.ndarray, c0: np.ndarray, p: dict, *,
         mistake: str | None = None, carry_h: bool = True, carry_c: bool = True,
         accumulate: bool = True, stale: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """BPTT of sum(h * dh) with a few mistakes switchable; ``stale`` names the previous states
    ("h", "c") that every step's cache holds as the last ones, h_T and c_T."""
    steps, h, c = [], h0, c0
    for x_t in x:
        step = _step(x_t, h, c, p)
        steps.append(step)
        h, c = step["h"], step["c"]
    for step, x_t in zip(steps, x, strict=True):
        if "h" in stale:
            step["z"] = np.concatenate((h, x_t))
        if "c" in stale:
            step["c_prev"] = c
    grads = {key: np.zeros_like(p[key[1:]]) for key in PARAM_GRADS}
    dx = np.zeros_like(x)
    dh_carry = dc_carry = np.zeros_like(h0)
    for t in reversed(range(len(x))):
        step_g = step_grads(dh[t] + (dh_carry if carry_h else 0.0),
                            dc_carry if carry_c else np.zeros_like(h0), steps[t], mistake)
        dx[t] = step_g["dx_t"]
        for key in PARAM_GRADS:
            grads[key] = grads[key] + step_g[key] if accumulate else step_g[key]
        dh_carry, dc_carry = step_g["dh_prev"], step_g["dc_prev"]
    return {"dx": dx, "dh0": dh_carry, "dc0": dc_carry, **grads}


def step_grads(dh: np.ndarray, dc_next: np.ndarray, step: dict,
               mistake: str | None = None) -> dict[str, np.ndarray]:
    """The gradients of one step (the keys of lstm_cell_backward), with one mistake or none."""
    f, i, ct, o, c = step["f"], step["i"], step["c_tilde"], step["o"], step["c"]
    tanh_c = np.tanh(c)
    slope = {"tanh_derivative_on_c": 1.0 - c**2, "no_tanh_derivative": 1.0,
             "tanh_twice_on_c": 1.0 - np.tanh(tanh_c) ** 2}.get(mistake, 1.0 - tanh_c**2)
    through_h = 0.0 if mistake == "no_dh_into_c" else dh * o * slope
    dc = (0.0 if mistake == "no_dc_next" else dc_next) + through_h

    def sigmoid_slope(s: np.ndarray):
        return {"sigmoid_derivative_plus": s * (1.0 + s),
                "sigmoid_derivative_as_tanh": 1.0 - s**2,
                "no_activation_derivatives": 1.0}.get(mistake, s * (1.0 - s))

    candidate_slope = {"candidate_derivative_as_sigmoid": ct * (1.0 - ct),
                       "no_activation_derivatives": 1.0,
                       "tanh_twice_on_candidate": 1.0 - np.tanh(ct) ** 2,
                       }.get(mistake, 1.0 - ct**2)
    da = {"f": dc * step["c_prev"] * sigmoid_slope(f), "i": dc * ct * sigmoid_slope(i),
          "c": dc * i * candidate_slope, "o": dh * tanh_c * sigmoid_slope(o)}
    z, p = step["z"], step["p"]
    grads, dz = {}, np.zeros_like(z)
    for g in GATES:
        grads[f"dW_{g}"] = da[g] @ z.T
        total = da[g].sum(axis=1, keepdims=True)
        grads[f"db_{g}"] = total / da[g].shape[1] if mistake == "bias_averaged" else total
        dz = dz + p[f"W_{g}"].T @ da[g]
    H = f.shape[0]
    grads["dh_prev"], grads["dx_t"] = dz[:H], dz[H:]
    grads["dc_prev"] = dc if mistake == "dc_prev_without_f" else dc * f
    return grads


def _step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, p: dict) -> dict:
    g = gates(x_t, h_prev, p)
    c = g["f"] * c_prev + g["i"] * g["c"]
    return {"f": g["f"], "i": g["i"], "c_tilde": g["c"], "o": g["o"], "c": c,
            "h": g["o"] * np.tanh(c), "c_prev": c_prev, "z": np.concatenate((h_prev, x_t)),
            "p": p}


def _is_state(value: object, shape: tuple[int, ...]) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.shape == shape
