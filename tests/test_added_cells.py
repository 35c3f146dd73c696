"""Cells a student added run with the answer cells, but only their definitions (issue 8).

- What runs of an added cell: def, class and import statements and assignments to plain names
  that call nothing, on the lines where the student wrote them; nothing else (the rule's table,
  and statements that would break every graded function if they ran).
- The release's own cells never run: they are recognised by cell id, nbgrader grade_id or
  unchanged code, whatever metadata the student removed.
- Notebook order: the last definition is the one graded, with a note when a cell the student
  added redefines a graded function.
- A NameError for a name that only code which does not run defines says where that code is and
  what to do; tracebacks name the added cell and the student's own line numbers.
- The helper-cell case of the issue scores 26/26 with ``rnnkit grade`` and with plain nbgrader
  (slow: nbgrader starts a kernel per notebook), and so do the layouts where both run the same
  code; where they differ (definitions below the grading cells) the test shows how.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from test_nbgrader_e2e import make_course, nbgrader, submit

from rnnkit.grading import manifest
from rnnkit.grading.engine import grade_notebook
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.i18n import LANGUAGES
from rnnkit.kit.course import init_course
from rnnkit.kit.paths import RELEASES, SOURCE
from rnnkit.nb import submission as submission_module
from rnnkit.nb.fill import fill_release, source_answers
from rnnkit.nb.language import localize_source
from rnnkit.nb.submission import Release, read_submission
from rnnkit.sandbox import Limits, detect_isolation

RELEASE = RELEASES / "rnn" / "rnn.ipynb"
PERFECT = source_answers("rnn")
MANIFEST = manifest.load("rnn")
FULL = MANIFEST.max_score  # 26: rnn_cell_forward 4, rnn_forward 4, the rest 6 each
CLIP_WRONG = FULL - 5  # a wrong clip_gradients that leaves its input alone keeps 1 point
ROOMY = Limits(call_seconds=30.0, cell_seconds=30.0, memory_bytes=2**30, processes=8)
INSECURE = detect_isolation().kind != "bwrap"  # what runs is the same either way


def rnn_release() -> Release:
    return MANIFEST.release


def perfect_notebook(**answers: str) -> nbformat.NotebookNode:
    """The release with the source's solutions, but ``answers`` (grade_id -> code)."""
    return fill_release(RELEASE, {**PERFECT, **answers})


def insert(nb: nbformat.NotebookNode, before: str | None, *cells: nbformat.NotebookNode) -> int:
    """Insert ``cells`` before the release cell whose id is ``before`` (None: at the end);
    return the position of the first, counting cells from 1 as feedback does."""
    index = len(nb.cells) if before is None else [c.get("id") for c in nb.cells].index(before)
    nb.cells[index:index] = cells
    return index + 1


def code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def grade(nb: nbformat.NotebookNode, tmp_path: Path, name: str = "rnn.ipynb"):
    path = tmp_path / name
    nbformat.write(nb, path)
    return grade_notebook(path, "rnn", insecure=INSECURE, limits=ROOMY)


# --- the helper-cell case of the issue ----------------------------------------------------------

# Cells a student might write: helpers above the answer cells that use them, with a bit of code
# of their own around them (a demo that would print, a value computed by a call).
HELPERS = '''import numpy as np

TANH = np.tanh  # an alias: an assignment that calls nothing


def pre_activation(params, x_t, h_prev):
    """W_hh h_prev + W_xh x_t + b_h."""
    return params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]


def tanh_backward(dh_next, h_next):
    return dh_next * (1 - h_next**2)


print("helpers ready:", TANH(0.0))
'''
FORWARD_WITH_HELPERS = '''def rnn_cell_forward(x_t, h_prev, params):
    h_next = TANH(pre_activation(params, x_t, h_prev))
    return h_next, {"x_t": x_t, "h_prev": h_prev, "h_next": h_next, "params": params}
'''
BACKWARD_WITH_HELPERS = '''def rnn_cell_backward(dh_next, cache):
    da = tanh_backward(dh_next, cache["h_next"])
    W_xh, W_hh = cache["params"]["W_xh"], cache["params"]["W_hh"]
    return {"dx_t": W_xh.T @ da, "dh_prev": W_hh.T @ da, "dW_xh": da @ cache["x_t"].T,
            "dW_hh": da @ cache["h_prev"].T, "db_h": np.sum(da, axis=1, keepdims=True)}
'''


