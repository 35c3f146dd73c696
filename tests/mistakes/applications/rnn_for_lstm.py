"""build_classifier always builds a simple RNN (nn.RNN), whatever cell asks for.

loses: build_classifier
feedback: Over that distance a simple RNN (nn.RNN) forgets the subject
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


class Classifier(nn.Module):
    def __init__(self, vocab_size, n_classes):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 16, padding_idx=0)
        self.recurrent = nn.RNN(16, 32, batch_first=True)
        self.score = nn.Linear(32, n_classes)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embed(tokens), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, h = self.recurrent(packed)
        return self.score(h[-1])


def build_classifier(vocab_size, n_classes, cell, seed):
    torch.manual_seed(seed)
    return Classifier(vocab_size, n_classes)
