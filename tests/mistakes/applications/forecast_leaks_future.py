"""forecast feeds the network series[1:], the very values it predicts: it leaks the future.

loses: forecast
feedback: `forecast` looks into the future
"""

import numpy as np
import torch


def forecast(model, series):
    model.eval()
    steps = np.diff(series, prepend=series[:1])
    with torch.no_grad():
        seen = torch.as_tensor(steps[1:], dtype=torch.float32).view(1, -1, 1)
        predicted, _ = model(seen)
    return series[:-1] + predicted.view(-1).double().numpy()
