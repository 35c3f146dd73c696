"""Hidden suite of assignment "applications", the character-level language model and the concept
questions: each test grades one function, or one quantity it returns.

Inputs are seeded and never shown to students. The output layer and the loss meet three shapes
(T, N, V, H) that cover T = 1, N = 1 and V ≠ H, with two seeded inputs each, words of different
lengths in one batch (the mask keeps their real steps; the padding's targets are arbitrary
characters, which must not count) and, for the loss, scores up to ±1000 (a softmax that does not
subtract the largest score overflows there). A function that gives different results for the
same inputs keeps state between calls and fails its value tests. Values are compared with the
reference solution through rnnkit.compare (rtol 1e-6, atol 1e-8), with the known mistakes of the
registry, rnnkit.assignments.applications.mistakes (computed by the oracle on the reference
solution, hidden/oracle.py), named in the feedback.

char_lm_loss runs the student's own RNN (rnn_forward, rnn_backward, graded in assignment "rnn"),
so it is judged against that RNN: its loss must be the reference output layer's and loss's on
the reference states or on the states the student's rnn_forward gives; its gradients must match
the reference's, or, when the student's loss is not the reference's, the reference backward
along the student's states or the finite differences of the student's own char_lm_loss, but
only when that loss responds to the parameters where the reference's does
(rnnkit.grading.judge): a wrong loss is not punished again in the gradients, and any correct way
of computing them passes.

train_char_lm is judged by what it learns. The suite calls the notebook's ``fix_seed(seed)`` in
the student's process, then the student's train_char_lm on place names it chose (a seeded
75 % of rnnkit.assignments.applications.data.place_names), from seeded small parameters, with a
learning rate at which gradient descent needs clipping; then it computes, with the reference
forward, the loss per character of the returned parameters on the other 25 %, words the model
never saw. The reference reaches 2.38-2.59 nats on the five seeds
tests/test_solutions_applications.py tries (this suite uses one of them); the threshold, 2.75,
is below what letter frequencies alone give (about 2.9) and far below untrained parameters
(about 3.47 = log 32), gradient ascent or training without clipping at that rate (4 and more).
When the training fails, its first losses tell which known mistake it made (no clipping, entries
clipped one by one, ascent, no update).

sample_chars is judged statistically, so that any correct way of drawing passes (rng.choice,
the inverse of the cumulative distribution, the Gumbel trick, ...). The suite gets a seeded
np.random.Generator from the notebook's ``make_rng(seed)``, and asks for many short samples
(their first characters) and a few long ones (every character after the first). Along each
sample it computes with the reference the model's distribution of every character given the
characters drawn before it (h carried, each draw fed back), and checks that the draws fit those
distributions: their randomised probability integral transforms are uniform (a chi-square over
10 bins below 40, which a right sampler exceeds with probability about 1e-5) and their total
surprise, −Σ log p(draw), is within 5 standard deviations of its expectation. Drawing the most
likely character, reading first_index at every step or starting every step from h = 0 fail by
hundreds; the feedback names the mistake whose distributions the draws fit instead. A sample
must also be reproducible: the same seed gives the same characters, another seed others.

Points: output_forward 3 (the values on three shapes 2, the inputs untouched 1); softmax_loss 4
(the loss, dscores, scores of ±1000, the inputs untouched); output_backward 4 (dh, dW_hy, db_y,
the inputs untouched); char_lm_loss 8 (the loss 2, each parameter's gradient 1, the inputs
untouched 1); train_char_lm 5 (the held-out loss 3, the losses it reports 1, the inputs
untouched 1); sample_chars 4 (the first characters 1, the later ones 2, reproducible with the
inputs untouched 1); the concept questions word_vectors 2 and sequential_cost 2, graded against
the reference's answers, a wrong answer's feedback giving the right one and why; 32 in all.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from rnnkit.assignments.applications import SEQUENTIAL_COST, WORD_VECTORS, data, mistakes
from rnnkit.assignments.applications.hidden.oracle import ORACLE
from rnnkit.assignments.applications.mistakes import MISTAKES
from rnnkit.checks.questions import expect_right
from rnnkit.compare import (
    CheckFailed,
    Variant,
    as_numeric_array,
    close,
    describe_kind,
    expect_close,
    expect_keys,
    expect_pair,
)
from rnnkit.grading.judge import (
    OwnForward,
    copies,
    expect_consistent,
    expect_gradient,
    expect_untouched,
    explaining,
    memo,
    own_numeric,
    responds_on_course,
    responsiveness,
)
from rnnkit.grading.student import StudentFailure
from rnnkit.i18n import current_language, say
from rnnkit.mistakes import LazyMistakes, deferred
from solutions import applications as reference
from solutions import rnn

# (T, N, V, H): time steps, batch, vocabulary, hidden size.
SHAPES = {"T4-N3-V5-H6": (4, 3, 5, 6), "T1-N1-V3-H2": (1, 1, 3, 2), "T5-N2-V7-H3": (5, 2, 7, 3)}
SEEDS = (0, 1)  # two seeded inputs per shape
# Seed 0 with the scores scaled so that the largest is 1000 in size, once of each sign.
LARGE = ("large", "large, negated")
PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
OUTPUT_GRAD_KEYS = ("dh", "dW_hy", "db_y")
# (shape, seed) of the inputs char_lm_loss's gradients are judged on, the smallest first: the
# finite differences of the student's own loss, when they are needed, are cheapest there.
GRAD_COURSE = (("T1-N1-V3-H2", 0), ("T4-N3-V5-H6", 0), ("T5-N2-V7-H3", 1))
KNOWN = LazyMistakes(MISTAKES, ORACLE)


def make_inputs(shape_id: str, seed: int | str = 0) -> dict[str, Any]:
    """Every function's inputs on one shape: words of different lengths (x one-hot (T, V, N),
    zero on padding; targets y (T, N), arbitrary on padding; mask (T, N)), h0 (H, N), params,
    states h (T, H, N), scores (T, V, N) and an upstream gradient dscores (T, V, N)."""
    T, N, V, H = SHAPES[shape_id]
    if seed in LARGE:
        inputs = make_inputs(shape_id)
        sign = 1.0 if seed == LARGE[0] else -1.0
        inputs["scores"] = inputs["scores"] * (sign * 1000.0 / np.max(np.abs(inputs["scores"])))
        return inputs
    return lm_problem(T, N, V, H, np.random.default_rng([seed, T, N, V, H, 2032]))


def lm_problem(T: int, N: int, V: int, H: int, rng: np.random.Generator) -> dict[str, Any]:
    """make_inputs's inputs of shape (T, N, V, H) drawn from ``rng`` (tests/test_solutions_
    applications.py draws its own)."""
    lengths = rng.integers(1, T + 1, size=N)
    lengths[0] = T  # the longest word sets T, as in encode_words
    mask = np.arange(T)[:, None] < lengths[None, :]
    read = rng.integers(0, V, size=(T, N))
    x = (np.arange(V)[None, :, None] == read[:, None, :]) * mask[:, None, :].astype(float)
    params = {"W_xh": rng.normal(0, 0.6, (H, V)), "W_hh": rng.normal(0, 0.6, (H, H)),
              "b_h": rng.normal(0, 0.3, (H, 1)), "W_hy": rng.normal(0, 0.8, (V, H)),
              "b_y": rng.normal(0, 0.3, (V, 1))}
    return {"x": x, "y": rng.integers(0, V, size=(T, N)), "mask": mask,
            "h0": rng.normal(0, 0.5, (H, N)), "params": params,
            "h": np.tanh(rng.normal(size=(T, H, N))), "scores": rng.normal(0, 2.0, (T, V, N)),
            "dscores": rng.normal(size=(T, V, N))}


def sizes(shape_id: str) -> str:
    """"With T = 4, N = 3, V = 5, H = 6": what a failure on one shape starts with."""
    T, N, V, H = SHAPES[shape_id]
    return say(es="Con T = {T}, N = {N}, V = {V}, H = {H}",
               en="With T = {T}, N = {N}, V = {V}, H = {H}", T=T, N=N, V=V, H=H)


def large_context(shape_id: str) -> str:
    T, N, V, H = SHAPES[shape_id]
    return say(es="Con puntuaciones de hasta ±1000 (T = {T}, N = {N}, V = {V}, H = {H})",
               en="With scores as large as ±1000 (T = {T}, N = {N}, V = {V}, H = {H})",
               T=T, N=N, V=V, H=H)


def each_input(student, function: str, args_of: Callable[[dict], tuple]) -> dict:
    """The student's ``function`` on copies of its arguments, ``args_of(inputs)``, on every
    shape and seed, then once more on the first (what a function that keeps state between
    calls gives differently): (shape_id, seed) -> result."""
    got = {(shape_id, seed): getattr(student, function)(*copies(*args_of(make_inputs(
        shape_id, seed)))) for shape_id in SHAPES for seed in SEEDS}
    getattr(student, function)(*copies(*args_of(make_inputs(next(iter(SHAPES))))))
    expect_consistent(student, function)
    return got


# ------------------------------------------------------------------ output_forward (3 points)

def output_args(i: dict) -> tuple:
    return i["h"], i["params"]["W_hy"], i["params"]["b_y"]


@pytest.mark.grades("output_forward", points=2)
def test_output_forward_scores(student):
    got = each_input(student, "output_forward", output_args)
    for (shape_id, seed), scores in got.items():
        args = output_args(make_inputs(shape_id, seed))
        with explaining(sizes(shape_id)):
            expect_close("scores", scores, reference.output_forward(*args), time_axis=0,
                         variants=KNOWN.variants("output_forward", *args))


@pytest.mark.grades("output_forward", points=1)
def test_output_forward_leaves_inputs_untouched(student):
    student.output_forward(*output_args(make_inputs("T4-N3-V5-H6", 2)))
    expect_untouched(student, "output_forward")


# -------------------------------------------------------------------- softmax_loss (4 points)

def loss_args(i: dict) -> tuple:
    return i["scores"], i["y"], i["mask"]


def judge_softmax_loss(shape_id: str, seed: int | str, got: Any, key: str) -> None:
    """Judge the ``key`` ("loss" or "dscores") of the pair softmax_loss returned, ``got``."""
    args = loss_args(make_inputs(shape_id, seed))
    loss, dscores = expect_pair("softmax_loss(...)", got)
    right = dict(zip(("loss", "dscores"), reference.softmax_loss(*args), strict=True))
    variants = KNOWN.keyed_variants("softmax_loss", *args, right=right,
                                    got={"loss": loss, "dscores": dscores})
    expect_close(key, {"loss": loss, "dscores": dscores}[key], right[key],
                 time_axis=0 if key == "dscores" else None, variants=variants[key])


@pytest.mark.grades("softmax_loss", points=1)
@pytest.mark.parametrize("key", ["loss", "dscores"])
def test_softmax_loss(student, key):
    got = each_input(student, "softmax_loss", loss_args)
    for (shape_id, seed), pair in got.items():
        with explaining(sizes(shape_id)):
            judge_softmax_loss(shape_id, seed, pair, key)


@pytest.mark.grades("softmax_loss", points=1)
def test_softmax_loss_with_large_scores(student):
    for seed in LARGE:
        for shape_id in SHAPES:
            got = student.softmax_loss(*copies(*loss_args(make_inputs(shape_id, seed))))
            with explaining(large_context(shape_id)):
                for key in ("loss", "dscores"):
                    judge_softmax_loss(shape_id, seed, got, key)


@pytest.mark.grades("softmax_loss", points=1)
def test_softmax_loss_leaves_inputs_untouched(student):
    student.softmax_loss(*loss_args(make_inputs("T4-N3-V5-H6", 2)))
    expect_untouched(student, "softmax_loss")


# ----------------------------------------------------------------- output_backward (4 points)

def output_backward_args(i: dict) -> tuple:
    return i["dscores"], i["h"], i["params"]["W_hy"]


@pytest.mark.grades("output_backward", points=1)
@pytest.mark.parametrize("key", OUTPUT_GRAD_KEYS)
def test_output_backward(student, key):
    got = each_input(student, "output_backward", output_backward_args)
    for (shape_id, seed), result in got.items():
        args = output_backward_args(make_inputs(shape_id, seed))
        mine = dict(zip(OUTPUT_GRAD_KEYS, expect_pair("output_backward(...)", result, size=3),
                        strict=True))
        right = dict(zip(OUTPUT_GRAD_KEYS, reference.output_backward(*args), strict=True))
        variants = KNOWN.keyed_variants("output_backward", *args, right=right, got=mine)
        with explaining(sizes(shape_id)):
            expect_close(key, mine[key], right[key], time_axis=0 if key == "dh" else None,
                         variants=variants[key])


@pytest.mark.grades("output_backward", points=1)
def test_output_backward_leaves_inputs_untouched(student):
    student.output_backward(*output_backward_args(make_inputs("T4-N3-V5-H6", 2)))
    expect_untouched(student, "output_backward")


# -------------------------------------------------------------------- char_lm_loss (8 points)

def lm_args(i: dict) -> tuple:
    return i["x"], i["y"], i["mask"], i["h0"], i["params"]


@functools.cache
def lm_case(shape_id: str, seed: int, language: str) -> dict:
    """The reference's loss and gradients of char_lm_loss on the inputs (shape_id, seed),
    computed once, and the known mistakes' values (in the language of their messages),
    computed once when a wrong answer first reads them."""
    args = lm_args(make_inputs(shape_id, seed))
    loss, grads = reference.char_lm_loss(*args)
    right = {"loss": loss, **grads}
    return {"right": right, "mistakes": KNOWN.keyed_variants("char_lm_loss", *args, right=right)}


def student_lm(student, shape_id: str, seed: int) -> tuple[Any, dict]:
    """(loss, grads) of the student's char_lm_loss on the inputs (shape_id, seed)."""
    loss, grads = expect_pair("char_lm_loss(...)", student.char_lm_loss(
        *copies(*lm_args(make_inputs(shape_id, seed)))))
    expect_keys("char_lm_loss(...)[1]", grads, PARAM_KEYS)
    return loss, grads


