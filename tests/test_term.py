"""The README's "A term in ten commands", run as written on a temporary course.

The commands are read from the README's two ``sh`` blocks of that section, so the README and
this test cannot drift: change a command there and this test runs the changed one. They run
for real (subprocess, ``rnnkit`` and ``nbgrader`` found on PATH) on a machine of their own: a
temporary exchange, a shared Jupyter config folder (as /etc/jupyter would be) that sets the
exchange, its time zone and nbgrader's 'zero' late penalty, and one HOME per person, so each
student's nbgrader cache is their own, as on a JupyterHub.

Five students: ana (the source's solutions), beto (a catalogued mistake), carla (25 s late),
dani (a helper function in a cell she added, used by an answer) go through the exchange; eva
comes from a Canvas zip. The course is copied after collection and graded there by plain
``nbgrader autograde``; the gradebook, autograded/ and the export must be the same as after
the README's ``rnnkit autograde``. Feedback must reach each exchange student through
``nbgrader fetch_feedback``. The kit's checkout must be left as it was.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from conftest import HAND_WRITTEN, NOT_WRITTEN_BY_TESTS
from nbgrader.api import Gradebook
from nbgrader.exchange.default import Exchange
from test_gradebook_fidelity import ASSIGNMENT, autograded_files, recorded

from rnnkit.cells import ANSWER_PREFIX
from rnnkit.grading.classroom import STATE_FILE
from rnnkit.grading.gradebook import course_config
from rnnkit.kit.paths import KIT_ROOT
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers, source_answers

pytestmark = pytest.mark.slow

SECTION = "A term in ten commands"
# The instructor's block, by each command's verb ("cd" moves into the course).
TERM = ["init", "cd", "db", "release_assignment", "collect", "collect-zip", "autograde",
        "gradebook", "generate_feedback", "release_feedback", "export"]
STUDENT_STEPS = ("fetch_assignment", "submit", "fetch_feedback")  # the students' block runs these
# Any one command: plain nbgrader autograde runs each notebook in a kernel (about 5 s per rnn
# student on a quiet machine, several times that on two loaded cores); this only stops a hang.
COMMAND_TIMEOUT = 900

EXCHANGE_STUDENTS = ("ana", "beto", "carla", "dani")
LATE = "carla"
SECONDS_AFTER_DUE = {"ana": -86400, "beto": -3600, "carla": 25, "dani": -60}
CANVAS_FILE = "garciaeva_4321_98765_rnn.ipynb"  # <login>_<user id>_<submission id>_<name>
CANVAS_STUDENT = "garciaeva_4321"  # collect-zip's id for it: <login>_<user id>
EVERYONE = {*EXCHANGE_STUDENTS, CANVAS_STUDENT}

SHARED_CONFIG = '''c = get_config()  # noqa: F821
c.Exchange.root = {exchange!r}
c.Exchange.timezone = "UTC"
c.LateSubmissionPlugin.penalty_method = "zero"
'''

# dani's notebook: a cell she added above the first answer, and an answer that uses it.
HELPER_CELL = '''def pre_activation(x_t, h_prev, params):
    """W_hh h_prev + W_xh x_t + b_h, for one step."""
    return params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
'''
CELL_FORWARD_WITH_HELPER = '''def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(pre_activation(x_t, h_prev, params))
    return h_next, (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])
'''


def readme_blocks() -> tuple[str, list[list[list[str]]]]:
    """The README section's text, and each ``sh`` block of it as a list of commands (argv);
    comments and blank lines are left out."""
    text = (KIT_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^### {re.escape(SECTION)}\n(.*?)(?=^##)", text, re.M | re.S)
    assert section, f"README.md has no section '### {SECTION}'"
    blocks = re.findall(r"^```sh\n(.*?)^```", section[1], re.M | re.S)
    return section[1], [[argv for line in block.splitlines()
                         if (argv := shlex.split(line, comments=True))] for block in blocks]


def verb(argv: list[str]) -> str:
    """``nbgrader collect rnn`` -> "collect"; ``cd ml-course`` -> "cd"."""
    return argv[1] if argv[0] in ("rnnkit", "nbgrader") and len(argv) > 1 else argv[0]


class Machine:
    """A temporary machine: the exchange, a Jupyter config folder everyone reads, and a home
    folder per person (their own nbgrader cache)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.exchange = root / "srv" / "exchange"  # made by nbgrader release_assignment
        self.config_dir = root / "etc" / "jupyter"
        self.config_dir.mkdir(parents=True)
        (self.config_dir / "nbgrader_config.py").write_text(
            SHARED_CONFIG.format(exchange=str(self.exchange)))

    def home(self, person: str) -> Path:
        home = self.root / "home" / person
        home.mkdir(parents=True, exist_ok=True)
        return home

    def env(self, person: str) -> dict[str, str]:
        """``person``'s environment: the kit's Python first on PATH (``rnnkit``, ``nbgrader``),
        no bytecode written (the package is installed from the checkout)."""
        home = self.home(person)
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
        return {**os.environ, "HOME": str(home), "PATH": path, "PYTHONDONTWRITEBYTECODE": "1",
                "JUPYTER_CONFIG_DIR": str(self.config_dir),
                "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter")}

    def run(self, argv: list[str], cwd: Path, person: str) -> subprocess.CompletedProcess:
        """Run one command as ``person`` in ``cwd``; it must succeed."""
        done = subprocess.run(argv, cwd=cwd, env=self.env(person), text=True,
                              capture_output=True, timeout=COMMAND_TIMEOUT)
        assert done.returncode == 0, (f"`{shlex.join(argv)}` failed in {cwd} "
                                      f"(exit {done.returncode}):\n{done.stdout[-2000:]}\n"
                                      f"{done.stderr[-4000:]}")
        return done


