"""The classifier runs its layer over the padded batch and gathers each text's output at its
last real word (outputs[n, length - 1]), which is causal, so padding after it changes nothing;
RMSprop with batches of 16 instead of Adam; the forecaster carries its state across chunks and
keeps the step-by-step predictions in a loop.
"""

import numpy as np
import torch
from torch import nn

# as the notebook's set-up cell defines them
CELL_RNN, CELL_GRU, CELL_LSTM = 1, 2, 3


def pad_batch(sequences, pad_index=0):
    lengths = np.array(list(map(len, sequences)), dtype=np.int64)
    tokens = np.full((len(sequences), max(lengths)), pad_index, dtype=np.int64)
    mask = np.zeros(tokens.shape, dtype=bool)
    for n, (sequence, length) in enumerate(zip(sequences, lengths)):
        tokens[n, :length] = sequence
        mask[n, :length] = True
    return tokens, lengths, mask


def average_embeddings(tokens, mask, embeddings):
    weights = mask / mask.sum(axis=1, keepdims=True)
    return np.einsum("nt,nte->ne", weights, embeddings[tokens])


class GatheringClassifier(nn.Module):
    def __init__(self, vocab_size, n_classes, layer):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 16, padding_idx=0)
        self.layer = layer(16, 32, batch_first=True)
        self.score = nn.Linear(32, n_classes)

    def forward(self, tokens, lengths):
        outputs, _ = self.layer(self.embed(tokens))
        last = outputs[torch.arange(len(lengths)), lengths - 1]
        return self.score(last)


def build_classifier(vocab_size, n_classes, cell, seed):
    torch.manual_seed(seed)
    layer = {CELL_RNN: nn.RNN, CELL_GRU: nn.GRU, CELL_LSTM: nn.LSTM}[cell]
    return GatheringClassifier(vocab_size, n_classes, layer)


def train_classifier(model, tokens, lengths, labels, epochs, seed):
    tokens = torch.from_numpy(np.asarray(tokens, dtype=np.int64))
    lengths = torch.from_numpy(np.asarray(lengths, dtype=np.int64))
    labels = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.005)
    losses = []
    for _ in range(epochs):
        batch_losses = []
        for batch in np.array_split(rng.permutation(len(labels)), len(labels) // 16):
            batch = torch.from_numpy(batch)
            loss = nn.functional.cross_entropy(model(tokens[batch], lengths[batch]),
                                               labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        losses.append(float(np.mean(batch_losses)))
    return losses


def predict_classes(model, tokens, lengths):
    model.eval()
    with torch.no_grad():
        scores = model(torch.as_tensor(tokens), torch.as_tensor(lengths))
    return np.asarray(scores.argmax(dim=1), dtype=np.int64)


class ChangeForecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, changes, state=None):
        h, state = self.lstm(changes, state)
        return self.head(h), state


def train_forecaster(series, chunk, epochs, seed):
    torch.manual_seed(seed)
    model = ChangeForecaster()
    diffs = torch.tensor(np.concatenate(([0.0], np.diff(series))), dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
    for _ in range(epochs):
        state = None
        for start in range(0, len(diffs) - 1, chunk):
            x = diffs[start:start + chunk]
            y = diffs[start + 1:start + chunk + 1]
            x = x[:len(y)]
            predicted, state = model(x.view(1, -1, 1), state)
            loss = nn.functional.mse_loss(predicted.view(-1), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state = (state[0].detach(), state[1].detach())
    return model


def forecast(model, series):
    predictions = np.zeros(len(series) - 1)
    state, previous = None, series[0]
    with torch.no_grad():
        for t in range(len(series) - 1):
            change = torch.tensor([[[series[t] - previous]]], dtype=torch.float32)
            predicted, state = model(change, state)
            predictions[t] = series[t] + float(predicted)
            previous = series[t]
    return predictions


def anomaly_alerts(series, predictions):
    errors = series[1:] - predictions
    deviation = np.median(np.abs(errors - np.median(errors)))
    return np.abs(errors - np.median(errors)) / (1.4826 * deviation) > 4.0