def own_states(student, shape_id: str, seed: int) -> np.ndarray | None:
    """The states h (T, H, N) the student's rnn_forward gives on the inputs (shape_id, seed),
    or None when it fails or gives something else."""
    def compute() -> np.ndarray | None:
        i = make_inputs(shape_id, seed)
        try:
            h = as_numeric_array(expect_pair("", student.rnn_forward(
                *copies(i["x"], i["h0"], i["params"])))[0])
        except CheckFailed:  # missing, raised, or not a pair: the reference's states stand
            return None
        return h if h is not None and h.shape == i["h"].shape[:1] + i["h0"].shape else None
    return memo(student, ("states", shape_id, seed), compute)


def along_states(student, shape_id: str, seed: int) -> dict | None:
    """The reference's output layer, loss and backward along the states of the student's
    rnn_forward: {"loss", and the gradients by parameter name}, or None without such states."""
    h = own_states(student, shape_id, seed)
    if h is None:
        return None
    x, y, mask, h0, p = lm_args(make_inputs(shape_id, seed))
    loss, dscores = reference.softmax_loss(reference.output_forward(h, p["W_hy"], p["b_y"]),
                                           y, mask)
    dh, dW_hy, db_y = reference.output_backward(dscores, h, p["W_hy"])
    states = [h0, *h]
    caches = [(x[t], states[t], states[t + 1], p["W_xh"], p["W_hh"]) for t in range(len(x))]
    grads = rnn.rnn_backward(dh, caches)
    return {"loss": loss, **{k: grads[f"d{k}"] for k in ("W_xh", "W_hh", "b_h")},
            "W_hy": dW_hy, "b_y": db_y}


