"""What a student gets: the released notebooks, the reports of the public checks, `rnnkit check`,
`nbgrader validate`, and the instructor commands, which say in one line that they are not for
the student side of the kit. The wheel itself is tested in tests/test_packaging.py."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from rnnkit import assignments, i18n
from rnnkit.assignments.rnn import checks as rnn_checks
from rnnkit.assignments.rnn.mistakes import MISTAKES
from rnnkit.cli import main
from rnnkit.kit.paths import KIT_ROOT, RELEASES
from rnnkit.nb.fill import fill_release, source_answers
from solutions import rnn as rnn_ref

ASSIGNMENTS = assignments.names()
REFERENCE = {name: importlib.import_module(f"solutions.{name}") for name in ASSIGNMENTS}
CHECKS = {spec.name: importlib.import_module(f"{spec.module}.checks")
          for spec in assignments.all_assignments()}

# English words that are not Spanish words: one of them in a Spanish release is English left in.
ENGLISH = frozenset(
    "the and of is are your you with which this that not when from it to for what how only "
    "then must should returns shape check step steps right wrong missing each every run cell "
    "by at or on in if will does here there be an been its".split())


def release(assignment: str) -> Path:
    return RELEASES / assignment / f"{assignment}.ipynb"


def english_words(text: str) -> set[str]:
    """The words of ``text`` from ENGLISH, ignoring identifiers (``h_prev``, ``np.tanh``)."""
    words = re.findall(r"(?<![\w.])[A-Za-z]+(?![\w(])", text)
    return {word for word in words if word.lower() in ENGLISH}


def prose(cell: nbformat.NotebookNode) -> str:
    """What a student reads as text in a cell: markdown without code, math and (italic) foreign
    terms; the comments and docstrings of code."""
    if cell.cell_type == "markdown":
        text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|https?://\S+", " ", cell.source, flags=re.S)
        return re.sub(r"(?<![*\w])\*(?!\*)[^*]+\*(?!\*)", " ", text)  # *backpropagation...*
    parts, statement_start = [], True
    for token in tokenize.generate_tokens(io.StringIO(cell.source).readline):
        if token.type == tokenize.COMMENT:
            parts.append(token.string)
        elif token.type == tokenize.STRING and statement_start:  # a docstring
            parts.append(token.string)
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            statement_start = token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    return "\n".join(parts)


def printed(run: Callable[[], object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run()
    return out.getvalue()


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


def raises(*args, **kwargs):
    raise RuntimeError("boom")


def reference_call(assignment: str, check) -> Callable[[], object]:
    """``check`` on the reference functions its parameters name."""
    names = check.__code__.co_varnames[:check.__code__.co_argcount]
    functions = [getattr(REFERENCE[assignment], name) for name in names]
    return lambda: check(*functions)


def student_calls(assignment: str, check) -> dict[str, Callable[[], object]]:
    """``check`` run on the reference and on broken students: each function a stub, each raising,
    each returning None, and the last function broken behind a right first one."""
    argc = check.__code__.co_argcount
    reference = [getattr(REFERENCE[assignment], name)
                 for name in check.__code__.co_varnames[:argc]]
    calls = {"reference": lambda: check(*reference)}
    for label, student in (("stub", not_implemented), ("raises", raises),
                           ("None", lambda *a, **k: None)):
        calls[label] = lambda student=student: check(*[student] * argc)
    if argc > 1:
        calls["last broken"] = lambda: check(*reference[:-1], not_implemented)
    return calls


ALL_RUNS = [(assignment, name, label)
            for assignment in ASSIGNMENTS for name in CHECKS[assignment].__all__
            for label in ("reference", "stub", "raises", "None", "last broken")
            if label != "last broken" or getattr(CHECKS[assignment], name).__code__.co_argcount > 1]


def total_of(closing: str) -> int:
    """The number of checks a closing line counts: "all correct (7/7)" or "2 of 7 checks"."""
    found = re.search(r"\((\d+)/\1\)|of (\d+) checks", closing)
    assert found, closing
    return int(found.group(1) or found.group(2))


# ----------------------------------------------------------------------------------------------
# What a student reads: tidy reports
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("assignment", "name", "label"), ALL_RUNS)
def test_a_report_is_tidy_and_counts_the_same_checks_on_every_run(assignment, name, label):
    check = getattr(CHECKS[assignment], name)
    text = printed(student_calls(assignment, check)[label])
    lines = text.strip().splitlines()
    assert len(lines) == len(set(lines)), f"a line is printed twice:\n{text}"
    assert "`" not in text, f"Markdown backticks in plain text:\n{text}"
    assert lines[-1].startswith("→")
    reference_total = total_of(printed(reference_call(assignment, check)).strip().splitlines()[-1])
    assert total_of(lines[-1]) == reference_total, text
    skipped = [line for line in lines if line.startswith("⏭")]
    if label == "reference":
        assert not skipped and "all correct" in lines[-1], text
    else:
        assert any(line.startswith("✗") for line in lines), text
    if skipped:  # what could not be checked is named, and counted as such
        (line,) = skipped
        names = re.split(r", (?![^()]*\))", line.split(": ", 1)[1])  # "h (T = 1, N = 1)"
        assert f"{len(names)} not checked yet" in lines[-1], text


def test_a_missing_carry_is_one_line_for_all_the_gradients_it_spoils():
    def rnn_backward(dh, caches):  # the gradient from step t+1 is never carried back
        steps = [rnn_ref.rnn_cell_backward(dh[t], caches[t]) for t in range(len(caches))]
        return {"dx": np.stack([s["dx_t"] for s in steps]), "dh0": steps[0]["dh_prev"],
                **{k: sum(s[k] for s in steps) for k in ("dW_xh", "dW_hh", "db_h")}}

    text = printed(lambda: rnn_checks.check_rnn_backward(rnn_ref.rnn_forward, rnn_backward))
    crosses = [line for line in text.splitlines() if line.startswith("✗")]
    said = MISTAKES["backward.no_flow_from_next_step"].message
    assert crosses == [f"✗ dx, dh0, dW_xh, dW_hh, db_h: {said}"], text
    assert "5 of 8 checks fail" in text


# ----------------------------------------------------------------------------------------------
# A Spanish release has no English in it
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_spanish_release_has_no_english(assignment):
    nb = nbformat.read(release(assignment), as_version=4)
    assert nb.metadata["rnnkit"]["language"] == "es"
    for cell in nb.cells:
        found = english_words(prose(cell))
        assert not found, f"English {sorted(found)} in:\n{cell.source[:500]}"
        if cell.cell_type == "code":  # no bilingual say(es=..., en=...) left in the code
            assert not re.search(r"\ben\s*=\s*[\"']", cell.source), cell.source[:500]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_checks_speak_spanish_without_english(assignment):
    i18n.set_language("es")
    for name in CHECKS[assignment].__all__:
        for label, run in student_calls(assignment, getattr(CHECKS[assignment], name)).items():
            text = printed(run)
            found = english_words(text.replace("NotImplementedError", ""))
            assert not found, f"{name} ({label}): English {sorted(found)} in:\n{text}"


def test_the_english_word_list_finds_english():
    assert english_words("h_next: shape (3, 2) and correct values") == {"shape", "and"}
    assert english_words("h_next: forma (3, 2) y valores correctos; np.tanh, is_ok") == set()


# ----------------------------------------------------------------------------------------------
# The release as a student opens it
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_figure_drawing_code_is_collapsed(assignment):
    nb = nbformat.read(release(assignment), as_version=4)
    drawing = [cell for cell in nb.cells if cell.cell_type == "code"
               and "no hace falta leer este código" in cell.source.split("\n")[0]]
    assert drawing
    for cell in drawing:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:80]


# ----------------------------------------------------------------------------------------------
# Run All on a notebook with every exercise left to do reaches the end
# ----------------------------------------------------------------------------------------------

def execute(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run all cells like Jupyter's Run All: the first error stops it (allow_errors=False).
    The timeouts only stop a hang (a blank release runs in seconds)."""
    NotebookClient(nb, timeout=600, startup_timeout=300, kernel_name="python3",
                   allow_errors=False, resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def outputs_text(cell: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") + out.get("data", {}).get("text/plain", "")
                   for out in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_run_all_on_the_blank_release_reaches_the_end(tmp_path, assignment):
    nb = execute(nbformat.read(release(assignment), as_version=4), tmp_path)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.get("execution_count") for cell in code), "Run All stopped early"
    bad = [out for cell in code for out in cell.outputs
           if out.output_type == "error" or out.get("name") == "stderr"]
    assert not bad, json.dumps(bad, default=str)[:2000]
    checks = [cell for cell in code
              if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("check_")]
    assert len(checks) == len(CHECKS[assignment].__all__)
    for cell in code:
        text = outputs_text(cell)
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) == len(set(lines)) and "`" not in text, text
        if cell in checks:  # every check ran to its closing line, in the release's language
            assert lines[-1].startswith("→") and "todavía no está implementada" in text, text
        if "⏭ Esta celda usa" in text:  # a demonstration skipped: one line says which function
            assert sum("⏭" in line for line in lines) == 1, text
    skipped = sum("⏭ Esta celda usa" in outputs_text(cell) for cell in code)
    assert skipped >= 3  # the demonstrations that call the student's functions


