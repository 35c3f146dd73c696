"""The public checks of the applications notebook (rnnkit.assignments.applications.checks).

A correct implementation (the reference solution) must get only ✓ lines; each broken one must
get a ✗ line that names its mistake, for a mistake of the registry
(rnnkit.assignments.applications.mistakes) by the same message the hidden suite gives; a check
never raises, whatever the student's code does. The checks print, so stdout is captured.
Messages are matched in English (see conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from printed_checks import assert_flags, fail_lines, run

from rnnkit import assignments, i18n
from rnnkit.assignments.applications import checks
from rnnkit.assignments.applications.hidden.oracle import ReferenceOracle
from rnnkit.assignments.applications.mistakes import MISTAKES
from rnnkit.checks.feedback import plain
from rnnkit.compare import close
from solutions import applications as sol
from solutions import rnn


def said(mistake_id: str) -> str:
    return plain(MISTAKES[mistake_id].en)


# ----------------------------------------------------------------------------------------------
# Language model
# ----------------------------------------------------------------------------------------------

LM_CHECKS = [
    (checks.check_output_forward, sol.output_forward),
    (checks.check_softmax_loss, sol.softmax_loss),
    (checks.check_output_backward, sol.output_backward),
    (checks.check_char_lm_loss, sol.char_lm_loss),
    (checks.check_train_char_lm, sol.train_char_lm),
    (checks.check_sample_chars, sol.sample_chars),
    (checks.check_word_vectors, sol.word_vectors),
    (checks.check_sequential_cost, sol.sequential_cost),
]
IDS = [check.__name__ for check, _ in LM_CHECKS]


def test_the_checks_follow_the_graded_functions_in_notebook_order():
    assert checks.__all__ == [f"check_{f}" for f in assignments.get("applications").functions]


@pytest.mark.parametrize(("check", "function"), LM_CHECKS, ids=IDS)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_correct_implementation_gets_only_ticks(check, function, lang):
    with i18n.speaking(lang):
        printed = run(check, function)
    lines = printed.strip().splitlines()
    assert all(line.startswith("✓") for line in lines[:-1]), printed
    assert ("all correct" if lang == "en" else "todo correcto") in lines[-1]


@pytest.mark.parametrize(("check", "function"), LM_CHECKS, ids=IDS)
def test_checks_never_raise(check, function):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    for student in (broken, lambda *a, **k: None, lambda *a, **k: "text",
                    lambda *a, **k: (np.zeros((1, 1)), None), lambda *a, **k: {"x": 1}):
        assert fail_lines(run(check, student))


# --- broken implementations -------------------------------------------------------------------

def loss_with(mistake):
    def softmax_loss(scores, y, mask):
        T, V, N = scores.shape
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(scores if mistake == "overflows" else scores - scores.max(1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
        right = np.arange(V)[None, :, None] == y[:, None, :]
        kept = np.ones_like(p) if mistake == "no mask" else mask[:, None, :]
        with np.errstate(all="ignore"):
            loss = -np.sum(np.log(np.where(right * kept, p, 1.0))) / N
        target = 0.0 if mistake == "no target" else right
        return loss, (p - target) * kept / N
    return softmax_loss


def backward_with(mistake):
    def output_backward(dscores, h, W_hy):
        dh, dW_hy, db_y = sol.output_backward(dscores, h, W_hy)
        if mistake == "last step":
            dW_hy, db_y = dscores[-1] @ h[-1].T, dscores[-1].sum(axis=1, keepdims=True)
        if mistake == "transposed":
            dW_hy = dW_hy.T
        return dh, dW_hy, db_y
    return output_backward


def lm_loss_with(mistake):
    def char_lm_loss(x, y, mask, h0, params):
        start = np.zeros_like(h0) if mistake == "ignores h0" else h0
        h, caches = rnn.rnn_forward(x, start, params)
        scores = sol.output_forward(h, params["W_hy"], params["b_y"])
        loss, dscores = sol.softmax_loss(scores, y, mask)
        dh, dW_hy, db_y = sol.output_backward(dscores, h, params["W_hy"])
        if mistake == "last dh":
            dh = np.concatenate((np.zeros_like(dh[:-1]), dh[-1:]))
        g = rnn.rnn_backward(dh, caches)
        return loss, {"W_xh": g["dW_xh"], "W_hh": g["dW_hh"], "b_h": g["db_h"],
                      "W_hy": dW_hy, "b_y": db_y}
    return char_lm_loss


def train_with(mistake):
    def train_char_lm(x, y, mask, params, steps, learning_rate, max_norm):
        h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
        losses = []
        for _ in range(steps):
            loss, grads = sol.char_lm_loss(x, y, mask, h0, params)
            if mistake != "no clipping":
                grads = rnn.clip_gradients(grads, max_norm)
            sign = -1.0 if mistake == "ascent" else 1.0
            if mistake == "in place":
                for k in params:
                    params[k] -= learning_rate * grads[k]
            else:
                params = {k: v - sign * learning_rate * grads[k] for k, v in params.items()}
            losses.append(loss)
        return params, losses
    return train_char_lm


def sampler_with(mistake):
    def sample_chars(params, first_index, length, rng):
        V, H = params["W_hy"].shape
        h, index, drawn = np.zeros((H, 1)), first_index, []
        for _ in range(length):
            x_t = np.zeros((V, 1))
            x_t[first_index if mistake == "not fed back" else index] = 1.0
            h, _ = rnn.rnn_cell_forward(x_t, np.zeros((H, 1)) if mistake == "reset" else h,
                                        params)
            p = sol.softmax(params["W_hy"] @ h + params["b_y"])[:, 0]
            if mistake == "argmax":
                index = int(np.argmax(p))
            elif mistake == "global":
                index = int(np.random.default_rng().choice(V, p=p))
            else:
                index = int(rng.choice(V, p=p))
            drawn.append(index)
        return np.array(drawn)
    return sample_chars


CASES = {
    "output layer without bias": (
        checks.check_output_forward, lambda h, W, b: W @ h, [said("output_forward.no_bias")]),
    "output layer returning probabilities": (
        checks.check_output_forward, lambda h, W, b: sol.softmax(W @ h + b),
        [said("output_forward.softmax")]),
    "loss counting padding": (
        checks.check_softmax_loss, loss_with("no mask"), [said("softmax_loss.no_mask")]),
    "loss gradient without the target": (
        checks.check_softmax_loss, loss_with("no target"),
        [said("softmax_loss.dscores_without_target")]),
    "loss that overflows": (
        checks.check_softmax_loss, loss_with("overflows"), ["contains NaN or infinity"]),
    "output backward keeping the last step": (
        checks.check_output_backward, backward_with("last step"),
        [said("output_backward.assigns_param_grads")]),
    "output backward with dW_hy transposed": (
        checks.check_output_backward, backward_with("transposed"), ["Is it transposed?"]),
    "language model loss ignoring h0": (
        checks.check_char_lm_loss, lm_loss_with("ignores h0"),
        [said("char_lm_loss.ignores_h0"), "consistent with your loss"]),
    "language model loss with the last dh only": (
        checks.check_char_lm_loss, lm_loss_with("last dh"), [said("char_lm_loss.only_last_dh")]),
    "training without clipping": (
        checks.check_train_char_lm, train_with("no clipping"),
        [said("train_char_lm.no_clipping")]),
    "gradient ascent": (
        checks.check_train_char_lm, train_with("ascent"), [said("train_char_lm.gradient_ascent")]),
    "training in place": (
        checks.check_train_char_lm, train_with("in place"), ["modified its argument"]),
    "sampling the argmax": (
        checks.check_sample_chars, sampler_with("argmax"), [said("sample_chars.argmax")]),
    "sampling without feedback": (
        checks.check_sample_chars, sampler_with("not fed back"),
        [said("sample_chars.not_fed_back")]),
    "sampling from h = 0 every step": (
        checks.check_sample_chars, sampler_with("reset"), [said("sample_chars.resets_state")]),
    "sampling with a generator of its own": (
        checks.check_sample_chars, sampler_with("global"),
        ["two generators with the same seed give different samples"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_implementation_gets_a_helpful_cross(case):
    check, function, fragments = CASES[case]
    assert_flags(run(check, function), *fragments)


def test_a_wrong_answer_of_a_question_is_not_revealed():
    printed = run(checks.check_word_vectors, lambda: {"cbow": 2, "skip_gram": 1,
                                                      "averaged_vectors": 4})
    assert "all correct" in printed  # the public check looks at the form only


# --- the registry's two oracles ---------------------------------------------------------------

def test_the_two_oracles_make_every_mistake_alike():
    """The public checks' torch oracle and the hidden suite's, on the reference solution, agree
    on every mistake of the registry, and every mistake changes what it spoils."""
    p = checks._lm_problem(n=3, seed=5)
    x, y, mask, h0, params = p["x"], p["y"], p["mask"], p["h0"], p["params"]
    W_hy, b_y = params["W_hy"], params["b_y"]
    drawn = np.array([1, 0, 3, 3, 2, 5])
    inputs = {"output_forward": (p["h"], W_hy, b_y), "softmax_loss": (p["scores"], y, mask),
              "output_backward": (p["dscores"], p["h"], W_hy),
              "char_lm_loss": (x, y, mask, h0, params),
              "train_char_lm": (x, y, mask, params, 4, 2.0, 1.0),
              "sample_chars": (params, 2, drawn)}
    loss, grads = sol.char_lm_loss(x, y, mask, h0, params)
    right = {
        "output_forward": sol.output_forward(p["h"], W_hy, b_y),
        "softmax_loss": dict(zip(("loss", "dscores"), sol.softmax_loss(p["scores"], y, mask),
                                 strict=True)),
        "output_backward": dict(zip(("dh", "dW_hy", "db_y"),
                                    sol.output_backward(p["dscores"], p["h"], W_hy),
                                    strict=True)),
        "char_lm_loss": {"loss": loss, **grads},
        "train_char_lm": np.array(sol.train_char_lm(x, y, mask, params, 4, 2.0, 1.0)[1]),
        "sample_chars": ReferenceOracle().next_char_probabilities(params,
                                                                 np.array([2, *drawn[:-1]])),
    }
    torch_oracle, reference = checks._TORCH, ReferenceOracle()
    np.testing.assert_allclose(torch_oracle.next_char_probabilities(
        params, np.array([2, *drawn[:-1]])), right["sample_chars"], atol=1e-12)
    np.testing.assert_allclose(torch_oracle.train_losses(*inputs["train_char_lm"]),
                               right["train_char_lm"], atol=1e-10)
    for mistake in MISTAKES:
        args = inputs[mistake.function]
        by_torch, by_reference = mistake.wrong(torch_oracle, *args), mistake.wrong(reference, *args)
        expected = right[mistake.function]
        if isinstance(by_torch, dict):
            assert by_torch.keys() == by_reference.keys(), mistake.id
            for key in by_torch:
                np.testing.assert_allclose(by_torch[key], by_reference[key], atol=1e-10,
                                           err_msg=f"{mistake.id}: {key}")
            assert any(not close(value, expected[key]) for key, value in by_torch.items()), \
                mistake.id
        else:
            np.testing.assert_allclose(by_torch, by_reference, atol=1e-10, err_msg=mistake.id)
            assert not close(by_torch, expected), mistake.id