def own_pipeline_variants(student, shape_id: str, seed: int) -> list[Variant]:
    """When the student's output_forward or softmax_loss is wrong: the loss they give on the
    reference states, named as following them."""
    x, y, mask, h0, p = lm_args(make_inputs(shape_id, seed))
    h = ORACLE.states(x, h0, p)
    try:
        scores = as_numeric_array(student.output_forward(*copies(h, p["W_hy"], p["b_y"])))
        loss = expect_pair("", student.softmax_loss(*copies(scores, y, mask)))[0]
    except (CheckFailed, TypeError):  # they fail: their own tests say so
        return []
    return [(loss, say(
        es="es lo que dan tus output_forward y softmax_loss en los estados correctos, pero no "
           "son correctas: corrígelas primero (mira sus pruebas).",
        en="it is what your output_forward and softmax_loss give on the right states, but they "
           "are not right: fix them first (see their tests)."))]


@pytest.mark.grades("char_lm_loss", points=2)
def test_char_lm_loss_value(student):
    got = {(shape_id, seed): student_lm(student, shape_id, seed)[0]
           for shape_id in SHAPES for seed in SEEDS}
    student_lm(student, next(iter(SHAPES)), SEEDS[0])
    expect_consistent(student, "char_lm_loss")
    for (shape_id, seed), loss in got.items():
        case = lm_case(shape_id, seed, current_language())
        own = along_states(student, shape_id, seed)
        if own is not None and close(loss, own["loss"]):
            continue  # right for the student's own RNN, graded in assignment "rnn"
        with explaining(sizes(shape_id)):
            expect_close("loss", loss, case["right"]["loss"], variants=deferred(
                lambda c=case, s=shape_id, d=seed: [
                    *c["mistakes"]["loss"], *own_pipeline_variants(student, s, d)]))


