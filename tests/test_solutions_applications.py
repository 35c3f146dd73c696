"""The model answer solutions/applications.py against PyTorch, in float64, and against what the
hidden suite asks of it.

Language model: the output layer, the masked loss and the whole graph of char_lm_loss (the
reference RNN, the output layer, the loss) are transcribed in torch and differentiated by
autograd; training is gradient descent with torch's own global-norm clipping; sampling is
reproducible from a seeded generator and draws from the model's distributions. The margins:
on the five seeds the hidden suite may use, the trained reference clears the held-out
threshold, while no training, gradient ascent and no clipping at the suite's learning rate
miss it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnkit.assignments.applications import SEQUENTIAL_COST, WORD_VECTORS
from rnnkit.assignments.applications.hidden import test_applications as suite
from rnnkit.assignments.applications.hidden.oracle import ORACLE
from rnnkit.assignments.applications.mistakes import draws_fit
from solutions import applications as sol

TOL = 1e-10
PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")

# ----------------------------------------------------------------------------------------------
# Language model
# ----------------------------------------------------------------------------------------------

# (T, N, V, H): one step, one word, V < H, V > H.
LM_SHAPES = [(1, 1, 3, 2), (1, 3, 4, 5), (5, 2, 7, 3), (6, 4, 5, 8)]


def lm_problem(T, N, V, H, seed):
    """Words of different lengths (the first fills T), padding with arbitrary targets."""
    return suite.lm_problem(T, N, V, H, np.random.default_rng(seed))


def leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def assert_close(got, expected, tol=TOL):
    got = np.asarray(got)
    assert got.dtype == np.float64
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=0, atol=tol)


def torch_loss(scores, y, mask):
    """The masked cross-entropy, summed over time and averaged over the batch, in torch."""
    N = scores.shape[2]
    log_p = torch.log_softmax(scores, dim=1)
    picked = log_p.gather(1, torch.as_tensor(y)[:, None, :])[:, 0, :]
    return -(picked * torch.as_tensor(mask, dtype=torch.float64)).sum() / N


def torch_char_lm(x, y, mask, h0, P):
    """The whole graph of char_lm_loss in torch: the RNN, the output layer, the loss."""
    h, states = h0, []
    for x_t in torch.as_tensor(x):
        h = torch.tanh(P["W_hh"] @ h + P["W_xh"] @ x_t + P["b_h"])
        states.append(h)
    scores = P["W_hy"] @ torch.stack(states) + P["b_y"]
    return torch_loss(scores, y, mask)


@pytest.mark.parametrize("shape", LM_SHAPES)
def test_output_forward_is_the_linear_layer_at_every_step(shape):
    p = lm_problem(*shape, seed=1)
    W, b = p["params"]["W_hy"], p["params"]["b_y"]
    expected = (torch.as_tensor(W) @ torch.as_tensor(p["h"]) + torch.as_tensor(b)).numpy()
    assert_close(sol.output_forward(p["h"], W, b), expected)


@pytest.mark.parametrize("shape", LM_SHAPES)
@pytest.mark.parametrize("scale", [1.0, 500.0])
def test_softmax_loss_and_its_gradient_match_autograd(shape, scale):
    p = lm_problem(*shape, seed=2)
    scores = p["scores"] * scale  # up to about ±1000 and beyond
    before = scores.copy()
    loss, dscores = sol.softmax_loss(scores, p["y"], p["mask"])
    s = leaf(scores)
    expected = torch_loss(s, p["y"], p["mask"])
    expected.backward()
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12, atol=TOL)
    assert_close(dscores, s.grad.numpy())
    assert np.all(dscores[:, :, ~p["mask"].any(axis=0)] == 0)
    assert np.all(np.moveaxis(dscores, 1, 2)[~p["mask"]] == 0)  # nothing from padding
    np.testing.assert_array_equal(scores, before)


def test_softmax_is_a_distribution_over_the_vocabulary_axis_even_at_1000():
    scores = np.array([[[1000.0, -1000.0], [0.0, 999.0], [-1000.0, 1000.0]]])  # (1, 3, 2)
    p = sol.softmax(scores)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(sol.softmax(scores[0]), p[0])  # one step (V, N) too
    assert np.all(np.isfinite(p))


@pytest.mark.parametrize("shape", LM_SHAPES)
def test_output_backward_matches_autograd(shape):
    p = lm_problem(*shape, seed=3)
    h, W, b = leaf(p["h"]), leaf(p["params"]["W_hy"]), leaf(p["params"]["b_y"])
    ((W @ h + b) * torch.as_tensor(p["dscores"])).sum().backward()
    dh, dW_hy, db_y = sol.output_backward(p["dscores"], p["h"], p["params"]["W_hy"])
    assert_close(dh, h.grad.numpy())
    assert_close(dW_hy, W.grad.numpy())
    assert_close(db_y, b.grad.numpy())


@pytest.mark.parametrize("shape", LM_SHAPES)
def test_char_lm_loss_is_the_whole_graphs_loss_and_gradient(shape):
    p = lm_problem(*shape, seed=4)
    before = {k: v.copy() for k, v in p["params"].items()}
    loss, grads = sol.char_lm_loss(p["x"], p["y"], p["mask"], p["h0"], p["params"])
    P = {k: leaf(v) for k, v in p["params"].items()}
    expected = torch_char_lm(p["x"], p["y"], p["mask"], torch.as_tensor(p["h0"]), P)
    expected.backward()
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12, atol=TOL)
    assert set(grads) == set(PARAM_KEYS)
    for key in PARAM_KEYS:
        assert_close(grads[key], P[key].grad.numpy())
        np.testing.assert_array_equal(p["params"][key], before[key])


def test_train_char_lm_is_clipped_gradient_descent():
    p = lm_problem(6, 4, 5, 8, seed=5)
    before = {k: v.copy() for k, v in p["params"].items()}
    steps, rate, max_norm = 6, 0.7, 0.5
    params, losses = sol.train_char_lm(p["x"], p["y"], p["mask"], p["params"], steps, rate,
                                       max_norm)
    P = {k: leaf(v) for k, v in p["params"].items()}
    h0 = torch.zeros(8, 4, dtype=torch.float64)
    expected = []
    for _ in range(steps):
        loss = torch_char_lm(p["x"], p["y"], p["mask"], h0, P)
        expected.append(loss.item())
        for value in P.values():
            value.grad = None
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), max_norm)
        with torch.no_grad():
            for value in P.values():
                value -= rate * value.grad
    np.testing.assert_allclose(losses, expected, rtol=1e-12, atol=TOL)
    assert all(isinstance(loss, float) for loss in losses)
    for key in PARAM_KEYS:
        assert_close(params[key], P[key].detach().numpy())
        np.testing.assert_array_equal(p["params"][key], before[key])
    np.testing.assert_allclose(ORACLE.train_losses(p["x"], p["y"], p["mask"], p["params"],
                                                   steps, rate, max_norm), expected, atol=TOL)


def test_sampling_is_reproducible_from_the_generator():
    p = suite.sample_params()
    first = sol.sample_chars(p, 0, 50, sol.make_rng(3))
    assert first.dtype == np.int64 and first.shape == (50,)
    np.testing.assert_array_equal(first, sol.sample_chars(p, 0, 50, sol.make_rng(3)))
    assert not np.array_equal(first, sol.sample_chars(p, 0, 50, sol.make_rng(4)))


def test_the_first_character_follows_the_models_probabilities():
    p = suite.sample_params()
    rng = np.random.default_rng(8)
    draws = np.array([sol.sample_chars(p, 2, 1, rng)[0] for _ in range(4000)])
    probabilities = ORACLE.next_char_probabilities(p, np.array([2]))[0]
    with torch.no_grad():  # the model's first distribution, in torch
        P = {k: torch.as_tensor(v) for k, v in p.items()}
        h = torch.tanh(P["W_xh"][:, 2:3] + P["b_h"])
        expected = torch.softmax(P["W_hy"] @ h + P["b_y"], dim=0)[:, 0].numpy()
    np.testing.assert_allclose(probabilities, expected, atol=1e-12)
    counts = np.bincount(draws, minlength=len(expected))
    chi2 = np.sum((counts - 4000 * expected) ** 2 / (4000 * expected))
    assert chi2 < 30  # 5 degrees of freedom: P(chi2 > 30) < 1e-4


@pytest.mark.parametrize("seed", range(3))
def test_long_samples_fit_the_model_and_the_known_mistakes_do_not(seed):
    p = suite.sample_params()
    rng = np.random.default_rng(seed)
    drawn = sol.sample_chars(p, 0, 1500, rng)
    right = ORACLE.next_char_probabilities(p, np.array([0, *drawn[:-1]]))
    assert draws_fit(drawn, right)
    argmax_run = right.argmax(axis=1)  # what the right rows' argmax would have drawn
    assert not draws_fit(argmax_run, right)
    reset = ORACLE.next_char_probabilities(p, np.array([0, *drawn[:-1]]), carry=False)
    assert not draws_fit(drawn, reset)


def test_the_concept_questions_answer_with_their_constants():
    assert WORD_VECTORS.read(sol.word_vectors()) == {
        "cbow": "CENTER_FROM_CONTEXT", "skip_gram": "CONTEXT_FROM_CENTER",
        "averaged_vectors": "ORDER_LOST"}
    assert SEQUENTIAL_COST.read(sol.sequential_cost()) == {
        "time_steps": "STEPS_ONE_AFTER_ANOTHER", "truncated_bptt": "GRADIENT_THROUGH_K_STEPS"}
    for question in (WORD_VECTORS, SEQUENTIAL_COST):
        assert all(getattr(sol, name) == value for name, value in question.choices.items())


def trained_held_out(seed: int, *, direction: float = 1.0, clip: bool = True,
                     steps: int = suite.STEPS) -> float:
    """The held-out loss per character after the hidden suite's training on ``seed``, the
    reference's, or one going ``direction`` along the gradient, or unclipped."""
    d = suite.char_data(seed)
    params = d.params
    h0 = np.zeros((suite.HIDDEN, d.x.shape[2]))
    for _ in range(steps):
        _, grads = sol.char_lm_loss(d.x, d.y, d.mask, h0, params)
        if clip:
            grads = sol.clip_gradients(grads, suite.MAX_NORM)
        params = {k: v - direction * suite.LEARNING_RATE * grads[k] for k, v in params.items()}
    with np.errstate(all="ignore"):
        return suite.held_out_loss(params, *d.held_out)


@pytest.mark.parametrize("seed", suite.SEEDS_TRIED)
def test_the_held_out_threshold_separates_training_from_the_weak_ones(seed):
    assert suite.SEED in suite.SEEDS_TRIED
    reference = trained_held_out(seed)
    letters_only = suite.char_data(seed).letters_only
    assert reference < suite.THRESHOLD - 0.1 < letters_only - 0.1, (reference, letters_only)
    for weak in (trained_held_out(seed, steps=0), trained_held_out(seed, direction=-1.0),
                 trained_held_out(seed, clip=False)):
        assert not weak < suite.THRESHOLD + 0.5, weak  # NaN or far above


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------

# (section owned by helper MODELS)
