"""The thresholds of the "applications" models suite hold with a margin, and mean something.

The hidden suite (rnnkit/assignments/applications/hidden/test_applications_models.py, which
holds every threshold) judges the student's classifier, forecaster and alerts by what they do
on held-out data. Here the reference solution runs the suite's own experiments on five seeds
(the suite uses the first) and clears every threshold on each, and each weak solution of the
catalogue (tests/mistakes/applications/) misses the threshold it is meant to miss on every one
of those seeds:
- averaged word vectors (bag_of_words): the sentiment of contrast and negation sentences;
- a simple RNN where the LSTM is asked for (rnn_for_lstm): agreement at long gaps;
- no training (classifier_no_training, forecaster_no_training): both accuracies, the forecast
  error against the naive forecast;
- the naive forecast itself (forecast_naive): it does not beat itself;
- a forecast that reads the value it predicts (forecast_leaks_future): causality.
Run with ``-s`` to see the margins.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnkit.assignments.applications.hidden import test_applications_models as suite
from rnnkit.grading.student import NamespaceStudent
from rnnkit.kit.paths import KIT_ROOT, SOLUTIONS
from rnnkit.nb.catalogue import load_entry

SEEDS = (suite.SEED, 1, 2, 3, 4)
MISTAKES = KIT_ROOT / "tests" / "mistakes" / "applications"


@pytest.fixture(autouse=True)
def one_thread():
    """As in the sandbox: single-threaded torch (results then do not depend on the machine's
    cores)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def student(slug: str | None = None) -> NamespaceStudent:
    """The reference's answer cells, then those of the catalogue entry ``slug``, in one
    namespace, as the catalogue simulates a notebook."""
    cells = dict(load_entry(SOLUTIONS / "applications.py").code_by_function)
    if slug is not None:
        cells.update(load_entry(MISTAKES / f"{slug}.py").code_by_function)
    namespace: dict = {}
    for function, code in cells.items():
        exec(compile(code, f"<answer {slug}:{function}>", "exec"), namespace)
    return NamespaceStudent(namespace)


def accuracy(who: NamespaceStudent, task: suite.ClassifierTask, seed: int) -> float:
    learned = suite.learn(who, task, seed)
    assert learned.failure is None, learned.failure
    return learned.accuracy


def forecast_ratio(who: NamespaceStudent, seed: int) -> float:
    done = suite.run_forecaster(who, seed)
    assert done.failure is None, done.failure
    return done.ratio


def test_reference_clears_every_threshold_with_a_margin():
    reference = student()
    rows = []
    for seed in SEEDS:
        scores = {f"{task.name} ({task.cell})": (accuracy(reference, task, seed),
                                                 task.threshold) for task in suite.TASKS}
        alerts = suite.score_alerts(reference, seed)
        assert alerts.failure is None, alerts.failure
        scores["alert precision"] = (alerts.precision, suite.ALERT_PRECISION)
        scores["alert recall in time"] = (alerts.recall, suite.ALERT_RECALL)
        # lower is better: the margin of the forecast is threshold - ratio
        ratio = forecast_ratio(reference, seed)
        rows.append((seed, scores, ratio))
        for name, (value, threshold) in scores.items():
            assert value >= threshold, (seed, name, value)
        assert ratio < suite.FORECAST_RATIO, (seed, ratio)
    print("\nreference margins (value - threshold; forecast: threshold - MSE ratio):")
    for seed, scores, ratio in rows:
        print(f"  seed {seed}: " + ", ".join(
            f"{name} {value:.2f} (+{value - threshold:.2f})"
            for name, (value, threshold) in scores.items())
            + f", forecast MSE / naive {ratio:.2f} (+{suite.FORECAST_RATIO - ratio:.2f})")


@pytest.mark.parametrize(("slug", "tasks"), [
    ("bag_of_words", [suite.SENTIMENT]),
    ("rnn_for_lstm", [suite.AGREEMENT]),
    ("classifier_no_training", [suite.SENTIMENT, suite.AGREEMENT]),
])
def test_weak_classifier_misses_its_threshold(slug, tasks):
    weak = student(slug)
    for task in tasks:
        got = [accuracy(weak, task, seed) for seed in SEEDS]
        print(f"\n{slug}, {task.name} ({task.cell}): accuracies {np.round(got, 2).tolist()}, "
              f"threshold {task.threshold}")
        assert max(got) < task.threshold


@pytest.mark.parametrize("slug", ["forecaster_no_training", "forecast_naive"])
def test_weak_forecaster_misses_the_baseline(slug):
    weak = student(slug)
    got = [forecast_ratio(weak, seed) for seed in SEEDS]
    print(f"\n{slug}: MSE / naive {np.round(got, 2).tolist()}, threshold {suite.FORECAST_RATIO}")
    assert min(got) >= suite.FORECAST_RATIO


def test_the_naive_forecast_does_not_beat_itself():
    series = suite.forecast_series(suite.SEED)
    assert suite.naive_ratio(series, series[:-1]) == pytest.approx(1.0)


def test_forecast_leaking_the_future_is_not_causal():
    for who, causal in ((student(), True), (student("forecast_leaks_future"), False)):
        done = suite.run_forecaster(who)
        assert (done.peek is None) == causal, done.peek
