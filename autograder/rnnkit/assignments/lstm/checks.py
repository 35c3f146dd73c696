"""Public checks of the LSTM notebook: quick, friendly feedback while the student works.

Each ``check_*`` function runs the student's code on small fixed inputs and prints one line per
checked quantity: ``✓`` and what was checked, or ``✗`` and why it is wrong, in the student's
language, then a one-line summary. It never raises: an exception in the student's code becomes a
``✗`` line (see :mod:`rnnkit.checks.feedback`, which the RNN checks share). The explanations come
from :mod:`rnnkit.compare`, the layer the hidden suites use.

The reference is PyTorch in float64 (the course's solution is not shipped to students): the
LSTM equations written in torch for values, torch autograd for gradients and ``torch.nn.LSTM``
for the PyTorch-layout exercise. Known mistakes (a gate computed with tanh, [x; h] in the wrong
order, a gradient that does not flow back through c, ...) are computed too and passed to
:func:`rnnkit.compare.explain_mismatch` as ``variants``, so that a match names the mistake.

Every gradient is also compared with finite differences of the student's *own* forward pass
(:func:`rnnkit.gradcheck.numerical_gradient`): a gradient that is wrong against torch but right
for the student's forward means the forward is what must be fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from rnnkit.checks.feedback import (
    OwnGradients,
    Report,
    Verdict,
    fresh,
    known_mistake,
    snapshot,
    untouched,
    values_ok,
)

# A short name keeps the torch oracle's formulas readable.
from rnnkit.checks.feedback import to_torch as _t
from rnnkit.compare import as_numeric_array, describe_kind, explain_mismatch
from rnnkit.gradcheck import relative_error
from rnnkit.i18n import say

__all__ = [
    "check_forget_gate",
    "check_input_gate",
    "check_candidate",
    "check_output_gate",
    "check_lstm_cell_forward",
    "check_lstm_forward",
    "check_lstm_cell_backward",
    "check_lstm_backward",
    "check_to_torch_layout",
]

GATES = ("f", "i", "c", "o")  # forget, input, candidate c~, output
PARAM_KEYS = tuple(f"{kind}_{gate}" for gate in GATES for kind in ("W", "b"))
CELL_GRAD_KEYS = ("dx_t", "dh_prev", "dc_prev", *(f"d{k}" for k in PARAM_KEYS))
SEQ_GRAD_KEYS = ("dx", "dh0", "dc0", *(f"d{k}" for k in PARAM_KEYS))
TORCH_ORDER = ("i", "f", "c", "o")  # torch stacks i, f, g, o; its g is our candidate c~
TORCH_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")

# Sizes of the check inputs, all different, so a transposed array or a swapped [x; h] shows.
T, D, H, N = 5, 3, 4, 2

# A gradient agrees with the finite differences of a forward below this relative error; a
# correct LSTM backward is at about 1e-9 on these inputs, real mistakes above 1e-3.
GRAD_TOL = 1e-6


# ----------------------------------------------------------------------------------------------
# Public checks
# ----------------------------------------------------------------------------------------------

def check_forget_gate(forget_gate: Callable) -> None:
    """Check ``forget_gate(x_t, h_prev, params)``, f_t, and print a report."""
    _check_gate("f", forget_gate)


def check_input_gate(input_gate: Callable) -> None:
    """Check ``input_gate(x_t, h_prev, params)``, i_t, and print a report."""
    _check_gate("i", input_gate)


def check_candidate(candidate: Callable) -> None:
    """Check ``candidate(x_t, h_prev, params)``, c~_t, and print a report."""
    _check_gate("c", candidate)


def check_output_gate(output_gate: Callable) -> None:
    """Check ``output_gate(x_t, h_prev, params)``, o_t, and print a report."""
    _check_gate("o", output_gate)


def check_lstm_cell_forward(lstm_cell_forward: Callable) -> None:
    """Check ``lstm_cell_forward(x_t, h_prev, c_prev, params) -> (h_next, c_next, cache)``."""
    triple = "(h_next, c_next, cache)"
    report = Report("lstm_cell_forward", [triple, "c_next", "h_next", untouched(),
                                          "c_next (N = 1)", "h_next (N = 1)"])
    for n in (N, 1):
        c_item, h_item = ("c_next", "h_next") if n == N else ("c_next (N = 1)", "h_next (N = 1)")
        p = _problem(steps=1, n=n, seed=10 + n)
        x_t, h_prev, c_prev, params = p["x"][0], p["h0"], p["c0"], p["params"]
        args = snapshot(x_t=x_t, h_prev=h_prev, c_prev=c_prev, params=params)
        first_item = triple if n == N else c_item
        ok, result = report.call(first_item, lstm_cell_forward, *args.values())
        if not ok or not _expect_triple(report, result, triple, item=first_item, say_ok=n == N):
            break
        h_ref, c_ref = _torch_cell_forward(x_t, h_prev, c_prev, params)
        c_variants, h_variants = _cell_forward_variants(x_t, h_prev, c_prev, params, result[1])
        report.compare(values_ok("c_next", c_ref.shape, n=n), "c_next", result[1], c_ref,
                       item=c_item, variants=c_variants)
        report.compare(values_ok("h_next", h_ref.shape, n=n), "h_next", result[0], h_ref,
                       item=h_item, variants=h_variants)
        if n == N:
            report.unchanged(dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, params=params), args)
        if report.failed:  # the second case would only repeat the diagnosis
            break
    report.summary()


def check_lstm_forward(lstm_forward: Callable) -> None:
    """Check ``lstm_forward(x, h0, params, c0=None) -> (h, c, caches)``, with a non-zero c0 and
    (on a one-step sequence) with c0 left out."""
    triple = "(h, c, caches)"
    without_c0 = ("h (T = 1, N = 1, c0 = None)", "c (T = 1, N = 1, c0 = None)")
    report = Report("lstm_forward", [triple, "h", "c", untouched(), *without_c0])
    for steps, n, give_c0 in ((T, N, True), (1, 1, False)):
        items = ("h", "c") if give_c0 else without_c0
        p = _problem(steps=steps, n=n, seed=20 + steps)
        args = snapshot(x=p["x"], h0=p["h0"], params=p["params"], c0=p["c0"])
        first_item = triple if give_c0 else items[0]
        if give_c0:
            ok, result = report.call(first_item, lstm_forward, args["x"], args["h0"],
                                     args["params"], c0=args["c0"])
        else:
            ok, result = report.call(first_item, lstm_forward, args["x"], args["h0"],
                                     args["params"])
        if not ok or not _expect_triple(report, result, triple, item=first_item,
                                        say_ok=give_c0):
            break
        c0 = p["c0"] if give_c0 else np.zeros_like(p["h0"])
        h_ref, c_ref = _torch_sequence_forward(p["x"], p["h0"], c0, p["params"])
        h_zero, c_zero = _torch_sequence_forward(p["x"], p["h0"], 0 * c0, p["params"])
        ignored = say(
            es="coincide con empezar desde c0 = 0: usa el c0 que recibes (empieza con ceros "
               "solo si c0 es None).",
            en="it matches starting from c0 = 0: use the c0 you receive (start from zeros only "
               "when c0 is None).")
        swapped = say(es="el orden de lo que se devuelve es (h, c, caches).",
                      en="the order of what is returned is (h, c, caches).")
        c0_text = say(es="con c0 distinto de cero", en="with a non-zero c0") if give_c0 else say(
            es="sin pasar c0 (c0 = ceros)", en="without passing c0 (c0 = zeros)")
        outputs = (
            ("h", result[0], h_ref, [(h_zero, ignored), (c_ref, swapped)] if give_c0 else []),
            ("c", result[1], c_ref, [(c_zero, ignored), (h_ref, swapped)] if give_c0 else []),
        )
        verdicts = []
        for item, (name, got, ref, variants) in zip(items, outputs, strict=True):
            problem = _sequence_shape_hint(name, got, ref.shape) or explain_mismatch(
                name, got, ref, variants=variants, time_axis=0)
            verdicts.append(Verdict(item, False, problem, known_mistake(name, problem, variants))
                            if problem else Verdict(item, True, say(
                es="{name}: forma {shape} ({name}_1 … {name}_T) y valores correctos en todos "
                   "los pasos, {c0} (T = {t}, N = {n})",
                en="{name}: shape {shape} ({name}_1 … {name}_T) and correct values at every "
                   "step, {c0} (T = {t}, N = {n})",
                name=name, shape=ref.shape, c0=c0_text, t=steps, n=n)))
        report.verdicts(verdicts)  # h and c ignoring c0 alike share one line
        if give_c0:
            report.unchanged(dict(x=p["x"], h0=p["h0"], params=p["params"], c0=p["c0"]), args)
        if report.failed:  # the second case would only repeat the diagnosis
            break
    report.summary()


def check_lstm_cell_backward(lstm_cell_forward: Callable, lstm_cell_backward: Callable) -> None:
    """Check ``lstm_cell_backward(dh_next, dc_next, cache) -> grads`` (the cache comes from the
    student's ``lstm_cell_forward``) against torch autograd and a numerical gradient check."""
    forward = "lstm_cell_forward"  # the notebook's name, whatever the function passed
    report = Report("lstm_cell_backward", [forward, "grads", *CELL_GRAD_KEYS, untouched()])
    p = _problem(steps=1, n=N, seed=30)
    x_t, h_prev, c_prev, params = p["x"][0], p["h0"], p["c0"], p["params"]
    dh_next, dc_next = p["dh"][0], p["dc"]
    inputs = dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, params=params)
    args = snapshot(**inputs)  # the student gets copies; the originals stay pristine
    upstream = snapshot(dh_next=dh_next, dc_next=dc_next)

    ok, result = report.call(forward, lstm_cell_forward, *args.values())
    if not ok or not _expect_triple(report, result, "(h_next, c_next, cache)", item=forward,
                                    say_ok=False):
        report.summary()
        return
    h_ref, c_ref = _torch_cell_forward(x_t, h_prev, c_prev, params)
    _forward_used(report, getattr(lstm_cell_forward, "__name__", forward), forward,
                  [("h_next", result[0], h_ref, None), ("c_next", result[1], c_ref, None)])

    ok, grads = report.call("grads", lstm_cell_backward, *upstream.values(), result[2])
    if ok and report.expect_dict("grads", grads, CELL_GRAD_KEYS):
        expected = _torch_cell_grads(p)
        variants = _cell_backward_variants(p, expected)

        def own_forward(a: dict[str, Any]) -> np.ndarray:
            h_next, c_next, _ = lstm_cell_forward(*a.values())
            return np.concatenate((h_next, c_next))  # both receive an upstream gradient

        own = OwnGradients(own_forward, inputs, np.concatenate((dh_next, dc_next)))
        report.verdicts([_gradient_verdict(key, grads[key], expected[key], variants[key], own)
                         for key in CELL_GRAD_KEYS])
        report.unchanged({**inputs, "dh_next": dh_next, "dc_next": dc_next},
                         {**args, **upstream})
    report.summary()


