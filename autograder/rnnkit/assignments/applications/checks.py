"""Public checks of assignment "applications", called by its notebook's check cells."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnkit.assignments.applications import (
    ASSIGNMENT,
    CELLS,
    SEQUENTIAL_COST,
    WORD_VECTORS,
    data,
)
from rnnkit.assignments.applications.mistakes import (
    MISTAKES,
    sampling_mistake,
    training_mistake,
)
from rnnkit.checks.feedback import (
    Report,
    Verdict,
    fresh,
    known_mistake,
    snapshot,
    to_numpy,
    to_torch,
    untouched,
    values_ok,
)
from rnnkit.checks.questions import check_question
from rnnkit.compare import (
    CheckFailed,
    as_numeric_array,
    close,
    describe_kind,
    expect_close,
    expect_pair,
    explain_mismatch,
)
from rnnkit.gradcheck import numerical_gradient
from rnnkit.i18n import say

# One check per graded function, in notebook order: check_output_forward, ...
__all__ = [f"check_{function}" for function in ASSIGNMENT.functions]

# ----------------------------------------------------------------------------------------------
# Language model
# ----------------------------------------------------------------------------------------------

# (section owned by helper NUMPY)
#
# Each check calls the student's function on small fixed inputs and prints one line per checked
# quantity (rnnkit.checks.feedback.Report). The oracle is PyTorch in float64: the output layer,
# the masked loss and the language model's whole graph written in torch, differentiated by
# autograd, trained with torch's own global-norm clipping. The known mistakes are those of the
# registry, rnnkit.assignments.applications.mistakes, which the hidden suite names too; their
# wrong values come from _TorchOracle. torch is imported when a check runs, not with the module.

LM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
OUTPUT_GRAD_NAMES = ("dh", "dW_hy", "db_y")
# Sizes of the check inputs, all different, so that a transposed array shows.
T, N, V, H = 5, 3, 6, 4
# A gradient "agrees with your loss" when it matches the finite differences this closely.
OWN_RTOL, OWN_ATOL = 1e-4, 1e-6
# train_char_lm's check: a few place names, a small model, a few steps at the rate and clipping
# of the hidden suite; the returned parameters must achieve this share of the drop of the
# training loss that torch's gradient descent achieves.
TRAIN_WORDS, TRAIN_HIDDEN, TRAIN_STEPS, TRAIN_RATE, TRAIN_MAX_NORM = 40, 8, 30, 2.0, 1.0
TRAIN_SHARE = 0.75
# sample_chars's check: a small model, many short samples and a long one.
SAMPLE_V, SAMPLE_H, SHORT_SAMPLES, LONG_SAMPLE = 5, 6, 300, 600


def check_output_forward(output_forward: Callable) -> None:
    """Check ``output_forward(h, W_hy, b_y) -> scores`` against torch and print a report."""
    one = "scores (N = 1)"
    report = Report("output_forward", ["scores", untouched(), one])
    for n, item in ((N, "scores"), (1, one)):
        p = _lm_problem(n=n, seed=50 + n)
        inputs = {"h": p["h"], "W_hy": p["params"]["W_hy"], "b_y": p["params"]["b_y"]}
        args = snapshot(**inputs)
        ok, scores = report.call(item, output_forward, *args.values())
        if not ok:
            break
        expected = _TORCH.scores(**inputs)
        good = report.compare(values_ok("scores", expected.shape, n=n), "scores", scores,
                              expected, item=item, time_axis=0,
                              variants=MISTAKES.variants("output_forward", _TORCH,
                                                         *inputs.values()))
        if n == N:
            good = report.unchanged(inputs, args) and good
        if not good:
            break
    report.summary()


def check_softmax_loss(softmax_loss: Callable) -> None:
    """Check ``softmax_loss(scores, y, mask) -> (loss, dscores)`` against torch autograd, on
    words of different lengths and on scores of ±1000, and print a report."""
    pair, large = "(loss, dscores)", say(es="puntuaciones de ±1000", en="scores of ±1000")
    report = Report("softmax_loss", [pair, "loss", "dscores", untouched(), large])
    p = _lm_problem(n=N, seed=60)
    inputs = {"scores": p["scores"], "y": p["y"], "mask": p["mask"]}
    args = snapshot(**inputs)
    ok, result = report.call(pair, softmax_loss, *args.values())
    if ok and report.expect(pair, say(es="devuelve una tupla (loss, dscores)",
                                      en="returns a tuple (loss, dscores)"),
                            lambda: expect_pair("softmax_loss", result)):
        got, right, variants = _loss_case(result, inputs)
        good = all([report.compare(values_ok(key, np.shape(right[key])), key, got[key],
                                   right[key], variants=variants[key])
                    for key in ("loss", "dscores")])
        if report.unchanged(inputs, args) and good:
            scaled = {**inputs, "scores": p["scores"] * (1000.0 / np.max(np.abs(p["scores"])))}
            ok, result = report.call(large, softmax_loss, *snapshot(**scaled).values())
            if ok:
                report.expect(large, say(
                    es="loss y dscores correctos con puntuaciones de ±1000 (sin desbordarse)",
                    en="right loss and dscores with scores of ±1000 (no overflow)"),
                    lambda: _expect_loss_case(result, scaled))
    report.summary()


def _loss_case(result: Any, inputs: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    """The student's (loss, dscores) by name, torch's, and the known mistakes' variants."""
    got = dict(zip(("loss", "dscores"), expect_pair("softmax_loss", result), strict=True))
    right = _TORCH.loss(**inputs)
    return got, right, MISTAKES.keyed_variants("softmax_loss", _TORCH, *inputs.values(),
                                               right=right, got=got)


