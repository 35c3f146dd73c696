"""`rnnkit gradescope`: the autograder zip, unzipped into a simulated /autograder tree under a
temporary folder and run as Gradescope runs it (run_autograder, with this virtualenv's Python
instead of the one setup.sh installs) on a perfect, a mistaken and a hostile submission.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from outputs_class import IGNORES_H0

from rnnkit import assignments
from rnnkit.cli import main
from rnnkit.grading import manifest
from rnnkit.kit.paths import KIT_ROOT, RELEASES
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers, source_answers

ASSIGNMENT = "rnn"
RELEASE = RELEASES / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
GRADESCOPE_FIELDS = {"score", "execution_time", "output", "output_format", "visibility",
                     "stdout_visibility", "tests"}
TEST_FIELDS = {"name", "score", "max_score", "output", "output_format", "visibility"}
HIDDEN_SUITE = next(assignments.get(ASSIGNMENT).hidden_suite.glob("test_*.py"))

# Tries what a student on Gradescope could: forge the results, read the hidden tests, reach
# the network, claim a score; and answers rnn_cell_forward with a constant.
HOSTILE = '''import json, os, socket
ROOT = {root!r}
try:
    os.makedirs(ROOT + "/results", exist_ok=True)
    with open(ROOT + "/results/results.json", "w") as forged:
        json.dump({{"score": 1000, "tests": []}}, forged)
except Exception as error:
    print("forging failed:", type(error).__name__)
try:
    print(open({hidden!r}).read())
except Exception as error:
    print("reading failed:", type(error).__name__)
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
    print("NETWORK REACHED")
except Exception as error:
    print("network failed:", type(error).__name__)
print('{{"score": 1000}}')

def rnn_cell_forward(x_t, h_prev, params):
    return np.zeros_like(h_prev), None
'''


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`rnnkit gradescope` run in an English course (its nbgrader_config.py alone)."""
    root = tmp_path_factory.mktemp("gradescope")
    course = root / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "from rnnkit.kit.course import configure\n"
        "configure(get_config(), course_id='c', language='en')  # noqa: F821\n")
    out = root / "autograder.zip"
    assert main(["gradescope", ASSIGNMENT, "--out", str(out), "--course-dir", str(course)]) == 0
    return out


def gradescope_tree(autograder_zip: Path, root: Path) -> Path:
    """/autograder as Gradescope lays it out: the zip in source/, run_autograder beside it."""
    tree = root / "autograder"
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tree / "source")
    shutil.copy(tree / "source" / "run_autograder", tree / "run_autograder")
    (tree / "run_autograder").chmod(0o755)
    (tree / "submission").mkdir()
    (tree / "results").mkdir()
    return tree


