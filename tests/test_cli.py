"""`rnnkit grade`: one notebook, a readable report, Gradescope's results.json, exit 0 if graded."""

from __future__ import annotations

import json

import nbformat
import pytest

from rnnkit.cli import main
from rnnkit.grading import manifest
from rnnkit.kit.paths import RELEASES
from rnnkit.nb.fill import fill_release, source_answers

RELEASE = RELEASES / "rnn" / "rnn.ipynb"


def grade(capsys, notebook, tmp_path) -> tuple[int, dict, str]:
    out = tmp_path / "results.json"
    code = main(["grade", str(notebook), "--assignment", "rnn", "--json", str(out),
                 "--lang", "en"])
    return code, json.loads(out.read_text()), capsys.readouterr().out


def test_a_perfect_notebook_gets_full_marks_in_gradescope_schema(tmp_path, capsys):
    notebook = tmp_path / "rnn.ipynb"
    nbformat.write(fill_release(RELEASE, source_answers("rnn")), notebook)
    code, results, report = grade(capsys, notebook, tmp_path)
    assert code == 0
    assert results["score"] == results["max_score"] == manifest.load("rnn").max_score
    assert {"name", "score", "max_score", "status", "output"} <= set(results["tests"][0])
    assert all(t["status"] == "passed" for t in results["tests"])
    assert "Assignment rnn: 30 / 30 points" in report


def test_a_corrupt_notebook_is_a_graded_zero_with_a_message(tmp_path, capsys):
    notebook = tmp_path / "rnn.ipynb"
    notebook.write_text('{"cells": [', encoding="utf-8")
    code, results, report = grade(capsys, notebook, tmp_path)
    assert code == 0 and results["score"] == 0
    assert "not valid JSON" in results["output"] and "not valid JSON" in report


def test_the_blank_release_scores_zero_and_says_what_is_missing(tmp_path, capsys):
    code, results, _ = grade(capsys, RELEASE, tmp_path)
    assert code == 0 and results["score"] == 0
    assert "not implemented yet" in results["tests"][0]["output"]


@pytest.mark.parametrize("argv, message", [
    (["grade", "/no/such.ipynb", "--assignment", "rnn"], "no notebook at"),
    (["grade", str(RELEASE), "--assignment", "nope"], "unknown assignment 'nope'"),
])
def test_usage_errors_exit_2_naming_cause_and_fix(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_isolation_is_reported(capsys):
    code = main(["isolation"])
    out = capsys.readouterr().out
    assert out.startswith("isolation: ") and code == (0 if "none" not in out.split()[1] else 1)


@pytest.mark.parametrize("lang, heading, message", [
    ("es", "Tarea rnn: 0 / 30 puntos", "todavía no está implementada"),
    ("en", "Assignment rnn: 0 / 30 points", "not implemented yet"),
])
def test_feedback_speaks_the_language_of_the_release(tmp_path, capsys, monkeypatch, lang,
                                                     heading, message):
    from rnnkit import i18n

    i18n.set_language(None)  # no --lang, no $RNNKIT_LANG
    monkeypatch.delenv("RNNKIT_LANG", raising=False)
    blank = nbformat.read(RELEASE, as_version=4)
    blank.metadata["rnnkit"]["language"] = lang
    notebook = tmp_path / "rnn.ipynb"
    nbformat.write(blank, notebook)
    assert main(["grade", str(notebook), "--assignment", "rnn"]) == 0
    report = capsys.readouterr().out
    assert report.startswith(heading) and message in report


def test_without_a_sandbox_grading_refuses_unless_insecure(tmp_path, capsys, monkeypatch):
    import rnnkit.sandbox as sandbox
    from rnnkit.sandbox import Isolation

    monkeypatch.setattr(sandbox, "detect_isolation",
                        lambda: Isolation("none", "bwrap not found: install bubblewrap"))
    assert main(["grade", str(RELEASE), "--assignment", "rnn"]) == 2
    err = capsys.readouterr().err
    assert "no sandbox available" in err and "--insecure" in err and "bubblewrap" in err
    assert main(["isolation"]) == 1
    assert "isolation: none" in capsys.readouterr().out