def _expect_loss_case(result: Any, inputs: Mapping[str, Any]) -> None:
    got, right, variants = _loss_case(result, inputs)
    for key in ("loss", "dscores"):
        expect_close(key, got[key], right[key], variants=variants[key])


def check_output_backward(output_backward: Callable) -> None:
    """Check ``output_backward(dscores, h, W_hy) -> (dh, dW_hy, db_y)`` against torch autograd
    and print a report."""
    report = Report("output_backward", ["(dh, dW_hy, db_y)", *OUTPUT_GRAD_NAMES, untouched()])
    p = _lm_problem(n=N, seed=70)
    inputs = {"dscores": p["dscores"], "h": p["h"], "W_hy": p["params"]["W_hy"]}
    args = snapshot(**inputs)
    ok, result = report.call("(dh, dW_hy, db_y)", output_backward, *args.values())
    if ok and report.expect("(dh, dW_hy, db_y)",
                            say(es="devuelve una tupla (dh, dW_hy, db_y)",
                                en="returns a tuple (dh, dW_hy, db_y)"),
                            lambda: expect_pair("output_backward", result, size=3)):
        got = dict(zip(OUTPUT_GRAD_NAMES, result, strict=True))
        right = _TORCH.output_grads(**inputs)
        variants = MISTAKES.keyed_variants("output_backward", _TORCH, *inputs.values(),
                                           right=right, got=got)
        report.verdicts([_verdict(key, got[key], right[key], variants[key],
                                  time_axis=0 if key == "dh" else None)
                         for key in OUTPUT_GRAD_NAMES])
        report.unchanged(inputs, args)
    report.summary()


def check_char_lm_loss(char_lm_loss: Callable) -> None:
    """Check ``char_lm_loss(x, y, mask, h0, params) -> (loss, grads)`` against torch autograd
    through the whole graph (the RNN, the output layer, the loss), from a non-zero h0, and print
    a report."""
    report = Report("char_lm_loss", ["(loss, grads)", "loss", "grads", *LM_KEYS, untouched()])
    p = _lm_problem(n=N, seed=80)
    inputs = {"x": p["x"], "y": p["y"], "mask": p["mask"], "h0": p["h0"], "params": p["params"]}
    args = snapshot(**inputs)
    ok, result = report.call("(loss, grads)", char_lm_loss, *args.values())
    if not ok or not report.expect(
            "(loss, grads)", say(es="devuelve una tupla (loss, grads)",
                                 en="returns a tuple (loss, grads)"),
            lambda: expect_pair("char_lm_loss", result)):
        report.summary()
        return
    loss, grads = result
    right = _TORCH.char_lm(**inputs)
    variants = MISTAKES.keyed_variants("char_lm_loss", _TORCH, *inputs.values(), right=right,
                                       got={"loss": loss, **(grads if isinstance(grads, Mapping)
                                                             else {})})
    loss_ok = report.compare(values_ok("loss", ()), "loss", loss, right["loss"],
                             variants=variants["loss"])
    if report.expect_dict("grads", grads, LM_KEYS):
        own = None if loss_ok else _own_lm_gradients(char_lm_loss, inputs)
        report.verdicts([_verdict(key, grads[key], right[key], variants[key], own=own,
                                  forward_name="char_lm_loss")
                         for key in LM_KEYS])
    report.unchanged(inputs, {**args})
    report.summary()


def check_train_char_lm(train_char_lm: Callable) -> None:
    """Check ``train_char_lm(x, y, mask, params, steps, learning_rate, max_norm) ->
    (params, losses)`` on a few place names: the parameters it returns must lower the loss
    about as much as torch's clipped gradient descent does, and the losses it reports must
    start at the initial parameters' loss. Print a report."""
    report = Report("train_char_lm", ["(params, losses)", "params", "losses", untouched()])
    inputs = _train_problem()
    settings = (TRAIN_STEPS, TRAIN_RATE, TRAIN_MAX_NORM)
    args = snapshot(**inputs)
    ok, result = report.call("(params, losses)", train_char_lm, *args.values(), *settings)
    if not ok or not report.expect(
            "(params, losses)", say(es="devuelve una tupla (params, losses)",
                                    en="returns a tuple (params, losses)"),
            lambda: expect_pair("train_char_lm", result)):
        report.summary()
        return
    params, losses = result
    reached = _TORCH.train_losses(*inputs.values(), TRAIN_STEPS + 1, *settings[1:])
    start, best = float(reached[0]), float(reached[-1])
    why = training_mistake(_TORCH, losses, *inputs.values(), TRAIN_RATE, TRAIN_MAX_NORM)
    if report.expect_dict("params", params, LM_KEYS):
        report.expect("params", say(
            es="los parámetros devueltos bajan la pérdida de entrenamiento de {a:.3f} a {b:.3f} "
               "o menos (el descenso de gradiente recortado llega a {c:.3f})",
            en="the parameters returned lower the training loss from {a:.3f} to {b:.3f} or "
               "less (clipped gradient descent reaches {c:.3f})",
            a=start, b=start - TRAIN_SHARE * (start - best), c=best),
            lambda: _expect_trained(params, inputs, start, best, why))
    report.expect("losses", say(es="losses: {n} pérdidas, la primera la de los parámetros "
                                   "iniciales", en="losses: {n} losses, the first that of the "
                                   "initial parameters", n=TRAIN_STEPS),
                  lambda: _expect_losses(losses, start, why))
    report.unchanged(inputs, args)
    report.summary()