def check_lstm_backward(lstm_forward: Callable, lstm_backward: Callable) -> None:
    """Check ``lstm_backward(dh, caches) -> grads`` (the caches come from the student's
    ``lstm_forward``, run with a non-zero c0) against torch autograd and a numerical gradient
    check."""
    forward = "lstm_forward"  # the notebook's name, whatever the function passed
    report = Report("lstm_backward", [forward, "grads", *SEQ_GRAD_KEYS, untouched()])
    p = _problem(steps=T, n=N, seed=40)
    inputs = dict(x=p["x"], h0=p["h0"], params=p["params"], c0=p["c0"])
    args = snapshot(**inputs)  # the student gets copies; the originals stay pristine
    dh = fresh(p["dh"])

    ok, result = report.call(forward, lstm_forward, args["x"], args["h0"], args["params"],
                             c0=args["c0"])
    if not ok or not _expect_triple(report, result, "(h, c, caches)", item=forward,
                                    say_ok=False):
        report.summary()
        return
    h_ref, c_ref = _torch_sequence_forward(p["x"], p["h0"], p["c0"], p["params"])
    _forward_used(report, getattr(lstm_forward, "__name__", forward), forward,
                  [("h", result[0], h_ref, 0), ("c", result[1], c_ref, 0)])

    ok, grads = report.call("grads", lstm_backward, dh, result[2])
    if ok and report.expect_dict("grads", grads, SEQ_GRAD_KEYS):
        expected = _torch_sequence_grads(p)
        variants = _sequence_backward_variants(p, expected)
        own = OwnGradients(lambda a: lstm_forward(a["x"], a["h0"], a["params"], c0=a["c0"])[0],
                           inputs, p["dh"])
        report.verdicts([_gradient_verdict(key, grads[key], expected[key], variants[key], own,
                                           time_axis=0 if key == "dx" else None)
                         for key in SEQ_GRAD_KEYS])
        report.unchanged({**inputs, "dh": p["dh"]}, {**args, "dh": dh})
    report.summary()


