"""Hidden suite of assignment "gru": each test grades one function, or one quantity it returns.

Inputs are seeded and never shown to students. Three shapes (T, N, D, H) cover D ≠ H, T = 1,
N = 1 and non-zero initial states, each with two seeded inputs, and the tests call the
student's functions the way a course would (rnnkit.grading.judge): every value test grades both
inputs of its shape and comes back to the shape of the previous test; the gates, the candidate,
the interpolation, the cell and the sequence also meet pre-activations up to ±1000, which
saturate the gates (the notebook's stable sigmoid and np.tanh are right there; a sigmoid or a
tanh that overflows to NaN or inf is not, while a RuntimeWarning alone costs nothing); a
backward pass runs on caches made before later forward calls, and twice on one cache. A
function that gives different results for the same inputs, or whose earlier results change
after a later call, keeps state between calls and fails its value tests. Values are compared
with the reference solution through rnnkit.compare (rtol 1e-6, atol 1e-8), with the known
mistakes of the registry, rnnkit.assignments.gru.mistakes (computed by the oracle on the
reference solution, hidden/oracle.py), named in the feedback.

candidate and interpolate are graded on their own: candidate receives the right r_t of its
inputs, interpolate the right h̃_t and z_t, so a wrong gate costs nothing there. When the cell's
h_next is wrong because a step function is, the feedback says which one to fix first.

Backward passes earn credit when they match the reference gradient, or, when the student's own
forward is wrong:
- the reference backward at the states the student's forward produced: the values the
  student's own update_gate, reset_gate and candidate give at the hidden states the student's
  forward went through (chained from h0, from zeros in place of h0, or from h0 at every step,
  the ways a student's loop may have fed the cell), so a correct backward is not penalised
  again for a mistake of the forward;
- or the numerical gradient of the student's own forward;
but only when the student's forward and step functions are functions of their inputs (within
the whole run) and the forward responds to the inputs where the reference does
(rnnkit.grading.judge). A gradient that is zero where the right one is not is what a forward
that ignores that input has, so it earns such credit only when the forward responds to that
input alone on some input of the course: a cell that passes h_{t-1} through untouched, with a
backward that passes dh through, earns dh_prev and dh0 and nothing of the parameters' or x's
gradients. A backward's "inputs untouched" point also needs gradients that change
with the upstream gradient and come out the same from a second call on the same cache. The
backward tests use the inputs the forward tests graded, so a forward cannot be right there and
wrong here without keeping state.

The student's functions always receive copies of the test's inputs, except in the tests that
check that the inputs are left untouched: a function that modifies its arguments loses those
points only, and cannot corrupt the reference values or the feedback of the other tests.

Points: update_gate, reset_gate, candidate, interpolate 3 each (the values on two shapes, the
inputs untouched); gru_cell_forward 5 and gru_forward 5 (the values on three shapes, with
saturated gates, the inputs untouched); gru_cell_backward 11 and gru_backward 11 (dx and dh
2 each: they gather every road back through a step; each parameter gradient 1; the inputs
untouched 1); the concept questions gate_saturation 2 (update gate, reset gate) and
lstm_counterparts 1, graded against the reference's answers, a wrong answer's feedback giving
the right one and why; 47 in all.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

import numpy as np
import pytest

from rnnkit.assignments.gru import GATE_SATURATION, LSTM_COUNTERPARTS, STEP_FUNCTIONS
from rnnkit.assignments.gru.hidden.oracle import ORACLE
from rnnkit.assignments.gru.mistakes import MISTAKES
from rnnkit.checks.questions import expect_right
from rnnkit.compare import Variant, as_numeric_array, close, expect_close, expect_keys, expect_pair
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
    responsiveness,
)
from rnnkit.i18n import current_language, say
from rnnkit.mistakes import LazyMistakes, deferred
from solutions import gru as reference

# The known mistakes' wrong values, computed only for a wrong answer.
KNOWN = LazyMistakes(MISTAKES, ORACLE)
# (T, N, D, H): time steps, batch, input size, hidden size.
SHAPES = {"T3-N2-D4-H5": (3, 2, 4, 5), "T1-N3-D2-H3": (1, 3, 2, 3), "T4-N1-D3-H2": (4, 1, 3, 2)}
# Tried only when a function fails at some shapes: they separate N = 1 from D > H.
PROBE_SHAPES = {"T2-N1-D2-H3": (2, 1, 2, 3), "T2-N2-D3-H2": (2, 2, 3, 2)}
# The step functions' shapes, and those where the gates saturate: N = 2 and N = 1, D < H and
# D > H.
STEP_SHAPES = ("T3-N2-D4-H5", "T4-N1-D3-H2")
SEEDS = (0, 1)  # two seeded inputs per shape
# Seed 0 with each gate's parameters scaled, by a positive and by a negative factor, so that
# its largest pre-activation at the first step is 1000 in size, once of each sign.
LARGE = ("large", "large, negated")
VALUE_NAMES = {"update_gate": "z_t", "reset_gate": "r_t", "candidate": "h_tilde",
               "interpolate": "h_t"}
PARAM_KEYS = tuple(f"{kind}_{g}" for g in "zrh" for kind in ("W", "b"))
# The gradients of the step's inputs gather every road back through it: 2 points each.
KEY_POINTS = {"dx_t": 2, "dh_prev": 2, "dx": 2, "dh0": 2}


def make_inputs(shape_id: str, seed: int | str = 0) -> dict:
    """x (T, D, N), h0 (H, N), the six parameters and an upstream gradient dh (T, H, N)."""
    T, N, D, H = {**SHAPES, **PROBE_SHAPES}[shape_id]
    if seed in LARGE:
        i = make_inputs(shape_id)
        x_t, h0, p = i["x"][0], i["h0"], i["params"]
        sign = 1.0 if seed == LARGE[0] else -1.0
        for g in "zrh":  # the candidate reads r ⊙ h0 with the reset gate already scaled
            hidden = reference.reset_gate(x_t, h0, p) * h0 if g == "h" else h0
            pre = p[f"W_{g}"] @ np.concatenate((hidden, x_t)) + p[f"b_{g}"]
            factor = sign * 1000.0 / np.max(np.abs(pre))
            p[f"W_{g}"], p[f"b_{g}"] = p[f"W_{g}"] * factor, p[f"b_{g}"] * factor
        return i
    rng = np.random.default_rng([seed, T, N, D, H, 2028])
    params = {}
    for g in "zrh":
        params[f"W_{g}"] = rng.normal(0, 0.6, (H, H + D))
        params[f"b_{g}"] = rng.normal(0, 0.3, (H, 1))
    return {"x": rng.normal(size=(T, D, N)), "h0": rng.normal(0, 0.5, (H, N)),
            "params": params, "dh": rng.normal(size=(T, H, N))}


@dataclass(frozen=True)
class Level:
    """One step or the whole sequence: a forward, the backward that takes its caches, and
    how the tests feed them.

    - forward, backward: the student functions, e.g. "gru_cell_forward", "gru_cell_backward".
    - output: the name of the forward's first result ("h_next", "h").
    - data: the names of the forward's first two arguments ("x_t", "h_prev" or "x", "h0").
    - keys: the gradients the backward returns, each worth KEY_POINTS (default 1).
    - course: (shape, seed) in the order the backward tests make caches: every backward runs
      after all the forwards, on the forward tests' inputs, and the first cache is used twice.
      The smallest problem comes first: a wrong gradient usually fails there, and the numerical
      gradient of the student's own forward, when it is needed, is cheapest there.
    - time_axis: the time axis of the output and of dx; None for one step.
    """

    forward: str
    backward: str
    output: str
    data: tuple[str, str]
    keys: tuple[str, ...]
    course: tuple[tuple[str, int], ...]
    time_axis: int | None

    @property
    def one_step(self) -> bool:
        return self.time_axis is None

    def args(self, shape_id: str, seed: int | str) -> tuple:
        """The forward's arguments on the inputs (shape_id, seed): (x, h0, params), or for
        one step (x_t, h_prev, params) with the sequence's first step."""
        i = make_inputs(shape_id, seed)
        return i["x"][0] if self.one_step else i["x"], i["h0"], i["params"]

    def upstream(self, shape_id: str, seed: int | str) -> np.ndarray:
        """The backward's upstream gradient on the inputs (shape_id, seed)."""
        dh = make_inputs(shape_id, seed)["dh"]
        return dh[0] if self.one_step else dh