def lm_loss_at(student, shape_id: str, seed: Any) -> tuple[Callable, Callable, dict]:
    """The student's and the reference's loss as functions of the parameters (a dict by name),
    on the inputs (shape_id, seed), and those parameters."""
    x, y, mask, h0, p = lm_args(make_inputs(shape_id, seed))

    def mine(params: dict) -> Any:
        return expect_pair("", student.char_lm_loss(*copies(x, y, mask, h0, params)))[0]

    def right(params: dict) -> float:
        return reference.char_lm_loss(x, y, mask, h0, params)[0]

    return mine, right, p


@pytest.mark.grades("char_lm_loss", points=1)
@pytest.mark.parametrize("key", PARAM_KEYS)
def test_char_lm_loss_gradient(student, key):
    for shape_id, seed in GRAD_COURSE:
        loss, grads = student_lm(student, shape_id, seed)
        case = lm_case(shape_id, seed, current_language())
        mine, right, params = lm_loss_at(student, shape_id, seed)
        responds = responsiveness(mine, right, params)
        with explaining(sizes(shape_id)):
            expect_gradient(
                f"grads['{key}']", grads[key], case["right"][key],
                forward_is_right=close(loss, case["right"]["loss"]),
                own=OwnForward(
                    student, ("char_lm_loss", "rnn_forward"),
                    numeric=own_numeric(mine, params, key, np.array(1.0)),
                    responds=lambda s=shape_id, d=seed, r=responds: memo(
                        student, ("responds", s, d), r),
                    responds_to_target=lambda: responds_on_course(
                        student, "char_lm_loss", GRAD_COURSE, key,
                        functools.partial(lm_loss_at, student)),
                    at_states=lambda s=shape_id, d=seed: [
                        (along_states(student, s, d) or {}).get(key)]),
                variants=case["mistakes"][key])


