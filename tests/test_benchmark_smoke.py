"""The benchmark (``make bench``) runs end to end at its --quick size (without plain nbgrader,
which would take minutes) and prints every one of its measurements."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from rnnkit.kit.paths import KIT_ROOT
from rnnkit.sandbox import detect_isolation

pytestmark = [
    pytest.mark.slow,  # about a minute: releases, rnnkit runs, a Dask cluster, gradebooks
    pytest.mark.skipif(detect_isolation().kind == "none",
                       reason="the benchmark measures rnnkit with isolation on"),
]


def load_benchmark():
    path = KIT_ROOT / "benchmarks" / "autograde_throughput.py"
    spec = importlib.util.spec_from_file_location("autograde_throughput", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_on_a_tiny_class(tmp_path, capsys):
    benchmark = load_benchmark()
    plot = tmp_path / "throughput.png"
    code = benchmark.main(["--quick", "--assignments", "rnn", "--jobs", "2",
                           "--keep", str(tmp_path / "courses"), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert code == 0, out
    # 1. throughput, with the machine's CPU per submission and its target
    assert "in-process floor:" in out
    assert "rnnkit autograde --jobs 2: 4 submissions in" in out
    assert "isolated overhead" in out
    assert "rnnkit and the in-process floor agree on all 4 submissions" in out
    assert "no throughput ratio" in out
    assert "rnn × 4: rnnkit CPU" in out and "target ≤ 0.06 s" in out
    # 2. nothing to do (no class of 400 at this size)
    assert "nothing to do: rnn × 4 unchanged in" in out
    assert "target < 0.5 s for 400 not assessed" in out
    # 3. one notebook against the import numpy floor
    assert "rnnkit grade (rnn):" in out and "target ≤ 8×" in out
    assert "rnnkit check (rnn):" in out and "target ≤ 5×" in out
    # 4. local against two Dask workers, same scores
    assert "local against Dask: rnn × 4:" in out and "same scores" in out
    # 5. the gradebook small and large
    assert "gradebook: a record's CPU cost at 1,000 students is" in out
    assert plot.stat().st_size > 0
    submitted = sorted(p.name for p in (tmp_path / "courses" / "rnn" / "4" / "rnnkit" /
                                        "submitted").iterdir())
    assert submitted == ["s000", "s001", "s002", "s003"]


def test_benchmark_refuses_bad_sizes(capsys):
    benchmark = load_benchmark()
    assert benchmark.main(["--quick", "--class-sizes", "ten"]) == 2
    assert "--class-sizes takes numbers" in capsys.readouterr().err
