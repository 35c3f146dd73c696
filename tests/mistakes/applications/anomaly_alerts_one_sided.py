"""anomaly_alerts alerts only when the series is above the prediction: drops are missed.

loses: anomaly_alerts
feedback: not its sign only
"""

import numpy as np


def anomaly_alerts(series, predictions):
    errors = series[1:] - predictions
    spread = 1.4826 * np.median(np.abs(errors - np.median(errors)))
    return errors - np.median(errors) > 3.5 * spread
