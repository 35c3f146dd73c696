"""Hidden suite of assignment "rnn": each test grades one function, or one quantity it returns.

Inputs are seeded and never shown to students. Three shapes (T, N, D, H) cover D ≠ H, T = 1,
N = 1 and non-zero initial states, each with two seeded inputs, and the tests call the
student's functions the way a course would (rnnkit.grading.judge): every value test grades both
inputs of its shape and comes back to the shape of the previous test; rnn_cell_forward also
meets pre-activations up to ±1000 (np.tanh is right there, tanh written with exponentials
gives NaN); a backward pass runs on caches made before later forward calls, and twice on one
cache. A function that gives different results for the same inputs, or whose earlier results
change after a later call, keeps state between calls and fails its value tests. Values are
compared with the reference solution through rnnkit.compare (rtol 1e-6, atol 1e-8).

When the student's forward is wrong, a backward pass also earns credit against that forward:
the reference backward at the states the student's forward produced, or the numerical
gradient of the student's forward, but only when that forward is a function of its inputs
(within the whole run) and responds to them where the reference does. A backward's "inputs
untouched" point also needs gradients that change with the upstream gradient and come out the
same from a second call on the same cache. The backward tests use the inputs the forward tests
graded, so a forward cannot be right there and wrong here without keeping state.

clip_gradients is tested around its threshold: global norms well above and just above max_norm,
just below it, between √max_norm and max_norm, with max_norm < 1, and all-zero gradients.

The student's functions always receive copies of the test's inputs, except in the tests that
check that the inputs are left untouched: a function that modifies its arguments loses those
points only, and cannot corrupt the reference values or the feedback of the other tests.

The concept questions (rnn_types, clipping_facts) are graded by group of questions against the
reference's answers; a wrong answer's feedback gives the right one and why.

Points: rnn_types 2, rnn_cell_forward 4, rnn_forward 4, rnn_cell_backward 6, rnn_backward 6,
clip_gradients 6, clipping_facts 2; 30 in all.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np
import pytest

from rnnkit.assignments.rnn import CLIPPING_FACTS, RNN_TYPES
from rnnkit.assignments.rnn.hidden.oracle import ORACLE
from rnnkit.assignments.rnn.mistakes import MISTAKES
from rnnkit.checks.questions import expect_right
from rnnkit.compare import close, expect_close, expect_keys, expect_pair
from rnnkit.grading.judge import (
    BackwardRun,
    OwnForward,
    Shapes,
    copies,
    expect_backward_behaves,
    expect_backward_course,
    expect_consistent,
    expect_gradient,
    expect_same_again,
    expect_untouched,
    explaining,
    memo,
    own_numeric,
    responds_on_course,
    responsiveness,
)
from rnnkit.i18n import current_language, say
from rnnkit.mistakes import LazyMistakes
from solutions import rnn as reference

# The known mistakes' wrong values, computed only for a wrong answer.
KNOWN = LazyMistakes(MISTAKES, ORACLE)
# (T, N, D, H): time steps, batch, input size, hidden size.
SHAPES = {"T3-N2-D4-H5": (3, 2, 4, 5), "T1-N3-D2-H3": (1, 3, 2, 3), "T4-N1-D3-H2": (4, 1, 3, 2)}
# Tried only when a function fails at some shapes: they separate N = 1 from D > H.
PROBE_SHAPES = {"T2-N1-D2-H3": (2, 1, 2, 3), "T2-N2-D3-H2": (2, 2, 3, 2)}
SEEDS = (0, 1)  # two seeded inputs per shape
# Seed 0 with the weights scaled, by a positive and by a negative factor, so that the largest
# pre-activation is 1000 in size, once of each sign.
LARGE = ("large", "large, negated")
# (shape, seed) in the order the backward tests make caches: every backward runs after all the
# forwards, on the forward tests' inputs, and the first cache is used twice.
CELL_GRAD_COURSE = (("T3-N2-D4-H5", 0), ("T4-N1-D3-H2", 0), ("T3-N2-D4-H5", 1))
GRAD_COURSE = (("T3-N2-D4-H5", 0), ("T1-N3-D2-H3", 0), ("T4-N1-D3-H2", 0), ("T3-N2-D4-H5", 1))
PARAM_KEYS = ("W_xh", "W_hh", "b_h")
CELL_GRAD_KEYS = ("dx_t", "dh_prev", "dW_xh", "dW_hh", "db_h")
GRAD_KEYS = ("dx", "dh0", "dW_xh", "dW_hh", "db_h")


def make_inputs(shape_id: str, seed: int | str = 0) -> dict:
    """x (T, D, N), h0 (H, N), params and an upstream gradient dh (T, H, N)."""
    T, N, D, H = {**SHAPES, **PROBE_SHAPES}[shape_id]
    if seed in LARGE:
        i = make_inputs(shape_id)
        p = i["params"]
        pre = p["W_hh"] @ i["h0"] + p["W_xh"] @ i["x"][0] + p["b_h"]
        sign = 1.0 if seed == LARGE[0] else -1.0
        i["params"] = {k: v * (sign * 1000.0 / np.max(np.abs(pre))) for k, v in p.items()}
        return i
    rng = np.random.default_rng([seed, T, N, D, H, 2026])
    params = {"W_xh": rng.normal(0, 0.6, (H, D)), "W_hh": rng.normal(0, 0.6, (H, H)),
              "b_h": rng.normal(0, 0.3, (H, 1))}
    return {"x": rng.normal(size=(T, D, N)), "h0": rng.normal(0, 0.5, (H, N)),
            "params": params, "dh": rng.normal(size=(T, H, N))}



def student_cell_forward(student, shape_id, x_t, h_prev, params) -> tuple:
    return expect_pair("rnn_cell_forward(...)",
                       AT_SHAPES.call(student, "rnn_cell_forward", shape_id,
                               *copies(x_t, h_prev, params)))


def student_forward(student, shape_id, x, h0, params) -> tuple:
    return expect_pair("rnn_forward(...)",
                       AT_SHAPES.call(student, "rnn_forward", shape_id, *copies(x, h0, params)))


def cell_args(shape_id: str, seed: int | str) -> tuple:
    i = make_inputs(shape_id, seed)
    return i["x"][0], i["h0"], i["params"]


def sequence_args(shape_id: str, seed: int) -> tuple:
    i = make_inputs(shape_id, seed)
    return i["x"], i["h0"], i["params"]


def _cell_backward_probe(student, shape_id):
    _, cache = expect_pair("", student.rnn_cell_forward(*cell_args(shape_id, 0)))
    return student.rnn_cell_backward(make_inputs(shape_id)["dh"][0], cache)


def _backward_probe(student, shape_id):
    _, caches = expect_pair("", student.rnn_forward(*sequence_args(shape_id, 0)))
    return student.rnn_backward(make_inputs(shape_id)["dh"], caches)


AT_SHAPES = Shapes(
    SHAPES,
    probes={  # each function on the seed-0 inputs of a shape
        "rnn_cell_forward": lambda student, s: student.rnn_cell_forward(*cell_args(s, 0)),
        "rnn_forward": lambda student, s: student.rnn_forward(*sequence_args(s, 0)),
        "rnn_cell_backward": _cell_backward_probe,
        "rnn_backward": _backward_probe,
    },
    fed_by={"rnn_cell_backward": ("rnn_cell_forward",), "rnn_backward": ("rnn_forward",)},
    extra=PROBE_SHAPES,
    cell_functions=("rnn_cell_forward", "rnn_cell_backward"))


def large_context() -> str:
    return say(es="Con preactivaciones de hasta ±1000", en="With pre-activations as large as ±1000")


# ---------------------------------------------------------------- rnn_cell_forward (4 points)

@pytest.mark.grades("rnn_cell_forward", points=1)
@pytest.mark.parametrize("shape_id", SHAPES)
def test_cell_forward_h_next(student, shape_id):
    seeds = (*SEEDS, *LARGE)
    got = {seed: student_cell_forward(student, shape_id, *cell_args(shape_id, seed))[0]
           for seed in seeds}
    AT_SHAPES.come_back(student, "rnn_cell_forward", shape_id, order=list(SHAPES))
    expect_consistent(student, "rnn_cell_forward")
    for seed in seeds:
        args = cell_args(shape_id, seed)
        with explaining(large_context()) if seed in LARGE else contextlib.nullcontext():
            expect_close("h_next", got[seed], reference.rnn_cell_forward(*args)[0],
                         variants=KNOWN.variants("rnn_cell_forward", *args))


@pytest.mark.grades("rnn_cell_forward", points=1)
def test_cell_forward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    student.rnn_cell_forward(i["x"][0], i["h0"], i["params"])
    expect_untouched(student, "rnn_cell_forward")


# ---------------------------------------------------------------- rnn_forward (4 points)

@pytest.mark.grades("rnn_forward", points=1)
@pytest.mark.parametrize("shape_id", SHAPES)
def test_forward_h(student, shape_id):
    got = {seed: student_forward(student, shape_id, *sequence_args(shape_id, seed))[0]
           for seed in SEEDS}
    AT_SHAPES.come_back(student, "rnn_forward", shape_id, order=list(SHAPES))
    expect_consistent(student, "rnn_forward")
    for seed in SEEDS:
        x, h0, p = sequence_args(shape_id, seed)
        expect_close("h", got[seed], reference.rnn_forward(x, h0, p)[0], time_axis=0,
                     variants=KNOWN.variants("rnn_forward", x, h0, p))


@pytest.mark.grades("rnn_forward", points=1)
def test_forward_leaves_inputs_untouched(student):
    i = make_inputs("T3-N2-D4-H5", seed=1)
    student.rnn_forward(i["x"], i["h0"], i["params"])
    expect_untouched(student, "rnn_forward")


# ---------------------------------------------------------------- rnn_cell_backward (6 points)

@pytest.mark.grades("rnn_cell_backward", points=1)
@pytest.mark.parametrize("key", CELL_GRAD_KEYS)
def test_cell_backward_gradient(student, key):
    expect_backward_course(student, "rnn_cell_backward", "rnn_cell_forward", key, lambda: [
        cell_backward_run(student, shape_id, seed) for shape_id, seed in CELL_GRAD_COURSE])


def cell_backward_run(student, shape_id: str, seed: int) -> BackwardRun:
    """The student's rnn_cell_forward on the inputs (shape_id, seed), and how to judge the
    gradients of its rnn_cell_backward there."""
    case = cell_backward_case(shape_id, seed, current_language())

    def forward():
        return student_cell_forward(student, shape_id, *cell_args(shape_id, seed))

    def backward(cache):
        grads = AT_SHAPES.call(student, "rnn_cell_backward", shape_id, *copies(case["dh"]), cache)
        expect_keys("rnn_cell_backward(...)", grads, CELL_GRAD_KEYS)
        return grads

    return BackwardRun(*forward(), backward, functools.partial(
        judge_cell_gradient, student, shape_id, seed, case), forward)


def judge_cell_gradient(student, shape_id, seed, case, key, h_next, grads) -> None:
    """Judge grads[key] of rnn_cell_backward at the inputs (shape_id, seed), where the
    student's forward gave h_next."""
    forward, right_forward, inputs = cell_forward_at(student, shape_id, seed)
    target = {"dx_t": "x_t", "dh_prev": "h_prev"}.get(key, key[1:])
    responds = responsiveness(forward, right_forward, inputs)
    expect_gradient(
        f"grads['{key}']", grads[key], case["grads"][key],
        forward_is_right=close(h_next, case["h"]),
        own=OwnForward(student, ("rnn_cell_forward",),
                       numeric=own_numeric(forward, inputs, target, case["dh"]),
                       responds=lambda: memo(student, ("responds", "cell", shape_id, seed),
                                             responds),
                       responds_to_target=lambda: responds_on_course(
                           student, "cell", CELL_GRAD_COURSE, target,
                           functools.partial(cell_forward_at, student)),
                       at_states=lambda: [cell_backward_at(case, h_next).get(key)]),
        variants=case["variants"].get(key, ()))


