"""Record rnnkit's grades exactly where and as ``nbgrader autograde`` records its own, so
everything nbgrader does after grading works unchanged: the formgrader, ``nbgrader export``
(timestamps, late penalties), ``generate_feedback``, ``release_feedback``, ``fetch_feedback``.

For each graded submission, as nbgrader's autograde does: the submission's timestamp.txt sets
when it was submitted (so how late), its other files (timestamp.txt, submission_secret.txt...)
are copied to the autograded folder, and nbgrader's own SaveAutoGrades and AssignLatePenalties
record the scores, comments, ``needs_manual_grade`` and late penalty from the autograded notebook
(the instructor's release with the student's answers and, under each grading cell, the feedback
for that function and its points as nbgrader's partial-credit output). The course's settings
(course id, database, ignore patterns, late-penalty plugin) come from its nbgrader_config.py.
The notebook is written atomically, so a failure leaves the previous one (or none), never half
of one.

A class is recorded in batches, so that the cost of a record does not grow with the gradebook:
- one database session for the run, whose changes are committed a batch at a time
  (:meth:`CourseGradebook.commit`): nbgrader's own commits, one per cell, become flushes, and
  its preprocessors, which would open a gradebook of their own for every notebook, use the
  run's (see ``_lent_to_nbgrader``);
- indexes on the columns nbgrader's lookups join on (``ensure_indexes``), which nbgrader's
  schema lacks: without them finding one student's grade reads every student's;
- the release notebook read once per run.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import shutil
import sys
import warnings
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.api import BaseCell, Comment, Grade, Gradebook
from nbgrader.apps.baseapp import NbGrader
from nbgrader.converters import Autograde
from nbgrader.preprocessors import (
    AssignLatePenalties,
    SaveAutoGrades,
    latesubmissions,
    saveautogrades,
)
from nbgrader.utils import ignore_patterns
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SAWarning
from sqlalchemy.orm import scoped_session

from rnnkit.cells import TEST_PREFIX
from rnnkit.grading.results import GradeReport, format_tests, write_text_atomically
from rnnkit.kit.untrusted import clean_code
from rnnkit.nb.fill import fill_release


class CourseGradebook:
    """nbgrader's gradebook of one course directory, opened once for a whole class.

    Inputs:
    - course_dir: the nbgrader course directory (its nbgrader_config.py is read)
    - reserved: names of rnnkit's own files in each autograded folder; a submitted file of
      the same name is not copied there

    Records are stored in batches: :meth:`record` adds one to the batch, :meth:`commit` stores
    the batch (leaving the ``with`` block without an error commits what is left).
    """

    def __init__(self, course_dir: Path, reserved: Collection[str] = ()) -> None:
        self.course_dir = Path(course_dir)
        self._nbgrader = course_config(self.course_dir)
        self._reserved = set(reserved)
        coursedir = self._nbgrader.coursedir
        self._gradebook = Gradebook(coursedir.db_url, coursedir.course_id)
        ensure_indexes(self._gradebook.engine)
        self._session: scoped_session = self._gradebook.db
        self._deferred = _DeferredCommits(self._session)
        self._gradebook.db = self._deferred  # nbgrader's methods commit the batch only
        self._batch: list[_Record] = []
        self._broken: Exception | None = None  # why the batch can no longer be committed
        self._released: set[str] = set()
        self._releases: dict[str, _Release] = {}  # read once per run
        self._default_course_checked = False

    def __enter__(self) -> CourseGradebook:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None and (self._batch or self._broken):
                self.commit()
        finally:
            self._session.rollback()  # what was not committed is not kept
            self._gradebook.close()

    @property
    def pending(self) -> int:
        """How many records wait for :meth:`commit`."""
        return len(self._batch)

    def record(self, student: str, submitted: Path, report: GradeReport) -> None:
        """Fill a student's autograded folder as nbgrader would, and add their grades to the
        batch that the next :meth:`commit` stores.

        Inputs:
        - student: the student's id
        - submitted: their submitted notebook; the other files of its folder (timestamp.txt,
          submission_secret.txt, ...) are the rest of the submission
        - report: rnnkit's grades of that notebook, with the answers the autograded notebook
          shows

        Raises ValueError when the assignment was never released in this course directory, or
        when the submission's timestamp.txt is not a timestamp nbgrader can read. Whatever it
        raises, this student's grades are not in the batch, and the others' still are.
        """
        assignment = report.assignment
        folder = Path(submitted).parent
        self._check_released(assignment)
        timestamp = self._timestamp(folder)
        self._copy_other_files(folder, student, assignment)
        nb = self._write_autograded(student, report)
        entry = _Record(student, assignment, timestamp, nb)
        try:
            self._store(entry)
        except Exception:
            self._store_batch_again()  # the failed record's changes are rolled back
            raise
        self._batch.append(entry)

    def commit(self) -> None:
        """Store every record of the batch in one transaction. On failure none of them is
        stored (each student is graded again on the next run) and the error is raised."""
        batch, self._batch = self._batch, []
        broken, self._broken = self._broken, None
        try:
            if broken is not None:
                raise RuntimeError(f"the gradebook's batch of {len(batch)} records could not be "
                                   f"kept ({type(broken).__name__}: {broken})") from broken
            self._session.commit()
        except BaseException:
            self._rollback()
            raise

    def _store(self, entry: _Record) -> None:
        """Record one submission in the session, with nbgrader's own code, uncommitted."""
        if not self._default_course_checked:
            # nbgrader's preprocessors open Gradebook(db_url), whose course check adds the
            # row of nbgrader's default course; they use the run's gradebook (lent) instead.
            self._gradebook.check_course()
            self._default_course_checked = True
        self._deferred.rolled_back = False
        self._gradebook.update_or_create_student(entry.student)
        with warnings.catch_warnings():
            # nbgrader's own add_submission trips an autoflush warning of SQLAlchemy 2; the
            # rows it creates are complete (nbgrader autograde sees the same warning).
            warnings.simplefilter("ignore", SAWarning)
            # Like nbgrader: without a timestamp.txt an earlier recorded timestamp stays.
            self._gradebook.update_or_create_submission(
                entry.assignment, entry.student,
                **({"timestamp": entry.timestamp} if entry.timestamp else {}))
        self._save_autogrades(entry.nb, entry.student, entry.assignment)
        self._session.flush()
        if self._deferred.rolled_back:  # nbgrader rolled back after a database error
            raise RuntimeError(f"the gradebook refused the grades of {entry.student}")

    def _store_batch_again(self) -> None:
        """Roll back the session and record the batch again (after one record failed)."""
        self._rollback()
        try:
            for entry in self._batch:
                self._store(entry)
        except Exception as error:  # the batch cannot be kept: commit() will say so
            self._rollback()
            self._broken = error

    def _rollback(self) -> None:
        self._session.rollback()
        self._default_course_checked = False  # its row may have gone with the rest

    def _timestamp(self, folder: Path) -> datetime | None:
        """When the submission in ``folder`` was made (UTC), from its timestamp.txt as nbgrader
        reads it; None without one."""
        stamp = folder / "timestamp.txt"
        if stamp.is_symlink() or (stamp.exists() and not stamp.is_file()):  # a FIFO would hang
            raise ValueError(f"{stamp} is not a plain file: replace it by the timestamp itself")
        try:
            return self._nbgrader.coursedir.get_existing_timestamp(str(folder))
        except Exception as error:  # nbgrader's reader fails in several ways on a bad file
            raise ValueError(f"{stamp} is not a timestamp nbgrader can read "
                             f"({type(error).__name__}): write one like "
                             f"'2024-03-01 12:00:00.000000 UTC' or delete it") from error

    def _copy_other_files(self, folder: Path, student: str, assignment: str) -> None:
        """Refill the autograded folder as ``nbgrader autograde`` does besides the notebooks:
        empty it, copy every other file of the submission (timestamp.txt,
        submission_secret.txt, ...), then the source folder's own files over them (except
        those Autograde.exclude_overwriting names). Names matching CourseDirectory.ignore are
        skipped; so are symbolic links in the submission, which could point anywhere, and
        anything there that is not a plain file (a FIFO would block the copy)."""
        coursedir = self._nbgrader.coursedir
        out = self.course_dir / "autograded" / student / assignment
        notebook = f"{assignment}.ipynb"
        _empty_folder(out, keep={notebook, *self._reserved})
        ignore = [*coursedir.ignore, "*.ipynb", *self._reserved]
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        kept = Autograde(coursedir=coursedir, parent=self._nbgrader).exclude_overwriting
        not_overwritten = {source / name for name in kept.get(assignment, [])}
        copies = [(path, path.relative_to(folder)) for path in _files(folder, ignore)
                  if path.is_file() and not path.is_symlink()]
        copies += [(path, path.relative_to(source)) for path in _files(source, ignore)
                   if path not in not_overwritten]
        for path, relative in copies:
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # nbgrader leaves its copies read-only
            shutil.copy(path, target)

    def _save_autogrades(self, nb: nbformat.NotebookNode, student: str, assignment: str) -> None:
        """Record the autograded notebook's scores with nbgrader's own preprocessors, as its
        autograde does after executing a notebook: grades, ``needs_manual_grade``, the
        "No response." comments of untouched answers, then the late penalty of the course's
        LateSubmissionPlugin (AssignLatePenalties.plugin_class in nbgrader_config.py)."""
        db_url = self._nbgrader.coursedir.db_url
        resources = {"nbgrader": {"notebook": assignment, "assignment": assignment,
                                  "student": student, "db_url": db_url}}
        rows = _SubmissionRows.load(self._gradebook, assignment, student)
        with _lent_to_nbgrader(_LentGradebook(self._gradebook, rows), db_url):
            # SaveAutoGrades commits once per cell: its changes can wait for the one commit
            # before the late penalty, which reads the notebook's score (an SQL sum) and
            # needs it fresh.
            with self._deferred.held():
                nb, resources = SaveAutoGrades(parent=self._nbgrader).preprocess(nb, resources)
            self._deferred.commit()
            AssignLatePenalties(parent=self._nbgrader).preprocess(nb, resources)

    def _check_released(self, assignment: str) -> None:
        if assignment in self._released:
            return
        try:
            self._gradebook.find_notebook(assignment, assignment)
        except Exception as error:
            raise ValueError(f"assignment {assignment!r} is not in the gradebook of "
                             f"{self.course_dir}: run `rnnkit release {assignment}` there "
                             f"first") from error
        self._released.add(assignment)

    def _write_autograded(self, student: str, report: GradeReport) -> nbformat.NotebookNode:
        """The release with the student's answers and, under each grading cell, its tests'
        feedback and points; written to the student's autograded folder and returned."""
        # A shallow copy: the cells it changes are copies, the others the release's own.
        release = self._release(report.assignment)
        nb = copy.copy(release.nb)
        nb.cells = []
        answers = {grade_id: clean_code(code) for grade_id, code in report.answers.items()}
        earned = {function: points for function, (points, _) in report.by_function().items()}
        for cell in release.nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if grade_id in answers:
                cell = copy.copy(cell)
                cell.source = answers[grade_id]
            elif grade_id.startswith(TEST_PREFIX):
                function = grade_id.removeprefix(TEST_PREFIX)
                tests = [t for t in report.tests if t.function == function]
                cell = copy.copy(cell)
                cell.outputs = [
                    _stdout("\n".join(format_tests(tests)) + "\n"),
                    # A grading cell rnnkit did not score earns nothing (nbgrader would
                    # give full marks to a cell without a number).
                    _partial_credit(cell, earned.get(function, 0.0))]
            nb.cells.append(cell)
        out = self.course_dir / "autograded" / student / report.assignment
        write_text_atomically(out / f"{report.assignment}.ipynb",
                              release.text_of(nb).rstrip("\n") + "\n")
        return nb

    def _release(self, assignment: str) -> _Release:
        """The course's release of ``assignment``, read (and validated) once per run."""
        if assignment not in self._releases:
            path = self.course_dir / "assignments" / assignment / f"{assignment}.ipynb"
            self._releases[assignment] = _Release(fill_release(path, {}))
        return self._releases[assignment]

    def table(self, assignment: str) -> list[dict[str, object]]:
        """One row per student: id, score, max score (from nbgrader's own submission dicts)."""
        return sorted(
            ({"student": s["student"], "score": s["score"], "max_score": s["max_score"]}
             for s in self._gradebook.submission_dicts(assignment)),
            key=lambda row: row["student"])


