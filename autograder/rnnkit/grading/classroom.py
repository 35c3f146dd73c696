"""Grade a whole class: every ``submitted/<student>/<assignment>/<assignment>.ipynb``, in
parallel, resumably, with a progress bar, into nbgrader's gradebook.

- Workers: one process per core by default, or the workers of a dask.distributed cluster
  (``scheduler``; see :mod:`rnnkit.grading.cluster`); each submission gets its own sandbox.
- Idempotent: a submission whose bytes (and timestamp.txt) have not changed since it was last
  graded is skipped (``force`` grades everything again). When nothing changed, nothing else
  happens: no worker, gradebook, manifest or hidden suite is loaded.
- One bad submission never stops the batch; submitted files are only read, each once (its
  bytes give the digest and go to the worker).
- Workers return small reports; the parent alone writes results and the gradebook, a batch of
  records per transaction (rnnkit.grading.gradebook), so its memory does not grow with the
  class. A student's state file, which says they were graded, is written only after their
  grades are committed: a run stopped at any point, or a batch that could not be stored, only
  leaves students to be graded again on the next run.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqdm import tqdm

from rnnkit.i18n import chosen_language, speaking
from rnnkit.kit.untrusted import clean
from rnnkit.nb.submission import MAX_NOTEBOOK_BYTES

if TYPE_CHECKING:
    from rnnkit.grading.gradebook import CourseGradebook
    from rnnkit.grading.results import GradeReport
    from rnnkit.sandbox import Limits

STATE_FILE = "rnnkit-results.json"
COMMIT_EVERY = 50  # records per gradebook transaction ...
COMMIT_SECONDS = 2.0  # ... or fewer, when this long has passed since the last commit


@dataclass(frozen=True)
class ClassSummary:
    """What a class run did: graded now, skipped as unchanged, and the students who failed
    (one line each: who and why; they are graded again on the next run)."""

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
                    limits: Limits | None = None, scheduler: str | None = None) -> ClassSummary:
    """Grade every new or changed submission of ``assignment`` under ``course_dir``.

    Inputs:
    - jobs: local worker processes (default: one per core); not used with ``scheduler``
    - force: grade unchanged submissions again
    - insecure: run student code without isolation where there is no sandbox
    - progress: show a progress bar (stderr)
    - limits: the sandbox's limits for each submission (default :class:`Limits`)
    - scheduler: the address of a dask.distributed scheduler (``tcp://host:8786``) whose
      workers grade instead of local processes

    Returns a :class:`ClassSummary`. Raises ValueError or RuntimeError only when the kit, the
    course or the cluster is unusable; a submission's problems are its own results.
    """
    course_dir = Path(course_dir)
    submissions = list(find_submissions(course_dir, assignment))
    run = _ClassRun(course_dir, assignment,
                    WorkerSettings(jobs, insecure, limits, scheduler, chosen_language()))
    with tqdm(total=len(submissions), unit="nb", disable=not progress or not submissions,
              desc=f"autograde {assignment}") as bar, run:
        run.bar = bar
        for student, notebook in submissions:
            data = _read_submitted(notebook)
            digest = _digest(notebook, data)
            if not force and _graded_digest(course_dir, student, assignment) == digest:
                run.unchanged += 1
                bar.update(1)
                continue
            run.grade(student, notebook, data, digest)
        run.finish()
    return ClassSummary(run.graded, run.unchanged, run.failed)


def grade_submitted(source: Path | bytes, assignment: str, language: str | None,
                    insecure: bool, limits: Limits | None) -> GradeReport:
    """What a worker does for one submission: ``grade_notebook`` in the language the run was
    asked for (``language``; None: each notebook's own), so that a worker on another machine
    speaks as the command that started the run."""
    from rnnkit.grading.engine import grade_notebook

    with speaking(language):
        return grade_notebook(source, assignment, insecure=insecure, limits=limits)


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


@dataclass(frozen=True)
class WorkerSettings:
    """How a class run grades: ``jobs`` local processes or the workers of the Dask
    ``scheduler``; each submission with ``insecure`` and ``limits`` as grade_notebook takes
    them, in ``language`` (see :func:`grade_submitted`)."""

    jobs: int | None
    insecure: bool
    limits: Limits | None
    scheduler: str | None
    language: str | None


class _Workers(Protocol):
    """Where submissions are graded: local processes (:class:`_LocalWorkers`) or a Dask
    cluster (rnnkit.grading.cluster.DaskWorkers)."""

    capacity: int  # submissions in flight at once, so that memory does not grow with the class

    def submit(self, source: Path | bytes, assignment: str) -> Any: ...

    def wait_any(self, futures: Collection[Any]) -> Collection[Any]: ...

    def close(self) -> None: ...


class _LocalWorkers:
    """Worker processes forked from this one, so each starts with what the parent loaded (the
    manifest and the collected hidden suite)."""

    def __init__(self, settings: WorkerSettings) -> None:
        jobs = settings.jobs or os.cpu_count() or 1
        self.settings = settings
        self.capacity = 2 * jobs
        self.pool = concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"))

    def submit(self, source: Path | bytes, assignment: str) -> concurrent.futures.Future:
        s = self.settings
        return self.pool.submit(grade_submitted, source, assignment, s.language, s.insecure,
                                s.limits)

    def wait_any(self, futures: Collection[Any]) -> Collection[Any]:
        done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
        return done

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _ClassRun:
    """The grading half of a class run: started at the first submission that needs grading,
    so that a run with nothing to do loads nothing."""

    def __init__(self, course_dir: Path, assignment: str, settings: WorkerSettings) -> None:
        self.course_dir = course_dir
        self.assignment = assignment
        self.settings = settings
        self.bar: tqdm | None = None
        self.graded, self.unchanged, self.failed = 0, 0, []
        self.workers: _Workers | None = None
        self.gradebook: CourseGradebook | None = None
        self.in_flight: dict[Any, tuple[str, Path, str]] = {}  # future -> student, path, digest
        self.uncommitted: list[tuple[str, GradeReport, str]] = []  # recorded, not committed
        self.committed_at = time.monotonic()

    def __enter__(self) -> _ClassRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self.workers is not None:
                self.workers.close()
                gc.unfreeze()  # the caller's objects are the collector's again (see _start)
        finally:
            if self.gradebook is not None:
                self.gradebook.__exit__(*exc)  # after an error: rolls back the uncommitted

    def grade(self, student: str, notebook: Path, data: bytes | None, digest: str) -> None:
        """Send one submission (its bytes; its path when too large to read) to a worker."""
        if self.workers is None:
            self._start()
        future = self.workers.submit(notebook if data is None else data, self.assignment)
        self.in_flight[future] = (student, notebook, digest)
        while len(self.in_flight) >= self.workers.capacity:
            self._record_finished()

    def finish(self) -> None:
        """Record what is still in flight and commit the last batch."""
        while self.in_flight:
            self._record_finished()
        if self.uncommitted:
            self._commit()

    def _start(self) -> None:
        from rnnkit.grading import manifest as manifests
        from rnnkit.grading.gradebook import CourseGradebook

        # Fail fast on a broken kit, and let forked workers inherit the manifest and the
        # collected hidden suite.
        manifests.load(self.assignment)
        self.gradebook = CourseGradebook(self.course_dir, reserved=[STATE_FILE])
        if self.settings.scheduler is None:
            # What is loaded now lives as long as the run: the garbage collector of the parent
            # and of each forked worker need not walk it again and again (a few ms a
            # submission), and the workers' pages that hold it stay shared with the parent's.
            gc.collect()
            gc.freeze()
            self.workers = _LocalWorkers(self.settings)
        else:
            from rnnkit.grading.cluster import DaskWorkers

            self.workers = DaskWorkers(self.settings)

    def _record_finished(self) -> None:
        for done in self.workers.wait_any(list(self.in_flight)):
            student, notebook, digest = self.in_flight.pop(done)
            try:
                report = done.result()
                self.gradebook.record(student, notebook, report)
            except Exception as error:  # a grader fault for one student must not stop the class
                self._failed(student, error)
            else:
                self.uncommitted.append((student, report, digest))
                if (len(self.uncommitted) >= COMMIT_EVERY
                        or time.monotonic() - self.committed_at >= COMMIT_SECONDS):
                    self._commit()
            self.bar.update(1)

    def _commit(self) -> None:
        """Commit the batch, then write its students' state files (the state file last: a
        student without one is graded again next time)."""
        batch, self.uncommitted = self.uncommitted, []
        self.committed_at = time.monotonic()
        try:
            self.gradebook.commit()
        except Exception as error:
            for student, _, _ in batch:
                self._failed(student, error)
            return
        for student, report, digest in batch:
            try:
                _save_state(self.course_dir, student, report, digest)
            except Exception as error:
                self._failed(student, error)
            else:
                self.graded += 1

    def _failed(self, student: str, error: Exception) -> None:
        self.failed.append(clean(f"{student}: {type(error).__name__}: {error}", 2000,
                                 one_line=True))


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
    from rnnkit.grading.results import write_json_atomically

    write_json_atomically(_state_path(course_dir, student, report.assignment),
                          {"sha256": digest, **report.to_results_json()})
