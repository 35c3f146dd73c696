"""The classifier steps through time with a cell (nn.LSTMCell, GRUCell or RNNCell) and keeps
each text's state frozen once its words end, instead of packing; the forecaster is a GRU; the
padding is built with torch's pad_sequence; the alerts use the mean and standard deviation
of the errors.
"""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

# as the notebook's set-up cell defines them
CELL_RNN, CELL_GRU, CELL_LSTM = 1, 2, 3


def pad_batch(sequences, pad_index=0):
    rows = [torch.as_tensor(np.asarray(s, dtype=np.int64)) for s in sequences]
    tokens = pad_sequence(rows, batch_first=True, padding_value=pad_index).numpy()
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    return tokens, lengths, np.arange(tokens.shape[1])[None, :] < lengths[:, None]


def average_embeddings(tokens, mask, embeddings):
    total = np.zeros((tokens.shape[0], embeddings.shape[1]))
    for n in range(tokens.shape[0]):
        total[n] = embeddings[tokens[n][mask[n]]].mean(axis=0)
    return total


class SteppedClassifier(nn.Module):
    def __init__(self, vocab_size, n_classes, step):
        super().__init__()
        self.is_lstm = step is nn.LSTMCell
        self.embed = nn.Embedding(vocab_size, 16)
        self.cell = step(16, 32)
        self.score = nn.Linear(32, n_classes)

    def forward(self, tokens, lengths):
        x = self.embed(tokens)
        h = x.new_zeros(x.shape[0], 32)
        c = x.new_zeros(x.shape[0], 32)
        for t in range(x.shape[1]):
            alive = (t < lengths).float().unsqueeze(1)  # texts that still have words
            if self.is_lstm:
                h_new, c_new = self.cell(x[:, t], (h, c))
                c = alive * c_new + (1 - alive) * c
            else:
                h_new = self.cell(x[:, t], h)
            h = alive * h_new + (1 - alive) * h
        return self.score(h)


def build_classifier(vocab_size, n_classes, cell, seed):
    torch.manual_seed(seed)
    step = {CELL_RNN: nn.RNNCell, CELL_GRU: nn.GRUCell, CELL_LSTM: nn.LSTMCell}[cell]
    return SteppedClassifier(vocab_size, n_classes, step)


def train_classifier(model, tokens, lengths, labels, epochs, seed):
    tokens, lengths = torch.as_tensor(tokens), torch.as_tensor(lengths)
    labels = torch.as_tensor(labels)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(labels), generator=generator).split(32):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(tokens[batch], lengths[batch]),
                                               labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(labels))
    return losses


def predict_classes(model, tokens, lengths):
    with torch.no_grad():
        scores = model(torch.as_tensor(tokens), torch.as_tensor(lengths))
    return scores.argmax(dim=1).numpy().astype(np.int64)


class GRUForecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 24, batch_first=True)
        self.out = nn.Linear(24, 1)

    def forward(self, changes, state=None):
        h, state = self.gru(changes, state)
        return self.out(h), state


def train_forecaster(series, chunk, epochs, seed):
    torch.manual_seed(seed)
    model = GRUForecaster()
    steps = torch.tensor(np.diff(series, prepend=series[0]), dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        state = None
        for start in range(0, len(steps) - 1, chunk):
            end = min(start + chunk, len(steps) - 1)
            predicted, state = model(steps[start:end].view(1, -1, 1), state)
            loss = ((predicted.view(-1) - steps[start + 1:end + 1]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state = state.detach()
    return model


def forecast(model, series):
    steps = np.diff(series[:-1], prepend=series[0])
    with torch.no_grad():
        predicted, _ = model(torch.tensor(steps, dtype=torch.float32).view(1, -1, 1))
    return series[:-1] + predicted.view(-1).numpy().astype(np.float64)


def anomaly_alerts(series, predictions):
    errors = series[1:] - predictions
    return np.abs(errors - errors.mean()) > 2.5 * errors.std()