def helper_notebook(where: str = "answer_rnn_cell_forward") -> nbformat.NotebookNode:
    """Helpers in a cell added before the release cell ``where``; two answers use them."""
    nb = perfect_notebook(answer_rnn_cell_forward=FORWARD_WITH_HELPERS,
                          answer_rnn_cell_backward=BACKWARD_WITH_HELPERS)
    insert(nb, where, code(HELPERS))
    return nb


def test_a_helper_defined_in_an_added_cell_counts(tmp_path: Path) -> None:
    report = grade(helper_notebook(), tmp_path)
    text = report.to_text()
    assert report.score == FULL, text
    assert "helpers ready" not in text  # its print is a statement: it does not run
    assert "raised an error" not in text  # nor do the release's own cells (`import rnnkit...`)


def test_without_the_added_cell_the_helpers_are_missing(tmp_path: Path) -> None:
    # The control: the helpers' cell is what makes the difference.
    nb = perfect_notebook(answer_rnn_cell_forward=FORWARD_WITH_HELPERS,
                          answer_rnn_cell_backward=BACKWARD_WITH_HELPERS)
    report = grade(nb, tmp_path)
    assert report.score == FULL - 4 - 4 - 6 - 6, report.to_text()  # only clip_gradients
    assert "NameError: name 'TANH' is not defined" in report.to_text()


# --- what runs of an added cell -----------------------------------------------------------------

STATEMENTS = '''import os


class Marker:
    print("a class body runs with its definition")


def broken(*args):
    raise RuntimeError("a statement ran")


print("a statement ran")
rnn_cell_forward = broken if os.getpid() else broken
del rnn_forward
for _ in range(1):
    rnn_cell_backward = broken
if True:
    rnn_backward = broken
with open(os.devnull):
    clip_gradients = broken
globals().update(clip_gradients=broken)
try:
    os._exit(3)
finally:
    pass
'''


def test_statements_of_an_added_cell_do_not_run(tmp_path: Path) -> None:
    # Every statement of the cell but its definitions would break a graded function, or end
    # the process; a class body runs, as part of the class's definition.
    nb = perfect_notebook()
    insert(nb, "check_clip_gradients", code(STATEMENTS))
    report = grade(nb, tmp_path)
    text = report.to_text()
    assert report.score == FULL, text
    assert "Your code printed:\na class body runs with its definition" in text
    assert "a statement ran" not in text


def added_code(tmp_path: Path, source: str) -> str | None:
    """What runs of ``source`` as the one cell a student added to an empty notebook."""
    path = tmp_path / "one-cell.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[code(source)]), path)
    cells = read_submission(path, ()).cells
    assert len(cells) <= 1 and all(cell.added for cell in cells)
    return cells[0].code if cells else None