def run_autograder(tree: Path) -> tuple[dict, subprocess.CompletedProcess]:
    """Run the tree's run_autograder as Gradescope would; its results.json and the process."""
    env = {**os.environ, "RNNKIT_GRADESCOPE_ROOT": str(tree),
           "RNNKIT_GRADESCOPE_PYTHON": sys.executable, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([str(tree / "run_autograder")], cwd=tree, env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads((tree / "results" / "results.json").read_text(encoding="utf-8")), done


def submit(tree: Path, notebook: nbformat.NotebookNode, name: str = "rnn.ipynb") -> None:
    nbformat.write(notebook, tree / "submission" / name)


def test_the_zip_carries_the_scripts_the_settings_and_the_grading_kit(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        settings = json.loads(archive.read("rnnkit-gradescope.json"))
        lock = archive.read("kit/requirements.lock").decode()
        setup = archive.read("setup.sh").decode()
    assert settings == {"assignment": ASSIGNMENT, "language": "en", "insecure": False}
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & stat.S_IXUSR, f"{script} is not executable"
    kit = {path.relative_to(KIT_ROOT).as_posix() for path in
           (HIDDEN_SUITE, KIT_ROOT / "solutions" / "rnn.py", KIT_ROOT / "source" / "rnn" /
            "rnn.ipynb", KIT_ROOT / "autograder" / "rnnkit" / "grading" / "engine.py")}
    assert {f"kit/{path}" for path in kit} <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert lock == (KIT_ROOT / "requirements.lock").read_text()
    assert "bubblewrap" in setup and "requirements.lock" in setup
    for script in ("setup.sh", "run_autograder"):  # both parse as bash
        with zipfile.ZipFile(autograder_zip) as archive:
            text = archive.read(script).decode()
        assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0, script


def test_a_perfect_a_mistaken_and_a_hostile_submission(autograder_zip, tmp_path):
    top = manifest.load(ASSIGNMENT).max_score
    perfect_tree = gradescope_tree(autograder_zip, tmp_path / "perfect")
    submit(perfect_tree, fill_release(RELEASE, source_answers(ASSIGNMENT, "en")))
    perfect, done = run_autograder(perfect_tree)
    assert GRADESCOPE_FIELDS <= set(perfect) and perfect["stdout_visibility"] == "hidden"
    assert all(TEST_FIELDS <= set(test) for test in perfect["tests"])
    assert perfect["score"] == top == sum(test["max_score"] for test in perfect["tests"])
    # The grading ran with the zip's kit, not the checkout's.
    assert f"(kit: {perfect_tree / 'source' / 'kit'};" in done.stdout

    mistaken_tree = gradescope_tree(autograder_zip, tmp_path / "mistaken")
    submit(mistaken_tree, fill_release(RELEASE, {
        **reference_answers(ASSIGNMENT), **answers_for_functions({"rnn_forward": IGNORES_H0})}))
    mistaken, _ = run_autograder(mistaken_tree)
    failed = [test for test in mistaken["tests"] if test["score"] < test["max_score"]]
    assert 0 < mistaken["score"] < top
    assert failed and all(test["name"].startswith("rnn_forward: ") for test in failed)
    assert any("ignores h0" in test["output"] for test in failed)  # in English, the course's

    hostile_tree = gradescope_tree(autograder_zip, tmp_path / "hostile")
    hidden_copy = hostile_tree / "source" / "kit" / HIDDEN_SUITE.relative_to(KIT_ROOT)
    submit(hostile_tree, fill_release(RELEASE, {**reference_answers(ASSIGNMENT), **{
        "answer_rnn_cell_forward": HOSTILE.format(root=str(hostile_tree),
                                                  hidden=str(hidden_copy))}}))
    hostile, _ = run_autograder(hostile_tree)
    assert hostile["score"] < top and "execution_time" in hostile  # the grader's own file
    assert "reading failed" in hostile["output"] and "def test_" not in hostile["output"]
    assert "NETWORK REACHED" not in hostile["output"]
    assert not any(test["score"] > 0 for test in hostile["tests"]
                   if test["name"].startswith("rnn_cell_forward: test_cell_forward_h_next"))


def test_the_notebook_is_found_or_the_student_is_told_why_not(autograder_zip, tmp_path):
    tree = gradescope_tree(autograder_zip, tmp_path)
    empty, _ = run_autograder(tree)
    assert empty["score"] == 0 and empty["tests"] == []
    assert empty["output"] == "Your submission has no notebook: upload rnn.ipynb."

    (tree / "submission" / "rnn.ipynb").symlink_to(RELEASE)  # links are never followed
    linked, _ = run_autograder(tree)
    assert linked["output"] == empty["output"]

    (tree / "submission" / "rnn.ipynb").unlink()
    submit(tree, fill_release(RELEASE, source_answers(ASSIGNMENT, "en")), "my work.ipynb")
    renamed, _ = run_autograder(tree)
    assert renamed["score"] == manifest.load(ASSIGNMENT).max_score
    assert renamed["output"].startswith("Graded my work.ipynb, the only notebook")