def check_sample_chars(sample_chars: Callable) -> None:
    """Check ``sample_chars(params, first_index, length, rng) -> indices``: integers of the
    vocabulary, the same again from a generator with the same seed, and drawn from the model's
    distributions (a statistical test: any right way of drawing passes). Print a report."""
    fit = say(es="distribución", en="distribution")
    report = Report("sample_chars", ["indices", untouched(), fit, "rng"])
    params = _sample_params()
    args = snapshot(params=params)
    ok, first = report.call("indices", sample_chars, args["params"], 1, 20,
                            np.random.default_rng(5))
    if not ok or not report.expect("indices", say(
            es="devuelve un arreglo de enteros de forma (20,), índices del vocabulario",
            en="returns an integer array of shape (20,), indices of the vocabulary"),
            lambda: _expect_indices(first, 20)):
        report.summary()
        return
    report.unchanged({"params": params}, args)
    report.expect(fit, say(es="los caracteres sorteados siguen las probabilidades del modelo",
                           en="the characters drawn follow the model's probabilities"),
                  lambda: _expect_fit(sample_chars, params))
    report.expect("rng", say(es="la misma semilla da la misma muestra, y otra, otra",
                             en="the same seed gives the same sample, another seed another"),
                  lambda: _expect_reproducible(sample_chars, params, first))
    report.summary()


def check_word_vectors(word_vectors: Callable) -> None:
    """Check that ``word_vectors() -> dict`` answers every question with one of the choices
    (not whether they are right) and print a report."""
    check_question(WORD_VECTORS, word_vectors)


def check_sequential_cost(sequential_cost: Callable) -> None:
    """Check that ``sequential_cost() -> dict`` answers every question with one of the choices
    (not whether they are right) and print a report."""
    check_question(SEQUENTIAL_COST, sequential_cost)


# ---------------------------------------------------------------------------------- verdicts

def _verdict(key: str, got: Any, expected: np.ndarray, variants: list, *,
             own: Callable[[str], np.ndarray | None] | None = None, forward_name: str = "",
             time_axis: int | None = None) -> Verdict:
    """The verdict on one gradient ``key``; when the loss is wrong (``own`` gives the finite
    differences of the student's own loss), whether the gradient follows that loss."""
    problem = explain_mismatch(key, got, expected, variants=variants, time_axis=time_axis)
    if problem is None:
        return Verdict(key, True, values_ok(key, np.shape(expected)))
    mistake = known_mistake(key, problem, variants)
    numeric = own(key) if own is not None else None
    if numeric is not None and close(got, numeric, rtol=OWN_RTOL, atol=OWN_ATOL):
        blame = say(
            es="coherente con tu pérdida (coincide con su gradiente numérico), pero la pérdida "
               "no es correcta: corrígela primero y esto se arreglará solo.",
            en="consistent with your loss (it matches its numerical gradient), but the loss is "
               "not right: fix it first and this will follow.")
        return Verdict(key, False, f"`{key}`: {blame}", blame)
    return Verdict(key, False, problem, mistake)


def _own_lm_gradients(char_lm_loss: Callable, inputs: Mapping[str, Any]
                      ) -> Callable[[str], np.ndarray | None]:
    """Finite differences of the student's own loss with respect to params[key], lazily."""
    def own(key: str) -> np.ndarray | None:
        def loss_at(value: np.ndarray) -> Any:
            params = {**fresh(inputs["params"]), key: value.copy()}
            return char_lm_loss(*fresh_all(inputs, params=params))[0]
        try:
            return numerical_gradient(loss_at, np.array(inputs["params"][key], dtype=float),
                                      np.array(1.0))
        except Exception:  # the student's loss fails or is not a number
            return None
    return own


def fresh_all(inputs: Mapping[str, Any], **replaced: Any) -> list[Any]:
    """Copies of ``inputs``' values in order, with some of them replaced."""
    return [fresh(replaced.get(name, value)) for name, value in inputs.items()]


def _expect_trained(params: Mapping[str, Any], inputs: Mapping[str, Any], start: float,
                    best: float, why: str | None) -> None:
    for key in LM_KEYS:
        expect_shape(f"params['{key}']", params[key], inputs["params"][key])
    h0 = np.zeros((TRAIN_HIDDEN, inputs["x"].shape[2]))
    trained = {k: np.asarray(params[k], dtype=float) for k in LM_KEYS}
    loss = float(_TORCH.char_lm(inputs["x"], inputs["y"], inputs["mask"], h0, trained)["loss"])
    if not np.isfinite(loss) or loss > start - TRAIN_SHARE * (start - best):
        raise CheckFailed(say(
            es="con los parámetros devueltos la pérdida de entrenamiento es {got:.4g}; empezó "
               "en {a:.3f} y el descenso de gradiente recortado llega a {c:.3f}. {why}",
            en="with the parameters returned the training loss is {got:.4g}; it started at "
               "{a:.3f} and clipped gradient descent reaches {c:.3f}. {why}",
            got=loss, a=start, c=best, why=why or "").strip())


def _expect_losses(losses: Any, start: float, why: str | None) -> None:
    try:
        values = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (TRAIN_STEPS,):
        raise CheckFailed(say(
            es="losses debería tener {n} pérdidas, una por paso, pero es {kind}.",
            en="losses should hold {n} losses, one per step, but it is {kind}.",
            n=TRAIN_STEPS, kind=describe_kind(losses)))
    expect_close("losses[0]", values[0], start)
    if why is not None:
        raise CheckFailed(f"losses: {why}")


def expect_shape(name: str, got: Any, like: np.ndarray) -> None:
    """Raise CheckFailed unless ``got`` is a numeric array shaped like ``like``."""
    array = as_numeric_array(got)
    if array is None or array.shape != like.shape:
        raise CheckFailed(explain_mismatch(name, got, np.zeros_like(like)) or "")