def check_to_torch_layout(to_torch_layout: Callable, lstm_forward: Callable) -> None:
    """Check ``to_torch_layout(params)``: its four arrays, loaded into ``torch.nn.LSTM``, must
    give the reference h, and the student's own ``lstm_forward`` must agree with that module."""
    packed_name, bias_sum = "to_torch_layout(params)", "bias_ih_l0 + bias_hh_l0"
    torch_h, own_h = "h (torch.nn.LSTM)", "h (lstm_forward)"
    report = Report("to_torch_layout", [packed_name, *TORCH_KEYS[:2], bias_sum, torch_h, own_h,
                                        untouched()])
    p = _problem(steps=T, n=N, seed=50)
    params = p["params"]
    args = snapshot(params=params)
    ok, packed = report.call(packed_name, to_torch_layout, args["params"])
    if not ok or not report.expect_dict(packed_name, packed, TORCH_KEYS):
        report.summary()
        return

    right = _pack(params)
    orders = [(order, say(
        es="las puertas están en el orden {order}; PyTorch las apila como i, f, g, o (g es el "
           "candidato c̃).",
        en="the gates are in the order {order}; PyTorch stacks them as i, f, g, o (g is the "
           "candidate c̃).", order=", ".join(order).replace("c", "g")))
        for order in (("f", "i", "c", "o"), ("i", "f", "o", "c"), ("f", "i", "o", "c"))]
    shapes_ok = True
    for key in TORCH_KEYS:
        got = packed[key]
        arr = as_numeric_array(got)
        weight = key.startswith("weight")
        if arr is None or arr.shape != right[key].shape:
            if weight or bias_sum not in report.results:  # the biases share one item, one line
                report.fail(_torch_shape_problem(key, got, right[key]),
                            key if weight else bias_sum)
            shapes_ok = False
        elif weight:  # any split of b between the two biases is right
            variants = [(_pack(params, order)[key], message) for order, message in orders]
            report.compare(values_ok(key, right[key].shape), key, got, right[key],
                           variants=variants)
    if shapes_ok:
        bias = np.asarray(packed["bias_ih_l0"], float) + np.asarray(packed["bias_hh_l0"], float)
        report.compare(
            say(es="bias_ih_l0 + bias_hh_l0 es [b_i; b_f; b_c; b_o]",
                en="bias_ih_l0 + bias_hh_l0 is [b_i; b_f; b_c; b_o]"),
            bias_sum, bias, right["bias_ih_l0"],
            variants=[(2 * right["bias_ih_l0"], say(
                es="PyTorch suma los dos sesgos, así que b cuenta dos veces: pon b en uno y "
                   "ceros en el otro.",
                en="PyTorch adds the two biases, so b counts twice: put b in one and zeros in "
                   "the other.")),
                *((_pack(params, order)["bias_ih_l0"], message) for order, message in orders)])
        h_torch = _torch_lstm_module(packed, p)
        h_ref, _ = _torch_sequence_forward(p["x"], p["h0"], p["c0"], params)
        torch_ok = report.compare(
            say(es="torch.nn.LSTM con tus pesos da el h correcto",
                en="torch.nn.LSTM with your weights gives the right h"),
            torch_h, h_torch, h_ref, time_axis=0)
        ok, result = (False, None)
        if torch_ok:  # only then is the module a fair yardstick for the student's forward
            ok, result = report.call(own_h, lstm_forward, fresh(p["x"]), fresh(p["h0"]),
                                     fresh(params), c0=fresh(p["c0"]))
        if ok and _expect_triple(report, result, "(h, c, caches)", item=own_h, say_ok=False):
            report.compare(
                say(es="tu lstm_forward y torch.nn.LSTM dan el mismo h",
                    en="your lstm_forward and torch.nn.LSTM give the same h"),
                own_h, result[0], h_torch, time_axis=0)
    report.unchanged(dict(params=params), args)
    report.summary()


