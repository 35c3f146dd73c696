"""The grading rules of rnnkit.grading.judge, proved on whole suite runs with in-process students.

The own-forward credit pays only for honest work: a forward that is right on its first calls and
then returns constants, with a backward that returns zeros, earns exactly what the right forward
alone earns (its backward raising NotImplementedError), and never more; a plainly constant
forward with a zero backward earns what the constant forward alone earns; an honest student
whose forward is wrong and whose backward is right for that forward keeps the backward's points.
Then the parts: the record of calls (state between calls), the deep check of arguments, naming
the shape a function fails at, and determinism.
"""

from __future__ import annotations

import numpy as np
import pytest
from hostile.free_credit import (
    FOREVER,
    LSTM_FORWARD_ATTACK,
    LSTM_ZERO_BACKWARD,
    RNN_FORWARD_ATTACK,
    RNN_ZERO_BACKWARD,
    fill,
)

from rnnkit.assignments.rnn.hidden.test_rnn import GRAD_COURSE, GRAD_KEYS
from rnnkit.compare import CheckFailed
from rnnkit.grading import judge, suite
from rnnkit.grading.student import NamespaceStudent, StudentFailure
from rnnkit.kit.paths import SOLUTIONS
from rnnkit.nb.catalogue import load_entry

RNN_BACKWARD = ("rnn_cell_backward", "rnn_backward")
LSTM_BACKWARD = ("lstm_cell_backward", "lstm_backward")
NOT_IMPLEMENTED = {f: f"def {f}(*args):\n    raise NotImplementedError\n"
                   for f in (*RNN_BACKWARD, *LSTM_BACKWARD)}


def student(assignment: str, *sources: str) -> NamespaceStudent:
    """A notebook-like namespace: the reference's answer cells, then ``sources`` (which may
    keep the reference's functions under other names before replacing them)."""
    namespace = {"np": np}
    for code in load_entry(SOLUTIONS / f"{assignment}.py").code_by_function.values():
        exec(compile(code, "<reference>", "exec"), namespace)
    for source in sources:
        exec(compile(source, "<student>", "exec"), namespace)
    return NamespaceStudent(namespace)


def grade(assignment: str, *sources: str) -> dict[str, float]:
    """function -> points earned, and "total"."""
    earned: dict[str, float] = {}
    for result in suite.run(assignment, student(assignment, *sources)):
        earned[result.function] = earned.get(result.function, 0.0) + result.earned
    return {**earned, "total": sum(earned.values())}


# --- the attackers of the issue ------------------------------------------------------------

ATTACKS = {"rnn": (RNN_FORWARD_ATTACK, RNN_ZERO_BACKWARD, RNN_BACKWARD),
           "lstm": (LSTM_FORWARD_ATTACK, LSTM_ZERO_BACKWARD, LSTM_BACKWARD)}


def attack(assignment: str, honest_calls: int, constant: float, backward: str | None = None):
    forward, zero_backward, functions = ATTACKS[assignment]
    if backward is None:
        backward = zero_backward
    return grade(assignment, fill(forward, honest_calls, constant), backward)


def not_implemented(assignment: str) -> str:
    return "\n".join(NOT_IMPLEMENTED[f] for f in ATTACKS[assignment][2])


@pytest.fixture(scope="module")
def forward_only() -> dict[str, float]:
    """What the right forward earns when the backward passes raise NotImplementedError."""
    return {a: grade(a, not_implemented(a))["total"] for a in ATTACKS}


def test_forward_only_scores_are_those_of_the_issue(forward_only):
    # The issue's figures, plus the concept questions the reference answers (rnn 4, lstm 5).
    assert forward_only == {"rnn": 14.0 + 4, "lstm": 26.0 + 5}