def _expect_indices(drawn: Any, length: int) -> None:
    if not (isinstance(drawn, np.ndarray) and drawn.dtype.kind in "iu"
            and drawn.shape == (length,)):
        raise CheckFailed(say(
            es="sample_chars debería devolver un arreglo de numpy de enteros de forma ({n},), "
               "pero devolvió {kind}.",
            en="sample_chars should return a numpy array of integers of shape ({n},), but it "
               "returned {kind}.", n=length, kind=describe_kind(drawn)))
    if drawn.min() < 0 or drawn.max() >= SAMPLE_V:
        raise CheckFailed(say(es="hay índices fuera de [0, {V}).",
                              en="some indices are outside [0, {V}).", V=SAMPLE_V))


def _expect_reproducible(sample_chars: Callable, params: Mapping[str, np.ndarray],
                         first: np.ndarray) -> None:
    """``first`` came from a generator seeded with 5: so must a second sample, not a third
    from a generator seeded with 6."""
    again = sample_chars(fresh(params), 1, len(first), np.random.default_rng(5))
    other = sample_chars(fresh(params), 1, len(first), np.random.default_rng(6))
    if not np.array_equal(first, again):
        raise CheckFailed(say(
            es="dos generadores con la misma semilla dan muestras distintas: sortea con el "
               "generador rng que recibes (rng.choice, rng.random...), no con np.random.",
            en="two generators with the same seed give different samples: draw with the "
               "generator rng you receive (rng.choice, rng.random...), not with np.random."))
    if np.array_equal(first, other):
        raise CheckFailed(say(
            es="generadores con semillas distintas dan la misma muestra: sortea con el "
               "generador rng que recibes.",
            en="generators with different seeds give the same sample: draw with the generator "
               "rng you receive."))


def _expect_fit(sample_chars: Callable, params: Mapping[str, np.ndarray]) -> None:
    """Raise CheckFailed unless many short samples and a long one, (first_index, drawn), fit
    the model's distributions along them (mistakes.draws_fit); name the known mistake they fit
    instead."""
    rng = np.random.default_rng(7)
    samples = [(1, sample_chars(fresh(params), 1, 2, rng)) for _ in range(SHORT_SAMPLES)]
    samples.append((0, sample_chars(fresh(params), 0, LONG_SAMPLE, rng)))
    for _, drawn in samples:
        _expect_indices(drawn, len(drawn))
    mistake = sampling_mistake(_TORCH, params, samples)
    if mistake:
        raise CheckFailed(mistake)
    if mistake is not None:
        raise CheckFailed(say(
            es="los caracteres sorteados no siguen las probabilidades del modelo: sortea cada "
               "uno de la softmax de W_hy h_t + b_y, con h_t llevado de paso en paso y la "
               "muestra anterior como entrada.",
            en="the characters drawn do not follow the model's probabilities: draw each one "
               "from the softmax of W_hy h_t + b_y, with h_t carried from step to step and the "
               "previous sample as input."))


# ------------------------------------------------------------------------------------ inputs

