"""The classifier sorts each batch by length to pack it (enforce_sorted=True) and puts the
scores back in the original order; training clips the gradient norm and a GRU forecaster reads
the changes of the series; the alerts use a rolling window of past errors.
"""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

# as the notebook's set-up cell defines them
CELL_RNN, CELL_GRU, CELL_LSTM = 1, 2, 3


def pad_batch(sequences, pad_index=0):
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    mask = np.arange(lengths.max()) < lengths[:, None]
    tokens = np.where(mask, 0, pad_index).astype(np.int64)
    tokens[mask] = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences])
    return tokens, lengths, mask


def average_embeddings(tokens, mask, embeddings):
    vectors = np.where(mask[:, :, None], embeddings[tokens], 0.0)
    return vectors.sum(axis=1) / mask.sum(axis=1)[:, None]


class SortedClassifier(nn.Module):
    def __init__(self, vocab_size, n_classes, layer):
        super().__init__()
        self.is_lstm = layer is nn.LSTM
        self.embed = nn.Embedding(vocab_size, 16, padding_idx=0)
        self.layer = layer(16, 32, batch_first=True)
        self.score = nn.Linear(32, n_classes)

    def forward(self, tokens, lengths):
        order = torch.argsort(lengths, descending=True)
        packed = pack_padded_sequence(self.embed(tokens[order]), lengths[order],
                                      batch_first=True)
        _, final = self.layer(packed)
        h = final[0][-1] if self.is_lstm else final[-1]
        scores = self.score(h)
        return scores[torch.argsort(order)]


def build_classifier(vocab_size, n_classes, cell, seed):
    torch.manual_seed(seed)
    layer = {CELL_RNN: nn.RNN, CELL_GRU: nn.GRU, CELL_LSTM: nn.LSTM}[cell]
    return SortedClassifier(vocab_size, n_classes, layer)


def train_classifier(model, tokens, lengths, labels, epochs, seed):
    tokens, lengths = torch.as_tensor(tokens), torch.as_tensor(lengths)
    labels = torch.as_tensor(labels)
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(labels)).split(32):
            loss = nn.functional.cross_entropy(model(tokens[batch], lengths[batch]),
                                               labels[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(labels))
    return losses


def predict_classes(model, tokens, lengths):
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(tokens), torch.as_tensor(lengths)).argmax(1).numpy()


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 32, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, changes, state=None):
        h, state = self.gru(changes, state)
        return self.out(h), state


def train_forecaster(series, chunk, epochs, seed):
    torch.manual_seed(seed)
    model = Forecaster()
    changes = torch.tensor(np.diff(series), dtype=torch.float32)
    inputs = torch.cat((torch.zeros(1), changes[:-1])).view(1, -1, 1)
    targets = changes.view(1, -1, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        state = None
        for start in range(0, inputs.shape[1], chunk):
            predicted, state = model(inputs[:, start:start + chunk], state)
            loss = ((predicted - targets[:, start:start + chunk]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state = state.detach()
    return model


def forecast(model, series):
    changes = np.concatenate(([0.0], np.diff(series[:-1])))
    with torch.no_grad():
        predicted, _ = model(torch.tensor(changes, dtype=torch.float32).view(1, -1, 1))
    return series[:-1] + predicted.numpy().ravel()


def anomaly_alerts(series, predictions):
    errors = np.abs(series[1:] - predictions)
    typical = np.median(errors)
    return errors > 5.0 * typical