@pytest.mark.parametrize("assignment", ATTACKS)
@pytest.mark.parametrize("honest_calls", [1, 4, 12, 40, 150, FOREVER])
@pytest.mark.parametrize("constant", [0.5, 1.0])
def test_right_then_constant_forward_with_zero_backward_earns_no_more_than_the_forward(
        forward_only, assignment, honest_calls, constant):
    earned = attack(assignment, honest_calls, constant)
    assert earned["total"] <= forward_only[assignment], earned
    assert all(earned[f] == 0 for f in ATTACKS[assignment][2]), earned


FORWARD_FUNCTIONS = {"rnn": ["rnn_cell_forward", "rnn_forward"],
                     "lstm": ["forget_gate", "input_gate", "candidate", "output_gate",
                              "lstm_cell_forward", "lstm_forward"]}


def forward_test_calls(assignment: str) -> int:
    """How many calls of the forward functions the forward tests make (they run first)."""
    counting = student(assignment, fill(ATTACKS[assignment][0], FOREVER, 0.0))
    suite.run(assignment, counting, FORWARD_FUNCTIONS[assignment])
    return counting._namespace["_state"]["calls"]


@pytest.mark.parametrize("assignment", ATTACKS)
def test_right_forward_for_the_whole_forward_tests_earns_exactly_the_forward(
        forward_only, assignment):
    """Right on every call the forward tests make, constant from the backward tests on."""
    earned = attack(assignment, forward_test_calls(assignment), 0.5)
    assert earned["total"] == forward_only[assignment], earned


@pytest.mark.parametrize("assignment", ATTACKS)
@pytest.mark.parametrize("constant", [0.5, 1.0])
def test_constant_forward_with_zero_backward_earns_what_the_constant_forward_earns(
        assignment, constant):
    with_zeros = attack(assignment, 0, constant)
    alone = attack(assignment, 0, constant, backward=not_implemented(assignment))
    assert with_zeros["total"] == alone["total"], (with_zeros, alone)
    if assignment == "rnn":  # the issue's figure: the inputs-untouched points and clip_gradients
        assert with_zeros["total"] == 8.0 + 4  # and the concept questions


# A cell that passes h_prev straight through ignores x_t and every weight: its own gradients
# there are zero, which a backward returning zeros matches for free. Zeros earn credit only
# against a forward that responds to that input somewhere in the course; the backward keeps
# what is honestly right for this forward: dh_prev = dh_next, and its inputs left untouched.
PASS_THROUGH_CELL = '''
def rnn_cell_forward(x_t, h_prev, params):
    return h_prev.copy(), (x_t, h_prev)

def rnn_cell_backward(dh_next, cache):
    x_t, h_prev = cache
    H, D = h_prev.shape[0], x_t.shape[0]
    return {"dx_t": np.zeros_like(x_t), "dh_prev": dh_next.copy(), "dW_xh": np.zeros((H, D)),
            "dW_hh": np.zeros((H, H)), "db_h": np.zeros((H, 1))}
'''


def test_zero_gradients_of_inputs_the_forward_ignores_earn_nothing():
    earned = grade("rnn", PASS_THROUGH_CELL)
    assert earned["rnn_cell_backward"] == 2.0, earned  # dh_prev and inputs untouched
    alone = grade("rnn", PASS_THROUGH_CELL.split("def rnn_cell_backward")[0]
                  + NOT_IMPLEMENTED["rnn_cell_backward"] + NOT_IMPLEMENTED["rnn_backward"])
    assert earned["total"] <= alone["total"] + 2.0, (earned, alone)


# --- an honest student whose forward is wrong ----------------------------------------------

# h_next = 2 tanh(a), and a cell backward that is right for it: the rest is the reference's.
DOUBLED_TANH_FORWARD = '''
def rnn_cell_forward(x_t, h_prev, params):
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    h_next = 2 * np.tanh(a)
    return h_next, (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])
'''
DOUBLED_TANH_BACKWARD = '''
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, W_xh, W_hh = cache
    da = dh_next * 2 * (1 - (h_next / 2) ** 2)
    return {"dx_t": W_xh.T @ da, "dh_prev": W_hh.T @ da, "dW_xh": da @ x_t.T,
            "dW_hh": da @ h_prev.T, "db_h": da.sum(axis=1, keepdims=True)}
'''
DOUBLED_TANH = DOUBLED_TANH_FORWARD + DOUBLED_TANH_BACKWARD