CELL = Level("gru_cell_forward", "gru_cell_backward", "h_next", ("x_t", "h_prev"),
             ("dx_t", "dh_prev", *(f"d{k}" for k in PARAM_KEYS)),
             (("T4-N1-D3-H2", 0), ("T3-N2-D4-H5", 0), ("T4-N1-D3-H2", 1)), None)
SEQUENCE = Level("gru_forward", "gru_backward", "h", ("x", "h0"),
                 ("dx", "dh0", *(f"d{k}" for k in PARAM_KEYS)),
                 (("T1-N3-D2-H3", 0), ("T4-N1-D3-H2", 0), ("T3-N2-D4-H5", 0),
                  ("T1-N3-D2-H3", 1)), 0)
LEVELS = (CELL, SEQUENCE)


def step_args(function: str, shape_id: str, seed: int | str) -> tuple:
    """The arguments of a step function on the first step of the inputs (shape_id, seed): the
    candidate gets the right r_t, the interpolation the right h̃_t and z_t."""
    x_t, h_prev, p = CELL.args(shape_id, seed)
    if function == "candidate":
        return x_t, h_prev, reference.reset_gate(x_t, h_prev, p), p
    if function == "interpolate":
        gates = ORACLE.gates(x_t, h_prev, p)
        return h_prev, gates["h"], gates["z"]
    return x_t, h_prev, p