def _lm_problem(n: int, seed: int) -> dict[str, Any]:
    """Fixed inputs of the language model's functions: words of different lengths (x one-hot,
    zero on padding; y arbitrary on padding; mask), a non-zero h0, params, states, scores and
    upstream gradients."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, T + 1, size=n)
    lengths[0] = T
    mask = np.arange(T)[:, None] < lengths[None, :]
    read = rng.integers(0, V, size=(T, n))
    x = (np.arange(V)[None, :, None] == read[:, None, :]) * mask[:, None, :].astype(float)
    params = {"W_xh": rng.normal(0, 0.6, (H, V)), "W_hh": rng.normal(0, 0.6, (H, H)),
              "b_h": rng.normal(0, 0.3, (H, 1)), "W_hy": rng.normal(0, 0.8, (V, H)),
              "b_y": rng.normal(0, 0.3, (V, 1))}
    return {"x": x, "y": rng.integers(0, V, size=(T, n)), "mask": mask,
            "h0": np.tanh(rng.normal(size=(H, n))), "params": params,
            "h": np.tanh(rng.normal(size=(T, H, n))), "scores": rng.normal(0, 2.0, (T, V, n)),
            "dscores": rng.normal(size=(T, V, n))}


def _train_problem() -> dict[str, Any]:
    """x, y, mask of a few place names and small initial parameters, by argument name."""
    words = data.place_names()[:TRAIN_WORDS]
    x, y, mask = data.encode_words(words, data.char_vocabulary(words))
    chars, rng = x.shape[1], np.random.default_rng(90)
    params = {"W_xh": rng.normal(0, 0.1, (TRAIN_HIDDEN, chars)),
              "W_hh": rng.normal(0, 0.1, (TRAIN_HIDDEN, TRAIN_HIDDEN)),
              "b_h": np.zeros((TRAIN_HIDDEN, 1)),
              "W_hy": rng.normal(0, 0.1, (chars, TRAIN_HIDDEN)), "b_y": np.zeros((chars, 1))}
    return {"x": x, "y": y, "mask": mask, "params": params}


def _sample_params() -> dict[str, np.ndarray]:
    """A small model whose distributions depend on all that was drawn."""
    rng = np.random.default_rng(91)
    return {"W_xh": rng.normal(0, 1.5, (SAMPLE_H, SAMPLE_V)),
            "W_hh": rng.normal(0, 0.8, (SAMPLE_H, SAMPLE_H)),
            "b_h": rng.normal(0, 0.5, (SAMPLE_H, 1)),
            "W_hy": rng.normal(0, 1.5, (SAMPLE_V, SAMPLE_H)),
            "b_y": rng.normal(0, 0.5, (SAMPLE_V, 1))}


# ------------------------------------------------------------------- the torch oracle (float64)

class _TorchOracle:
    """The right computations of the language model by torch and autograd, and the registry's
    Oracle (rnnkit.assignments.applications.mistakes.Oracle)."""

    def scores(self, h, W_hy, b_y) -> np.ndarray:
        return to_numpy(to_torch(W_hy) @ to_torch(h) + to_torch(b_y))

    def probabilities(self, scores, axis: int = 1) -> np.ndarray:
        import torch

        return to_numpy(torch.softmax(to_torch(scores), dim=axis))

    def loss(self, scores, y, mask) -> dict[str, np.ndarray]:
        s = to_torch(scores, grad=True)
        loss = _torch_loss(s, y, mask)
        loss.backward()
        return {"loss": to_numpy(loss), "dscores": to_numpy(s.grad)}

    def output_grads(self, dscores, h, W_hy) -> dict[str, np.ndarray]:
        import torch

        h_t, W = to_torch(h, grad=True), to_torch(W_hy, grad=True)
        b = torch.zeros(W_hy.shape[0], 1, dtype=torch.float64, requires_grad=True)
        ((W @ h_t + b) * to_torch(dscores)).sum().backward()
        return {"dh": to_numpy(h_t.grad), "dW_hy": to_numpy(W.grad), "db_y": to_numpy(b.grad)}

    def char_lm(self, x, y, mask, h0, params) -> dict[str, np.ndarray]:
        P = {k: to_torch(params[k], grad=True) for k in LM_KEYS}
        loss = _torch_loss(_torch_scores(_torch_states(x, to_torch(h0), P), P), y, mask)
        loss.backward()
        return {"loss": to_numpy(loss), **{k: to_numpy(P[k].grad, params[k]) for k in LM_KEYS}}

    def states(self, x, h0, params) -> np.ndarray:
        P = {k: to_torch(v) for k, v in params.items()}
        return to_numpy(_torch_states(x, to_torch(h0), P))

    def rnn_grads(self, dh, x, h0, params) -> dict[str, np.ndarray]:
        P = {k: to_torch(params[k], grad=k in ("W_xh", "W_hh", "b_h")) for k in LM_KEYS}
        (_torch_states(x, to_torch(h0), P) * to_torch(dh)).sum().backward()
        return {k: to_numpy(P[k].grad, params[k]) for k in ("W_xh", "W_hh", "b_h")}

    def next_char_probabilities(self, params, inputs, *, carry: bool = True) -> np.ndarray:
        import torch

        P = {k: to_torch(v) for k, v in params.items()}
        h = torch.zeros(P["W_hh"].shape[0], 1, dtype=torch.float64)
        rows = []
        for index in np.asarray(inputs):
            h = torch.tanh(P["W_hh"] @ (h if carry else 0 * h) + P["W_xh"][:, [int(index)]]
                           + P["b_h"])
            rows.append(torch.softmax(P["W_hy"] @ h + P["b_y"], dim=0)[:, 0])
        return to_numpy(torch.stack(rows))

    def train_losses(self, x, y, mask, params, steps, learning_rate, max_norm, *,
                     direction: float = 1.0, clip: str = "global") -> np.ndarray:
        import torch

        P = {k: to_torch(params[k], grad=True) for k in LM_KEYS}
        h0 = torch.zeros(P["W_hh"].shape[0], x.shape[2], dtype=torch.float64)
        losses = []
        for _ in range(steps):
            loss = _torch_loss(_torch_scores(_torch_states(x, h0, P), P), y, mask)
            losses.append(loss.item())
            for value in P.values():
                value.grad = None
            loss.backward()
            if clip == "global":
                torch.nn.utils.clip_grad_norm_(list(P.values()), max_norm)
            elif clip == "entries":
                torch.nn.utils.clip_grad_value_(list(P.values()), max_norm)
            with torch.no_grad():
                for value in P.values():
                    value -= direction * learning_rate * value.grad
        return np.array(losses)


def _torch_states(x, h0, P):
    import torch

    h, states = h0, []
    for x_t in to_torch(x):
        h = torch.tanh(P["W_hh"] @ h + P["W_xh"] @ x_t + P["b_h"])
        states.append(h)
    return torch.stack(states)


def _torch_scores(h, P):
    return P["W_hy"] @ h + P["b_y"]


def _torch_loss(scores, y, mask):
    """−(1/N) Σ mask · log softmax(scores)[y], in torch."""
    import torch

    log_p = torch.log_softmax(scores, dim=1)
    picked = log_p.gather(1, torch.as_tensor(np.asarray(y))[:, None, :])[:, 0, :]
    return -(picked * to_torch(mask)).sum() / scores.shape[2]


_TORCH = _TorchOracle()

# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------

# (section owned by helper MODELS)
#
# Quick checks on public data (other seeds than the hidden suite's): the values of pad_batch and
# average_embeddings against numpy and torch (torch's embedding_bag averages a bag of words);
# the classifier, the forecaster and the alerts by a small run printing what they reach, with
# bars below the hidden suite's (its thresholds are not shipped). The classifiers get the
# set-up cell's cell constants by number, as the hidden suite passes them.

CHECK_EPOCHS = 10
SENTIMENT_BAR, AGREEMENT_BAR, FORECAST_BAR, PRECISION_BAR, RECALL_BAR = 0.75, 0.75, 0.7, 0.6, 0.7


def check_pad_batch(pad_batch: Callable) -> None:
    """Check ``pad_batch(sequences, pad_index) -> (tokens, lengths, mask)`` on texts of
    different lengths (one of a single word), with pad index 0 and 9, and print a report."""
    report = Report("pad_batch", ["tokens", "lengths", "mask", untouched()])
    for pad_index in (0, 9):
        sequences = [np.array([5, 3, 8, 2]), np.array([4]), np.array([7, 6])]
        given = [s.copy() for s in sequences]
        ok, result = report.call("tokens", pad_batch, given, pad_index)
        if not ok or not report.expect("tokens", "", lambda r=result: expect_pair(
                "pad_batch(...)", r, 3), quiet=True):
            break
        expected = _padded(sequences, pad_index)
        for name, got, right in zip(("tokens", "lengths", "mask"), result, expected,
                                    strict=True):
            report.expect(name, values_ok(f"{name} (pad_index = {pad_index})", right.shape),
                          lambda n=name, g=got, r=right: _expect_kind_and_values(n, g, r))
        if not all(np.array_equal(a, b) for a, b in zip(given, sequences, strict=True)):
            report.fail(say(es="`pad_batch` modificó las secuencias que recibió.",
                            en="`pad_batch` modified the sequences it received."), untouched())
    if untouched() not in report.results:
        report.ok(say(es="no modifica sus argumentos", en="does not modify its arguments"),
                  untouched())
    report.summary()


def _padded(sequences: list[np.ndarray], pad_index: int) -> tuple[np.ndarray, ...]:
    """The right (tokens, lengths, mask), written out one text at a time."""
    longest = max(len(s) for s in sequences)
    tokens = np.array([list(s) + [pad_index] * (longest - len(s)) for s in sequences],
                      dtype=np.int64)
    mask = np.array([[t < len(s) for t in range(longest)] for s in sequences])
    return tokens, np.array([len(s) for s in sequences], dtype=np.int64), mask


def _expect_kind_and_values(name: str, got: Any, right: np.ndarray) -> None:
    kind = getattr(got, "dtype", None)
    if not isinstance(got, np.ndarray) or kind.kind != right.dtype.kind:
        raise CheckFailed(say(
            es="`{name}` es {kind}: debe ser un arreglo de numpy de {want}.",
            en="`{name}` is {kind}: it must be a numpy array of {want}.", name=name,
            kind=describe_kind(got),
            want=say(es="booleanos (True en las palabras reales)", en="booleans (True on real "
                     "words)") if right.dtype == bool else say(
                es="enteros (np.int64): los identificadores de palabra y las longitudes son "
                   "enteros", en="integers (np.int64): word ids and lengths are integers")))
    expect_close(name, got.astype(np.int64), right)


def check_average_embeddings(average_embeddings: Callable) -> None:
    """Check ``average_embeddings(tokens, mask, embeddings) -> (N, E)`` against torch's
    embedding_bag (the mean of each bag of words) and print a report."""
    import torch

    report = Report("average_embeddings", ["averaged", untouched()])
    rng = np.random.default_rng(40)
    sequences = [rng.integers(1, 7, size=n) for n in (4, 1, 3)]
    tokens, _, mask = _padded(sequences, 0)
    inputs = {"tokens": tokens, "mask": mask, "embeddings": rng.normal(size=(7, 5))}
    args = snapshot(**inputs)
    ok, got = report.call("averaged", average_embeddings, *args.values())
    if ok:
        bags = torch.as_tensor(np.concatenate(sequences))
        offsets = torch.as_tensor(np.cumsum([0] + [len(s) for s in sequences[:-1]]))
        expected = to_numpy(torch.nn.functional.embedding_bag(
            bags, to_torch(inputs["embeddings"]), offsets, mode="mean"))
        report.compare(values_ok("averaged", expected.shape), "averaged", got, expected,
                       variants=[(to_numpy(to_torch(inputs["embeddings"])[tokens].mean(1)),
                                  say(es="promedia también el relleno.",
                                      en="it averages the padding in too."))])
        report.unchanged(inputs, args)
    report.summary()


def check_build_classifier(build_classifier: Callable, train_classifier: Callable,
                           predict_classes: Callable) -> None:
    """Train the classifier on public sentences and print what it reaches: the sentiment of
    new contrast and negation reviews and, with CELL_LSTM, agreement across long gaps."""
    _check_classifier("build_classifier", build_classifier, train_classifier, predict_classes,
                      agreement=True)


def check_train_classifier(build_classifier: Callable, train_classifier: Callable,
                           predict_classes: Callable) -> None:
    """Train the classifier on public reviews; check the losses train_classifier reports and
    print the accuracy on new contrast and negation reviews."""
    _check_classifier("train_classifier", build_classifier, train_classifier, predict_classes)


def check_predict_classes(build_classifier: Callable, train_classifier: Callable,
                          predict_classes: Callable) -> None:
    """Train the classifier on public reviews; check what predict_classes returns and print the
    accuracy on new contrast and negation reviews."""
    _check_classifier("predict_classes", build_classifier, train_classifier, predict_classes)


# The items of the models' checks, as their reports print them.
_ITEMS = {"sentiment": ("sentimiento", "sentiment"), "agreement": ("concordancia", "agreement"),
          "losses": ("pérdidas", "losses"), "classes": ("clases", "classes"),
          "predictions": ("predicciones", "predictions"), "error": ("error", "error"),
          "causal": ("causalidad", "causality"), "alerts": ("alertas", "alerts"),
          "precision": ("precisión", "precision"), "recall": ("a tiempo", "in time")}


def _item(key: str) -> str:
    """An item of a models check, in the student's language."""
    es, en = _ITEMS[key]
    return say(es=es, en=en)