@pytest.mark.parametrize("statement, runs", [
    ("EPS = 1e-8", True),
    ("H, D = 4, 3", True),
    ("first, *rest = 1, 2, 3", True),
    ("a = b = 2", True),
    ("act = np.tanh", True),
    ("TWO_PI = 2 * np.pi", True),
    ("NAMES = ('W_xh', 'W_hh', 'b_h')", True),
    ("SHAPES = {'H': 4, 'D': 3}", True),
    ("H = SHAPES['H']", True),
    ("step = lambda z: np.tanh(z)", True),
    ("LIMIT: float = 5.0", True),
    ("import numpy as np", True),
    ("from math import pi", True),
    ("def f(x=np.zeros(3)):\n    return x", True),  # a default runs with its definition
    ("@functools.cache\ndef f():\n    return 1", True),
    ("class A:\n    n = len('abc')", True),
    ("W = np.ones(3)", False),
    ("h = train()", False),
    ("SIZES = [2**i for i in range(3)]", False),
    ("step = lambda z=np.zeros(1): z", False),
    ("params['W'] = 1.0", False),
    ("model.size = 3", False),
    ("count += 1", False),
    ("LIMIT: float", False),
    ("print('hello')", False),
    ("(y := 3)", False),
    ("for i in range(3):\n    total = i", False),
    ("if True:\n    def f():\n        return 1", False),
    ("try:\n    import torch\nexcept ImportError:\n    torch = None", False),
    ("with open('x') as f:\n    pass", False),
    ("del np", False),
    ("assert False", False),
])
def test_which_statements_of_an_added_cell_run(tmp_path: Path, statement: str,
                                                runs: bool) -> None:
    kept = added_code(tmp_path, statement)
    assert kept == (statement if runs else None)


@pytest.mark.parametrize("source, kept", [
    ("import os; print(1); X = 5", "import os; X = 5"),
    ("print(1); X = 5", "X = 5"),
    ("X = (1,\n     2); print(X); Y = 3\nprint(Y)", "X = (1,\n     2); Y = 3\n"),
    ("@decorate\n@other(1)\ndef f():\n    return 1  # done\nf()",
     "@decorate\n@other(1)\ndef f():\n    return 1\n"),
    ('ñ = "ñü"; print(ñ); Z = "ü"', 'ñ = "ñü"; Z = "ü"'),  # columns count UTF-8 bytes
    ("x = 1\r\nprint(x)\r\ny = 2", "x = 1\n\ny = 2"),
    ("%matplotlib inline\n!ls\ndef f():\n    return 1", "\n\ndef f():\n    return 1"),
    ("class A:\n    print('body')\nA()\n", "class A:\n    print('body')\n\n"),
    ("def f():\n    return \\\n        1\nf(); g = f", "def f():\n    return \\\n        1\ng = f"),
])
def test_definitions_keep_their_lines(tmp_path: Path, source: str, kept: str) -> None:
    # Left-out statements leave blank lines, so a traceback's line numbers are the student's.
    assert added_code(tmp_path, source) == kept


def test_an_added_cell_that_is_not_python_runs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        code("def helper(x):\n    return x +\n")]), path)
    read = read_submission(path, ())
    assert read.cells == []
    assert read.notes == ["Cell 1 (`def helper(x):`) is not valid Python (invalid syntax, "
                          "line 2): nothing in it runs."]
    assert "`helper` is defined in cell 1 (`def helper(x):`), which is not valid Python" in (
        read.not_run["helper"])


def test_what_the_grader_parses_is_bounded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(submission_module, "MAX_PARSED_CHARS", 1000)
    cell = "def f{n}():\n    return {n}\n" + "# padding\n" * 20  # about 230 characters
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(
        cells=[code(cell.format(n=n)) for n in range(10)]), path)
    read = read_submission(path, ())
    assert [c.defines for c in read.cells] == [{f"f{n}"} for n in range(4)]
    (note,) = read.notes
    assert "At most 1000 characters" in note and "from cell 5 (`def f4():`) on" in note


# --- the release's own cells never run ----------------------------------------------------------


@pytest.fixture(scope="module", params=LANGUAGES)
def fresh_release(request, tmp_path_factory) -> Path:
    """The rnn release that nbgrader generates from the source now, in one language."""
    folder = tmp_path_factory.mktemp("courses") / request.param
    return init_course(folder, request.param, ["rnn"]) / "assignments" / "rnn" / "rnn.ipynb"


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["none", "metadata removed", "metadata and ids removed"])
def test_the_release_cells_never_run(tmp_path: Path, fresh_release: Path, damage: str) -> None:
    nb = fill_release(fresh_release, PERFECT)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in MANIFEST.answer_ids:
            continue
        if damage != "none":
            cell.metadata = {}
        if damage == "metadata and ids removed":
            del cell["id"]  # an old Jupyter: the unchanged code still tells them apart
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    read = read_submission(path, MANIFEST.answer_ids, release=rnn_release())
    assert [c.cell_id for c in read.cells] == list(MANIFEST.answer_ids)
    assert read.notes == []