def student_forward(student, level: Level, shape_id: str, *args) -> tuple:
    """The pair the student's forward of ``level`` returns on copies of ``args``."""
    return expect_pair(f"{level.forward}(...)", AT_SHAPES.call(
        student, level.forward, shape_id, *copies(*args)))


def _step_probe(function: str):
    return lambda student, shape_id: getattr(student, function)(*step_args(function, shape_id, 0))


def _forward_probe(level: Level):
    return lambda student, shape_id: getattr(student, level.forward)(*level.args(shape_id, 0))


def _backward_probe(level: Level):
    def probe(student, shape_id):
        _, cache = expect_pair("", _forward_probe(level)(student, shape_id))
        return getattr(student, level.backward)(level.upstream(shape_id, 0), cache)
    return probe


AT_SHAPES = Shapes(
    SHAPES,
    probes={  # each function on the seed-0 inputs of a shape
        **{function: _step_probe(function) for function in STEP_FUNCTIONS},
        **{level.forward: _forward_probe(level) for level in LEVELS},
        **{level.backward: _backward_probe(level) for level in LEVELS},
    },
    fed_by={level.backward: (level.forward,) for level in LEVELS},
    extra=PROBE_SHAPES,
    cell_functions=(*STEP_FUNCTIONS, CELL.forward, CELL.backward))


def saturated(function: str, seed: int | str):
    """The context of a value test: the inputs named when they saturate the gates."""
    if seed not in LARGE:
        return contextlib.nullcontext()
    if function == "interpolate":
        return explaining(say(es="Con la puerta de actualización saturada (z_t = 0 o 1)",
                              en="With a saturated update gate (z_t = 0 or 1)"))
    return explaining(say(es="Con preactivaciones de hasta ±1000",
                          en="With pre-activations as large as ±1000"))


def by_level(role: str) -> list:
    """One parameter per level, graded 1 point for its forward or its backward (``role``)."""
    return [pytest.param(level, marks=pytest.mark.grades(getattr(level, role), points=1),
                         id=getattr(level, role)) for level in LEVELS]


# ---------------------------------------------- update_gate, reset_gate, candidate, interpolate
# 3 points each: the values on two shapes, and the inputs left untouched.

@pytest.mark.parametrize(("function", "shape_id"), [
    pytest.param(function, shape_id, marks=pytest.mark.grades(function, points=1),
                 id=f"{function}-{shape_id}")
    for function in STEP_FUNCTIONS for shape_id in STEP_SHAPES])
def test_step_function_values(student, function, shape_id):
    seeds = (*SEEDS, *LARGE)
    got = {seed: AT_SHAPES.call(student, function, shape_id,
                                *copies(*step_args(function, shape_id, seed)))
           for seed in seeds}
    AT_SHAPES.come_back(student, function, shape_id, order=STEP_SHAPES)
    expect_consistent(student, function)
    for seed in seeds:
        args = step_args(function, shape_id, seed)
        with saturated(function, seed):
            expect_close(VALUE_NAMES[function], got[seed], getattr(reference, function)(*args),
                         variants=KNOWN.variants(function, *args))


