"""`rnnkit check` on a right notebook needs neither torch nor nbformat (README, "Speed").

The public checks compare with torch, whose answers on their fixed inputs are stored beside each
assignment (rnnkit.checks.stored) and read instead: counted here in a fresh process
(sys.modules), not timed. A wrong notebook still has its mistake named, by torch, imported
then. The stored answers are what torch computes now (rnnkit.kit.expected recomputes them), and
the lookup neither misses on the last bits of an input nor answers for a different one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from test_catalogue import CATALOGUES

from rnnkit import assignments
from rnnkit.checks import stored
from rnnkit.checks.feedback import plain
from rnnkit.checks.stored import StoredOracle, input_key
from rnnkit.kit import expected
from rnnkit.kit.paths import RELEASES
from rnnkit.nb.fill import answers_for_functions, fill_release, source_answers

STORED = [name for name in assignments.names() if expected.has_stored_answers(name)]
HEAVY = ("torch", "nbformat", "jsonschema")

# Runs `rnnkit check` on argv[1] in this process and prints what it imported of HEAVY.
CHECK = f"""
import contextlib, io, json, sys
from rnnkit.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["check", sys.argv[1], "--lang", "en"])
print(json.dumps({{"code": code, "out": out.getvalue(),
                  "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def run_check(notebook: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHECK, str(notebook)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def first_named_mistake(name: str):
    """A catalogued mistake of a forward function of ``name`` (backward entries may lean on the
    reference's cache layout) that its public checks name in the registry's words."""
    mistakes = assignments.get(name).mistakes
    for entry in CATALOGUES[name].mistakes:
        function = mistakes[entry.mistake].function if entry.mistake else ""
        if not entry.hidden_only and list(entry.code_by_function) == [function] \
                and function.endswith("_forward"):
            return entry
    raise AssertionError(f"{name}: no catalogued mistake the public checks name")


def test_every_assignment_with_torch_checks_stores_their_answers():
    assert {"rnn", "lstm", "gru"} <= set(STORED)


@pytest.mark.parametrize("name", STORED)
def test_a_right_notebook_is_checked_without_torch_or_nbformat(tmp_path, name):
    notebook = write(fill_release(RELEASES / name / f"{name}.ipynb", source_answers(name, "en")),
                     tmp_path / f"{name}.ipynb")
    result = run_check(notebook)
    assert result["code"] == 0 and "✗" not in result["out"], result["out"]
    assert result["heavy"] == [], result["heavy"]


@pytest.mark.parametrize("name", STORED)
def test_a_wrong_notebook_still_has_its_mistake_named(tmp_path, name):
    entry = first_named_mistake(name)
    answers = {**source_answers(name, "en"), **answers_for_functions(entry.code_by_function)}
    notebook = write(fill_release(RELEASES / name / f"{name}.ipynb", answers),
                     tmp_path / f"{name}.ipynb")
    result = run_check(notebook)
    assert result["code"] == 1
    assert plain(assignments.get(name).mistakes[entry.mistake].en) in result["out"], (
        entry.slug, result["out"])
    assert "torch" in result["heavy"]  # the mistake's wrong value came from torch


@pytest.mark.parametrize("name", STORED)
def test_the_stored_answers_are_what_torch_computes_now(name):
    assert expected.stale(name) == [], (
        f"the stored answers of {name}'s public checks are not current: run "
        f"`python -m rnnkit.kit.expected {name}` and commit the file")


def test_stale_answers_are_found(tmp_path, monkeypatch):
    answers = stored.load(StoredOracle("rnnkit.assignments.rnn").path)
    key = next(iter(answers))
    spoiled = {**answers, "forward-000000000000000000000000": np.zeros(1)}
    spoiled.pop(next(k for k in answers if k != key))
    first = spoiled[key]
    spoiled[key] = ({k: v + 1e-6 for k, v in first.items()} if isinstance(first, dict)
                    else first + 1e-6)
    path = tmp_path / stored.FILE_NAME
    stored.save(path, spoiled)
    monkeypatch.setattr(StoredOracle, "path", property(lambda self: path))
    lines = expected.stale("rnn")
    assert f"{key}: stored value differs" in lines
    assert "forward-000000000000000000000000: stored, but no check asks for it" in lines
    assert sum(line.endswith(": not stored") for line in lines) == 1


def test_a_stored_answer_equals_torchs_and_is_a_copy():
    from rnnkit.assignments.rnn.checks import ORACLE, _sequence_inputs

    x, h0, params = _sequence_inputs(seed=20)
    first = ORACLE.forward(x, h0, params)
    np.testing.assert_array_equal(first, ORACLE.torch_oracle().forward(x, h0, params))
    first[:] = 0  # the caller may change what it gets; the next caller gets the answer
    assert np.any(ORACLE.forward(x, h0, params) != 0)


def test_the_key_ignores_the_last_bits_of_an_input_but_not_a_real_change():
    x = np.random.default_rng(0).normal(size=(3, 4))
    key = input_key("forward", (x, {"W": x.T}), {"n": 2})
    assert input_key("forward", (x * (1 + 1e-15), {"W": x.T}), {"n": 2}) == key
    assert input_key("forward", (x * (1 + 1e-8), {"W": x.T}), {"n": 2}) != key
    assert input_key("forward", (x, {"W": x.T}), {"n": 3}) != key
    assert input_key("forward", (x, {"V": x.T}), {"n": 2}) != key
    assert input_key("forward", (x.reshape(4, 3), {"W": x.T}), {"n": 2}) != key
    assert input_key("bptt", (x, {"W": x.T}), {"n": 2}) != key
    assert input_key("forward", (x,), {"rule": lambda a: a}) is None  # never stored


def test_the_file_keeps_arrays_tuples_and_dicts(tmp_path):
    a, b = np.arange(3.0), np.eye(2)
    path = tmp_path / stored.FILE_NAME
    stored.save(path, {"one": a, "pair": (a, b), "named": {"dx": a, "dW_hh": b}})
    back = stored.load(path)
    np.testing.assert_array_equal(back["one"], a)
    assert isinstance(back["pair"], tuple) and len(back["pair"]) == 2
    np.testing.assert_array_equal(back["pair"][1], b)
    assert set(back["named"]) == {"dx", "dW_hh"}
    np.testing.assert_array_equal(back["named"]["dW_hh"], b)
