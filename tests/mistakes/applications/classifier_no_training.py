"""train_classifier computes the loss of every mini-batch but never updates the weights.

loses: train_classifier
feedback: it barely learned the training sentences
"""

import torch
from torch.nn import functional


def train_classifier(model, tokens, lengths, labels, epochs, seed):
    tokens, lengths = torch.as_tensor(tokens), torch.as_tensor(lengths)
    labels = torch.as_tensor(labels)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(labels)).split(32):
            loss = functional.cross_entropy(model(tokens[batch], lengths[batch]), labels[batch])
            total += loss.item() * len(batch)
        losses.append(total / len(labels))
    return losses
