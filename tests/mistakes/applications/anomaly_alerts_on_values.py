"""anomaly_alerts alerts where the series itself is far from its mean, not its prediction.

loses: anomaly_alerts
feedback: not where the series itself is high or low
"""

import numpy as np


def anomaly_alerts(series, predictions):
    values = series[1:]
    return np.abs(values - values.mean()) > 2.0 * values.std()