@pytest.mark.parametrize("function", [
    pytest.param(function, marks=pytest.mark.grades(function, points=1))
    for function in STEP_FUNCTIONS])
def test_step_function_leaves_inputs_untouched(student, function):
    getattr(student, function)(*step_args(function, "T3-N2-D4-H5", 1))
    expect_untouched(student, function)


# ------------------------------------------------- gru_cell_forward, gru_forward (5 points each)
# The output on three shapes, with saturated gates, and the inputs left untouched.

@pytest.mark.parametrize(("level", "shape_id"), [
    pytest.param(level, shape_id, marks=pytest.mark.grades(level.forward, points=1),
                 id=f"{level.forward}-{shape_id}")
    for level in LEVELS for shape_id in SHAPES])
def test_forward_output(student, level, shape_id):
    got = {seed: student_forward(student, level, shape_id, *level.args(shape_id, seed))[0]
           for seed in SEEDS}
    AT_SHAPES.come_back(student, level.forward, shape_id, order=list(SHAPES))
    expect_consistent(student, level.forward)
    for seed in SEEDS:
        expect_output(student, level, got[seed], level.args(shape_id, seed))


@pytest.mark.parametrize("level", by_level("forward"))
def test_forward_saturated_gates(student, level):
    cases = [(shape_id, seed) for shape_id in STEP_SHAPES for seed in LARGE]
    got = {case: student_forward(student, level, case[0], *level.args(*case))[0]
           for case in cases}
    expect_consistent(student, level.forward)
    for case in cases:
        with saturated(level.forward, case[1]):
            expect_output(student, level, got[case], level.args(*case))


def expect_output(student, level: Level, got, args: tuple) -> None:
    """Judge the student's h_next, or h, on the forward's arguments ``args``."""
    expected = getattr(reference, level.forward)(*args)[0]
    # A wrong function the forward follows explains its output best: it is named first.
    def variants() -> list[Variant]:  # read only when got is wrong
        own = (own_steps_variants(student, *args) if level.one_step
               else own_cell_variants(student, expected, *args))
        return [*own, *MISTAKES.variants(level.forward, ORACLE, *args)]

    expect_close(level.output, got, expected, time_axis=level.time_axis,
                 variants=deferred(variants))


@pytest.mark.parametrize("level", by_level("forward"))
def test_forward_leaves_inputs_untouched(student, level):
    getattr(student, level.forward)(*level.args("T3-N2-D4-H5", 1))
    expect_untouched(student, level.forward)


# --------------------------------------------- gru_cell_backward, gru_backward (11 points each)
# Each gradient on the course of caches, and the inputs left untouched.

@pytest.mark.parametrize(("level", "key"), [
    pytest.param(level, key, marks=pytest.mark.grades(level.backward,
                                                      points=KEY_POINTS.get(key, 1)),
                 id=f"{level.backward}-{key}")
    for level in LEVELS for key in level.keys])
def test_backward_gradient(student, level, key):
    expect_backward_course(student, level.backward, level.forward, key, lambda: [
        backward_run(student, level, shape_id, seed) for shape_id, seed in level.course])


def backward_run(student, level: Level, shape_id: str, seed: int) -> BackwardRun:
    """The student's forward of ``level`` on the inputs (shape_id, seed), and how to judge
    the gradients of its backward there."""
    case = backward_case(level, shape_id, seed, current_language())

    def forward():
        return student_forward(student, level, shape_id, *level.args(shape_id, seed))

    def backward(cache):
        grads = AT_SHAPES.call(student, level.backward, shape_id, *copies(case["dh"]), cache)
        expect_keys(f"{level.backward}(...)", grads, level.keys)
        return grads

    return BackwardRun(*forward(), backward, functools.partial(
        judge_gradient, student, level, shape_id, seed, case), forward)