def test_the_release_cells_are_known_by_id_grade_id_or_code() -> None:
    release = rnn_release()
    source = json.loads((SOURCE / "rnn" / "rnn.ipynb").read_text(encoding="utf-8"))
    demo = next(c for c in source["cells"] if c.get("id") == "gradcheck_cell")
    for lang in LANGUAGES:
        assert release.holds({}, localize_source("".join(demo["source"]), lang) + "\n\n")
    assert not release.holds({}, localize_source("".join(demo["source"]), "en") + "\nx = 1")
    assert release.holds({"metadata": {"nbgrader": {"grade_id": "test_rnn_forward"}}}, "x")
    assert release.holds({"id": "order_demo"}, "def mine(): pass")
    # The answer cells are the student's, whatever their id.
    assert not release.holds({"id": "answer_rnn_forward"}, "def mine(): pass")


def test_a_copied_and_edited_release_cell_counts_as_added(tmp_path: Path) -> None:
    # Without the release's id, grade_id or code it is the student's: its definitions run.
    nb = perfect_notebook()
    demo = next(c for c in nb.cells if c.get("id") == "order_demo")
    copy = code(demo.source.replace("order_demo", "my_demo"))
    position = insert(nb, "order_demo", copy)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    read = read_submission(path, MANIFEST.answer_ids, release=rnn_release())
    added = [c for c in read.cells if c.added]
    assert [(c.cell_id, c.defines) for c in added] == [(f"added cell {position}", {"my_demo"})]


# --- notebook order -----------------------------------------------------------------------------

WRONG_CLIP = '''def clip_gradients(grads, max_norm):
    return {name: 2 * g for name, g in grads.items()}
'''
WRONG_CLIP_ALIAS = '''def double(grads, max_norm):
    return {name: 2 * g for name, g in grads.items()}


clip_gradients = double  # an assignment that calls nothing: it runs
'''


@pytest.mark.parametrize("added, before, score", [
    (WRONG_CLIP, "answer_clip_gradients", FULL),  # the answer cell comes after: it wins
    (WRONG_CLIP, "check_clip_gradients", CLIP_WRONG),  # the added cell comes after: it wins
    (WRONG_CLIP_ALIAS, "check_clip_gradients", CLIP_WRONG),
    (WRONG_CLIP, None, CLIP_WRONG),  # at the very end, below the grading cells too
])
def test_the_last_definition_in_notebook_order_is_graded(tmp_path: Path, added: str,
                                                         before: str | None,
                                                         score: float) -> None:
    nb = perfect_notebook()
    position = insert(nb, before, code(added))
    report = grade(nb, tmp_path)
    text = report.to_text()
    assert report.score == score, text
    note = ("`clip_gradients` is defined in an answer cell and again, further down, in "
            f"cell {position} (`{added.splitlines()[0]}`), a cell you added: as when the "
            "notebook runs from top to bottom, the last definition is the one graded.")
    assert (note in text) == (score != FULL), text


def test_a_helper_defined_below_the_answer_that_uses_it_counts(tmp_path: Path) -> None:
    # A function looks its helpers up when it is called, after every cell has run.
    report = grade(helper_notebook("check_rnn_cell_backward"), tmp_path)
    assert report.score == FULL, report.to_text()


# --- names that do not run: the NameError says where they are ------------------------------------

CLIP_WITH_HELPER = '''def clip_gradients(grads, max_norm):
    return helper(grads, max_norm)
'''
HELPER = "def helper(grads, max_norm):\n    return grads\n"


def in_markdown(nb: nbformat.NotebookNode) -> int:
    return insert(nb, "answer_clip_gradients", nbformat.v4.new_markdown_cell(HELPER))