# Columns nbgrader's lookups join on that its schema does not index: find_grade and
# find_comment (one student's grade of one cell) and a submitted notebook's score (the sum of its
# grades) would otherwise read the rows of every student.
_INDEXES = {
    "rnnkit_grade_notebook": "grade (notebook_id)",
    "rnnkit_comment_notebook": "comment (notebook_id)",
    "rnnkit_submitted_notebook_assignment": "submitted_notebook (assignment_id)",
}


def ensure_indexes(engine: Engine) -> None:
    """Add rnnkit's indexes to a gradebook database, unless it has them (they change no data;
    nbgrader's own queries, the formgrader's included, use them too).

    Inputs:
    - engine: the database's SQLAlchemy engine (``Gradebook(...).engine``)
    """
    if engine.dialect.name not in ("sqlite", "postgresql"):  # they know IF NOT EXISTS
        return
    try:
        with engine.begin() as connection:
            for name, columns in _INDEXES.items():
                connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}"))
    except DBAPIError:
        pass  # a database this process may only read keeps its schema (and its speed)


@dataclass(frozen=True)
class _Record:
    """One submission's grades, ready to be stored (again, if its batch is replayed)."""

    student: str
    assignment: str
    timestamp: datetime | None
    nb: nbformat.NotebookNode