@pytest.mark.grades("rnn_cell_backward", points=1)
def test_cell_backward_leaves_inputs_untouched(student):
    i, other = make_inputs("T3-N2-D4-H5", seed=3), make_inputs("T3-N2-D4-H5", seed=4)
    _, cache = expect_pair("rnn_cell_forward(...)",
                           student.rnn_cell_forward(i["x"][0], i["h0"], i["params"]))
    grads = student.rnn_cell_backward(i["dh"][0], cache)
    expect_untouched(student, "rnn_cell_backward")
    expect_keys("rnn_cell_backward(...)", grads, CELL_GRAD_KEYS)
    _, ref_cache = reference.rnn_cell_forward(i["x"][0], i["h0"], i["params"])
    expect_backward_behaves(
        "rnn_cell_backward", grads, student.rnn_cell_backward(*copies(other["dh"][0]), cache),
        reference.rnn_cell_backward(i["dh"][0], ref_cache),
        reference.rnn_cell_backward(other["dh"][0], ref_cache))
    expect_same_again("rnn_cell_backward", grads,
                      lambda: student.rnn_cell_backward(*copies(i["dh"][0]), cache),
                      keys=CELL_GRAD_KEYS)


# ---------------------------------------------------------------- rnn_backward (6 points)

@pytest.mark.grades("rnn_backward", points=1)
@pytest.mark.parametrize("key", GRAD_KEYS)
def test_backward_gradient(student, key):
    expect_backward_course(student, "rnn_backward", "rnn_forward", key, lambda: [
        backward_run(student, shape_id, seed) for shape_id, seed in GRAD_COURSE])


