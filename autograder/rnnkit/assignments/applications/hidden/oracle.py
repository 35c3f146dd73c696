"""The oracle the hidden suite hands to the mistakes (rnnkit.assignments.applications.mistakes):
the reference solution, with the knobs the known mistakes turn. Instructor-only."""

from __future__ import annotations

import numpy as np

from solutions import applications as reference
from solutions import rnn

Array = np.ndarray
RNN_KEYS = ("W_xh", "W_hh", "b_h")


class ReferenceOracle:
    """rnnkit.assignments.applications.mistakes.Oracle in numpy, on the reference solution."""

    def probabilities(self, scores: Array, axis: int = 1) -> Array:
        moved = np.moveaxis(scores, axis, -2)  # the reference's softmax normalises axis -2
        return np.moveaxis(reference.softmax(moved), -2, axis)

    def states(self, x: Array, h0: Array, params: dict) -> Array:
        return rnn.rnn_forward(x, h0, params)[0]

    def rnn_grads(self, dh: Array, x: Array, h0: Array, params: dict) -> dict[str, Array]:
        grads = rnn.rnn_backward(dh, rnn.rnn_forward(x, h0, params)[1])
        return {key: grads[f"d{key}"] for key in RNN_KEYS}

    def next_char_probabilities(self, params: dict, inputs: Array, *,
                                carry: bool = True) -> Array:
        V, H = params["W_hy"].shape
        x = np.zeros((len(inputs), V, 1))
        x[np.arange(len(inputs)), inputs, 0] = 1.0
        if carry:  # one sequence of L steps
            h = self.states(x, np.zeros((H, 1)), params)
        else:  # L sequences of one step each, every one from h = 0
            h = self.states(x.transpose(2, 1, 0), np.zeros((H, len(x))), params)
            h = h.transpose(2, 1, 0)
        scores = reference.output_forward(h, params["W_hy"], params["b_y"])
        return reference.softmax(scores)[:, :, 0]

    def train_losses(self, x: Array, y: Array, mask: Array, params: dict, steps: int,
                     learning_rate: float, max_norm: float, *, direction: float = 1.0,
                     clip: str = "global") -> Array:
        h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
        losses = []
        for _ in range(steps):
            loss, grads = reference.char_lm_loss(x, y, mask, h0, params)
            if clip == "global":
                grads = rnn.clip_gradients(grads, max_norm)
            elif clip == "entries":
                grads = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
            params = {k: v - direction * learning_rate * grads[k] for k, v in params.items()}
            losses.append(loss)
        return np.array(losses)


ORACLE = ReferenceOracle()