def judge_gradient(student, level, shape_id, seed, case, key, states, grads) -> None:
    """Judge grads[key] of the backward of ``level`` at the inputs (shape_id, seed), where the
    student's forward gave ``states`` (h_next, or h)."""
    inputs = named_inputs(level, shape_id, seed)
    forward = output_of(level, shape_id, student)
    target = {f"d{name}": name for name in level.data}.get(key, key[1:])

    responds = responsiveness(forward, output_of(level, shape_id), inputs)

    expect_gradient(
        f"grads['{key}']", grads[key], case["grads"][key],
        forward_is_right=close(states, case["h"]),
        own=OwnForward(
            student, tuple(dict.fromkeys((level.forward, CELL.forward, *STEP_FUNCTIONS))),
            numeric=own_numeric(forward, inputs, target, case["dh"]),
            responds=lambda: memo(student, ("responds", level.forward, shape_id, seed), responds),
            # a gradient may vanish on one input where it should (r's where h_{t-1} = 0): the
            # forward must respond to the target on some input of the course
            responds_to_target=lambda: responds_to(student, level, target),
            at_states=lambda: [along[key] for along in backward_along(
                student, level, shape_id, seed, states)]),
        time_axis=level.time_axis if key == "dx" else None,
        variants=case["variants"][key])


def named_inputs(level: Level, shape_id: str, seed: int) -> dict[str, np.ndarray]:
    """The forward's inputs on (shape_id, seed) by name, the parameters among them: what a
    gradient is taken with respect to (x_t or x, h_prev or h0, W_z, ...)."""
    x, h, p = level.args(shape_id, seed)
    return {level.data[0]: x, level.data[1]: h, **p}


def output_of(level: Level, shape_id: str, student=None):
    """The output of the forward of ``level``, the student's (or, without a student, the
    reference's), as a function of its named inputs (see named_inputs)."""
    def forward(args: dict) -> np.ndarray:
        call = (getattr(reference, level.forward) if student is None
                else functools.partial(student_forward, student, level, shape_id))
        return call(*(args[name] for name in level.data), {k: args[k] for k in PARAM_KEYS})[0]
    return forward


def responds_to(student, level: Level, target: str) -> bool:
    """Whether the student's forward of ``level`` responds to the one input ``target`` where
    the reference does, on some input of the backward's course (see
    rnnkit.grading.judge.responsiveness)."""
    def compute() -> bool:
        for shape_id, seed in level.course:
            inputs = named_inputs(level, shape_id, seed)
            mine, right = output_of(level, shape_id, student), output_of(level, shape_id)
            if responsiveness(lambda a, f=mine, i=inputs: f({**i, **a}),
                              lambda a, f=right, i=inputs: f({**i, **a}),
                              {target: inputs[target]})():
                return True
        return False

    return memo(student, ("responds to", level.forward, target), compute)


@pytest.mark.parametrize("level", by_level("backward"))
def test_backward_leaves_inputs_untouched(student, level):
    args = level.args("T3-N2-D4-H5", 3)
    dh, other = level.upstream("T3-N2-D4-H5", 3), level.upstream("T3-N2-D4-H5", 4)
    _, cache = expect_pair(f"{level.forward}(...)", getattr(student, level.forward)(*args))
    backward = getattr(student, level.backward)
    grads = backward(dh, cache)
    expect_untouched(student, level.backward)
    expect_keys(f"{level.backward}(...)", grads, level.keys)
    _, ref_cache = getattr(reference, level.forward)(*args)
    right = getattr(reference, level.backward)
    expect_backward_behaves(level.backward, grads, backward(*copies(other), cache),
                            right(dh, ref_cache), right(other, ref_cache))
    expect_same_again(level.backward, grads, lambda: backward(*copies(dh), cache),
                      keys=level.keys)


# ---------------------------------------------------------------- concept questions (3 points)

