"""The throughput benchmark runs end to end on a tiny class (without plain nbgrader, which would
take minutes) and prints its figures."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from rnnkit.paths import KIT_ROOT
from rnnkit.sandbox import detect_isolation

pytestmark = [
    pytest.mark.slow,  # about 25 s: a release, two rnnkit runs and the floor
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
    code = benchmark.main(["--class-size", "4", "--skip-nbgrader", "--jobs", "2",
                           "--keep", str(tmp_path / "courses"), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "in-process floor:" in out
    assert "rnnkit autograde --jobs 2: 4 submissions in" in out
    assert "isolated overhead" in out
    assert "rnnkit and the in-process floor agree on all 4 submissions" in out
    assert "no throughput ratio" in out
    assert plot.stat().st_size > 0
    submitted = sorted(p.name for p in (tmp_path / "courses" / "rnn" / "rnnkit" / "submitted")
                       .iterdir())
    assert submitted == ["s000", "s001", "s002", "s003"]