def as_student(argv: list[str], student: str) -> list[str]:
    """A student's command with their id: on a real machine nbgrader takes it from their
    username; here every student is this test's user."""
    return [*argv, "--student", student]


def mistake(slug: str) -> dict[str, str]:
    """The reference answers with one catalogued mistake swapped in."""
    entries = {e.slug: e for e in load_entries(KIT_ROOT / "tests" / "mistakes" / ASSIGNMENT)}
    return {**reference_answers(ASSIGNMENT),
            **answers_for_functions(entries[slug].code_by_function)}


def answered(release: Path, student: str) -> nbformat.NotebookNode:
    """``student``'s notebook: the release at ``release`` with their answers."""
    if student == "dani":
        nb = fill_release(release, {**reference_answers(ASSIGNMENT),
                                    f"{ANSWER_PREFIX}rnn_cell_forward": CELL_FORWARD_WITH_HELPER})
        first_answer = next(i for i, cell in enumerate(nb.cells) if cell.metadata.get(
            "nbgrader", {}).get("grade_id") == f"{ANSWER_PREFIX}rnn_cell_forward")
        nb.cells.insert(first_answer, nbformat.v4.new_code_cell(HELPER_CELL))
        return nb
    answers = {"ana": source_answers(ASSIGNMENT, "en"), "beto": mistake("no_flow_from_next_step"),
               "carla": reference_answers(ASSIGNMENT), "eva": mistake("bias_grad_not_summed")}
    return fill_release(release, answers[student])


def submit_through_exchange(machine: Machine, students: dict[str, list[str]]) -> None:
    """Each exchange student fetches the assignment, answers it and submits it."""
    for student in EXCHANGE_STUDENTS:
        home = machine.home(student)
        machine.run(as_student(students["fetch_assignment"], student), home, student)
        notebook = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        nbformat.write(answered(notebook, student), notebook)
        machine.run(as_student(students["submit"], student), home, student)