def saturation_reasons() -> dict[str, str]:
    """What each gate does at 0 and at 1, and why (the feedback of a wrong answer)."""
    return {
        "update_0": say(
            es="Con z_t = 0, h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ h~_t = h_{t-1}: el estado se "
               "copia tal cual y el candidato se ignora, como en una LSTM con f = 1 e i = 0.",
            en="With z_t = 0, h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ h~_t = h_{t-1}: the state is "
               "copied as it is and the candidate ignored, as in an LSTM with f = 1 and i = 0."),
        "update_1": say(
            es="Con z_t = 1, h_t = h~_t: el estado anterior se descarta y lo sustituye el "
               "candidato.",
            en="With z_t = 1, h_t = h~_t: the previous state is dropped and replaced by the "
               "candidate."),
        "reset_0": say(
            es="Con r_t = 0 el candidato lee [0; x_t]: se construye solo con la entrada actual. "
               "El estado no se borra: h_{t-1} sigue llegando a h_t a través de 1 - z_t.",
            en="With r_t = 0 the candidate reads [0; x_t]: it is built from the current input "
               "alone. The state is not erased: h_{t-1} still reaches h_t through 1 - z_t."),
        "reset_1": say(
            es="Con r_t = 1 el candidato lee [h_{t-1}; x_t] entero, como la capa tanh de una "
               "RNN simple.",
            en="With r_t = 1 the candidate reads [h_{t-1}; x_t] whole, like the tanh layer of a "
               "simple RNN."),
    }


@pytest.mark.grades("gate_saturation", points=1)
@pytest.mark.parametrize("gate", ["update", "reset"])
def test_gate_saturation(student, gate):
    expect_right(GATE_SATURATION, student.gate_saturation(), reference.gate_saturation(),
                 saturation_reasons(), (f"{gate}_0", f"{gate}_1"))


def counterpart_reasons() -> dict[str, str]:
    """What plays each LSTM gate's part in the GRU, and why (the feedback of a wrong answer)."""
    return {
        "forget_gate": say(
            es="1 - z_t es la fracción de h_{t-1} que se conserva, como f_t es la de c_{t-1}. "
               "La puerta de reinicio no toca el estado: solo filtra lo que ve el candidato.",
            en="1 - z_t is the fraction of h_{t-1} that is kept, as f_t is the fraction of "
               "c_{t-1} that is kept. The reset gate does not touch the state: it only filters "
               "what the candidate sees."),
        "input_gate": say(
            es="z_t es la fracción del candidato que se escribe, como i_t en la LSTM; al ir "
               "ligada a 1 - z_t, escribir obliga a olvidar en la misma medida.",
            en="z_t is the fraction of the candidate that is written, as i_t is in the LSTM; "
               "tied to 1 - z_t, writing forces forgetting by the same amount."),
        "output_gate": say(
            es="La GRU no tiene puerta de salida: h_t es a la vez la memoria y lo que se "
               "muestra, entero, a la salida y al paso siguiente.",
            en="The GRU has no output gate: h_t is both the memory and what is shown, whole, to "
               "the output and to the next step."),
    }


@pytest.mark.grades("lstm_counterparts", points=1)
def test_lstm_counterparts(student):
    expect_right(LSTM_COUNTERPARTS, student.lstm_counterparts(), reference.lstm_counterparts(),
                 counterpart_reasons(), LSTM_COUNTERPARTS.keys)


# ------------------------------------------------------------------------------------ helpers

@functools.cache
def backward_case(level: Level, shape_id: str, seed: int, language: str) -> dict:
    """The reference's output, upstream gradient, gradients and known-mistake variants of the
    backward of ``level`` on the inputs (shape_id, seed): they depend only on those (and on the
    language of the messages), so they are computed once per process."""
    args = level.args(shape_id, seed)
    dh = level.upstream(shape_id, seed)
    h, caches = getattr(reference, level.forward)(*args)
    grads = getattr(reference, level.backward)(dh, caches)
    return {"h": h, "dh": dh, "grads": grads,
            "variants": KNOWN.keyed_variants(level.backward, dh, *args, right=grads)}


def student_steps(student, x_t, h_prev, p) -> tuple[dict[str, np.ndarray], list[str]]:
    """What the student's step functions give on one step, chained as gru_cell_forward
    chains them: z (update_gate), r (reset_gate), h (candidate, with that r) and h_next
    (interpolate, with that h and z); and which of the four are wrong there (against the
    reference on the same arguments). A function that fails or returns something that is not
    an (H, N) array counts as wrong, and the reference's value stands in for it."""
    def compute() -> tuple[dict[str, np.ndarray], list[str]]:
        values: dict[str, np.ndarray] = {}
        wrong = []
        for function, name, arguments in (
                ("update_gate", "z", lambda: (x_t, h_prev, p)),
                ("reset_gate", "r", lambda: (x_t, h_prev, p)),
                ("candidate", "h", lambda: (x_t, h_prev, values["r"], p)),
                ("interpolate", "h_next", lambda: (h_prev, values["h"], values["z"]))):
            args = arguments()
            right = getattr(reference, function)(*args)
            try:
                own = as_numeric_array(getattr(student, function)(*copies(*args)))
            except Exception:  # the student's function is missing, raised or hung
                own = None
            if own is None or own.shape != right.shape or not close(own, right):
                wrong.append(function)
            values[name] = own if own is not None and own.shape == right.shape else right
        return values, wrong

    key = ("steps", *(a.tobytes() for a in (x_t, h_prev, *p.values())))
    return memo(student, key, compute)