class _DeferredCommits:
    """The gradebook's session as nbgrader's methods see it during a run: their commits only
    send the changes to the database (flush) and expire what was loaded, as a commit would
    (a submitted notebook's score is read again after its grades change); the run commits.
    A rollback is noted: nbgrader rolls back before it raises."""

    def __init__(self, session: scoped_session) -> None:
        self._session = session
        self.rolled_back = False
        self._holding = False

    def commit(self) -> None:
        if not self._holding:
            self._session.flush()
            self._session.expire_all()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Within this block a commit does nothing: the block's changes wait for the next
        commit after it. For code that reads back nothing the database computes (each expiry
        makes the next lookup load its rows again; a query SQLAlchemy sends still flushes
        first)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def rollback(self) -> None:
        self._session.rollback()
        self.rolled_back = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


@dataclass(frozen=True)
class _SubmissionRows:
    """One submitted notebook's Grade and Comment rows, by (cell name, cell type), loaded in
    one query each: what nbgrader's find_grade and find_comment would find one join at a
    time."""

    assignment: str
    student: str
    grades: dict[tuple[str, str], Grade]
    comments: dict[tuple[str, str], Comment]

    @classmethod
    def load(cls, gradebook: Gradebook, assignment: str, student: str) -> _SubmissionRows:
        """The rows of ``student``'s notebook of ``assignment`` (nbgrader's notebook has the
        assignment's name); raises nbgrader's MissingEntry when there is no submission."""
        submitted = gradebook.find_submission_notebook(assignment, assignment, student)
        found = {}
        for row in (Grade, Comment):
            query = (gradebook.db.query(row, BaseCell.name, BaseCell.type)
                     .join(BaseCell, BaseCell.id == row.cell_id)
                     .filter(row.notebook_id == submitted.id))
            found[row] = {(name, kind): value for value, name, kind in query}
        return cls(assignment, student, found[Grade], found[Comment])

    def find(self, rows: dict[tuple[str, str], Any], kinds: tuple[str, ...], cell: str,
             notebook: str, assignment: str, student: str) -> Any | None:
        """The row of ``cell``, looked for in cell types ``kinds`` in order, as nbgrader's
        lookups do (a grade cell before a task cell of the same name); None when it is not
        this submission's (the caller asks nbgrader)."""
        if (notebook, assignment, student) != (self.assignment, self.assignment, self.student):
            return None
        return next((rows[cell, kind] for kind in kinds if (cell, kind) in rows), None)