def backward_run(student, shape_id: str, seed: int) -> BackwardRun:
    """The student's rnn_forward on the inputs (shape_id, seed), and how to judge the gradients
    of its rnn_backward there."""
    case = backward_case(shape_id, seed, current_language())

    def forward():
        return student_forward(student, shape_id, *sequence_args(shape_id, seed))

    def backward(caches):
        grads = AT_SHAPES.call(student, "rnn_backward", shape_id, *copies(case["dh"]), caches)
        expect_keys("rnn_backward(...)", grads, GRAD_KEYS)
        return grads

    return BackwardRun(*forward(), backward, functools.partial(
        judge_gradient, student, shape_id, seed, case), forward)


def judge_gradient(student, shape_id, seed, case, key, h, grads) -> None:
    """Judge grads[key] of rnn_backward at the inputs (shape_id, seed), where the student's
    forward gave the states h."""
    forward, right_forward, inputs = sequence_forward_at(student, shape_id, seed)
    x, h0, p = sequence_args(shape_id, seed)
    target = {"dx": "x", "dh0": "h0"}.get(key, key[1:])
    responds = responsiveness(forward, right_forward, inputs)
    expect_gradient(
        f"grads['{key}']", grads[key], case["grads"][key],
        forward_is_right=close(h, case["h"]),
        own=OwnForward(student, ("rnn_forward",),
                       numeric=own_numeric(forward, inputs, target, case["dh"]),
                       responds=lambda: memo(student, ("responds", "sequence", shape_id, seed),
                                             responds),
                       responds_to_target=lambda: responds_on_course(
                           student, "sequence", GRAD_COURSE, target,
                           functools.partial(sequence_forward_at, student)),
                       at_states=lambda: [backward_along(case["dh"], x, h0, p, h).get(key)]),
        time_axis=0 if key == "dx" else None,
        variants=case["variants"].get(key, ()))