@pytest.mark.grades("char_lm_loss", points=1)
def test_char_lm_loss_leaves_inputs_untouched(student):
    student.char_lm_loss(*lm_args(make_inputs("T4-N3-V5-H6", 2)))
    expect_untouched(student, "char_lm_loss")


# ------------------------------------------------------------------- train_char_lm (5 points)

SEED = 2  # one of the five seeds tests/test_solutions_applications.py tries (SEEDS_TRIED)
SEEDS_TRIED = range(5)
HIDDEN, STEPS, LEARNING_RATE, MAX_NORM = 16, 120, 2.0, 1.0
HELD_OUT = 0.25
THRESHOLD = 2.75  # nats per character on held-out words; see the module's docstring


@dataclass(frozen=True)
class CharData:
    """The words the suite trains on and judges with, and what it starts from."""

    x: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    params: dict
    held_out: tuple[np.ndarray, np.ndarray, np.ndarray]
    letters_only: float  # the held-out loss of letter frequencies alone (unigram)


@functools.cache
def char_data(seed: int = SEED) -> CharData:
    """The suite's words and initial parameters, drawn with ``seed``."""
    words = data.place_names("es")
    vocab = data.char_vocabulary(words)
    train, held = data.split_words(words, HELD_OUT, seed)
    x, y, mask = data.encode_words(train, vocab)
    held_out = data.encode_words(held, vocab)
    V = len(vocab.chars)
    rng = np.random.default_rng(seed)
    params = {"W_xh": rng.normal(0, 0.1, (HIDDEN, V)), "W_hh": rng.normal(0, 0.1, (HIDDEN, HIDDEN)),
              "b_h": np.zeros((HIDDEN, 1)), "W_hy": rng.normal(0, 0.1, (V, HIDDEN)),
              "b_y": np.zeros((V, 1))}
    counts = np.bincount(y[mask], minlength=V) + 1.0
    _, held_y, held_mask = held_out
    letters_only = float(-np.log(counts / counts.sum())[held_y[held_mask]].mean())
    return CharData(x, y, mask, params, held_out, letters_only)