def in_a_release_cell(nb: nbformat.NotebookNode) -> int:
    demo = next(c for c in nb.cells if c.get("id") == "order_demo")
    demo.source += "\n\n" + HELPER
    return nb.cells.index(demo) + 1


def in_a_copy_of_the_answer_cell(nb: nbformat.NotebookNode) -> int:
    answer = next(c for c in nb.cells if c.get("id") == "answer_clip_gradients")
    copy = nbformat.from_dict({**answer, "id": "copy", "source": HELPER})
    return insert(nb, "check_clip_gradients", copy)


def as_a_statement(nb: nbformat.NotebookNode) -> int:
    return insert(nb, "answer_clip_gradients", code("helper = make_helper()\n"))


def after_an_error(nb: nbformat.NotebookNode) -> int:
    return insert(nb, "answer_clip_gradients",
                  code("import a_module_that_is_not_installed\n\n\n" + HELPER))


def in_a_cell_that_is_not_python(nb: nbformat.NotebookNode) -> int:
    return insert(nb, "answer_clip_gradients", code(HELPER + "\nif True\n"))


@pytest.mark.parametrize("place, hint", [
    (in_markdown, "`helper` is defined in cell {n} (`def helper(grads, max_norm):`), a markdown "
                  "cell, which never runs: turn it into a code cell."),
    (in_a_release_cell, "`helper` is defined in cell {n} (`def order_demo():`), a cell of the "
                        "assignment, which does not run when grading (only the answer cells "
                        "and the cells you added do)"),
    (in_a_copy_of_the_answer_cell, "`helper` is defined in cell {n} (`def helper(grads, "
                                   "max_norm):`), a copy of the answer cell "
                                   "`answer_clip_gradients` that is not graded"),
    (as_a_statement, "`helper` is set in cell {n} (`helper = make_helper()`) by a statement "
                     "that does not run when grading: of the cells you added only the "
                     "definitions run"),
    (after_an_error, "`helper` is defined in cell {n} (`import "
                     "a_module_that_is_not_installed`), which stopped before defining it (see "
                     "the note about that cell)."),
    (in_a_cell_that_is_not_python, "`helper` is defined in cell {n} (`def helper(grads, "
                                   "max_norm):`), which is not valid Python: nothing in it "
                                   "runs"),
], ids=lambda value: getattr(value, "__name__", ""))
def test_a_name_that_only_code_which_does_not_run_defines_gets_a_hint(
        tmp_path: Path, place, hint: str) -> None:
    nb = perfect_notebook(answer_clip_gradients=CLIP_WITH_HELPER)
    position = place(nb)
    report = grade(nb, tmp_path)
    clip = [t.message for t in report.tests if t.function == "clip_gradients"]
    assert report.score == FULL - 6, report.to_text()
    assert all("NameError: name 'helper' is not defined" in message for message in clip), clip
    assert all(hint.format(n=position) in message for message in clip), clip


def test_a_name_that_no_cell_defines_gets_no_hint(tmp_path: Path) -> None:
    report = grade(perfect_notebook(answer_clip_gradients=CLIP_WITH_HELPER), tmp_path)
    text = report.to_text()
    assert report.score == FULL - 6, text
    assert "NameError: name 'helper' is not defined" in text and "`helper` is" not in text


DEFAULT_FROM_A_STATEMENT = '''SIZE = len("abc")


def sized(n=SIZE):
    return n
'''
FAILING_HELPER = '''print("x"); LIMIT = 3; print("y")
def failing_helper():
    # the next line is line 4 of the cell
    raise ValueError(f"the helper failed with LIMIT = {LIMIT}")
'''