@pytest.mark.grades("rnn_backward", points=1)
def test_backward_leaves_inputs_untouched(student):
    i, other = make_inputs("T3-N2-D4-H5", seed=5), make_inputs("T3-N2-D4-H5", seed=6)
    _, caches = expect_pair("rnn_forward(...)", student.rnn_forward(i["x"], i["h0"], i["params"]))
    grads = student.rnn_backward(i["dh"], caches)
    expect_untouched(student, "rnn_backward")
    expect_keys("rnn_backward(...)", grads, GRAD_KEYS)
    _, ref_caches = reference.rnn_forward(i["x"], i["h0"], i["params"])
    expect_backward_behaves(
        "rnn_backward", grads, student.rnn_backward(*copies(other["dh"]), caches),
        reference.rnn_backward(i["dh"], ref_caches),
        reference.rnn_backward(other["dh"], ref_caches))
    expect_same_again("rnn_backward", grads,
                      lambda: student.rnn_backward(*copies(i["dh"]), caches), keys=GRAD_KEYS)


# ---------------------------------------------------------------- clip_gradients (6 points)

def make_grads(norm: float) -> dict:
    """Three gradients whose global norm is ``norm`` (all zeros for 0)."""
    rng = np.random.default_rng(7)
    grads = {"dW_xh": rng.normal(size=(4, 3)), "dW_hh": rng.normal(size=(4, 4)),
             "db_h": rng.normal(size=(4, 1))}
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {k: g * (norm / total) for k, g in grads.items()}