class _LentGradebook:
    """What nbgrader's preprocessors get when they open ``Gradebook(db_url)``: the run's own
    gradebook, which they use as theirs but do not close, and which finds the grades and
    comments of the submission being recorded among the rows loaded for it."""

    def __init__(self, gradebook: Gradebook, rows: _SubmissionRows) -> None:
        self._gradebook = gradebook
        self._rows = rows

    def __enter__(self) -> _LentGradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        pass  # the run closes it

    def find_grade(self, cell: str, notebook: str, assignment: str, student: str) -> Grade:
        return (self._rows.find(self._rows.grades, ("GradeCell", "TaskCell"), cell, notebook,
                                assignment, student)
                or self._gradebook.find_grade(cell, notebook, assignment, student))

    def find_comment(self, cell: str, notebook: str, assignment: str, student: str) -> Comment:
        return (self._rows.find(self._rows.comments, ("SolutionCell", "TaskCell"), cell,
                                notebook, assignment, student)
                or self._gradebook.find_comment(cell, notebook, assignment, student))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)


@contextlib.contextmanager
def _lent_to_nbgrader(lent: _LentGradebook, db_url: str) -> Iterator[None]:
    """While nbgrader's SaveAutoGrades and AssignLatePenalties run, the name by which they open
    a gradebook of their own (a new engine, a schema check and a commit per cell, for every
    notebook) gives them ``lent``, the run's gradebook at ``db_url``; their code runs
    unchanged. Not thread-safe: the parent process alone records, one submission at a time."""

    def lend(url: str, *args: object, **kwargs: object) -> _LentGradebook:
        if url != db_url:
            raise ValueError(f"nbgrader asked for the gradebook {url}, not this run's {db_url}")
        return lent

    modules = (saveautogrades, latesubmissions)
    originals = [module.Gradebook for module in modules]
    for module in modules:
        module.Gradebook = lend
    try:
        yield
    finally:
        for module, original in zip(modules, originals, strict=True):
            module.Gradebook = original


