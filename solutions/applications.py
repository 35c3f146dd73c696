"""Reference solution of the "applications" assignment: a character-level language model on the
RNN of assignment "rnn" (numpy), and sequence models in torch (classifiers over padded batches,
a forecaster trained with truncated BPTT, anomaly alerts).

Conventions: the numpy parts use the course's columns (x (T, D, N), h (T, H, N), scores
(T, V, N)); the torch parts are batch-first (N, T).
"""

from __future__ import annotations

import numpy as np

# The student's RNN of assignment "rnn", which this notebook's answer cells hold again
# (rnnkit.nb.catalogue takes each of these as an answer cell; rnn_backward calls
# rnn_cell_backward).
from solutions.rnn import (  # noqa: F401
    clip_gradients,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

# ----------------------------------------------------------------------------------------------
# Language model (numpy)
# ----------------------------------------------------------------------------------------------

# (section owned by helper NUMPY)
#
# A character-level language model on the RNN of assignment "rnn": at every step the hidden
# state h_t gives scores over the V characters, scores_t = W_hy h_t + b_y, whose softmax is the
# model's distribution of the next character. params holds the RNN's W_xh (H, V), W_hh (H, H),
# b_h (H, 1) and the output layer's W_hy (V, H), b_y (V, 1); the inputs are one-hot columns.


def make_rng(seed: int) -> np.random.Generator:
    """A fresh generator seeded with ``seed``, as the notebook's set-up cell defines it (the
    hidden suite calls it in the sandbox to hand sample_chars its generator)."""
    return np.random.default_rng(seed)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the vocabulary axis, the second to last: the columns of one step's scores
    (V, N), or of every step's (T, V, N).

    The largest score of each column is subtracted first: the result is the same and exp never
    overflows, even at scores of ±1000.

    Inputs:
    - scores: array (..., V, N)

    Returns:
    - p: array of the same shape; every column is a distribution (non-negative, sums to 1)
    """
    e = np.exp(scores - scores.max(axis=-2, keepdims=True))
    return e / e.sum(axis=-2, keepdims=True)


def output_forward(h: np.ndarray, W_hy: np.ndarray, b_y: np.ndarray) -> np.ndarray:
    """The output layer at every step: scores[t] = W_hy h[t] + b_y.

    Inputs:
    - h: hidden states h_1 … h_T, shape (T, H, N)
    - W_hy: output weights, shape (V, H)
    - b_y: output bias, shape (V, 1), broadcast over the batch

    Returns:
    - scores: shape (T, V, N); scores[t, v, n] is the (unnormalised) score of character v
      after step t of example n
    """
    return W_hy @ h + b_y  # matmul broadcasts over the leading time axis


def softmax_loss(scores: np.ndarray, y: np.ndarray, mask: np.ndarray
                 ) -> tuple[float, np.ndarray]:
    """Cross-entropy of the next character, summed over time and averaged over the batch,
    counting only the steps the mask keeps (padding after a word ended is ignored).

    loss = -(1/N) Σ_{t,n} mask[t, n] · log p[t, y[t, n], n], with p = softmax(scores) over the
    V axis. Its gradient with respect to the scores is (p - onehot(y)) · mask / N.

    Inputs:
    - scores: shape (T, V, N)
    - y: int array (T, N), the index of the right next character (any valid index where
      mask is False)
    - mask: bool array (T, N), True at the steps that count

    Returns a tuple (loss, dscores):
    - loss: float
    - dscores: gradient of loss with respect to scores, shape (T, V, N); zero where mask is
      False
    """
    T, V, N = scores.shape
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # finite at ±1000
    right = np.arange(V)[None, :, None] == y[:, None, :]  # one-hot of y, (T, V, N)
    weight = mask[:, None, :] / N
    loss = -float(np.sum(log_p * right * weight))
    dscores = (np.exp(log_p) - right) * weight
    return loss, dscores


def output_backward(dscores: np.ndarray, h: np.ndarray, W_hy: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of the output layer: the gradient reaches every h_t, and the weights,
    shared by all steps, add up the contributions of every step.

    Inputs:
    - dscores: gradient of the loss with respect to the scores, shape (T, V, N)
    - h: the hidden states output_forward read, shape (T, H, N)
    - W_hy: output weights, shape (V, H)

    Returns a tuple (dh, dW_hy, db_y):
    - dh: shape (T, H, N); dh[t] = W_hyᵀ dscores[t]
    - dW_hy: shape (V, H), Σ_t dscores[t] h[t]ᵀ
    - db_y: shape (V, 1), dscores summed over time and batch
    """
    dh = W_hy.T @ dscores
    dW_hy = np.einsum("tvn,thn->vh", dscores, h)
    db_y = dscores.sum(axis=(0, 2))[:, None]
    return dh, dW_hy, db_y


def char_lm_loss(x: np.ndarray, y: np.ndarray, mask: np.ndarray, h0: np.ndarray,
                 params: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """The language model's loss on a batch of words and its gradient with respect to every
    parameter: rnn_forward, the output layer and the loss, then back through the output layer
    and rnn_backward.

    Inputs:
    - x: one-hot inputs, shape (T, V, N); x[t] is the character read at step t+1
    - y: int array (T, N), the next character at each step
    - mask: bool array (T, N), True at the steps that count
    - h0: initial hidden state, shape (H, N)
    - params: dict with "W_xh" (H, V), "W_hh" (H, H), "b_h" (H, 1), "W_hy" (V, H), "b_y" (V, 1)

    Returns a tuple (loss, grads):
    - loss: float, as softmax_loss computes it
    - grads: dict with the same keys and shapes as params, the gradient of loss with respect
      to each
    """
    h, caches = rnn_forward(x, h0, params)
    scores = output_forward(h, params["W_hy"], params["b_y"])
    loss, dscores = softmax_loss(scores, y, mask)
    dh, dW_hy, db_y = output_backward(dscores, h, params["W_hy"])
    rnn = rnn_backward(dh, caches)  # dh: every step's output sends a gradient into its h_t
    grads = {"W_xh": rnn["dW_xh"], "W_hh": rnn["dW_hh"], "b_h": rnn["db_h"],
             "W_hy": dW_hy, "b_y": db_y}
    return loss, grads


def train_char_lm(x: np.ndarray, y: np.ndarray, mask: np.ndarray,
                  params: dict[str, np.ndarray], steps: int, learning_rate: float,
                  max_norm: float) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train the language model by full-batch gradient descent with gradient clipping.

    Each step computes the loss and gradients on the whole batch from h0 = 0
    (char_lm_loss), clips them by their global norm to max_norm (clip_gradients) and moves
    every parameter against its gradient: p <- p - learning_rate · grad.

    Inputs:
    - x, y, mask: the training words, as char_lm_loss takes them
    - params: the initial parameters (left untouched)
    - steps: number of gradient steps
    - learning_rate: positive float
    - max_norm: the largest global norm of the gradients used in a step

    Returns a tuple (params, losses):
    - params: new dict with the trained parameters (same keys and shapes)
    - losses: list of steps floats, the loss before each step
    """
    h0 = np.zeros((params["W_hh"].shape[0], x.shape[2]))
    losses = []
    for _ in range(steps):
        loss, grads = char_lm_loss(x, y, mask, h0, params)
        grads = clip_gradients(grads, max_norm)
        params = {name: value - learning_rate * grads[name] for name, value in params.items()}
        losses.append(float(loss))
    return params, losses


def sample_chars(params: dict[str, np.ndarray], first_index: int, length: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Write a new sequence one character at a time (one-to-many): from h0 = 0, read
    first_index, draw the next character from the model's distribution, read it, and so on.

    Inputs:
    - params: the language model's parameters, as char_lm_loss takes them
    - first_index: the index of the first character read (the start symbol, ".")
    - length: how many characters to draw
    - rng: the np.random.Generator every draw comes from (a seeded one gives the same
      sequence again)

    Returns:
    - indices: int64 array (length,), the characters drawn, in order
    """
    V, H = params["W_hy"].shape
    h = np.zeros((H, 1))
    index = first_index
    indices = np.zeros(length, dtype=np.int64)
    for t in range(length):
        x_t = np.zeros((V, 1))
        x_t[index] = 1.0
        h, _ = rnn_cell_forward(x_t, h, params)  # h carries everything read so far
        p = softmax(params["W_hy"] @ h + params["b_y"])
        index = rng.choice(V, p=p[:, 0])
        indices[t] = index
    return indices


# The choices of the concept questions, as the notebook's set-up cell defines them
# (rnnkit.assignments.applications.WORD_VECTORS and SEQUENTIAL_COST).
CENTER_FROM_CONTEXT, CONTEXT_FROM_CENTER, NEXT_FROM_PREVIOUS, ORDER_KEPT, ORDER_LOST = (
    1, 2, 3, 4, 5)
STEPS_IN_PARALLEL, STEPS_ONE_AFTER_ANOTHER, GRADIENT_THROUGH_ALL_STEPS, \
    GRADIENT_THROUGH_K_STEPS = 6, 7, 8, 9


def word_vectors() -> dict[str, int]:
    """What each word-vector model predicts, and what averaging a text's word vectors keeps.

    - cbow: what CBOW predicts from what.
    - skip_gram: what skip-gram predicts from what.
    - averaged_vectors: the mean of a text's word vectors: is the order of its words kept?

    Returns a dict: question -> CENTER_FROM_CONTEXT, CONTEXT_FROM_CENTER, NEXT_FROM_PREVIOUS,
    ORDER_KEPT or ORDER_LOST.
    """
    return {
        "cbow": CENTER_FROM_CONTEXT,        # the centre word from the mean of its neighbours
        "skip_gram": CONTEXT_FROM_CENTER,   # each neighbour from the centre word
        "averaged_vectors": ORDER_LOST,     # a mean is the same in any order of the words
    }


def sequential_cost() -> dict[str, int]:
    """Why recurrent networks are slow on long sequences, and what truncated BPTT changes.

    - time_steps: how an RNN computes the T steps of one sequence.
    - truncated_bptt: how far back the gradient goes with truncated BPTT in chunks of k steps.

    Returns a dict: question -> STEPS_IN_PARALLEL, STEPS_ONE_AFTER_ANOTHER,
    GRADIENT_THROUGH_ALL_STEPS or GRADIENT_THROUGH_K_STEPS.
    """
    return {
        "time_steps": STEPS_ONE_AFTER_ANOTHER,   # h_t needs h_{t-1}: T steps in a row
        "truncated_bptt": GRADIENT_THROUGH_K_STEPS,  # the state is carried but detached
    }

# ----------------------------------------------------------------------------------------------
# Models (torch)
# ----------------------------------------------------------------------------------------------

# (section owned by helper MODELS)

# Sizes and settings of the torch models. Small on purpose: the hidden suite trains them in the
# sandbox on a CPU budget (a few hundred short sentences, a few epochs).
EMBEDDING = 16
HIDDEN = 32
BATCH = 32
LEARNING_RATE = 1e-2
FORECAST_HIDDEN = 24
FORECAST_LEARNING_RATE = 1e-2
# The recurrent layer build_classifier is asked for, as the notebook's set-up cell defines it
# (numbers: only numeric data crosses the grading sandbox's channel).
CELL_RNN, CELL_GRU, CELL_LSTM = 1, 2, 3
ALERT_Z = 3.5  # robust z-score of the prediction error above which anomaly_alerts alerts


def fix_seed(seed: int) -> None:
    """Seed torch, numpy's global generator and random, as the notebook's set-up cell does
    (the hidden suite calls it before every training call, so a grade never depends on
    chance)."""
    import random

    import torch

    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def pad_batch(sequences: list[np.ndarray], pad_index: int = 0
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pad sequences of word ids of different lengths into one batch, batch-first.

    Inputs:
    - sequences: list of N 1-d integer arrays (or lists), the word ids of each text.
    - pad_index: the id written after the end of each sequence.

    Returns a tuple (tokens, lengths, mask):
    - tokens: int64 array (N, T_max); row n holds sequences[n], then pad_index.
    - lengths: int64 array (N,), the length of each sequence.
    - mask: bool array (N, T_max), True where tokens holds a real word.
    """
    lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
    longest = int(lengths.max(initial=0))
    tokens = np.full((len(sequences), longest), pad_index, dtype=np.int64)
    for n, sequence in enumerate(sequences):
        tokens[n, :lengths[n]] = sequence
    mask = np.arange(longest) < lengths[:, None]
    return tokens, lengths, mask


def average_embeddings(tokens: np.ndarray, mask: np.ndarray, embeddings: np.ndarray
                       ) -> np.ndarray:
    """The mean of each text's word vectors, padding excluded (the CBOW idea: the order of
    the words is lost).

    Inputs:
    - tokens: int array (N, T) of word ids, padded.
    - mask: bool array (N, T), True on real words (each row has at least one).
    - embeddings: float array (V, E), one vector per word id.

    Returns:
    - averaged: float array (N, E); row n is the mean of embeddings[tokens[n, t]] over the t
      where mask[n, t] is True.
    """
    weights = mask.astype(float)
    summed = np.einsum("nt,nte->ne", weights, embeddings[tokens])
    return summed / weights.sum(axis=1, keepdims=True)


# torch is imported inside the functions that use it: the grader imports this module (for the
# language model's reference) and never loads torch.

def build_classifier(vocab_size: int, n_classes: int, cell: str, seed: int):
    """A sequence classifier: embedding, a recurrent layer over the packed batch, and a linear
    layer on the hidden state of each text's last real word.

    Inputs:
    - vocab_size: number of word ids (id 0 is padding).
    - n_classes: number of classes.
    - cell: CELL_RNN, CELL_GRU or CELL_LSTM, the recurrent layer (torch.nn.RNN, GRU or LSTM).
    - seed: seeds the initial weights.

    Returns:
    - model: a torch.nn.Module; ``model(tokens, lengths)`` with tokens a LongTensor (N, T) and
      lengths a LongTensor (N,) returns the scores (N, n_classes).
    """
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    layers = {CELL_RNN: nn.RNN, CELL_GRU: nn.GRU, CELL_LSTM: nn.LSTM}

    class SequenceClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab_size, EMBEDDING, padding_idx=0)
            self.recurrent = layers[cell](EMBEDDING, HIDDEN, batch_first=True)
            self.score = nn.Linear(HIDDEN, n_classes)

        def forward(self, tokens, lengths):
            # Packing makes the layer stop at each text's last word: its final state is
            # h_{length}, never a state that has read padding.
            packed = pack_padded_sequence(self.embed(tokens), lengths.cpu(), batch_first=True,
                                          enforce_sorted=False)
            _, final = self.recurrent(packed)
            h = final[0] if cell == CELL_LSTM else final  # an LSTM's final state is (h, c)
            return self.score(h[-1])

    torch.manual_seed(seed)
    return SequenceClassifier()


def train_classifier(model, tokens: np.ndarray, lengths: np.ndarray, labels: np.ndarray,
                     epochs: int, seed: int) -> list[float]:
    """Train ``model`` in place with Adam on shuffled mini-batches of BATCH texts.

    Inputs:
    - model: from build_classifier.
    - tokens: int array (N, T), padded word ids; lengths: int array (N,).
    - labels: int array (N,), the class of each text.
    - epochs: passes over the data; seed: seeds the order of the mini-batches.

    Returns:
    - losses: list of ``epochs`` floats, the mean cross-entropy of each epoch.
    """
    import torch
    from torch.nn import functional

    tokens_t = torch.as_tensor(tokens, dtype=torch.long)
    lengths_t = torch.as_tensor(lengths, dtype=torch.long)
    labels_t = torch.as_tensor(labels, dtype=torch.long)
    order = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    model.train()
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(labels_t), generator=order).split(BATCH):
            loss = functional.cross_entropy(model(tokens_t[batch], lengths_t[batch]),
                                            labels_t[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(labels_t))
    return losses


def predict_classes(model, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The class ``model`` gives each text.

    Inputs:
    - model: from build_classifier; tokens: int array (N, T), padded; lengths: int (N,).

    Returns:
    - classes: int64 array (N,), the class of the highest score of each text.
    """
    import torch

    model.eval()
    with torch.no_grad():
        scores = model(torch.as_tensor(tokens, dtype=torch.long),
                       torch.as_tensor(lengths, dtype=torch.long))
    return scores.argmax(dim=1).numpy().astype(np.int64)


def train_forecaster(series: np.ndarray, chunk: int, epochs: int, seed: int):
    """An LSTM that predicts the next value of a long series, trained with truncated BPTT.

    The network reads the step-to-step changes of the series and predicts the next change,
    which it adds to the last value: it starts from the naive last-value forecast, learns what
    that misses (the weekly pattern, the memory of the noise) and does not care about the
    series' level, which drifts out of the range seen in training. The series is read in chunks
    of ``chunk`` steps; the hidden state is carried from one chunk to the next (the network
    keeps its memory of the past) but detached (the gradient goes back ``chunk`` steps at most).

    Inputs:
    - series: float array (L,), normalised.
    - chunk: steps per chunk (the truncation of BPTT); epochs: passes over the series.
    - seed: seeds the initial weights.

    Returns:
    - model: a torch.nn.Module; ``model(changes, state)`` with changes a float tensor
      (1, T, 1), changes[0, t, 0] = series[t] - series[t-1] (0 at t = 0), and state None or
      the state it returned before, returns (the predicted next changes (1, T, 1), state).
    """
    import torch
    from torch import nn

    class Forecaster(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.recurrent = nn.LSTM(1, FORECAST_HIDDEN, batch_first=True)
            self.next_change = nn.Linear(FORECAST_HIDDEN, 1)

        def forward(self, changes, state=None):
            h, state = self.recurrent(changes, state)
            return self.next_change(h), state

    torch.manual_seed(seed)
    model = Forecaster()
    changes = np.diff(series, prepend=series[:1])  # changes[t] = series[t] - series[t-1]
    steps = torch.as_tensor(changes, dtype=torch.float32).view(1, -1, 1)
    inputs, targets = steps[:, :-1], steps[:, 1:]
    optimizer = torch.optim.Adam(model.parameters(), lr=FORECAST_LEARNING_RATE)
    model.train()
    for _ in range(epochs):
        state = None
        for start in range(0, inputs.shape[1], chunk):
            predicted, state = model(inputs[:, start:start + chunk], state)
            loss = nn.functional.mse_loss(predicted, targets[:, start:start + chunk])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state = tuple(s.detach() for s in state)  # keep the memory, cut the gradient
    return model


def forecast(model, series: np.ndarray) -> np.ndarray:
    """One-step-ahead predictions of series[1:], each made from the values up to its step.

    Inputs:
    - model: from train_forecaster; series: float array (L,), normalised as in training.

    Returns:
    - predictions: float array (L-1,); predictions[t] predicts series[t+1] from series[:t+1].
    """
    import torch

    model.eval()
    with torch.no_grad():
        changes = np.diff(series[:-1], prepend=series[:1])  # as in train_forecaster
        seen = torch.as_tensor(changes, dtype=torch.float32).view(1, -1, 1)
        predicted, _ = model(seen)
    return series[:-1] + predicted.view(-1).double().numpy()


def anomaly_alerts(series: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Alerts where the one-step prediction error is unusually large: a robust z-score (the
    median and the median absolute deviation of the errors, which the anomalies themselves
    barely move) above ALERT_Z.

    Inputs:
    - series: float array (L,); predictions: float array (L-1,), predictions of series[1:].

    Returns:
    - alerts: bool array (L-1,); alerts[t] is about step t+1 of the series.
    """
    errors = series[1:] - predictions
    center = np.median(errors)
    spread = 1.4826 * np.median(np.abs(errors - center))  # the standard deviation of a normal
    return np.abs(errors - center) > ALERT_Z * max(spread, 1e-12)