# The candidate uses the sigmoid; the backward, the reference's, is right at those states.
CANDIDATE_SIGMOID = '''
def candidate(x_t, h_prev, params):
    return sigmoid(params["W_c"] @ np.concatenate((h_prev, x_t)) + params["b_c"])
'''


def test_a_backward_right_for_its_own_wrong_forward_keeps_its_points():
    earned = grade("rnn", DOUBLED_TANH)
    assert earned["rnn_cell_forward"] < 4 and earned["rnn_forward"] < 4, earned
    assert earned["rnn_cell_backward"] == 6 and earned["rnn_backward"] == 6, earned


def test_a_backward_right_at_its_own_wrong_states_keeps_its_points():
    earned = grade("lstm", CANDIDATE_SIGMOID)
    assert earned["candidate"] < 3 and earned["lstm_forward"] < 9, earned
    assert earned["lstm_cell_backward"] == 12 and earned["lstm_backward"] == 12, earned


def test_the_same_backward_loses_its_points_when_its_forward_keeps_state():
    """DOUBLED_TANH, but its forward is right until the backward tests: the backward's
    own-forward credit is refused, with a message that says why."""
    functions = ["rnn_cell_forward", "rnn_cell_backward"]
    counting = student("rnn", fill(RNN_FORWARD_ATTACK, FOREVER, 0.0))
    suite.run("rnn", counting, functions[:1])
    right_calls = counting._namespace["_state"]["calls"]
    stateful = fill(RNN_FORWARD_ATTACK, right_calls, 0.0).replace(
        "np.full(h_prev.shape, 0.0)", "2 * np.tanh(params['W_hh'] @ h_prev "
        "+ params['W_xh'] @ x_t + params['b_h'])")
    results = suite.run("rnn", student("rnn", stateful, DOUBLED_TANH_BACKWARD), functions)
    assert all(r.passed for r in results if r.function == "rnn_cell_forward")
    gradients = [r for r in results if r.name.startswith("test_cell_backward_gradient")]
    assert gradients and not any(r.passed for r in gradients)
    assert all("keeps state between calls" in r.message for r in gradients), gradients[0]
    # Without the state, the same backward keeps its points (the honest student above).
    honest = suite.run("rnn", student("rnn", DOUBLED_TANH), functions[1:])
    assert all(r.passed for r in honest)


# --- the record of calls -------------------------------------------------------------------

def test_the_record_flags_different_results_for_the_same_inputs():
    calls = student("rnn", "_n = [0]\ndef bump(x):\n    _n[0] += 1\n    return x * _n[0]\n")
    x = np.ones(3)
    calls.bump(x)
    calls.bump(2 * x)
    assert not calls.inconsistent("bump")  # other inputs: nothing to compare
    calls.bump(x.copy())
    assert calls.inconsistent("bump")
    assert "gives different results for the same inputs" in calls.inconsistency("bump")


def test_the_record_flags_results_a_later_call_changes():
    calls = student("rnn", "_out = np.zeros(2)\ndef f(x):\n    _out[:] = x\n    return _out\n")
    calls.f(np.ones(2))
    assert not calls.inconsistent("f")
    calls.f(np.full(2, 3.0))
    assert "changed after a later call" in calls.inconsistency("f")


def test_the_record_does_not_blame_a_function_for_what_others_change():
    calls = student("rnn", "def f(x):\n    return x + 1\n"
                           "def clobber(a):\n    a[:] = 0\n    return None\n")
    first = calls.f(np.ones(2))
    calls.clobber(first)  # someone else writes into what f returned
    calls.f(np.ones(2))
    assert not calls.inconsistent("f")