def _torch_shape_problem(key: str, got: Any, expected: np.ndarray) -> str:
    """Why ``got`` cannot be torch.nn.LSTM's ``key``: its kind or shape, and where each
    array of the layout comes from."""
    arr = as_numeric_array(got)
    problem = explain_mismatch(key, got, expected) if arr is None else say(
        es="`{key}` tiene forma {got} pero debería tener forma {expected}.",
        en="`{key}` has shape {got} but should have shape {expected}.",
        key=key, got=arr.shape, expected=expected.shape)
    if key.startswith("weight"):
        return problem + say(
            es=" weight_ih_l0 multiplica a x_t (las últimas D columnas de cada W_*) y "
               "weight_hh_l0 a h_{t-1} (las primeras H columnas).",
            en=" weight_ih_l0 multiplies x_t (the last D columns of each W_*) and "
               "weight_hh_l0 multiplies h_{t-1} (the first H columns).")
    return problem + say(es=" En PyTorch cada sesgo es un vector de forma (4H,).",
                         en=" In PyTorch each bias is a vector of shape (4H,).")


# ----------------------------------------------------------------------------------------------
# The four gates
# ----------------------------------------------------------------------------------------------

GATE_INFO = {  # gate: (function, name of its value, activation)
    "f": ("forget_gate", "f_t", "σ"),
    "i": ("input_gate", "i_t", "σ"),
    "c": ("candidate", "c_tilde", "tanh"),
    "o": ("output_gate", "o_t", "σ"),
}


def _check_gate(gate: str, fn: Callable) -> None:
    """Check one gate function (``gate`` is f, i, c or o) at N examples, then at 1."""
    function, name, _ = GATE_INFO[gate]
    one_example = f"{name} (N = 1)"
    report = Report(function, [name, untouched(), one_example])
    for n in (N, 1):
        item = name if n == N else one_example
        p = _problem(steps=1, n=n, seed=n)
        x_t, h_prev, params = p["x"][0], p["h0"], p["params"]
        args = snapshot(x_t=x_t, h_prev=h_prev, params=params)
        ok, got = report.call(item, fn, *args.values())
        if not ok:
            break
        expected = _torch_gates(x_t, h_prev, params)[gate]
        report.compare(values_ok(name, expected.shape, n=n), name, got, expected, item=item,
                       variants=_gate_variants(gate, x_t, h_prev, params))
        if n == N:
            report.unchanged(dict(x_t=x_t, h_prev=h_prev, params=params), args)
        if report.failed:  # the second case would only repeat the diagnosis
            break
    report.summary()