def set_submission_times(machine: Machine, course: Path) -> None:
    """Rewrite the timestamp.txt the exchange wrote for each submission to SECONDS_AFTER_DUE
    the course's due date (as nbgrader recorded it), whatever today's date is."""
    settings = course_config(course).coursedir
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        due = gradebook.find_assignment(ASSIGNMENT).duedate
    assert due is not None, "the README's term sets no due date"
    inbound = machine.exchange / settings.course_id / "inbound"
    submissions = sorted(inbound.iterdir())
    assert sorted(s.name.split("+")[0] for s in submissions) == sorted(EXCHANGE_STUDENTS)
    for submission in submissions:
        stamp = due + timedelta(seconds=SECONDS_AFTER_DUE[submission.name.split("+")[0]])
        (submission / "timestamp.txt").write_text(f"{stamp:%Y-%m-%d %H:%M:%S.%f} UTC")


def canvas_zip(path: Path, course: Path) -> None:
    """A Canvas download holding eva's notebook."""
    notebook = answered(course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "eva")
    with zipfile.ZipFile(path, "w") as download:
        download.writestr(CANVAS_FILE, nbformat.writes(notebook))


def grades_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as grades:
        return sorted(csv.DictReader(grades), key=lambda row: row["student_id"])


def new_in_checkout() -> set[str]:
    """Untracked and ignored paths of the kit's checkout that a test could have made: not
    bytecode or lint caches, not hand-written sources someone is adding."""
    done = subprocess.run(["git", "status", "--porcelain", "--ignored=matching", "-uall"],
                          cwd=KIT_ROOT, text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = set()
    for line in done.stdout.splitlines():
        status, path = line[:2], line[3:]
        if status not in ("??", "!!") or NOT_WRITTEN_BY_TESTS & set(path.strip("/").split("/")):
            continue
        if status == "??" and path.endswith(HAND_WRITTEN):
            continue
        found.add(path)
    return found


def test_a_term_in_ten_commands(tmp_path, monkeypatch):
    section, blocks = readme_blocks()
    assert len(blocks) == 2, f"the README's '{SECTION}' needs two sh blocks: instructor, students"
    term, student_block = blocks
    assert [verb(argv) for argv in term] == TERM, "the README's term changed: update TERM"
    students = {verb(argv): argv for argv in student_block}
    assert set(STUDENT_STEPS) <= set(students), f"the students' block lacks {STUDENT_STEPS}"
    default_root = Exchange.class_traits()["root"].default_value
    assert f"`{default_root}`" in section, "the README names another default Exchange.root"

    checkout_before = new_in_checkout()
    machine = Machine(tmp_path)
    for program in ("rnnkit", "nbgrader"):  # the kit's, whatever this shell's PATH holds
        found = shutil.which(program, path=machine.env("instructor")["PATH"])
        assert found and Path(found).parent == Path(sys.executable).parent, found
    # In this process too (course_config, the gradebook reads): the machine's Jupyter config.
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(machine.config_dir))
    where = course = machine.home("instructor")
    plain = PlainNbgrader(machine, tmp_path / "plain")
    try:
        for argv in term:
            step = verb(argv)
            if step == "cd":
                where = course = where / argv[1]
                continue
            if step == "collect":
                submit_through_exchange(machine, students)
                set_submission_times(machine, course)
            if step == "collect-zip":
                canvas_zip(where / argv[3], course)
            if step == "autograde":  # everything is collected: plain nbgrader grades a copy
                plain.start_grading(course)
            printed = machine.run(argv, where, "instructor").stdout
            if step == "collect-zip":
                assert CANVAS_STUDENT in printed, printed
            if step == "autograde":
                same_grades(course, plain.graded())
            if step == "gradebook":
                assert all(student in printed for student in EVERYONE), printed
            if step == "release_feedback":
                fetch_feedback(machine, students["fetch_feedback"], course)
            if step == "export":  # the same command, of plain nbgrader's grades
                machine.run(argv, plain.course, "instructor")
                same_export(course, plain.course)
    finally:
        plain.stop()

    assert new_in_checkout() - checkout_before == set(), (
        "the term wrote in the kit's checkout (if something else did meanwhile, run again)")