def student_clip(student, grads: dict, max_norm: float) -> dict:
    clipped = student.clip_gradients(*copies(grads, max_norm))
    expect_keys("clip_gradients(...)", clipped, grads)
    return clipped


def norms_context(norm: float, max_norm: float) -> str:
    return say(es="Con norma global {norm:.4g} y max_norm = {c:g}",
               en="With global norm {norm:.4g} and max_norm = {c:g}", norm=norm, c=max_norm)


@pytest.mark.grades("clip_gradients", points=2)
@pytest.mark.parametrize("max_norm", [0.5, 5.0])
def test_clip_scales_by_global_norm(student, max_norm):
    norms = [10 * max_norm, 1.001 * max_norm]  # well above, just above
    if max_norm < 1:  # above max_norm and below √max_norm: the squared norm is below max_norm
        norms.append((max_norm + np.sqrt(max_norm)) / 2)
    for norm in norms:
        grads = make_grads(norm)
        with explaining(norms_context(norm, max_norm)):
            clipped = student_clip(student, grads, max_norm)
            expected = reference.clip_gradients(grads, max_norm)
            wrong = KNOWN.keyed_variants("clip_gradients", grads, max_norm, right=expected,
                                        got=clipped)
            for key in grads:
                # torch adds 1e-6 to the norm; without it the result differs by ~1e-7 relative.
                expect_close(f"clip['{key}']", clipped[key], expected[key], rtol=1e-5,
                             variants=wrong[key])


@pytest.mark.grades("clip_gradients", points=1)
def test_clip_keeps_small_gradients(student):
    # (norm, max_norm): far below; just below; between √c and c (the squared norm is above c);
    # between c² and c < 1 (the norm is above c²); all zeros (0 / 0 must not happen).
    for norm, max_norm in ((0.01, 10.0), (0.999 * 5.0, 5.0), (3.6, 5.0), (0.35, 0.5),
                           (0.0, 1.0)):
        grads = make_grads(norm)
        with explaining(norms_context(norm, max_norm)):
            clipped = student_clip(student, grads, max_norm)
            wrong = KNOWN.keyed_variants("clip_gradients", grads, max_norm, right=grads,
                                        got=clipped)
            for key in grads:
                expect_close(f"clip['{key}']", clipped[key], grads[key], rtol=1e-5,
                             variants=wrong[key])


@pytest.mark.grades("clip_gradients", points=1)
def test_clip_leaves_input_untouched(student):
    student.clip_gradients(make_grads(15.0), 1.0)
    expect_untouched(student, "clip_gradients")


# ---------------------------------------------------------------- concept questions (4 points)

# rnn_types: the examples of the notebook's section 2, then applications from the lecture.
NOTEBOOK_EXAMPLES = ("image_classification", "image_caption", "review_sentiment", "translation",
                     "video_frames")
LECTURE_APPLICATIONS = ("stock_index", "anomaly_alerts", "word_roles")