def held_out_loss(params: dict, x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> float:
    """The loss per real character of the language model ``params`` on the words (x, y, mask)
    (the reference's forward from h0 = 0)."""
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    loss, _ = reference.char_lm_loss(x, y, mask, h0, params)
    return loss * x.shape[2] / mask.sum()


def training_run(student) -> tuple[Any, list[str], CheckFailed | None]:
    """The student's train_char_lm on the suite's words, called once per grading run (after
    the notebook's fix_seed): what it returned, which arguments it modified, and how it
    failed (None when it returned)."""
    def compute() -> tuple[Any, list[str], CheckFailed | None]:
        d = char_data()
        with contextlib.suppress(StudentFailure):  # a numpy training needs no global seed
            student.fix_seed(SEED)
        try:
            result = student.train_char_lm(*copies(d.x, d.y, d.mask, d.params), STEPS,
                                           LEARNING_RATE, MAX_NORM)
        except CheckFailed as failure:
            return None, [], failure
        return result, student.mutated_arguments(), None

    return memo(student, ("train_char_lm",), compute)


def trained(student) -> tuple[dict, Any]:
    """(params, losses) the student's train_char_lm returned, checked to be a pair and params a
    dict with every parameter."""
    result, _, failure = training_run(student)
    if failure is not None:
        raise failure
    params, losses = expect_pair("train_char_lm(...)", result)
    expect_keys("train_char_lm(...)[0]", params, PARAM_KEYS)
    return params, losses


def training_mistake(losses: Any) -> str | None:
    """Why the training failed, when its first losses are those of a known mistake."""
    d = char_data()
    message = mistakes.training_mistake(ORACLE, losses, d.x, d.y, d.mask, d.params,
                                        LEARNING_RATE, MAX_NORM)
    return message and say(es="Las primeras pérdidas dicen por qué: {why}",
                           en="The first losses tell why: {why}", why=message)


@pytest.mark.grades("train_char_lm", points=3)
def test_train_char_lm_learns(student):
    params, losses = trained(student)
    d = char_data()
    checked = {}
    for key, start in d.params.items():
        value = as_numeric_array(params[key])
        if value is None or value.shape != start.shape:
            expect_close(f"params['{key}']", params[key], start)  # says what is wrong
        checked[key] = value
    if not all(np.all(np.isfinite(value)) for value in checked.values()):
        raise CheckFailed(say(
            es="Los parámetros que devuelve train_char_lm contienen NaN o infinito: el "
               "entrenamiento divergió. {why}",
            en="The parameters train_char_lm returns contain NaN or infinity: the training "
               "diverged. {why}", why=training_mistake(losses) or ""))
    got = held_out_loss(checked, *d.held_out)
    if got >= THRESHOLD:
        start = held_out_loss(d.params, *d.held_out)
        why = training_mistake(losses)
        if why is None and all(close(checked[k], d.params[k], rtol=0.0, atol=0.0)
                               for k in PARAM_KEYS):
            why = say(es="Devuelves los parámetros iniciales: devuelve los entrenados.",
                      en="You return the initial parameters: return the trained ones.")
        raise CheckFailed(say(
            es="Con los parámetros que devuelve train_char_lm, la pérdida por carácter en "
               "palabras que el modelo no vio es {got:.3f} nats; un modelo entrenado baja de "
               "{bar} (los parámetros iniciales dan {start:.2f}, y las solas frecuencias de "
               "las letras {letters:.2f}). {why}",
            en="With the parameters train_char_lm returns, the loss per character on words "
               "the model never saw is {got:.3f} nats; a trained model goes below {bar} (the "
               "initial parameters give {start:.2f}, and letter frequencies alone "
               "{letters:.2f}). {why}",
            got=got, bar=THRESHOLD, start=start, letters=d.letters_only, why=why or "").strip())


@pytest.mark.grades("train_char_lm", points=1)
def test_train_char_lm_reports_its_losses(student):
    _, losses = trained(student)
    d = char_data()
    try:
        values = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (STEPS,):
        raise CheckFailed(say(
            es="train_char_lm debería devolver, con los parámetros, una lista de {n} pérdidas, "
               "una por paso, pero devolvió {kind}.",
            en="train_char_lm should return, with the parameters, a list of {n} losses, one per "
               "step, but it returned {kind}.", n=STEPS, kind=describe_kind(losses)))
    h0 = np.zeros((HIDDEN, d.x.shape[2]))
    expect_close("losses[0]", values[0], reference.char_lm_loss(d.x, d.y, d.mask, h0,
                                                                 d.params)[0])
    if not (np.all(np.isfinite(values)) and values[-1] < values[0]):
        why = training_mistake(losses)
        raise CheckFailed(say(
            es="Las pérdidas que devuelve train_char_lm no bajan: la primera es {first:.4g} y "
               "la última {last:.4g}. {why}",
            en="The losses train_char_lm returns do not go down: the first is {first:.4g} and "
               "the last {last:.4g}. {why}",
            first=values[0], last=values[-1], why=why or "").strip())


@pytest.mark.grades("train_char_lm", points=1)
def test_train_char_lm_leaves_inputs_untouched(student):
    trained(student)
    _, mutated, _ = training_run(student)
    if mutated:
        raise CheckFailed(say(
            es="`train_char_lm` modificó sus argumentos ({args}): actualiza un diccionario "
               "nuevo, `params = {{k: params[k] - lr * grads[k] for k in params}}`, en vez de "
               "`params[k] -= ...`.",
            en="`train_char_lm` modified its arguments ({args}): update a new dict, "
               "`params = {{k: params[k] - lr * grads[k] for k in params}}`, instead of "
               "`params[k] -= ...`.", args=", ".join(mutated)))


# -------------------------------------------------------------------- sample_chars (4 points)

SAMPLE_V, SAMPLE_H = 6, 8
FIRST_CALLS, FIRST_LENGTH = 300, 2  # many short samples: their first characters
LONG_CALLS = ((0, 300), (0, 300), (3, 300), (5, 300))  # (first_index, length) of long ones
FIT_SEED = 2033  # seeds the generators the suite hands sample_chars


@functools.cache
def sample_params() -> dict:
    """A model whose distributions depend on the whole past (its weights are large enough that
    h carries what was drawn): a sampler that forgets h or the last draw draws otherwise."""
    rng = np.random.default_rng(2031)
    V, H = SAMPLE_V, SAMPLE_H
    return {"W_xh": rng.normal(0, 1.5, (H, V)), "W_hh": rng.normal(0, 0.8, (H, H)),
            "b_h": rng.normal(0, 0.5, (H, 1)), "W_hy": rng.normal(0, 1.5, (V, H)),
            "b_y": rng.normal(0, 0.5, (V, 1))}


def student_sample(student, first_index: int, length: int, rng: Any) -> np.ndarray:
    """The student's sample, checked to be an integer array (length,) of indices in [0, V)."""
    drawn = student.sample_chars(*copies(sample_params()), first_index, length, rng)
    if not (isinstance(drawn, np.ndarray) and drawn.dtype.kind in "iu"
            and drawn.shape == (length,)):
        raise CheckFailed(say(
            es="`sample_chars(...)` debería devolver un arreglo de numpy de enteros de forma "
               "({n},), pero devolvió {kind}.",
            en="`sample_chars(...)` should return a numpy array of integers of shape ({n},), "
               "but it returned {kind}.", n=length, kind=describe_kind(drawn)))
    if drawn.size and (drawn.min() < 0 or drawn.max() >= SAMPLE_V):
        raise CheckFailed(say(
            es="`sample_chars(...)` devolvió índices fuera de [0, {V}): cada uno es un carácter "
               "del vocabulario.",
            en="`sample_chars(...)` returned indices outside [0, {V}): each one is a character "
               "of the vocabulary.", V=SAMPLE_V))
    return drawn.astype(np.int64)


def expect_sampled_from_model(samples: list[tuple[int, np.ndarray]], keep: slice) -> None:
    """Raise CheckFailed unless the characters ``keep`` of every sample (first_index, drawn)
    fit the model's distributions along it; name the known mistake they fit instead."""
    p = sample_params()
    mistake = mistakes.sampling_mistake(ORACLE, p, samples, keep)
    if mistake is None:
        return
    if mistake:
        raise CheckFailed(f"`sample_chars`: {mistake}")
    drawn = np.concatenate([d[keep] for _, d in samples])
    q = np.concatenate([ORACLE.next_char_probabilities(
        p, np.asarray([first, *d[:-1]], dtype=np.int64))[keep] for first, d in samples])
    raise CheckFailed(say(
        es="Los caracteres que sortea sample_chars no siguen las probabilidades del modelo: "
           "en promedio, el modelo da a cada carácter sorteado una probabilidad de {got:.3f}, "
           "y sorteando con sus probabilidades sería {right:.3f} ± {spread:.3f}. Sortea cada "
           "carácter de la softmax de W_hy h_t + b_y, con h_t llevado de paso en paso y la "
           "muestra anterior como entrada.",
        en="The characters sample_chars draws do not follow the model's probabilities: on "
           "average, the model gives each character drawn a probability of {got:.3f}, and "
           "drawing with its probabilities it would be {right:.3f} ± {spread:.3f}. Draw each "
           "character from the softmax of W_hy h_t + b_y, with h_t carried from step to step "
           "and the previous sample as input.",
        got=float(q[np.arange(len(drawn)), drawn].mean()), right=float(np.sum(q**2, 1).mean()),
        spread=float(np.sqrt(np.sum(np.sum(q**3, 1) - np.sum(q**2, 1) ** 2)) / len(drawn))))


@pytest.mark.grades("sample_chars", points=1)
def test_sample_chars_first_characters(student):
    rng = student.make_rng(FIT_SEED + 1)
    samples = [(0, student_sample(student, 0, FIRST_LENGTH, rng)) for _ in range(FIRST_CALLS)]
    expect_sampled_from_model(samples, slice(0, 1))


@pytest.mark.grades("sample_chars", points=2)
def test_sample_chars_later_characters(student):
    rng = student.make_rng(FIT_SEED + 2)
    samples = [(first, student_sample(student, first, length, rng))
               for first, length in LONG_CALLS]
    expect_sampled_from_model(samples, slice(1, None))


@pytest.mark.grades("sample_chars", points=1)
def test_sample_chars_is_reproducible(student):
    first = student_sample(student, 2, 40, student.make_rng(11))
    expect_untouched(student, "sample_chars")
    again = student_sample(student, 2, 40, student.make_rng(11))
    other = student_sample(student, 2, 40, student.make_rng(12))
    if not np.array_equal(first, again):
        raise CheckFailed(say(
            es="Dos generadores con la misma semilla dan muestras distintas: sortea con el "
               "generador `rng` que recibe sample_chars (rng.choice, rng.random...), no con "
               "np.random.",
            en="Two generators with the same seed give different samples: draw with the "
               "generator `rng` sample_chars receives (rng.choice, rng.random...), not with "
               "np.random."))
    if np.array_equal(first, other):
        raise CheckFailed(say(
            es="Generadores con semillas distintas dan la misma muestra: sample_chars no "
               "sortea con el generador `rng` que recibe.",
            en="Generators with different seeds give the same sample: sample_chars does not "
               "draw with the generator `rng` it receives."))


# ------------------------------------------------------------- concept questions (4 points)

def word_vector_reasons() -> dict[str, str]:
    """What CBOW and skip-gram predict, and what averaging loses (the feedback)."""
    return {
        "cbow": say(
            es="CBOW (continuous bag of words) predice la palabra central a partir de la media "
               "de los vectores de las palabras de su contexto.",
            en="CBOW (continuous bag of words) predicts the centre word from the mean of the "
               "vectors of the words around it."),
        "skip_gram": say(
            es="Skip-gram hace lo contrario: a partir de la palabra central predice cada una de "
               "las palabras de su contexto.",
            en="Skip-gram does the opposite: from the centre word it predicts each of the words "
               "around it."),
        "averaged_vectors": say(
            es="Una media es la misma en cualquier orden: «aburrida al principio pero luego "
               "emocionante» y «emocionante al principio pero luego aburrida» dan el mismo "
               "vector. Una red recurrente lee las palabras en orden.",
            en="A mean is the same in any order: \"boring at first but then exciting\" and "
               "\"exciting at first but then boring\" give the same vector. A recurrent network "
               "reads the words in order."),
    }


@pytest.mark.grades("word_vectors", points=1)
def test_word_vectors_cbow_and_skip_gram(student):
    expect_right(WORD_VECTORS, student.word_vectors(), reference.word_vectors(),
                 word_vector_reasons(), ("cbow", "skip_gram"))


@pytest.mark.grades("word_vectors", points=1)
def test_word_vectors_averaged(student):
    expect_right(WORD_VECTORS, student.word_vectors(), reference.word_vectors(),
                 word_vector_reasons(), ("averaged_vectors",))


def sequential_cost_reasons() -> dict[str, str]:
    """Why the steps of an RNN run one after another, and what truncated BPTT cuts."""
    return {
        "time_steps": say(
            es="h_t necesita h_{t-1}, que necesita h_{t-2}...: los T pasos de una secuencia se "
               "calculan uno tras otro, así que el tiempo de una época crece con la longitud "
               "y no se reparte entre pasos en paralelo (solo los ejemplos del lote van a la "
               "vez).",
            en="h_t needs h_{t-1}, which needs h_{t-2}...: the T steps of a sequence are "
               "computed one after another, so the time of an epoch grows with the length and "
               "cannot be shared among steps in parallel (only the examples of a batch run "
               "together)."),
        "truncated_bptt": say(
            es="Con BPTT truncada el estado pasa de un trozo al siguiente, pero desconectado "
               "(detach): el gradiente recorre como mucho los k pasos de su trozo, no toda la "
               "serie.",
            en="With truncated BPTT the state goes on from one chunk to the next, but detached: "
               "the gradient goes back through the k steps of its chunk at most, not the whole "
               "series."),
    }


@pytest.mark.grades("sequential_cost", points=1)
@pytest.mark.parametrize("key", SEQUENTIAL_COST.keys)
def test_sequential_cost(student, key):
    expect_right(SEQUENTIAL_COST, student.sequential_cost(), reference.sequential_cost(),
                 sequential_cost_reasons(), (key,))