def test_errors_in_added_cells_name_the_cell_and_the_students_line(tmp_path: Path) -> None:
    nb = perfect_notebook(answer_clip_gradients="def clip_gradients(grads, max_norm):\n"
                                                "    return failing_helper()\n")
    default_at = insert(nb, "answer_rnn_forward", code(DEFAULT_FROM_A_STATEMENT))
    failing_at = insert(nb, "answer_clip_gradients", code(FAILING_HELPER))
    report = grade(nb, tmp_path)
    notes = "\n".join(report.notes)
    clip = [t.message for t in report.tests if t.function == "clip_gradients"]
    assert report.score == FULL - 6, report.to_text()
    # A default argument that needs a left-out statement: the cell's note has the hint.
    assert (f"The cell `added cell {default_at}` raised an error: NameError: name 'SIZE' is "
            f"not defined\n  cell \"added cell {default_at}\", line 4, in <module>") in notes
    assert f"`SIZE` is set in cell {default_at} (`SIZE = len(\"abc\")`)" in notes
    # The helper's line 4, in a cell whose first line also held statements left out.
    assert all(f'cell "added cell {failing_at}", line 4, in failing_helper\n'
               '    raise ValueError(f"the helper failed with LIMIT = {LIMIT}")' in message
               and "ValueError: the helper failed with LIMIT = 3" in message
               for message in clip), clip


# --- against plain nbgrader ---------------------------------------------------------------------


@pytest.mark.slow
def test_nbgrader_and_rnnkit_agree_on_added_cells(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", "rnn")
    blank = {c.metadata["nbgrader"]["grade_id"]: c.source
             for c in nbformat.read(RELEASE, as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("grade_id") in MANIFEST.answer_ids}
    redefined = perfect_notebook()
    insert(redefined, "check_clip_gradients", code(WRONG_CLIP))
    at_the_end = fill_release(RELEASE, blank)
    insert(at_the_end, None, *(code(PERFECT[grade_id]) for grade_id in MANIFEST.answer_ids))
    submissions = {  # student -> (notebook, nbgrader's score, rnnkit's score)
        "helpers-above": (helper_notebook(), FULL, FULL),
        "helpers-below-the-answer": (helper_notebook("check_rnn_cell_forward"), FULL, FULL),
        "redefined-above-the-grading-cell": (redefined, CLIP_WRONG, CLIP_WRONG),
        # nbgrader runs each function's hidden tests at its grading cell: there, what is defined
        # further down does not count yet (rnn_cell_forward's helpers, below its grading cell;
        # answers written at the end). rnnkit grades what the whole notebook defines.
        "helpers-below-a-grading-cell": (helper_notebook("check_rnn_cell_backward"),
                                         FULL - 4 - 4, FULL),
        "answers-below-the-grading-cells": (at_the_end, 0.0, FULL),
    }
    paths = {student: submit(course, "rnn", student, nb)
             for student, (nb, _, _) in submissions.items()}

    done = nbgrader(course, "autograde", "rnn", "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    with CourseGradebook(course) as gradebook:
        scores = {row["student"]: row["score"] for row in gradebook.table("rnn")}

    for student, (_, by_nbgrader, by_rnnkit) in submissions.items():
        assert scores[student] == by_nbgrader, student
        report = grade_notebook(paths[student], "rnn", insecure=INSECURE, limits=ROOMY)
        assert report.score == by_rnnkit, (student, report.to_text())


def test_the_parse_cache_is_bounded_by_the_text_it_holds_and_answers_as_parsing_does():
    cache = submission_module._ParseCache(characters=1_000, longest=300)
    texts = [f"x{i} = {i}\n" * 20 for i in range(200)]  # about 180 characters each
    for text in texts:
        assert cache.parsed(text)[0] is not None
        assert cache.held <= 1_000
    recent = cache.parsed(texts[-1])
    assert cache.parsed(texts[-1]) is recent  # held: not parsed again
    assert cache.parsed("def f(:\n")[0] is None
    assert cache.parsed("def f(:\n") == submission_module._parsed_now("def f(:\n")
    long = "y = 1\n" * 100
    cache.parsed(long)
    assert cache.parsed(long) is not cache.parsed(long)  # longer than 300 characters: not held