def own_steps_variants(student, x_t, h_prev, p) -> list[Variant]:
    """When the student's step functions are wrong on (x_t, h_prev, params): what they give
    chained, named as following them."""
    values, wrong = student_steps(student, x_t, h_prev, p)
    if not wrong:
        return []
    names = ", ".join(f"`{function}`" for function in wrong)
    if len(wrong) == 1:
        message = say(
            es="es lo que dan tus funciones update_gate, reset_gate, candidate e interpolate "
               "encadenadas, pero {fns} no es correcta: corrígela primero (mira sus pruebas).",
            en="it is what your functions update_gate, reset_gate, candidate and interpolate "
               "give chained, but {fns} is not right: fix it first (see its tests).", fns=names)
    else:
        message = say(
            es="es lo que dan tus funciones update_gate, reset_gate, candidate e interpolate "
               "encadenadas, pero {fns} no son correctas: corrígelas primero (mira sus "
               "pruebas).",
            en="it is what your functions update_gate, reset_gate, candidate and interpolate "
               "give chained, but {fns} are not right: fix them first (see their tests).",
            fns=names)
    return [(values["h_next"], message)]


def own_cell_variants(student, expected, x, h0, p) -> list[Variant]:
    """What the student's own gru_cell_forward gives chained over the sequence, when that
    differs from the right states ``expected``."""
    try:
        h_t, states = h0, []
        for x_t in x:
            h_t, _ = expect_pair("", student.gru_cell_forward(*copies(x_t, h_t, p)))
            states.append(h_t)
        chained = np.array(states, dtype=float)
    except Exception:  # the student's cell fails or returns something unusable
        return []
    return [] if close(chained, expected) else [(chained, say(
        es="es lo que da tu gru_cell_forward paso a paso, pero gru_cell_forward no es "
           "correcta: corrígela primero (mira sus pruebas).",
        en="it is what your gru_cell_forward gives step by step, but gru_cell_forward is not "
           "right: fix it first (see its tests)."))]


def own_cache(student, x_t, h_prev, p) -> tuple:
    """The cache the reference's gru_cell_forward would make from the values of the
    student's own step functions on (x_t, h_prev, params): what a right backward reads from
    the cache of the student's forward."""
    values, _ = student_steps(student, x_t, h_prev, p)
    return x_t, h_prev, values["z"], values["r"], values["h"], p


def backward_along(student, level: Level, shape_id: str, seed: int, states) -> list[dict]:
    """The reference backward of ``level`` on the inputs (shape_id, seed) at the student's own
    states: on one step, with the values of the student's step functions; on the sequence,
    along the states h (T, H, N) of the student's forward with the student's step values, for
    each way a student's loop may have fed them to the cell: chained from h0, from zeros in
    place of h0, or with h0 at every step ([] when h is not an array of the right shape)."""
    x, h0, p = level.args(shape_id, seed)
    dh = level.upstream(shape_id, seed)
    if level.one_step:
        return [reference.gru_cell_backward(dh, own_cache(student, x, h0, p))]
    h = states
    if not (isinstance(h, np.ndarray) and h.dtype.kind in "fiu" and h.shape == dh.shape):
        return []
    h = h.astype(float)
    ways = ([h0, *h[:-1]], [np.zeros_like(h0), *h[:-1]], [h0] * len(x))

    def compute() -> list[dict]:
        return [reference.gru_backward(dh, [own_cache(student, x_t, h_prev, p)
                                            for x_t, h_prev in zip(x, previous, strict=True)])
                for previous in ways]

    return memo(student, ("along", shape_id, seed, h.tobytes()), compute)
