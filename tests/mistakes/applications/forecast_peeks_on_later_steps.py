"""forecast is honest on the first steps and, from step 800 on (where the error is judged),
mixes in the value it is asked to predict: a leak placed where a single causality check
before the judged steps would not look.

loses: forecast
feedback: `forecast` looks into the future
"""

import numpy as np
import torch


def forecast(model, series):
    model.eval()
    with torch.no_grad():
        changes = np.diff(series[:-1], prepend=series[:1])
        seen = torch.as_tensor(changes, dtype=torch.float32).view(1, -1, 1)
        predicted, _ = model(seen)
    honest = series[:-1] + predicted.view(-1).double().numpy()
    later = np.arange(len(honest)) >= 799
    return np.where(later, 0.5 * honest + 0.5 * series[1:], honest)