def _check_classifier(function: str, build: Callable, train: Callable, predict: Callable, *,
                      agreement: bool = False) -> None:
    import torch

    tasks = {"sentiment": (lambda: data.reviews(400, 41), lambda: data.reviews(200, 42),
                           SENTIMENT_BAR)}
    if agreement:
        tasks["agreement"] = (lambda: data.agreement(300, (16, 28), 43),
                              lambda: data.agreement(200, (28, 34), 44), AGREEMENT_BAR)
    report = Report(function, [_item(key) for key in (*tasks, "losses", "classes")])
    for name, (train_sentences, held_sentences, bar) in tasks.items():
        training, held = train_sentences(), held_sentences()
        vocab = data.word_vocabulary(training.texts)
        tokens, lengths, _ = _padded(data.encode_texts(training.texts, vocab), 0)
        held_tokens, held_lengths, _ = _padded(data.encode_texts(held.texts, vocab), 0)
        torch.manual_seed(0)
        ok, model = report.call(_item(name), build, len(vocab), 2, CELLS["CELL_LSTM"], 0)
        ok = ok and report.call(_item(name), _trained, report, train, model, tokens, lengths,
                                training.labels)[0]
        ok, classes = report.call(_item(name), predict, model, held_tokens, held_lengths) if ok \
            else (False, None)
        count = len(held.labels)
        if not ok or not report.expect(_item("classes"), say(
                es="predict_classes devuelve un arreglo np.int64 con una clase por texto",
                en="predict_classes returns an np.int64 array with one class per text"),
                lambda c=classes, n=count: _expect_int_classes(c, n)):
            break
        judged = np.array([kind != "plain" for kind in held.kinds]) if name == "sentiment" \
            else np.array([int(kind) >= 28 for kind in held.kinds])
        accuracy = float(np.mean((classes == held.labels)[judged]))
        what = say(es="{name}: acierta el {acc:.0%} de {n} frases nuevas (al menos {bar:.0%})",
                   en="{name}: right on {acc:.0%} of {n} new sentences (at least {bar:.0%})",
                   name=_item(name), acc=accuracy, n=int(judged.sum()), bar=bar)
        if accuracy >= bar:
            report.ok(what, _item(name))
        else:
            report.fail(what + say(
                es=": el orden de las palabras (contraste, negación) y la memoria del sujeto "
                   "hacen falta aquí; un promedio de vectores o una RNN simple se quedan cerca "
                   "del 50 %.",
                en=": word order (contrast, negation) and the memory of the subject are needed "
                   "here; averaged vectors or a simple RNN stay near 50 %."), _item(name))
    report.summary()