def rnn_type_reasons() -> dict[str, str]:
    """Why each application needs the type of RNN it does (the feedback of a wrong answer)."""
    return {
        "image_classification": say(
            es="Entra una imagen y sale una etiqueta: no hay secuencia ni a la entrada ni a la "
               "salida, así que no hace falta recurrencia; es la red de siempre, con la que se "
               "comparan los demás tipos.",
            en="One image in, one label out: there is no sequence on either side, so no "
               "recurrence is needed; it is the ordinary network the other types are compared "
               "with."),
        "image_caption": say(
            es="Una sola entrada (la imagen) y una secuencia de salida: el pie de foto se "
               "escribe palabra a palabra, y cada paso produce la palabra siguiente.",
            en="A single input (the image) and an output sequence: the caption is written "
               "word by word, each step producing the next word."),
        "review_sentiment": say(
            es="Se lee la reseña entera, palabra a palabra, y solo al final sale una etiqueta "
               "(positiva o negativa), a partir del último estado h_T.",
            en="The whole review is read, word after word, and only then does one label "
               "(positive or negative) come out, from the last state h_T."),
        "translation": say(
            es="Hay que leer la frase entera antes de escribir la traducción, que puede ser más "
               "larga o más corta: T → T', no una salida por cada entrada.",
            en="The sentence must be read in full before the translation is written, and the "
               "translation may be longer or shorter: T → T', not one output per input."),
        "video_frames": say(
            es="Cada fotograma recibe su propia etiqueta, en su propio paso: una salida por "
               "cada entrada, T → T.",
            en="Every frame gets its own label, at its own step: one output per input, T → T."),
        "stock_index": say(
            es="La red lee la serie de valores pasados y da un solo número, la predicción del "
               "valor siguiente: entra una secuencia y sale un único valor.",
            en="The network reads the series of past values and gives one number, the forecast "
               "of the next value: a sequence in, a single value out."),
        "anomaly_alerts": say(
            es="Una alerta temprana tiene que poder saltar en cualquier lectura, en cuanto "
               "aparece la anomalía, así que hay una salida (alerta o no) por cada entrada; un "
               "único veredicto al final de la secuencia llegaría tarde.",
            en="An early alert must be possible at any reading, as soon as the anomaly shows, "
               "so there is one output (alert or not) per input; a single verdict at the end of "
               "the sequence would come too late."),
        "word_roles": say(
            es="Cada palabra recibe su función gramatical: una etiqueta por palabra, es decir, "
               "una salida por cada entrada, T → T.",
            en="Each word gets its grammatical role: one label per word, that is, one output "
               "per input, T → T."),
    }


@pytest.mark.grades("rnn_types", points=1)
def test_rnn_types_of_the_notebook_examples(student):
    expect_right(RNN_TYPES, student.rnn_types(), reference.rnn_types(), rnn_type_reasons(),
                 NOTEBOOK_EXAMPLES)


@pytest.mark.grades("rnn_types", points=1)
def test_rnn_types_of_the_lecture_applications(student):
    expect_right(RNN_TYPES, student.rnn_types(), reference.rnn_types(), rnn_type_reasons(),
                 LECTURE_APPLICATIONS)


def clipping_reasons() -> dict[str, str]:
    """Why each statement about clipping is true or false (the feedback of a wrong answer)."""
    return {
        "shortens_long_gradients": say(
            es="Cuando ‖g‖ > c, todos los arreglos se multiplican por c / ‖g‖ < 1 y la norma "
               "global queda en c: un paso enorme ya no puede lanzar los pesos a valores "
               "absurdos. Por eso el recorte cura la explosión.",
            en="When ‖g‖ > c every array is multiplied by c / ‖g‖ < 1, so the global norm "
               "becomes c: a huge step can no longer throw the weights to absurd values. That "
               "is why clipping cures exploding gradients."),
        "keeps_direction": say(
            es="Todos los arreglos se multiplican por el mismo factor positivo, así que la "
               "actualización apunta adonde apuntaba el gradiente, solo que es más corta.",
            en="All the arrays are multiplied by the same positive factor, so the update points "
               "where the gradient pointed, only shorter."),
        "lengthens_short_gradients": say(
            es="El factor es min(1, c / ‖g‖), nunca mayor que 1: un gradiente cuya norma ya es "
               "menor que c se queda como está, así que un gradiente desvanecido sigue "
               "desvanecido.",
            en="The factor is min(1, c / ‖g‖), never above 1: a gradient whose norm is already "
               "below c is left as it is, so a vanished gradient stays vanished."),
        "restores_distant_steps": say(
            es="Los gradientes de los pesos son sumas sobre los pasos de tiempo, y el recorte "
               "multiplica la suma entera por un mismo factor: lo que aportan los pasos lejanos "
               "sigue siendo igual de diminuto al lado de lo que aportan los recientes. Ni "
               "siquiera agrandar el gradiente lo arreglaría, porque conserva la dirección: el "
               "desvanecimiento está en la dirección, no en la longitud.",
            en="The weight gradients are sums over the time steps, and clipping multiplies the "
               "whole sum by one factor: what the distant steps contribute stays just as tiny "
               "next to what the recent steps contribute. Even scaling the gradient up would "
               "not fix that, since it keeps the direction: the vanishing is in the direction, "
               "not in the length."),
    }


