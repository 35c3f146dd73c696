"""End to end with real nbgrader: the release is up to date, the source's own solutions get full
marks, the blank release gets 0 without error, and ``rnnkit grade`` agrees with
``nbgrader autograde`` on honest submissions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from batched import Batched

from rnnkit import assignments
from rnnkit.grading import manifest
from rnnkit.grading.engine import grade_notebook
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.kit.course import nbgrader_environment, release
from rnnkit.kit.paths import KIT_ROOT, RELEASES, SOURCE
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import (
    answers_for_functions,
    fill_release,
    reference_answers,
    source_answers,
)

pytestmark = pytest.mark.slow
ASSIGNMENTS = assignments.names()


def make_course(root: Path, assignment: str) -> Path:
    """A course directory sharing the kit's sources, with ``assignment`` released in it."""
    root.mkdir()
    (root / "source").symlink_to(SOURCE, target_is_directory=True)
    shutil.copy(KIT_ROOT / "nbgrader_config.py", root)
    release(assignment, root, "es")
    return root


def submit(course: Path, assignment: str, student: str, nb: nbformat.NotebookNode) -> Path:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    path = folder / f"{assignment}.ipynb"
    nbformat.write(nb, path)
    return path


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run nbgrader in ``course``. Its slowest step, autograding three lstm submissions, takes
    one to three minutes (3.5 with two busy loops beside it on 2 cores): a kernel each, and the
    training experiment, which nbgrader_config.py cuts off at 60 s per cell (no grading cell
    comes after it, so that changes no score). The timeout only stops a hang."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, text=True,
                          capture_output=True, env=nbgrader_environment(), timeout=1800)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_is_what_nbgrader_generates(tmp_path, assignment):
    course = make_course(tmp_path / "course", assignment)
    fresh = json.loads((course / "assignments" / assignment / f"{assignment}.ipynb").read_text())
    committed = json.loads((RELEASES / assignment / f"{assignment}.ipynb").read_text())
    assert fresh == committed, f"assignments/{assignment} is stale: run `rnnkit release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grading_cells_are_worth_what_the_hidden_suite_gives(assignment):
    m = manifest.load(assignment)
    assert m.test_cell_points == {f"test_{f}": m.points(f) for f in m.functions}
    assert set(m.answer_ids) >= {f"answer_{f}" for f in m.functions}


@pytest.fixture(scope="module")
def autograded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Batched:
    """assignment -> (the course, its submitted notebooks by student) for a course of three
    submissions (perfect, blank, a catalogued mistake) graded by plain
    ``nbgrader autograde``: every selected assignment, two at a time (tests/batched.py)."""
    def submitted(assignment: str) -> tuple[Path, dict[str, Path]]:
        course = make_course(tmp_path_factory.mktemp("courses") / "course", assignment)
        release_nb = course / "assignments" / assignment / f"{assignment}.ipynb"
        mistake = load_entries(KIT_ROOT / "tests" / "mistakes" / assignment)[0]
        submissions = {
            "perfect": fill_release(release_nb, source_answers(assignment)),
            "blank": nbformat.read(release_nb, as_version=4),
            "mistake": fill_release(release_nb, {**reference_answers(assignment),
                                                 **answers_for_functions(mistake.code_by_function)}),
        }
        return course, {s: submit(course, assignment, s, nb) for s, nb in submissions.items()}

    def autograde(prepared: tuple[Path, dict[str, Path]]) -> tuple[Path, dict[str, Path]]:
        course, paths = prepared
        assignment = next(iter(paths.values())).parent.name
        done = nbgrader(course, "autograde", assignment, "--force")
        assert done.returncode == 0, done.stderr[-3000:]
        return prepared

    return Batched(request, "test_nbgrader_autograde_and_rnnkit_agree",
                   lambda params: params["assignment"], autograde, prepare=submitted)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_autograde_and_rnnkit_agree(autograded, assignment):
    course, paths = autograded(assignment)
    with CourseGradebook(course) as gradebook:
        nbgrader_scores = {row["student"]: row["score"] for row in gradebook.table(assignment)}
    full = manifest.load(assignment).max_score
    assert nbgrader_scores["perfect"] == full
    assert nbgrader_scores["blank"] == 0
    assert 0 < nbgrader_scores["mistake"] < full
    for student, path in paths.items():
        assert grade_notebook(path, assignment).score == nbgrader_scores[student], student


def test_rnnkit_autograde_feeds_nbgrader_feedback_and_export(tmp_path):
    from rnnkit.grading.classroom import autograde_class

    assignment = "rnn"
    course = make_course(tmp_path / "course", assignment)
    release_nb = course / "assignments" / assignment / f"{assignment}.ipynb"
    mistake = {e.slug: e for e in load_entries(KIT_ROOT / "tests" / "mistakes" / assignment)}
    answers = {**reference_answers(assignment),
               **answers_for_functions(mistake["no_flow_from_next_step"].code_by_function)}
    submit(course, assignment, "carla", fill_release(release_nb, answers))

    summary = autograde_class(course, assignment, jobs=1, progress=False)
    assert summary.graded == 1 and not summary.failed

    done = nbgrader(course, "generate_feedback", assignment, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    html = (course / "feedback" / "carla" / assignment / f"{assignment}.html").read_text()
    assert "nothing flows back from the next step" in html
    assert "Score: 25.0 / 30.0" in html

    done = nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    assert done.returncode == 0, done.stderr[-3000:]
    csv = (tmp_path / "grades.csv").read_text()
    assert "carla" in csv and ",25.0," in csv
