"""build_classifier averages the word vectors and classifies the average: word order is lost.

loses: build_classifier
feedback: A model that ignores word order (averaged vectors) stays near 50 % here
"""

import torch
from torch import nn


class AveragedVectors(nn.Module):
    def __init__(self, vocab_size, n_classes):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 16, padding_idx=0)
        self.score = nn.Linear(16, n_classes)

    def forward(self, tokens, lengths):
        real = (tokens != 0).float().unsqueeze(2)
        average = (self.embed(tokens) * real).sum(dim=1) / lengths.view(-1, 1).float()
        return self.score(average)


def build_classifier(vocab_size, n_classes, cell, seed):
    torch.manual_seed(seed)
    return AveragedVectors(vocab_size, n_classes)