def _trained(report: Report, train: Callable, model: Any, tokens: np.ndarray,
             lengths: np.ndarray, labels: np.ndarray) -> None:
    """Train and judge the losses train_classifier reports (one per epoch, going down)."""
    losses = train(model, tokens, lengths, labels, CHECK_EPOCHS, 0)
    try:
        values = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (CHECK_EPOCHS,) or not values[-1] < values[0]:
        report.fail(say(
            es="train_classifier debe devolver {n} pérdidas, una por época, que bajen; "
               "devolvió {got}.",
            en="train_classifier must return {n} losses, one per epoch, going down; it "
               "returned {got}.", n=CHECK_EPOCHS,
            got=describe_kind(losses) if values is None else np.round(values, 3).tolist()),
            _item("losses"))
    else:
        report.ok(say(es="pérdidas por época: {first:.3f} → {last:.3f}",
                      en="losses per epoch: {first:.3f} → {last:.3f}",
                      first=values[0], last=values[-1]), _item("losses"))


def _expect_int_classes(classes: Any, n: int) -> None:
    if not (isinstance(classes, np.ndarray) and classes.dtype == np.int64
            and classes.shape == (n,)):
        raise CheckFailed(say(
            es="predict_classes debe devolver un arreglo np.int64 de forma ({n},), pero "
               "devolvió {kind}.",
            en="predict_classes must return an np.int64 array of shape ({n},), but it "
               "returned {kind}.", n=n, kind=describe_kind(classes)))


def check_train_forecaster(train_forecaster: Callable, forecast: Callable) -> None:
    """Train the forecaster on the first part of a public series and print its one-step error
    on the rest against the naive forecast (tomorrow = today)."""
    _check_forecaster("train_forecaster", train_forecaster, forecast, causal=False)


def check_forecast(train_forecaster: Callable, forecast: Callable) -> None:
    """Check that ``forecast`` is causal (changing the series after a step leaves the
    predictions up to it unchanged) and print its error against the naive forecast."""
    _check_forecaster("forecast", train_forecaster, forecast, causal=True)


# The public series' steps after which the causality check changes it, one before the judged
# steps (after PUBLIC_SPLIT) and some among them.
PUBLIC_LENGTH, PUBLIC_SPLIT, PUBLIC_CUTS = 900, 600, (300, 650, 750, 850)