def test_the_record_ignores_calls_with_opaque_arguments():
    calls = student("rnn", "_n = [0]\ndef g(obj):\n    _n[0] += 1\n    return np.full(2, _n[0])\n")
    token = object()
    calls.g(token)
    calls.g(token)
    assert not calls.inconsistent("g")


def test_the_mutation_check_is_deep():
    calls = student("rnn", "def touch(cache):\n    cache[1][0]['w'][0] = 9.0\n    return 0\n"
                           "class Box:\n    def __init__(self, a):\n        self.a = a\n"
                           "def touch_object(box):\n    box.a += 1\n    return 0\n"
                           "def pop(items):\n    items.pop()\n    return 0\n")
    calls.touch((np.zeros(1), [{"w": np.zeros(2)}]))
    assert calls.mutated_arguments() == ["arg0[1][0]['w']"]
    calls.touch_object(calls._namespace["Box"](np.zeros(2)))
    assert calls.mutated_arguments() == ["arg0.a"]
    calls.pop([np.zeros(1), np.zeros(1)])
    assert calls.mutated_arguments() == ["arg0"]


# --- shapes, boundaries and large inputs ---------------------------------------------------

FAILS_AT_N_1 = '''
_right_forward = rnn_forward

def rnn_forward(x, h0, params):
    if h0.shape[1] == 1:
        raise IndexError("tuple index out of range")
    return _right_forward(x, h0, params)
'''


def test_a_failure_at_one_shape_says_what_sets_it_apart():
    results = suite.run("rnn", student("rnn", FAILS_AT_N_1), ["rnn_forward"])
    failed = [r for r in results if not r.passed]
    assert [r.name for r in failed] == ["test_forward_h[T4-N1-D3-H2]"]
    assert "fails when N = 1 (T = 4, N = 1, D = 3, H = 2)" in failed[0].message
    assert "IndexError" in failed[0].message


def test_naming_the_shape_lists_every_difference_and_stays_quiet_when_all_fail():
    def fail():
        raise StudentFailure("`f` failed: ValueError")

    shape = {"N": 1, "D": 3, "H": 2}
    with pytest.raises(StudentFailure, match=r"fails when N = 1 or D > H \(N = 1, D = 3, H = 2\)"):
        with judge.naming_the_shape("f", shape, lambda: ([{"N": 2, "D": 4, "H": 5}], [])):
            fail()
    with pytest.raises(StudentFailure, match=r"fails when D > H \(N = 1, D = 3, H = 2\)"):
        with judge.naming_the_shape("f", shape, lambda: ([{"N": 1, "D": 2, "H": 3}],
                                                          [{"N": 2, "D": 3, "H": 2}])):
            fail()
    with pytest.raises(StudentFailure, match=r"^`f` failed: ValueError$"):
        with judge.naming_the_shape("f", shape, lambda: ([], [{"N": 2, "D": 4, "H": 5}])):
            fail()


@pytest.mark.parametrize(("mistake", "expected"), [
    ("if squared > max_norm", "you scale small gradients up"),  # √c < ‖g‖ ≤ c
    ("if np.sqrt(squared) > max_norm ** 2", "you return the gradients unchanged"),
    ("if np.sqrt(squared) > 1", "you return the gradients unchanged"),  # c < ‖g‖ ≤ 1
])
def test_clipping_is_tested_at_its_threshold(mistake, expected):
    clip = f'''
def clip_gradients(grads, max_norm):
    squared = sum(np.sum(g ** 2) for g in grads.values())
    {mistake}:
        return {{k: g * max_norm / (np.sqrt(squared) + 1e-6) for k, g in grads.items()}}
    return {{k: g.copy() for k, g in grads.items()}}
'''
    results = suite.run("rnn", student("rnn", clip), ["clip_gradients"])
    assert sum(r.earned for r in results) < 6
    assert any(expected in r.message for r in results if not r.passed)


