"""predict_classes returns the torch tensor of classes, not a numpy array.

loses: predict_classes
feedback: `predict_classes` must return a numpy array of shape
"""

import torch


def predict_classes(model, tokens, lengths):
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(tokens), torch.as_tensor(lengths)).argmax(dim=1)