def _check_forecaster(function: str, train_forecaster: Callable, forecast: Callable, *,
                      causal: bool) -> None:
    import torch

    items = ("predictions", "error", "causal") if causal else ("predictions", "error")
    report = Report(function, [_item(key) for key in items])
    values = data.index_series(PUBLIC_LENGTH, 45, anomalies=0).values
    series = (values - values[:PUBLIC_SPLIT].mean()) / values[:PUBLIC_SPLIT].std()
    torch.manual_seed(0)
    ok, model = report.call(_item("predictions"), train_forecaster,
                            series[:PUBLIC_SPLIT].copy(), 40, 10, 0)
    ok, predictions = report.call(_item("predictions"), forecast, model, series.copy()) if ok \
        else (False, None)
    if not (ok and report.expect(_item("predictions"), say(
            es="forecast devuelve L - 1 predicciones finitas",
            en="forecast returns L - 1 finite predictions"),
            lambda: expect_close_shape(predictions, len(series) - 1))):
        report.summary()
        return
    failed_before = report.failed
    peek = _first_peek(report, forecast, model, series, predictions)
    raised = report.failed > failed_before  # its ✗ is printed: nothing more to say of it
    later = slice(PUBLIC_SPLIT - 1, None)
    ratio = float(np.mean((predictions[later] - series[1:][later]) ** 2)
                  / np.mean((series[:-1][later] - series[1:][later]) ** 2))
    what = say(es="error cuadrático medio en el futuro: {r:.2f} veces el del pronóstico "
                  "ingenuo (por debajo de {bar})",
               en="mean squared error on the future: {r:.2f} times the naive forecast's "
                  "(below {bar})", r=ratio, bar=FORECAST_BAR)
    if peek is not None:
        report.fail(what + say(es=": no cuenta, porque forecast mira el futuro.",
                               en=": it does not count, since forecast looks into the future."),
                    _item("error"))
    elif ratio < FORECAST_BAR:
        report.ok(what, _item("error"))
    else:
        report.fail(what + say(
            es=": lee los cambios de un paso al siguiente y predice el cambio siguiente, "
               "que se suma al último valor.",
            en=": read the changes from one step to the next and predict the next change, "
               "added to the last value."), _item("error"))
    if causal and peek is None and not raised:
        report.ok(say(es="causal: cambiar la serie después de un paso no cambia las "
                         "predicciones hasta ese paso",
                      en="causal: changing the series after a step leaves the predictions up "
                         "to that step unchanged"), _item("causal"))
    elif causal:
        report.fail(say(
            es="forecast mira el futuro: cambiar la serie después del paso {t} cambió "
               "predicciones anteriores; la predicción t solo puede usar series[:t+1].",
            en="forecast looks into the future: changing the series after step {t} changed "
               "earlier predictions; prediction t may use series[:t+1] only.", t=peek),
            _item("causal"))
    report.summary()


def _first_peek(report: Report, forecast: Callable, model: Any, series: np.ndarray,
                predictions: np.ndarray) -> int | None:
    """The first of PUBLIC_CUTS after which changing the series changes ``forecast``'s
    predictions up to it (it looks into the future); None when there is none, or when
    ``forecast`` raised (the report says so)."""
    for cut in PUBLIC_CUTS:
        moved = series.copy()
        moved[cut + 1:] += 1.0
        ok, again = report.call(_item("causal"), forecast, model, moved)
        if not ok:
            return None
        same = isinstance(again, np.ndarray) and again.shape == predictions.shape \
            and np.allclose(again[:cut + 1], predictions[:cut + 1], rtol=1e-5, atol=1e-6)
        if not same:
            return cut
    return None


def expect_close_shape(predictions: Any, n: int) -> None:
    array = as_numeric_array(predictions)
    if array is None or array.shape != (n,) or not np.all(np.isfinite(array)):
        raise CheckFailed(say(
            es="forecast debe devolver un arreglo de forma ({n},) de números finitos, pero "
               "devolvió {kind}.",
            en="forecast must return an array of shape ({n},) of finite numbers, but it "
               "returned {kind}.", n=n, kind=describe_kind(predictions)))


def check_anomaly_alerts(anomaly_alerts: Callable) -> None:
    """Run ``anomaly_alerts`` on two public series with ideal predictions (the series'
    ``expected`` values) and print its precision and how many episodes it caught in time."""
    report = Report("anomaly_alerts",
                    [*(_item(key) for key in ("alerts", "precision", "recall")), untouched()])
    alerts = on_anomalies = caught = episodes = 0
    for seed in (46, 47):
        s = data.index_series(600, seed, anomalies=6)
        center, scale = s.values.mean(), s.values.std()
        inputs = {"series": (s.values - center) / scale,
                  "predictions": (s.expected[1:] - center) / scale}
        args = snapshot(**inputs)
        ok, got = report.call(_item("alerts"), anomaly_alerts, *args.values())
        count = len(s.values) - 1
        if not ok or not report.expect(_item("alerts"), say(
                es="devuelve un arreglo booleano de L - 1 alertas",
                en="returns a boolean array of L - 1 alerts"),
                lambda g=got, n=count: _expect_bools(g, n)):
            report.summary()
            return
        report.unchanged(inputs, args)
        steps = np.flatnonzero(got) + 1
        alerts += len(steps)
        on_anomalies += int(s.anomalous[steps].sum())
        caught += sum(bool(got[onset - 1:onset + 2].any()) for onset in s.onsets)
        episodes += len(s.onsets)
    precision = on_anomalies / alerts if alerts else 0.0
    (report.ok if precision >= PRECISION_BAR else report.fail)(say(
        es="precisión: {on} de {a} alertas en pasos anómalos (al menos {bar:.0%})",
        en="precision: {on} of {a} alerts on anomalous steps (at least {bar:.0%})",
        on=on_anomalies, a=alerts, bar=PRECISION_BAR), _item("precision"))
    (report.ok if caught / episodes >= RECALL_BAR else report.fail)(say(
        es="a tiempo: {c} de {e} episodios con una alerta en su inicio o 2 pasos después "
           "(al menos {bar:.0%}; mira el tamaño del error, hacia arriba y hacia abajo)",
        en="in time: {c} of {e} episodes with an alert at their onset or 2 steps after (at "
           "least {bar:.0%}; look at the size of the error, up and down)",
        c=caught, e=episodes, bar=RECALL_BAR), _item("recall"))
    report.summary()


def _expect_bools(alerts: Any, n: int) -> None:
    if not (isinstance(alerts, np.ndarray) and alerts.dtype == bool and alerts.shape == (n,)):
        raise CheckFailed(say(
            es="anomaly_alerts debe devolver un arreglo booleano de forma ({n},), pero "
               "devolvió {kind}.",
            en="anomaly_alerts must return a boolean array of shape ({n},), but it returned "
               "{kind}.", n=n, kind=describe_kind(alerts)))