def _gate_variants(gate: str, x_t, h_prev, params) -> list[tuple[np.ndarray, str]]:
    """The gate's value under known mistakes, each with the message naming it."""
    right, wrong = (np.tanh, _sigmoid) if gate == "c" else (_sigmoid, np.tanh)
    activation = GATE_INFO[gate][2]
    W, b = params[f"W_{gate}"], params[f"b_{gate}"]
    z = np.concatenate((h_prev, x_t))
    if gate == "c":
        wrong_activation = say(
            es="usa la sigmoide σ; el candidato c̃_t usa tanh para poder proponer valores "
               "negativos (entre -1 y 1), que bajan la memoria además de subirla.",
            en="it uses the sigmoid σ; the candidate c̃_t uses tanh so that it can propose "
               "negative values (between -1 and 1), which lower the memory as well as raise it.")
    else:
        wrong_activation = say(
            es="usa tanh; una puerta usa la sigmoide σ, cuyos valores van de 0 (no deja pasar "
               "nada) a 1 (deja pasar todo).",
            en="it uses tanh; a gate uses the sigmoid σ, whose values go from 0 (lets nothing "
               "through) to 1 (lets everything through).")
    variants = [
        (wrong(W @ z + b), wrong_activation),
        (right(W @ np.concatenate((x_t, h_prev)) + b), say(
            es="concatenaste [x_t; h_{{t-1}}], pero los pesos esperan [h_{{t-1}}; x_t], con h "
               "primero: las primeras H columnas de W_{gate} multiplican a h_{{t-1}}.",
            en="you concatenated [x_t; h_{{t-1}}], but the weights expect [h_{{t-1}}; x_t], h "
               "first: the first H columns of W_{gate} multiply h_{{t-1}}.", gate=gate)),
        (right(W @ z), say(es="falta sumar el sesgo b_{gate}.", en="the bias b_{gate} is missing.",
                           gate=gate)),
        (W @ z + b, say(es="falta aplicar {act} a W_{gate} [h_{{t-1}}; x_t] + b_{gate}.",
                        en="{act} is not applied to W_{gate} [h_{{t-1}}; x_t] + b_{gate}.",
                        act=activation, gate=gate)),
        (right(W @ z) + b, say(es="el sesgo va dentro de {act}, no fuera.",
                               en="the bias goes inside {act}, not outside.", act=activation)),
    ]
    for other in GATES:
        if other != gate:
            variants.append((right(params[f"W_{other}"] @ z + params[f"b_{other}"]), say(
                es="usa W_{other} y b_{other}, los parámetros de `{fn}`; esta función usa "
                   "W_{gate} y b_{gate}.",
                en="it uses W_{other} and b_{other}, the parameters of `{fn}`; this function "
                   "uses W_{gate} and b_{gate}.",
                other=other, gate=gate, fn=GATE_INFO[other][0])))
    return variants


# ----------------------------------------------------------------------------------------------
# Known mistakes of the forward passes
# ----------------------------------------------------------------------------------------------

def _cell_forward_variants(x_t, h_prev, c_prev, params, got_c: Any):
    """(variants of c_next, variants of h_next) for the known mistakes of lstm_cell_forward."""
    g = {k: v for k, v in zip(GATES, _numpy_gates(x_t, h_prev, params), strict=True)}
    c_next = g["f"] * c_prev + g["i"] * g["c"]
    update = "c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t"
    output = "h_t = o_t ⊙ tanh(c_t)"
    c_variants = [
        (g["f"] * c_prev + g["c"], say(es="falta la puerta de entrada: {eq}.",
                                       en="the input gate is missing: {eq}.", eq=update)),
        (c_prev + g["i"] * g["c"], say(es="falta la puerta de olvido: {eq}.",
                                       en="the forget gate is missing: {eq}.", eq=update)),
        (g["f"] * c_prev + g["i"], say(
            es="falta el candidato: la puerta de entrada i_t escala a c̃_t ({eq}).",
            en="the candidate is missing: the input gate i_t scales c̃_t ({eq}).", eq=update)),
        (g["i"] * c_prev + g["f"] * g["c"], say(
            es="intercambiaste las puertas: f_t multiplica a la memoria vieja c_{t-1} e i_t "
               "al candidato c̃_t.",
            en="you swapped the gates: f_t multiplies the old memory c_{t-1} and i_t the "
               "candidate c̃_t.")),
        (g["o"] * np.tanh(c_next), say(
            es="es h_next: el orden de lo que se devuelve es (h_next, c_next, cache).",
            en="it is h_next: the order of what is returned is (h_next, c_next, cache).")),
    ]
    h_variants = [
        (g["o"] * np.tanh(c_prev), say(
            es="calculaste la salida con la memoria vieja c_{{t-1}}; se usa la nueva: {eq}.",
            en="you computed the output from the old memory c_{{t-1}}; it uses the new one: "
               "{eq}.", eq=output)),
        (g["o"] * c_next, say(es="falta tanh en la salida: {eq}.",
                              en="tanh is missing on the output: {eq}.", eq=output)),
        (np.tanh(c_next), say(es="falta la puerta de salida: {eq}.",
                              en="the output gate is missing: {eq}.", eq=output)),
        (c_next, say(
            es="es c_next: el orden de lo que se devuelve es (h_next, c_next, cache).",
            en="it is c_next: the order of what is returned is (h_next, c_next, cache).")),
    ]
    student_c = as_numeric_array(got_c)
    if student_c is not None and student_c.shape == c_next.shape:
        h_variants.append((g["o"] * np.tanh(student_c), say(
            es="es o_t ⊙ tanh(c_t) con tu c_next, que está mal: corrige c_next primero.",
            en="it is o_t ⊙ tanh(c_t) with your c_next, which is wrong: fix c_next first.")))
    return c_variants, h_variants


def _sequence_shape_hint(name: str, got: Any, shape: tuple[int, ...]) -> str | None:
    """A clearer message for the two classic shape mistakes of a sequence output."""
    arr = as_numeric_array(got)
    if arr is None:
        return None
    steps, *rest = shape
    if arr.shape == (steps + 1, *rest):
        return say(
            es="`{name}` tiene forma {got}: incluiste el estado inicial. Devuelve solo los pasos "
               "1 … T, forma {expected}.",
            en="`{name}` has shape {got}: you included the initial state. Return only steps "
               "1 … T, shape {expected}.", name=name, got=arr.shape, expected=shape)
    if steps > 1 and arr.shape == tuple(rest):
        return say(
            es="`{name}` tiene forma {got}: es solo un paso. Devuelve todos los pasos 1 … T "
               "apilados, forma {expected}.",
            en="`{name}` has shape {got}: that is a single step. Return all steps 1 … T "
               "stacked, shape {expected}.", name=name, got=arr.shape, expected=shape)
    return None