@pytest.mark.slow
def test_the_training_cell_shows_its_progress(tmp_path):
    nb = fill_release(release("lstm"), source_answers("lstm"))
    (run,) = [cell for cell in nb.cells if cell.source.startswith("GAPS = ")]
    # Two training runs instead of 72: the cell is the same, only shorter.
    run.source = run.source.replace("GAPS = [2, 5, 10, 15, 20, 30]", "GAPS = [2]")
    run.source = run.source.replace("SEEDS = [0, 1, 2, 3, 4, 5]", "SEEDS = [0]")
    assert "GAPS = [2]\nSEEDS = [0]\n" in run.source
    execute(nb, tmp_path)
    assert re.search(r"\d+/2 \[", outputs_text(run)), outputs_text(run)  # tqdm's "1/2 [..."
    assert any("image/png" in out.get("data", {}) for out in run.outputs)


# ----------------------------------------------------------------------------------------------
# nbgrader validate does not say "Success" while an exercise is left to do
# ----------------------------------------------------------------------------------------------

def validate(tmp_path: Path, nb: nbformat.NotebookNode) -> str:
    """nbgrader validate's report on ``nb`` (a student's copy, outside any course)."""
    folder = tmp_path / f"student{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    nbformat.write(nb, folder / "rnn.ipynb")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", "rnn.ipynb"],
                          cwd=folder, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PATH": path})
    return done.stdout


