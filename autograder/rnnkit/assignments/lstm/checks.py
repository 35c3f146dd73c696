"""Public checks of the LSTM notebook: quick, friendly feedback while the student works.

Each ``check_*`` function runs the student's code on small fixed inputs and prints one line per
checked quantity: ``✓`` and what was checked, or ``✗`` and why it is wrong, in the student's
language, then a one-line summary. It never raises: an exception in the student's code becomes a
``✗`` line (see :mod:`rnnkit.checks.feedback`, which the RNN checks share). The explanations come
from :mod:`rnnkit.compare`, the layer the hidden suites use.

The reference is PyTorch in float64 (the course's solution is not shipped to students): the
LSTM equations written in torch for values, torch autograd for gradients and ``torch.nn.LSTM``
for the PyTorch-layout exercise. The known mistakes (a gate computed with tanh, [x; h] in the
wrong order, a gradient that does not flow back through c, ...) are those of the assignment's
registry, rnnkit.assignments.lstm.mistakes, which the hidden suite names too: their wrong values
come from the torch oracle (rnnkit.assignments.lstm.torch_oracle) and go to
:func:`rnnkit.compare.explain_mismatch` as ``variants``, so that a match names the mistake. They
are computed only for a wrong value, and torch's answers on the checks' fixed inputs are stored
(rnnkit.checks.stored): a right notebook's checks do not import torch.

Every gradient is also compared with finite differences of the student's *own* forward pass
(:func:`rnnkit.gradcheck.numerical_gradient`): a gradient that is wrong against torch but right
for the student's forward means the forward is what must be fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rnnkit.assignments.lstm import GATE_SATURATION, GRADIENT_FACTS
from rnnkit.assignments.lstm.mistakes import MISTAKES, follows_wrong_c_next
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
from rnnkit.checks.questions import check_question
from rnnkit.checks.stored import StoredOracle
from rnnkit.compare import Variant, as_numeric_array, describe_kind, explain_mismatch
from rnnkit.gradcheck import relative_error
from rnnkit.i18n import say
from rnnkit.mistakes import LazyMistakes, deferred

__all__ = [
    "check_forget_gate",
    "check_input_gate",
    "check_candidate",
    "check_output_gate",
    "check_lstm_cell_forward",
    "check_lstm_forward",
    "check_gate_saturation",
    "check_lstm_cell_backward",
    "check_lstm_backward",
    "check_gradient_facts",
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
        h_ref, c_ref = ORACLE.cell_forward(x_t, h_prev, c_prev, params)
        variants = KNOWN_MISTAKES.keyed_variants(
            "lstm_cell_forward", x_t, h_prev, c_prev, params,
            right={"h_next": h_ref, "c_next": c_ref},
            got=_numeric({"h_next": result[0], "c_next": result[1]}))
        report.compare(values_ok("c_next", c_ref.shape, n=n), "c_next", result[1], c_ref,
                       item=c_item, variants=variants["c_next"])
        report.compare(values_ok("h_next", h_ref.shape, n=n), "h_next", result[0], h_ref,
                       item=h_item, variants=_h_next_variants(
                           variants["h_next"], x_t, h_prev, c_prev, params, c_next=result[1]))
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
        h_ref, c_ref = ORACLE.forward(p["x"], p["h0"], p["params"], c0)
        wrong = KNOWN_MISTAKES.keyed_variants(
            "lstm_forward", p["x"], p["h0"], p["params"], c0,
            right={"h": h_ref, "c": c_ref},
            got=_numeric({"h": result[0], "c": result[1]}))
        c0_text = say(es="con c0 distinto de cero", en="with a non-zero c0") if give_c0 else say(
            es="sin pasar c0 (c0 = ceros)", en="without passing c0 (c0 = zeros)")
        outputs = (("h", result[0], h_ref, wrong["h"]), ("c", result[1], c_ref, wrong["c"]))
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
        report.verdicts(verdicts)  # h and c wrong for one mistake share one line
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
    h_ref, c_ref = ORACLE.cell_forward(x_t, h_prev, c_prev, params)
    _forward_used(report, getattr(lstm_cell_forward, "__name__", forward), forward,
                  [("h_next", result[0], h_ref, None), ("c_next", result[1], c_ref, None)])

    ok, grads = report.call("grads", lstm_cell_backward, *upstream.values(), result[2])
    if ok and report.expect_dict("grads", grads, CELL_GRAD_KEYS):
        expected = ORACLE.cell_backward(dh_next, dc_next, x_t, h_prev, c_prev, params)
        variants = KNOWN_MISTAKES.keyed_variants(
            "lstm_cell_backward", dh_next, dc_next, x_t, h_prev, c_prev, params,
            right=expected, got=_numeric(grads, expected))

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
    h_ref, c_ref = ORACLE.forward(p["x"], p["h0"], p["params"], p["c0"])
    _forward_used(report, getattr(lstm_forward, "__name__", forward), forward,
                  [("h", result[0], h_ref, 0), ("c", result[1], c_ref, 0)])

    ok, grads = report.call("grads", lstm_backward, dh, result[2])
    if ok and report.expect_dict("grads", grads, SEQ_GRAD_KEYS):
        expected = ORACLE.bptt(p["dh"], p["x"], p["h0"], p["params"], p["c0"])
        variants = KNOWN_MISTAKES.keyed_variants(
            "lstm_backward", p["dh"], p["x"], p["h0"], p["params"], p["c0"],
            right=expected, got=_numeric(grads, expected))
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
        h_torch = ORACLE.lstm_module(packed, p["x"], p["h0"], p["c0"])
        h_ref, _ = ORACLE.forward(p["x"], p["h0"], params, p["c0"])
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

GATE_INFO = {  # gate: (function, name of its value)
    "f": ("forget_gate", "f_t"),
    "i": ("input_gate", "i_t"),
    "c": ("candidate", "c_tilde"),
    "o": ("output_gate", "o_t"),
}


def _check_gate(gate: str, fn: Callable) -> None:
    """Check one gate function (``gate`` is f, i, c or o) at N examples, then at 1."""
    function, name = GATE_INFO[gate]
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
        expected = ORACLE.gates(x_t, h_prev, params)[gate]
        report.compare(values_ok(name, expected.shape, n=n), name, got, expected, item=item,
                       variants=KNOWN_MISTAKES.variants(function, x_t, h_prev, params))
        if n == N:
            report.unchanged(dict(x_t=x_t, h_prev=h_prev, params=params), args)
        if report.failed:  # the second case would only repeat the diagnosis
            break
    report.summary()


# ----------------------------------------------------------------------------------------------
# Shapes of the sequence forward
# ----------------------------------------------------------------------------------------------

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


def _numeric(values: Mapping[str, Any], keys: Any = None) -> dict[str, np.ndarray | None]:
    """The student's ``values`` (those of ``keys``, default all) as numeric arrays, None where
    one is not: what the known mistakes are matched against, whatever the student returned."""
    return {key: as_numeric_array(values[key]) for key in (values if keys is None else keys)}


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
# Concept questions: the form of the answers only (rnnkit.checks.questions)
# ----------------------------------------------------------------------------------------------

def check_gate_saturation(gate_saturation: Callable) -> None:
    """Check that ``gate_saturation() -> dict`` gives every gate at 0 and at 1 one of the
    effects (not whether they are right) and print a report."""
    check_question(GATE_SATURATION, gate_saturation)


def check_gradient_facts(gradient_facts: Callable) -> None:
    """Check that ``gradient_facts() -> dict`` answers every statement with True or False (not
    whether they are right) and print a report."""
    check_question(GRADIENT_FACTS, gradient_facts)


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


def _pack(params: Mapping[str, np.ndarray], order=TORCH_ORDER) -> dict[str, np.ndarray]:
    """Our parameters in torch.nn.LSTM's layout (the whole bias in bias_ih_l0)."""
    W = np.concatenate([params[f"W_{g}"] for g in order])
    b = np.concatenate([params[f"b_{g}"] for g in order])[:, 0]
    return {"weight_ih_l0": W[:, H:], "weight_hh_l0": W[:, :H], "bias_ih_l0": b,
            "bias_hh_l0": np.zeros_like(b)}


# ----------------------------------------------------------------------------------------------
# The oracle: torch (rnnkit.assignments.lstm.torch_oracle), its answers on these inputs stored
# ----------------------------------------------------------------------------------------------

ORACLE = StoredOracle("rnnkit.assignments.lstm")


KNOWN_MISTAKES = LazyMistakes(MISTAKES, ORACLE)


def _h_next_variants(wrong: Sequence[Variant], *inputs: Any, c_next: Any) -> Sequence[Variant]:
    """h_next's known wrong values: ``wrong`` (the registry's), then those following from the
    student's own c_next (follows_wrong_c_next); computed only when h_next is wrong."""
    return deferred(lambda: [*wrong, *follows_wrong_c_next(ORACLE, *inputs, c_next)])