# ----------------------------------------------------------------------------------------------
# Known mistakes of the backward passes (computed with torch autograd)
# ----------------------------------------------------------------------------------------------

def _cell_backward_variants(p: Mapping[str, Any], expected: Mapping[str, np.ndarray]):
    """Per gradient key, its value under the known mistakes of lstm_cell_backward."""
    mistakes = [
        (dict(mistake="no_dh_into_c"), say(
            es="a dc_t le falta lo que llega a través de h_t: "
               "dc_t = dc_next + dh_next ⊙ o_t ⊙ (1 − tanh²(c_t)).",
            en="dc_t is missing what arrives through h_t: "
               "dc_t = dc_next + dh_next ⊙ o_t ⊙ (1 − tanh²(c_t)).")),
        (dict(mistake="no_tanh_derivative"), say(
            es="al pasar dh_next a c_t falta la derivada de tanh, (1 − tanh²(c_t)).",
            en="the derivative of tanh, (1 − tanh²(c_t)), is missing when passing dh_next to "
               "c_t.")),
        (dict(dc_scale=0.0), say(
            es="falta dc_next, el gradiente que llega a c_t desde el paso t+1: súmalo a dc_t.",
            en="dc_next is missing, the gradient reaching c_t from step t+1: add it to dc_t.")),
        (dict(mistake="dc_prev_without_f"), say(
            es="dc_prev = dc_t ⊙ f_t: falta multiplicar por la puerta de olvido.",
            en="dc_prev = dc_t ⊙ f_t: the product with the forget gate is missing.")),
    ]
    return _variants_from(mistakes, lambda options: _torch_cell_grads(p, **options), expected)


def _sequence_backward_variants(p: Mapping[str, Any], expected: Mapping[str, np.ndarray]):
    """Per gradient key, its value under the known mistakes of lstm_backward."""
    mistakes = [
        (dict(cut="h"), say(
            es="el gradiente que llega a h_t es dh[t] más el dh_prev que devuelve el paso t+1; "
               "falta el segundo.",
            en="the gradient reaching h_t is dh[t] plus the dh_prev returned by step t+1; the "
               "second one is missing.")),
        (dict(cut="c"), say(
            es="el dc_prev que devuelve el paso t+1 tiene que entrar como dc_next del paso t; "
               "falta.",
            en="the dc_prev returned by step t+1 must go in as dc_next of step t; it is "
               "missing.")),
        (dict(last_dh_only=True), say(
            es="solo usa dh del último paso; cada h_t recibe además su propio gradiente dh[t].",
            en="it only uses dh of the last step; every h_t also receives its own gradient "
               "dh[t].")),
        (dict(params_of_step=0), say(
            es="es solo la contribución del paso t = 1: los parámetros se comparten en el "
               "tiempo, así que sus gradientes se acumulan (+=) sobre todos los pasos.",
            en="it is only the contribution of step t = 1: the parameters are shared over "
               "time, so their gradients accumulate (+=) over all steps.")),
        (dict(params_of_step=T - 1), say(
            es="es solo la contribución del paso t = T: los parámetros se comparten en el "
               "tiempo, así que sus gradientes se acumulan (+=) sobre todos los pasos.",
            en="it is only the contribution of step t = T: the parameters are shared over "
               "time, so their gradients accumulate (+=) over all steps.")),
    ]
    variants = _variants_from(mistakes, lambda options: _torch_sequence_grads(p, **options),
                              expected)
    variants["dx"].append((expected["dx"][::-1], say(
        es="está en orden inverso en el tiempo: guarda el gradiente del paso t en dx[t].",
        en="it is reversed in time: store the gradient of step t in dx[t].")))
    return variants


def _variants_from(mistakes, compute, expected) -> dict[str, list]:
    """For each (options, message), the gradients compute(options) gives, kept per key only
    where they differ from the right ones."""
    variants: dict[str, list] = {key: [] for key in expected}
    for options, message in mistakes:
        for key, value in compute(options).items():
            if not np.allclose(value, expected[key]):
                variants[key].append((value, message))
    return variants


# ----------------------------------------------------------------------------------------------
# The LSTM checks' own lines (the report itself is rnnkit.checks.feedback.Report)
# ----------------------------------------------------------------------------------------------

def _expect_triple(report: Report, result: Any, names: str, *, item: str, say_ok: bool) -> bool:
    """Is ``result`` a tuple of 3 (named ``names``, e.g. "(h, c, caches)")? A ✗ line for
    ``item`` when not; a ✓ line only when ``say_ok``, so that a check says it once however
    often it calls."""
    if isinstance(result, tuple | list) and len(result) == 3:
        if say_ok:
            report.ok(say(es="devuelve una tupla {names}", en="returns a tuple {names}",
                          names=names), item)
        return True
    # An array is named by its type alone: what is wrong here is that it is not a tuple.
    kind = type(result).__name__ if isinstance(result, np.ndarray) else describe_kind(result)
    report.fail(say(
        es="debería devolver una tupla {names} de 3 elementos, pero devolvió {kind}.",
        en="it should return a tuple {names} of 3 items, but it returned {kind}.",
        names=names, kind=kind), item)
    return False