def test_under_validate_a_grading_cell_reports_the_failing_check_it_names(monkeypatch, capsys):
    from rnnkit.checks import validate

    def grading_cell(text: str) -> str:
        validate._report_in_grading_cell(SimpleNamespace(raw_cell=text))
        return capsys.readouterr().err

    monkeypatch.setattr(validate, "_failing", {})
    rnn_checks.check_rnn_forward(not_implemented)  # not under validate: nothing is recorded
    assert grading_cell("# Grading: hidden tests of rnn_forward") == ""

    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    rnn_checks.check_rnn_forward(not_implemented)
    rnn_checks.check_rnn_cell_forward(rnn_ref.rnn_cell_forward)
    capsys.readouterr()
    err = grading_cell("# Grading: hidden tests of rnn_forward\n# (they run when graded)")
    assert err.startswith("rnn_forward: its public check does not pass. ✗ not_implemented is")
    assert grading_cell("# Grading: hidden tests of rnn_cell_forward") == ""  # it passed
    assert grading_cell("rnn_forward  # not a released grading cell: it has code") == ""
    rnn_checks.check_rnn_forward(rnn_ref.rnn_forward)  # fixed: the cell passes
    capsys.readouterr()
    assert grading_cell("# Grading: hidden tests of rnn_forward") == ""


@pytest.mark.slow
def test_nbgrader_validate_passes_only_when_every_public_check_does(tmp_path):
    blank = nbformat.read(release("rnn"), as_version=4)
    report = validate(tmp_path, blank)
    assert "Success" not in report and "VALIDATION FAILED ON 7 CELL(S)" in report, report
    assert "rnn_forward todavía no está implementada" in " ".join(report.split())  # wrapped

    one_done = fill_release(release("rnn"), {
        "answer_rnn_cell_forward": source_answers("rnn")["answer_rnn_cell_forward"]})
    report = validate(tmp_path, one_done)
    assert "Success" not in report and "VALIDATION FAILED ON 6 CELL(S)" in report, report

    report = validate(tmp_path, fill_release(release("rnn"), source_answers("rnn")))
    assert "Success! Your notebook passes all the tests." in report, report


# ----------------------------------------------------------------------------------------------
# rnnkit check NOTEBOOK
# ----------------------------------------------------------------------------------------------