def course_config(course_dir: Path) -> NbGrader:
    """nbgrader's settings of a course, read the way the ``nbgrader`` command reads them:
    Jupyter's config folders, then the course's own nbgrader_config.py, outdated option names
    translated. The current directory's config is left out (the course is ``course_dir``
    wherever rnnkit runs), and the course directory is importable, as it is for nbgrader run
    there (a course's own late-penalty plugin).

    Inputs:
    - course_dir: the nbgrader course directory

    Returns an initialized nbgrader application: ``.coursedir`` (course_id, db_url, ignore,
    folder names) and ``.config``; pass it as ``parent`` to nbgrader's classes to configure them.
    """
    root = str(Path(course_dir).resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    app = _CourseSettings(log_level=logging.ERROR)  # nbgrader's chatter is not rnnkit's output
    app.initialize([], root=root)
    return app


class _CourseSettings(NbGrader):
    """The ``nbgrader`` command's configuration, without its current-directory habits."""

    load_cwd_config = False

    def init_syspath(self) -> None:
        pass  # course_config puts the course directory on the path instead of the cwd


class _Release:
    """A release notebook, and the text nbformat.v4.writes gives for a notebook made from it
    by replacing some of its cells (the others being the release's own objects): each of the
    release's cells is serialized once, a replaced one for each notebook, where nbformat would
    copy and serialize the whole notebook every time."""

    def __init__(self, nb: nbformat.NotebookNode) -> None:
        self.nb = nb
        frame = nbformat.v4.writes(nbformat.from_dict({**nb, "cells": []}))
        self._head, empty, self._tail = frame.partition(_NO_CELLS)
        if not empty:
            raise ValueError(f"nbformat wrote a notebook without {_NO_CELLS!r}: {frame[:80]!r}")
        self._texts = {id(cell): _cell_text(cell) for cell in nb.cells}

    def text_of(self, nb: nbformat.NotebookNode) -> str:
        """What ``nbformat.v4.writes(nb)`` returns, for ``nb`` made from this release."""
        cells = [self._texts.get(id(cell)) or _cell_text(cell) for cell in nb.cells]
        if not cells:
            return self._head + _NO_CELLS + self._tail
        return self._head + _CELLS.format(",\n".join(cells)) + self._tail


# How nbformat.v4.writes (one space of indent per level) writes a notebook's list of cells.
_NO_CELLS = '"cells": []'
_CELLS = '"cells": [\n{}\n ]'


def _cell_text(cell: nbformat.NotebookNode) -> str:
    """A cell as nbformat.v4.writes writes it in a notebook's list of cells."""
    text = nbformat.v4.writes(nbformat.from_dict({"cells": [cell], "metadata": {}}))
    start, end = text.index("[\n") + 2, text.rindex("\n ]")
    return text[start:end]


def _stdout(text: str) -> nbformat.NotebookNode:
    """A stream output on stdout, as nbformat.v4.new_output makes it (without validating
    it: the autograded notebook's outputs are rnnkit's own)."""
    return nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": text})


def _partial_credit(cell: nbformat.NotebookNode, earned: float) -> nbformat.NotebookNode:
    """The output by which a grading cell gives ``earned`` of its points in nbgrader
    (a number as the cell's result; see nbgrader.utils.determine_grade), as
    nbformat.v4.new_output makes it, without validating it."""
    points = float(cell.metadata["nbgrader"]["points"])
    # Summed fractional points may pass the cell's by a rounding error, which nbgrader refuses.
    return nbformat.from_dict({"output_type": "execute_result", "metadata": {},
                               "data": {"text/plain": repr(min(earned, points))},
                               "execution_count": None})


def _files(root: Path, ignore: list[str]) -> Iterator[Path]:
    """Every file under ``root`` whose name, and whose folders' names, match no glob of
    ``ignore`` (matched as nbgrader's copies match CourseDirectory.ignore)."""
    ignored = ignore_patterns(exclude=ignore)
    for folder, subfolders, names in os.walk(root):
        skip = set(ignored(folder, [*subfolders, *names]))
        subfolders[:] = [name for name in subfolders if name not in skip]
        yield from (Path(folder, name) for name in names if name not in skip)


def _empty_folder(folder: Path, keep: set[str]) -> None:
    """Remove everything in ``folder`` but the entries named in ``keep`` (as nbgrader clears a
    submission's autograded folder before grading it again)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