def _forward_used(report: Report, fn_name: str, item: str, outputs: list) -> bool:
    """One line, for ``item``, on the forward pass whose cache the backward pass receives.
    ``outputs`` holds (name, student value, reference, time axis or None) for each output of
    that forward."""
    for name, got, expected, time_axis in outputs:
        problem = explain_mismatch(name, got, expected, time_axis=time_axis)
        if problem:
            report.fail(say(
                es="Tu {fn} aún no es correcta y el backward usa su caché (corrígela "
                   "primero con su comprobación): {problem}",
                en="Your {fn} is not right yet and the backward uses its cache (fix it "
                   "first with its check): {problem}", fn=fn_name, problem=problem), item)
            return False
    report.ok(say(es="tu {fn} es correcta (el backward usa su caché)",
                  en="your {fn} is right (the backward uses its cache)", fn=fn_name), item)
    return True


def _gradient_verdict(key: str, got: Any, expected: np.ndarray, variants: list,
                      own: OwnGradients, *, time_axis: int | None = None) -> Verdict:
    """The verdict on ``grads[key]``: against torch autograd, and against the numerical
    gradient of the student's own forward (``own``), so that a wrong gradient says whether the
    forward or the backward is to blame. A right one shows its relative error against that
    numerical gradient (the gradient check students learn)."""
    problem = explain_mismatch(key, got, expected, variants=variants, time_axis=time_axis)
    arr = as_numeric_array(got)
    numeric = own(key) if arr is not None and arr.shape == expected.shape else None
    error = relative_error(arr, numeric) if numeric is not None else None
    if problem is None:
        what = values_ok(key, expected.shape)
        if error is not None:
            what += say(es=" (error relativo frente al gradiente numérico: {err:.1e})",
                        en=" (relative error against the numerical gradient: {err:.1e})",
                        err=error)
        return Verdict(key, True, what)
    mistake = known_mistake(key, problem, variants)
    if error is None:
        return Verdict(key, False, problem, mistake)
    if error < GRAD_TOL:
        blame = say(
            es=" Pero coincide con el gradiente numérico de tu propio forward: tu backward "
               "deriva bien tu forward, así que el error está en el forward; corrígelo primero.",
            en=" But it matches the numerical gradient of your own forward: your backward "
               "differentiates your forward correctly, so the mistake is in the forward; fix "
               "it first.")
    else:
        blame = say(
            es=" Tampoco coincide con el gradiente numérico de tu propio forward: el error está "
               "en el backward.",
            en=" Nor does it match the numerical gradient of your own forward: the mistake is "
               "in the backward.")
    return Verdict(key, False, problem + blame, mistake and mistake + blame)


# ----------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------

def _problem(steps: int, n: int, seed: int) -> dict[str, Any]:
    """Fixed inputs: a sequence, non-zero initial states, parameters and upstream gradients."""
    rng = np.random.default_rng(seed)
    params = {}
    for gate in GATES:
        params[f"W_{gate}"] = rng.normal(scale=0.5, size=(H, H + D))
        params[f"b_{gate}"] = rng.normal(scale=0.5, size=(H, 1))
    return {
        "x": rng.normal(size=(steps, D, n)),
        "h0": np.tanh(rng.normal(size=(H, n))),  # non-zero states, as after a few steps
        "c0": rng.normal(size=(H, n)),
        "params": params,
        "dh": rng.normal(size=(steps, H, n)),
        "dc": rng.normal(size=(H, n)),
    }


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a), written with tanh so that it cannot overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _numpy_gates(x_t, h_prev, params) -> list[np.ndarray]:
    """[f, i, c~, o], each (H, N), in numpy (for the variants, not the reference)."""
    z = np.concatenate((h_prev, x_t))
    return [(np.tanh if g == "c" else _sigmoid)(params[f"W_{g}"] @ z + params[f"b_{g}"])
            for g in GATES]


def _pack(params: Mapping[str, np.ndarray], order=TORCH_ORDER) -> dict[str, np.ndarray]:
    """Our parameters in torch.nn.LSTM's layout (the whole bias in bias_ih_l0)."""
    W = np.concatenate([params[f"W_{g}"] for g in order])
    b = np.concatenate([params[f"b_{g}"] for g in order])[:, 0]
    return {"weight_ih_l0": W[:, H:], "weight_hh_l0": W[:, :H], "bias_ih_l0": b,
            "bias_hh_l0": np.zeros_like(b)}


# ----------------------------------------------------------------------------------------------
# The torch oracle (float64)
# ----------------------------------------------------------------------------------------------

def _torch_gates(x_t, h_prev, params) -> dict[str, np.ndarray]:
    """The four gates {f, i, c, o}, each (H, N), computed in torch."""
    with torch.no_grad():
        gates = _gate_tensors(_t(x_t), _t(h_prev), {k: _t(v) for k, v in params.items()})
    return {k: v.numpy() for k, v in gates.items()}