@pytest.fixture
def notebook_language(monkeypatch):
    """No --lang and no $RNNKIT_LANG: the notebook's language rules."""
    i18n.set_language(None)
    monkeypatch.delenv("RNNKIT_LANG", raising=False)


def test_check_runs_the_public_checks_of_a_blank_release_in_its_language(notebook_language,
                                                                          capsys):
    assert main(["check", str(release("rnn"))]) == 1
    out = capsys.readouterr().out
    assert "0 de 7 comprobaciones públicas pasan." in out
    assert out.count("todavía no está implementada") == 7
    assert "not implemented" not in out


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_check_passes_a_finished_notebook(tmp_path, capsys, assignment):
    notebook = tmp_path / f"{assignment}.ipynb"
    nbformat.write(fill_release(release(assignment), source_answers(assignment)), notebook)
    assert main(["check", str(notebook)]) == 0
    out = capsys.readouterr().out
    total = len(CHECKS[assignment].__all__)
    assert f"{total} of {total} public checks pass." in out and "✗" not in out


def test_check_runs_only_set_up_and_answer_cells(tmp_path, capsys):
    nb = fill_release(release("rnn"), {**source_answers("rnn"),
                                       "answer_clip_gradients": "def clip_gradients(:\n"})
    nb.cells.append(nbformat.v4.new_code_cell("raise SystemExit('a demonstration ran')"))
    notebook = tmp_path / "rnn.ipynb"
    nbformat.write(nb, notebook)
    assert main(["check", str(notebook), "--assignment", "rnn"]) == 1
    out = capsys.readouterr().out
    assert "✗ The cell answer_clip_gradients does not run: SyntaxError" in out
    assert "The notebook does not define clip_gradients" in out
    assert "6 of 7 public checks pass." in out


@pytest.mark.parametrize(("make", "message"), [
    (lambda path: None, "no notebook at"),
    (lambda path: path.write_text("{not json"), "is not a notebook Jupyter can open"),
    (lambda path: nbformat.write(nbformat.v4.new_notebook(), path), "pass --assignment"),
])
def test_check_says_in_one_line_what_is_wrong_with_the_notebook(tmp_path, capsys, make,
                                                                 message):
    notebook = tmp_path / "work.ipynb"
    make(notebook)
    assert main(["check", str(notebook)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


# ----------------------------------------------------------------------------------------------
# Instructor commands, where the instructor's kit is not
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["init", "course"], ["release"], ["collect-zip", "rnn", "x.zip"],
    ["grade", "rnn.ipynb", "--assignment", "rnn"], ["autograde", "rnn"], ["gradebook", "rnn"],
    ["isolation"], ["sync-points", "rnn"], ["demo"],
])
def test_instructor_commands_say_in_one_line_that_they_need_the_kit(monkeypatch, capsys, argv):
    import rnnkit.cli

    monkeypatch.setattr(rnnkit.cli, "instructor_commands", lambda: None)  # the students' wheel
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert f"rnnkit {argv[0]} is for instructors" in line and "rnnkit check NOTEBOOK" in line


def test_a_kit_root_that_is_not_the_kit_is_named_with_the_fix(tmp_path):
    """The instructor kit finds its files from $RNNKIT_KIT (else the checkout it lies in); set
    to a folder that is not the kit, an instructor command says so in one line, and rnnkit
    check, which needs no kit, still works."""
    env = {**os.environ, "RNNKIT_KIT": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "rnnkit.cli", "gradebook", "rnn"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "$RNNKIT_KIT" in line and "not the kit's checkout" in line and str(tmp_path) in line
    checked = subprocess.run([sys.executable, "-m", "rnnkit.cli", "check",
                              str(RELEASES / "rnn" / "rnn.ipynb")], cwd=tmp_path,
                             capture_output=True, text=True, timeout=600, env=env)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr


def test_nbgrader_tools_are_found_when_the_virtualenv_is_not_on_path(tmp_path):
    """nbgrader runs ``alembic`` (installed beside this Python) to create a gradebook."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(KIT_ROOT / "nbgrader_config.py", course)
    bare_path = os.pathsep.join(p for p in ("/usr/bin", "/bin") if Path(p).is_dir())
    done = subprocess.run([sys.executable, "-m", "rnnkit.cli", "gradebook", "rnn"], cwd=course,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": bare_path})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no grades recorded for rnn" in done.stdout
