"""What the fast paths leave out, counted rather than timed (README, "Speed"):

- grading one notebook imports neither nbformat (and its schema validator) nor nbgrader;
- a process collects a hidden suite once, however many students it grades, and a class run
  collects it at most once per process (workers forked after the parent loaded the manifest
  collect nothing);
- running a collected suite again gives each student what a fresh run gives (nothing carries
  over from one student to the next);
- a class run with nothing to do loads no grader, gradebook or hidden suite and leaves the
  gradebook as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnkit.grading import classroom, suite
from rnnkit.grading import manifest as manifests
from rnnkit.grading.classroom import autograde_class
from rnnkit.grading.student import NamespaceStudent
from rnnkit.kit.course import release
from rnnkit.kit.paths import KIT_ROOT, SOURCE
from rnnkit.nb.fill import answers_for_functions, fill_release, source_answers

ASSIGNMENT = "rnn"
RELEASE = KIT_ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
# rnn_forward that ignores h0: loses the forward's points.
IGNORES_H0 = '''def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = np.zeros((H, N))
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches
'''
# Modules a grading path must not need: nbformat's validator builds a grammar at import
# (jsonschema -> rfc3987_syntax), nbgrader's preprocessors pull in the server and database.
HEAVY = ("nbformat", "jsonschema", "rfc3987_syntax", "nbgrader", "sqlalchemy", "torch")


def full_marks() -> float:
    """What a perfect notebook of ASSIGNMENT earns."""
    return sum(t.points for t in suite.plan(ASSIGNMENT))


def make_course(course: Path) -> Path:
    """A course with the rnn release (its gradebook knows the assignment), in ``course``."""
    course.mkdir(parents=True)
    (course / "source").symlink_to(SOURCE, target_is_directory=True)
    shutil.copy(KIT_ROOT / "nbgrader_config.py", course)
    with contextlib.redirect_stdout(io.StringIO()):
        release(ASSIGNMENT, course, "en")
    return course


def class_notebooks(size: int) -> dict[str, str]:
    """student -> notebook text: perfect, one mistake and blank, in turn."""
    perfect = fill_release(RELEASE, source_answers(ASSIGNMENT, "en"))
    mistake = fill_release(RELEASE, {**source_answers(ASSIGNMENT, "en"),
                                     **answers_for_functions({"rnn_forward": IGNORES_H0})})
    kinds = [nbformat.writes(perfect), nbformat.writes(mistake), RELEASE.read_text("utf-8")]
    return {f"s{number:02d}": kinds[number % 3] for number in range(size)}


def submit_class(course: Path, notebooks: dict[str, str]) -> None:
    for student, text in notebooks.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(text, encoding="utf-8")


def run_python(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter (args in sys.argv[1:]); the JSON it prints last."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=600, cwd=KIT_ROOT, env={**os.environ, "RNNKIT_LANG": "en"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_grading_one_notebook_imports_neither_nbformat_nor_nbgrader(tmp_path):
    notebook = tmp_path / "rnn.ipynb"
    notebook.write_text(class_notebooks(1)["s00"], encoding="utf-8")
    seen = run_python(
        "import json, sys\n"
        "from rnnkit.cli import main\n"
        "code = main(['grade', sys.argv[1], '--assignment', 'rnn', '--insecure'])\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n", str(notebook))
    assert seen["code"] == 0
    loaded = [name for name in seen["modules"] if name.split(".")[0] in HEAVY]
    assert loaded == []


def test_the_language_step_is_built_only_when_nbgrader_asks_for_it():
    seen = run_python(
        "import json, sys\n"
        "import rnnkit.nb.language as language\n"
        "before = sorted(m for m in sys.modules if m.split('.')[0] in ('nbformat', 'nbgrader'))\n"
        "from nbgrader.preprocessors import NbGraderPreprocessor\n"
        "step = language.SelectLanguage(language='en')\n"
        "print(json.dumps({'before': before, 'step': isinstance(step, NbGraderPreprocessor),\n"
        "                  'lang': step.language, 'same': language.SelectLanguage is\n"
        "                  type(step), 'name': type(step).__name__}))\n")
    assert seen == {"before": [], "step": True, "lang": "en", "same": True,
                    "name": "SelectLanguage"}


def test_one_process_collects_a_hidden_suite_once_for_many_notebooks(tmp_path):
    notebooks = class_notebooks(3)
    paths = []
    for student, text in notebooks.items():
        paths.append(tmp_path / f"{student}.ipynb")
        paths[-1].write_text(text, encoding="utf-8")
    seen = run_python(
        "import json, sys\n"
        "from rnnkit.grading import suite\n"
        "from rnnkit.grading.engine import grade_notebook\n"
        "from rnnkit.grading.student import NamespaceStudent\n"
        "scores = [grade_notebook(open(p, 'rb').read(), 'rnn', insecure=True).score\n"
        "          for p in sys.argv[1:]]\n"
        "suite.run('rnn', NamespaceStudent({}))\n"
        "print(json.dumps({'scores': scores, 'collections': suite.collection_count()}))\n",
        *map(str, paths))
    full = full_marks()
    assert seen["scores"][0] == full and seen["scores"][1] < full and seen["scores"][2] == 0
    assert seen["collections"] == 1


def test_a_collected_suite_grades_each_student_as_a_fresh_run_would():
    answers = {"perfect": source_answers(ASSIGNMENT, "en"),
               "mistake": {**source_answers(ASSIGNMENT, "en"),
                           **answers_for_functions({"rnn_forward": IGNORES_H0})}}

    def student(kind: str) -> NamespaceStudent:  # the notebook's cells run in one namespace
        manifest, namespace = manifests.load(ASSIGNMENT), {}
        for _, code in manifest.setup_cells:
            exec(code, namespace)
        for grade_id in manifest.answer_ids:
            exec(answers[kind][grade_id], namespace)
        return NamespaceStudent(namespace)

    first = suite.run(ASSIGNMENT, student("perfect"))
    mistake = suite.run(ASSIGNMENT, student("mistake"))
    again = suite.run(ASSIGNMENT, student("perfect"))
    only_forward = suite.run(ASSIGNMENT, student("mistake"), ["rnn_forward"])
    assert first == again and sum(r.earned for r in first) == full_marks()
    assert sum(r.earned for r in mistake) < full_marks()
    assert only_forward == [r for r in mistake if r.function == "rnn_forward"]
    assert [r.name for r in first] == [t.name for t in suite.plan(ASSIGNMENT)]


@pytest.mark.slow
def test_a_class_run_collects_each_hidden_suite_at_most_once_per_process(tmp_path,
                                                                         monkeypatch):
    course = make_course(tmp_path / "course")
    submit_class(course, class_notebooks(6))
    log = tmp_path / "collections.log"
    collect = suite._CollectedSuite.__init__

    def logged(self: suite._CollectedSuite, assignment: str) -> None:
        collect(self, assignment)
        with open(log, "a", encoding="utf-8") as out:  # forked workers write here too
            out.write(f"{os.getpid()} {assignment}\n")

    monkeypatch.setattr(suite._CollectedSuite, "__init__", logged)
    monkeypatch.setattr(suite, "_sessions", suite._Sessions())  # this process forgets its own

    summary = autograde_class(course, ASSIGNMENT, jobs=2, progress=False, insecure=True)

    assert (summary.graded, summary.failed) == (6, [])
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert len(lines) == len(set(lines)), f"a process collected twice: {lines}"
    assert 1 <= len(lines) <= 1 + 2  # the parent and two workers at most, for 6 submissions


@pytest.mark.slow
def test_a_class_run_with_nothing_to_do_loads_nothing_and_writes_nothing(tmp_path):
    course = make_course(tmp_path / "course")
    submit_class(course, class_notebooks(4))
    assert autograde_class(course, ASSIGNMENT, jobs=2, progress=False,
                           insecure=True).graded == 4
    database = course / "gradebook.db"
    before = hashlib.sha256(database.read_bytes()).hexdigest(), database.stat().st_mtime_ns

    seen = run_python(
        "import json, sys\n"
        "from rnnkit.cli import main\n"
        "code = main(['autograde', 'rnn', '--course-dir', sys.argv[1], '--insecure'])\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n", str(course))

    assert seen["code"] == 0
    unneeded = ("rnnkit.grading.engine", "rnnkit.grading.gradebook", "rnnkit.grading.manifest",
                "rnnkit.grading.suite", "rnnkit.grading.cluster", "pytest", "distributed")
    loaded = [name for name in seen["modules"]
              if name.split(".")[0] in HEAVY or name in unneeded]
    assert loaded == []
    assert (hashlib.sha256(database.read_bytes()).hexdigest(),
            database.stat().st_mtime_ns) == before
    assert classroom.first_problem(course, ASSIGNMENT, "s01")  # the results are still there
