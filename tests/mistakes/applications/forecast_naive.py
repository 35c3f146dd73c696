"""forecast returns the naive forecast (tomorrow = today), which cannot beat itself.

loses: forecast
feedback: times that of the naive forecast (tomorrow = today)
"""


def forecast(model, series):
    return series[:-1].copy()
