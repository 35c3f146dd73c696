"""build_classifier runs the LSTM over the whole padded batch and classifies the last column's
state: short texts are classified after reading padding.

loses: build_classifier
feedback: the class of a text must not depend on the padding
"""

import torch
from torch import nn

# as the notebook's set-up cell defines them
CELL_RNN, CELL_GRU, CELL_LSTM = 1, 2, 3


class Classifier(nn.Module):
    def __init__(self, vocab_size, n_classes, layer):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 16, padding_idx=0)
        self.recurrent = layer(16, 32, batch_first=True)
        self.score = nn.Linear(32, n_classes)

    def forward(self, tokens, lengths):
        outputs, _ = self.recurrent(self.embed(tokens))
        return self.score(outputs[:, -1])


def build_classifier(vocab_size, n_classes, cell, seed):
    torch.manual_seed(seed)
    layer = {CELL_RNN: nn.RNN, CELL_GRU: nn.GRU, CELL_LSTM: nn.LSTM}[cell]
    return Classifier(vocab_size, n_classes, layer)
