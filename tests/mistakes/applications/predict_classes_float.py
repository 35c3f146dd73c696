"""predict_classes returns the classes as floats.

loses: predict_classes
feedback: it must return the classes as integers (np.int64)
"""

import torch


def predict_classes(model, tokens, lengths):
    model.eval()
    with torch.no_grad():
        scores = model(torch.as_tensor(tokens), torch.as_tensor(lengths))
    return scores.argmax(dim=1).double().numpy()