class PlainNbgrader:
    """A copy of the course graded by plain ``nbgrader autograde``, in the background while
    rnnkit grades the original."""

    def __init__(self, machine: Machine, folder: Path) -> None:
        self.machine, self.folder = machine, folder
        self.course = self.process = None

    def start_grading(self, course: Path) -> None:
        self.course = self.folder / course.name
        shutil.copytree(course, self.course, symlinks=True)
        with open(self.folder / "autograde.log", "w") as log:
            self.process = subprocess.Popen(
                ["nbgrader", "autograde", ASSIGNMENT], cwd=self.course,
                env=self.machine.env("instructor"), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def graded(self) -> Path:
        """Wait for the grading to end; the graded copy of the course."""
        self.process.wait(timeout=COMMAND_TIMEOUT)
        log = (self.folder / "autograde.log").read_text()
        assert self.process.returncode == 0, f"plain nbgrader autograde failed:\n{log[-4000:]}"
        return self.course

    def stop(self) -> None:
        """End the grading (its kernels too) if the test ended first."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def same_grades(course: Path, plain: Path) -> None:
    """rnnkit's gradebook and autograded/ are what plain nbgrader's are, student by student."""
    by_rnnkit, by_nbgrader = recorded(course), recorded(plain)
    assert set(by_rnnkit) == set(by_nbgrader) == EVERYONE
    assert by_nbgrader["dani"]["submission"]["score"] == 30.0
    assert by_rnnkit["dani"]["submission"]["score"] == 30.0, (
        "dani's helper function, defined in a cell she added, is not defined when rnnkit "
        "grades her answers")
    for student in sorted(EVERYONE):
        assert by_rnnkit[student] == by_nbgrader[student], student
    late = by_rnnkit[LATE]
    assert late["submission"]["total_seconds_late"] == pytest.approx(25)
    assert late["notebooks"][ASSIGNMENT]["late_submission_penalty"] == 30.0
    assert all(by_rnnkit[s]["submission"]["total_seconds_late"] == 0 for s in EVERYONE - {LATE})
    assert 0 < by_rnnkit["beto"]["submission"]["score"] < 30
    assert 0 < by_rnnkit[CANVAS_STUDENT]["submission"]["score"] < 30
    assert not any(g["needs_manual_grade"] for s in by_rnnkit.values()
                   for g in s["grades"].values())

    kit_files, plain_files = autograded_files(course), autograded_files(plain)
    for student in EVERYONE:  # rnnkit's own state file is the one extra
        assert kit_files.pop(f"{student}/{ASSIGNMENT}/{STATE_FILE}")
    assert kit_files == plain_files


def fetch_feedback(machine: Machine, command: list[str], course: Path) -> None:
    """Each exchange student fetches their feedback: one page, showing their score after
    any late penalty."""
    scores = {student: row["submission"]["score"] - (
        row["notebooks"][ASSIGNMENT]["late_submission_penalty"] or 0)
        for student, row in recorded(course).items()}
    for student in EXCHANGE_STUDENTS:
        home = machine.home(student)
        machine.run(as_student(command, student), home, student)
        pages = list((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, f"{student} fetched {pages}"
        assert f"Score: {scores[student]:.1f} / 30.0" in pages[0].read_text(), student


def same_export(course: Path, plain: Path) -> None:
    """The two courses' grades.csv are the same, late penalty included."""
    exported = grades_csv(course / "grades.csv")
    assert exported == grades_csv(plain / "grades.csv")
    rows = {row["student_id"]: row for row in exported if row["assignment"] == ASSIGNMENT}
    assert set(rows) == EVERYONE
    assert float(rows[LATE]["late_submission_penalty"]) == float(rows[LATE]["raw_score"]) > 0