@pytest.mark.grades("clipping_facts", points=1)
def test_clipping_facts_what_it_does(student):
    expect_right(CLIPPING_FACTS, student.clipping_facts(), reference.clipping_facts(),
                 clipping_reasons(), ("shortens_long_gradients", "keeps_direction"))


@pytest.mark.grades("clipping_facts", points=1)
def test_clipping_facts_what_it_cannot_do(student):
    expect_right(CLIPPING_FACTS, student.clipping_facts(), reference.clipping_facts(),
                 clipping_reasons(), ("lengthens_short_gradients", "restores_distant_steps"))


def cell_forward_at(student, shape_id: str, seed: int) -> tuple:
    """The student's rnn_cell_forward and the reference's as functions of the named inputs
    (x_t, h_prev and the weights) of (shape_id, seed), h_next out, and those inputs: what the
    own-forward credit differentiates and moves."""
    x_t, h_prev, p = cell_args(shape_id, seed)

    def forward(args: dict, function=None):
        weights = {k: args[k] for k in PARAM_KEYS}
        if function is not None:
            return function(args["x_t"], args["h_prev"], weights)[0]
        return student_cell_forward(student, shape_id, args["x_t"], args["h_prev"], weights)[0]

    return (forward, functools.partial(forward, function=reference.rnn_cell_forward),
            {"x_t": x_t, "h_prev": h_prev, **p})


def sequence_forward_at(student, shape_id: str, seed: int) -> tuple:
    """As :func:`cell_forward_at`, for rnn_forward (x, h0 and the weights; h out)."""
    x, h0, p = sequence_args(shape_id, seed)

    def forward(args: dict, function=None):
        weights = {k: args[k] for k in PARAM_KEYS}
        if function is not None:
            return function(args["x"], args["h0"], weights)[0]
        return student_forward(student, shape_id, args["x"], args["h0"], weights)[0]

    return (forward, functools.partial(forward, function=reference.rnn_forward),
            {"x": x, "h0": h0, **p})


# ------------------------------------------------------------------------------------ helpers
# Reference values and known-mistake variants depend only on the seeded inputs (and the
# language of the messages), so they are computed once per process.

@functools.cache
def cell_backward_case(shape_id: str, seed: int, language: str) -> dict:
    x_t, h_prev, p = cell_args(shape_id, seed)
    dh = make_inputs(shape_id, seed)["dh"][0]
    h, cache = reference.rnn_cell_forward(x_t, h_prev, p)
    grads = reference.rnn_cell_backward(dh, cache)
    return {"h": h, "cache": cache, "dh": dh, "grads": grads,
            "variants": KNOWN.keyed_variants("rnn_cell_backward", dh, x_t, h_prev, p, right=grads)}


@functools.cache
def backward_case(shape_id: str, seed: int, language: str) -> dict:
    x, h0, p = sequence_args(shape_id, seed)
    dh = make_inputs(shape_id, seed)["dh"]
    h, caches = reference.rnn_forward(x, h0, p)
    grads = reference.rnn_backward(dh, caches)
    return {"h": h, "dh": dh, "grads": grads,
            "variants": KNOWN.keyed_variants("rnn_backward", dh, x, h0, p, right=grads)}


def cell_backward_at(case: dict, h_next) -> dict:
    """The reference cell backward with the student's h_next in place of the right one
    ({} when h_next is not an array of the right shape)."""
    dh = case["dh"]
    if not isinstance(h_next, np.ndarray) or h_next.shape != dh.shape \
            or h_next.dtype.kind not in "fiu":
        return {}
    x_t, h_prev, _, W_xh, W_hh = case["cache"]
    return reference.rnn_cell_backward(dh, (x_t, h_prev, h_next.astype(float), W_xh, W_hh))


def backward_along(dh, x, h0, p, h) -> dict:
    """The reference BPTT along the states h (T, H, N) of the student's forward, from h0
    ({} when h is not an array of the right shape)."""
    if not isinstance(h, np.ndarray) or h.shape != dh.shape or h.dtype.kind not in "fiu":
        return {}
    states = [h0, *h.astype(float)]
    caches = [(x[t], states[t], states[t + 1], p["W_xh"], p["W_hh"]) for t in range(len(x))]
    return reference.rnn_backward(dh, caches)