def _gate_tensors(x, h, P) -> dict[str, torch.Tensor]:
    """The four gates of one step from tensors x (D, N), h (H, N) and parameters P."""
    z = torch.cat((h, x), dim=0)
    return {
        "f": torch.sigmoid(P["W_f"] @ z + P["b_f"]),
        "i": torch.sigmoid(P["W_i"] @ z + P["b_i"]),
        "c": torch.tanh(P["W_c"] @ z + P["b_c"]),
        "o": torch.sigmoid(P["W_o"] @ z + P["b_o"]),
    }


def _torch_step(x, h, c, P, mistake: str | None = None):
    """One LSTM step in torch. A ``mistake`` changes the gradients autograd finds, never the
    values: "no_dh_into_c" hides from autograd that h_t depends on c_t; "no_tanh_derivative"
    takes d tanh(c_t) / d c_t as 1; "dc_prev_without_f" takes d c_t / d c_{t-1} as 1."""
    g = _gate_tensors(x, h, P)
    if mistake == "dc_prev_without_f":
        c_next = g["f"] * c.detach() + (c - c.detach()) + g["i"] * g["c"]
    else:
        c_next = g["f"] * c + g["i"] * g["c"]
    tanh_c = torch.tanh(c_next)
    if mistake == "no_dh_into_c":
        tanh_c = tanh_c.detach()
    elif mistake == "no_tanh_derivative":
        tanh_c = tanh_c.detach() + (c_next - c_next.detach())
    return g["o"] * tanh_c, c_next


def _torch_cell_forward(x_t, h_prev, c_prev, params) -> tuple[np.ndarray, np.ndarray]:
    """(h_next, c_next), each (H, N), of one LSTM step in torch."""
    with torch.no_grad():
        h, c = _torch_step(_t(x_t), _t(h_prev), _t(c_prev), {k: _t(v) for k, v in params.items()})
    return h.numpy(), c.numpy()


def _torch_cell_grads(p: Mapping[str, Any], mistake: str | None = None,
                      dc_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Autograd of sum(h_t * dh_next) + sum(c_t * dc_next) for one step."""
    x, h, c = _t(p["x"][0], True), _t(p["h0"], True), _t(p["c0"], True)
    P = {k: _t(v, True) for k, v in p["params"].items()}
    h_next, c_next = _torch_step(x, h, c, P, mistake)
    ((h_next * _t(p["dh"][0])).sum() + (c_next * _t(dc_scale * p["dc"])).sum()).backward()
    grads = {"dx_t": x.grad, "dh_prev": h.grad, "dc_prev": c.grad,
             **{f"d{k}": v.grad for k, v in P.items()}}
    return {k: v.numpy() for k, v in grads.items()}


def _torch_unrolled(x, h0, c0, step_params, cut: str | None = None):
    """The LSTM unrolled in torch with parameters step_params[t] at step t. ``cut`` ("h" or
    "c") hides from autograd the path from one step to the next through h or through c."""
    h, c, hs, cs = h0, c0, [], []
    for t in range(x.shape[0]):
        h, c = _torch_step(x[t], h, c, step_params[t])
        hs.append(h)
        cs.append(c)
        if cut == "h":
            h = h.detach()
        elif cut == "c":
            c = c.detach()
    return torch.stack(hs), torch.stack(cs)


def _torch_sequence_forward(x, h0, c0, params) -> tuple[np.ndarray, np.ndarray]:
    """(h, c), each (T, H, N), of the LSTM over x (T, D, N) in torch."""
    P = {k: _t(v) for k, v in params.items()}
    with torch.no_grad():
        h, c = _torch_unrolled(_t(x), _t(h0), _t(c0), [P] * x.shape[0])
    return h.numpy(), c.numpy()


def _torch_sequence_grads(p: Mapping[str, Any], cut: str | None = None,
                          last_dh_only: bool = False, params_of_step: int | None = None):
    """Autograd of sum(h * dh) over the sequence, with one copy of the parameters per step so
    that each step's contribution can be read (``params_of_step``)."""
    x, h0, c0 = _t(p["x"], True), _t(p["h0"], True), _t(p["c0"], True)
    steps = [{k: _t(v, True) for k, v in p["params"].items()} for _ in range(p["x"].shape[0])]
    h, _ = _torch_unrolled(x, h0, c0, steps, cut)
    dh = p["dh"].copy()
    if last_dh_only:
        dh[:-1] = 0.0
    (h * _t(dh)).sum().backward()
    used = steps if params_of_step is None else [steps[params_of_step]]
    return {"dx": x.grad.numpy(), "dh0": h0.grad.numpy(), "dc0": c0.grad.numpy(),
            **{f"d{k}": sum(step[k].grad.numpy() for step in used) for k in PARAM_KEYS}}


def _torch_lstm_module(packed: Mapping[str, Any], p: Mapping[str, Any]) -> np.ndarray:
    """h (T, H, N) of torch.nn.LSTM loaded with the packed arrays, on the fixed sequence."""
    with torch.random.fork_rng(devices=[]):  # creating the module must not touch the user's RNG
        module = torch.nn.LSTM(D, H, dtype=torch.float64)
    with torch.no_grad():
        for key in TORCH_KEYS:
            getattr(module, key).copy_(_t(packed[key]))
        out, _ = module(_t(p["x"].transpose(0, 2, 1)), (_t(p["h0"].T[None]), _t(p["c0"].T[None])))
    return out.numpy().transpose(0, 2, 1)
