"""Grade a whole class: every ``submitted/<student>/<assignment>/<assignment>.ipynb``, in
parallel, resumably, with a progress bar, into nbgrader's gradebook.

- One worker process per core by default; each submission gets its own sandbox.
- Idempotent: a submission whose bytes have not changed since it was last graded is skipped
  (``force`` grades everything again).
- One bad submission never stops the batch; submitted files are only read.
- Workers return small reports; the parent alone writes results and the gradebook, one
  submission at a time, so the parent's memory does not grow with the class.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from rnnkit.grading import manifest as manifests
from rnnkit.grading.engine import grade_notebook
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.grading.results import GradeReport, write_json_atomically
from rnnkit.nb.submission import read_submission
from rnnkit.sandbox import Limits
from rnnkit.untrusted import clean

STATE_FILE = "rnnkit-results.json"


@dataclass(frozen=True)
class ClassSummary:
    """What a class run did: graded now, skipped as unchanged, and the students graded."""

    graded: int
    unchanged: int
    failed: list[str]


def find_submissions(course_dir: Path, assignment: str) -> Iterator[tuple[str, Path]]:
    """(student, notebook path) for each submission of ``assignment``, sorted by student."""
    submitted = Path(course_dir) / "submitted"
    for student_dir in sorted(p for p in submitted.glob("*") if p.is_dir()):
        notebook = student_dir / assignment / f"{assignment}.ipynb"
        if notebook.is_file():
            yield student_dir.name, notebook


def autograde_class(course_dir: Path, assignment: str, *, jobs: int | None = None,
                    force: bool = False, insecure: bool = False, progress: bool = True,
                    limits: Limits | None = None) -> ClassSummary:
    """Grade every new or changed submission of ``assignment`` under ``course_dir``
    (``limits``: the sandbox's limits for each submission, default :class:`Limits`)."""
    course_dir = Path(course_dir)
    manifests.load(assignment)  # fail fast on a broken kit, and let forked workers inherit it
    todo, unchanged = [], 0
    for student, notebook in find_submissions(course_dir, assignment):
        digest = _digest(notebook)
        if not force and _graded_digest(course_dir, student, assignment) == digest:
            unchanged += 1
        else:
            todo.append((student, notebook, digest))
    failed: list[str] = []
    jobs = jobs or os.cpu_count() or 1
    context = multiprocessing.get_context("fork")
    with CourseGradebook(course_dir, reserved=[STATE_FILE]) as gradebook, \
            ProcessPoolExecutor(jobs, mp_context=context) as pool, \
            tqdm(total=len(todo), unit="nb", disable=not progress or not todo,
                 desc=f"autograde {assignment}") as bar:
        futures = {pool.submit(_grade_one, str(nb), assignment, insecure, limits):
                   (student, nb, digest)
                   for student, nb, digest in todo}
        for future in as_completed(futures):
            student, notebook, digest = futures.pop(future)
            try:
                report, answers = future.result()
                gradebook.record(student, notebook, report, answers)
                _save_state(course_dir, student, report, digest)
            except Exception as error:  # a grader fault for one student must not stop the class
                # Nothing is half written (both files are replaced atomically, the state file
                # last), so the next run grades this student again.
                failed.append(clean(f"{student}: {type(error).__name__}: {error}", 2000,
                                    one_line=True))
            bar.update(1)
    return ClassSummary(len(todo) - len(failed), unchanged, failed)


def first_problem(course_dir: Path, assignment: str, student: str) -> str:
    """The first thing rnnkit told this student (a note or a failed test), on one line."""
    try:
        results = json.loads(_state_path(course_dir, student, assignment).read_text("utf-8"))
    except (OSError, ValueError):
        return ""
    told = results["output"].splitlines() + [
        f"{t['name'].split(':')[0]}: {t['output']}" for t in results["tests"]
        if t["status"] == "failed"]
    return told[0].splitlines()[0] if told else ""


def _grade_one(notebook: str, assignment: str, insecure: bool,
               limits: Limits | None) -> tuple[GradeReport, dict[str, str]]:
    """In a worker: the report, and the answers the autograded notebook will show."""
    report = grade_notebook(Path(notebook), assignment, insecure=insecure, limits=limits)
    answers = read_submission(Path(notebook), manifests.load(assignment).answer_ids).answers
    return report, answers


def _digest(notebook: Path) -> str:
    """What a grade depends on: the notebook and its folder's timestamp.txt, if any (the same
    notebook submitted again later may be late; nbgrader grades a newer timestamp again too)."""
    stamp = notebook.parent / "timestamp.txt"
    parts = [notebook.read_bytes(), stamp.read_bytes() if stamp.is_file() else b""]
    return hashlib.sha256(b"".join(hashlib.sha256(part).digest() for part in parts)).hexdigest()


def _state_path(course_dir: Path, student: str, assignment: str) -> Path:
    return course_dir / "autograded" / student / assignment / STATE_FILE


def _graded_digest(course_dir: Path, student: str, assignment: str) -> str | None:
    try:
        return json.loads(_state_path(course_dir, student, assignment).read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_state(course_dir: Path, student: str, report: GradeReport, digest: str) -> None:
    write_json_atomically(_state_path(course_dir, student, report.assignment),
                          {"sha256": digest, **report.to_results_json()})
