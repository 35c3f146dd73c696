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

import contextlib
import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from rnnkit.grading import manifest as manifests
from rnnkit.grading.engine import grade_notebook
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.grading.results import GradeReport, write_json_atomically
from rnnkit.nb.submission import MAX_NOTEBOOK_BYTES
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
    submissions = list(find_submissions(course_dir, assignment))
    graded, unchanged, failed = 0, 0, []
    jobs = jobs or os.cpu_count() or 1
    context = multiprocessing.get_context("fork")
    with CourseGradebook(course_dir, reserved=[STATE_FILE]) as gradebook, \
            ProcessPoolExecutor(jobs, mp_context=context) as pool, \
            tqdm(total=len(submissions), unit="nb", disable=not progress or not submissions,
                 desc=f"autograde {assignment}") as bar:
        in_flight: dict[Future, tuple[str, Path, str]] = {}

        def record(done: Future) -> None:
            nonlocal graded
            student, notebook, digest = in_flight.pop(done)
            try:
                report = done.result()
                gradebook.record(student, notebook, report)
                _save_state(course_dir, student, report, digest)
                graded += 1
            except Exception as error:  # a grader fault for one student must not stop the class
                # Nothing is half written (both files are replaced atomically, the state file
                # last), so the next run grades this student again.
                failed.append(clean(f"{student}: {type(error).__name__}: {error}", 2000,
                                    one_line=True))
            bar.update(1)

        for student, notebook in submissions:
            # Each notebook is read once, here: its bytes give the digest and go to a worker.
            # A few per worker are in flight at a time, so memory does not grow with the class.
            data = _read_submitted(notebook)
            digest = _digest(notebook, data)
            if not force and _graded_digest(course_dir, student, assignment) == digest:
                unchanged += 1
                bar.update(1)
                continue
            future = pool.submit(grade_notebook, notebook if data is None else data, assignment,
                                 insecure=insecure, limits=limits)
            in_flight[future] = (student, notebook, digest)
            while len(in_flight) >= 2 * jobs:
                record(next(as_completed(in_flight)))
        for done in as_completed(list(in_flight)):
            record(done)
    return ClassSummary(graded, unchanged, failed)


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


def _read_submitted(notebook: Path) -> bytes | None:
    """The notebook's bytes; None when it is too large to grade (then the worker, given its
    path, says so without reading it)."""
    try:
        if notebook.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        return notebook.read_bytes()
    except OSError:
        return None  # the worker, given the path, reports why it cannot be read


def _digest(notebook: Path, data: bytes | None) -> str:
    """What a grade depends on: the notebook (``data``, its bytes, or read in chunks when None)
    and its folder's timestamp.txt, if any (the same notebook submitted again later may be
    late; nbgrader grades a newer timestamp again too)."""
    content = hashlib.sha256()
    if data is not None:
        content.update(data)
    else:
        with contextlib.suppress(OSError), notebook.open("rb") as stream:
            for chunk in iter(lambda: stream.read(2**20), b""):
                content.update(chunk)
    stamp = notebook.parent / "timestamp.txt"
    timestamp = stamp.read_bytes() if stamp.is_file() else b""
    return hashlib.sha256(content.digest() + hashlib.sha256(timestamp).digest()).hexdigest()


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