def test_all_zero_gradients_must_not_give_nan():
    clip = '''
def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g / total * min(total, max_norm) for k, g in grads.items()}
'''
    results = suite.run("rnn", student("rnn", clip), ["clip_gradients"])
    failed = [r for r in results if not r.passed]
    assert [r.name for r in failed] == ["test_clip_keeps_small_gradients"]
    assert "With global norm 0 and max_norm = 1: " in failed[0].message
    assert "NaN" in failed[0].message


SIGMOIDS = {
    "naive": "1 / (1 + np.exp(-a))",  # overflows to inf, then 1 / inf = 0: right, with a warning
    "by tanh": "0.5 * (1 + np.tanh(a / 2))",
    "ratio": "np.exp(a) / (1 + np.exp(a))",  # inf / inf = NaN
}


@pytest.mark.parametrize("name", SIGMOIDS)
def test_gates_meet_pre_activations_of_1000(name):
    gates = f"def sigmoid(a):\n    return {SIGMOIDS[name]}\n"
    gate_functions = ["forget_gate", "input_gate", "output_gate"]
    results = suite.run("lstm", student("lstm", gates), gate_functions)
    failed = [r for r in results if not r.passed]
    if name == "ratio":
        assert {r.function for r in failed} == set(gate_functions)
        assert all("With pre-activations as large as ±1000: " in r.message
                   and "NaN" in r.message for r in failed)
    else:
        assert failed == []


def test_the_same_submission_gets_the_same_bytes_of_results():
    source = fill(RNN_FORWARD_ATTACK, 12, 0.5) + DOUBLED_TANH
    runs = [suite.run("rnn", student("rnn", source)) for _ in range(2)]
    assert repr(runs[0]) == repr(runs[1])


def test_expect_backward_behaves_fails_a_backward_that_ignores_dh():
    right = {"dx": np.ones(3), "dW": np.ones(2)}
    other = {"dx": 2 * np.ones(3), "dW": 2 * np.ones(2)}
    judge.expect_backward_behaves("b", right, other, right, other)  # responds: fine
    half = {"dx": other["dx"], "dW": right["dW"]}  # one gradient stays put: fine
    judge.expect_backward_behaves("b", right, half, right, other)
    with pytest.raises(CheckFailed, match="returns the same gradients"):
        judge.expect_backward_behaves("b", right, right, right, other)



COUNTED_BACKWARD = """
import os
_backward_calls = []
_right_backward = rnn_backward

def rnn_backward(dh, caches):
    _backward_calls.append(os.environ.get("PYTEST_CURRENT_TEST", ""))
    if len(_backward_calls) == FAILING_CALL:
        raise ValueError("not on the second cache")
    return _right_backward(dh, caches)
"""


@pytest.mark.parametrize("failing_call", [0, 2])
def test_a_backward_course_runs_once_for_all_its_gradients(failing_call):
    """The gradient tests share one course of calls (judge.memo): the backward runs on each
    cache and once more on the first, not once per gradient; a failure in the course fails
    every gradient with the same message."""
    counted = student("rnn", f"FAILING_CALL = {failing_call}", COUNTED_BACKWARD)
    results = [r for r in suite.run("rnn", counted, ["rnn_backward"])
               if r.name.startswith("test_backward_gradient")]
    calls = [test for test in counted._namespace["_backward_calls"]
             if "test_backward_gradient" in test]
    assert len(results) == len(GRAD_KEYS)
    if failing_call:
        assert {r.earned for r in results} == {0.0}
        assert len({r.message for r in results}) == 1
        assert "not on the second cache" in results[0].message
        assert len(calls) < 2 * len(GRAD_KEYS)  # (the shape probe may call it once more)
    else:
        assert all(r.passed for r in results)
        assert len(calls) == len(GRAD_COURSE) + 1
