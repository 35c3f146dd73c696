"""Recording a class costs the same per student in a large gradebook as in a small one, and a
batch of records is stored whole or, for the students it could not store, not at all; the
autograded notebooks, written from the release's cells serialized once, are byte for byte what
nbformat writes.

Costs are counted, not timed: the database work of a record is the number of SQLite virtual
machine instructions it runs (a progress handler counts them), which grows with the gradebook
when a lookup reads every student's rows. The gradebook is filled with synthetic students by
the benchmark's own filler (benchmarks/gradebook_scale.py)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy import event
from sqlalchemy.engine import Engine
from test_speed_paths import ASSIGNMENT, class_notebooks, full_marks, make_course, submit_class

from rnnkit.grading import gradebook as gradebooks
from rnnkit.grading import suite
from rnnkit.grading.classroom import STATE_FILE, autograde_class
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.grading.results import GradeReport
from rnnkit.kit.paths import KIT_ROOT
from rnnkit.nb.fill import source_answers

STEPS_PER_CALL = 1000  # SQLite instructions between two calls of the progress handler


def load_filler():
    path = KIT_ROOT / "benchmarks" / "gradebook_scale.py"
    spec = importlib.util.spec_from_file_location("gradebook_scale", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def filler():
    return load_filler()


@pytest.fixture(scope="module")
def report() -> GradeReport:
    tests = [suite.TestResult(t.name, t.function, t.points, t.points, "")
             for t in suite.plan(ASSIGNMENT)]
    return GradeReport(ASSIGNMENT, tests, answers=source_answers(ASSIGNMENT, "en"))


class SqliteSteps:
    """Counts the SQLite instructions of every connection any engine opens from now on."""

    def __init__(self) -> None:
        self.calls = 0

    def __enter__(self) -> SqliteSteps:
        event.listen(Engine, "connect", self._watch)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Engine, "connect", self._watch)

    def _watch(self, connection: sqlite3.Connection, record: object) -> None:
        connection.set_progress_handler(self._count, STEPS_PER_CALL)

    def _count(self) -> int:
        self.calls += 1
        return 0  # go on


def submitted(course: Path, student: str) -> Path:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text("{}", encoding="utf-8")
    return folder / f"{ASSIGNMENT}.ipynb"


def steps_per_record(course: Path, report: GradeReport, records: int = 4) -> float:
    """SQLite instructions (in thousands) per record, after a first record and commit."""
    with SqliteSteps() as steps, CourseGradebook(course) as gradebook:
        gradebook.record("first", submitted(course, "first"), report)
        gradebook.commit()
        before = steps.calls
        for number in range(records):
            gradebook.record(f"new{number}", submitted(course, f"new{number}"), report)
        gradebook.commit()
        return (steps.calls - before) / records


def database_rows(course: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(course / "gradebook.db") as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.slow
def test_a_records_database_work_does_not_grow_with_the_gradebook(tmp_path, filler, report,
                                                                  monkeypatch):
    small = make_course(tmp_path / "small")
    filler.fill_gradebook(small, 100)
    large = make_course(tmp_path / "large")
    filler.fill_gradebook(large, 3000)

    at_small, at_large = steps_per_record(small, report), steps_per_record(large, report)
    assert at_large <= 1.5 * at_small, (at_small, at_large)

    # The test can tell: without rnnkit's indexes a record reads every student's grades.
    monkeypatch.setattr(gradebooks, "ensure_indexes", lambda engine: None)
    plain = make_course(tmp_path / "plain")
    filler.fill_gradebook(plain, 3000)
    assert steps_per_record(plain, report) > 5 * at_small


@pytest.mark.slow
def test_a_batch_is_one_transaction_and_the_release_is_read_once(tmp_path, report,
                                                                 monkeypatch):
    course = make_course(tmp_path / "course")
    reads = []
    fill = gradebooks.fill_release
    monkeypatch.setattr(gradebooks, "fill_release", lambda *a: reads.append(a) or fill(*a))
    commits = []
    listener = lambda connection: commits.append(connection)  # noqa: E731
    event.listen(Engine, "commit", listener)
    try:
        with CourseGradebook(course) as gradebook:
            commits.clear()  # opening it checks the schema and the course
            for student in ("ana", "beto", "carla"):
                gradebook.record(student, submitted(course, student), report)
            assert gradebook.pending == 3 and commits == []
            assert database_rows(course, "SELECT id FROM student") == []  # not stored yet
            gradebook.commit()
            assert len(commits) == 1 and gradebook.pending == 0
    finally:
        event.remove(Engine, "commit", listener)
    assert len(reads) == 1
    assert sorted(database_rows(course, "SELECT id FROM student")) == [
        ("ana",), ("beto",), ("carla",)]
    with gradebooks.CourseGradebook(course) as gradebook:
        scores = {row["student"]: row["score"] for row in gradebook.table(ASSIGNMENT)}
    assert scores == {"ana": full_marks(), "beto": full_marks(), "carla": full_marks()}


@pytest.mark.slow
def test_a_record_that_fails_leaves_the_rest_of_its_batch(tmp_path, report, monkeypatch):
    course = make_course(tmp_path / "course")
    late_penalties = AssignLatePenalties.preprocess

    def fails_for_beto(self, nb, resources):
        if resources["nbgrader"]["student"] == "beto":
            raise RuntimeError("the database went away")
        return late_penalties(self, nb, resources)

    monkeypatch.setattr(AssignLatePenalties, "preprocess", fails_for_beto)
    with CourseGradebook(course) as gradebook:
        gradebook.record("ana", submitted(course, "ana"), report)
        with pytest.raises(RuntimeError, match="went away"):
            gradebook.record("beto", submitted(course, "beto"), report)
        gradebook.record("carla", submitted(course, "carla"), report)
        gradebook.commit()
        scores = {row["student"]: row["score"] for row in gradebook.table(ASSIGNMENT)}
    assert scores == {"ana": full_marks(), "carla": full_marks()}
    assert sorted(database_rows(course, "SELECT id FROM student")) == [("ana",), ("carla",)]


@pytest.mark.slow
def test_a_batch_that_cannot_be_stored_leaves_its_students_to_the_next_run(tmp_path,
                                                                           monkeypatch):
    course = make_course(tmp_path / "course")
    submit_class(course, class_notebooks(3))

    def locked(connection: object) -> None:  # as SQLite says when another process writes
        raise sqlite3.OperationalError("database is locked")

    opened = CourseGradebook.__init__

    def open_then_lock(self: CourseGradebook, *args: object, **kwargs: object) -> None:
        opened(self, *args, **kwargs)
        event.listen(Engine, "commit", locked)  # every commit after the gradebook is open

    monkeypatch.setattr(CourseGradebook, "__init__", open_then_lock)
    try:
        summary = autograde_class(course, ASSIGNMENT, jobs=1, progress=False, insecure=True)
    finally:
        event.remove(Engine, "commit", locked)
    monkeypatch.undo()
    assert summary.graded == 0 and len(summary.failed) == 3
    assert all("database is locked" in line for line in summary.failed)
    assert list(course.glob(f"autograded/*/{ASSIGNMENT}/{STATE_FILE}")) == []
    assert database_rows(course, "SELECT id FROM student") == []

    again = autograde_class(course, ASSIGNMENT, jobs=1, progress=False, insecure=True)
    assert (again.graded, again.unchanged, again.failed) == (3, 0, [])
    states = sorted(course.glob(f"autograded/*/{ASSIGNMENT}/{STATE_FILE}"))
    assert [json.loads(p.read_text())["max_score"] for p in states] == [full_marks()] * 3


@pytest.mark.slow
def test_the_autograded_notebook_is_what_nbformat_writes(tmp_path, report):
    course = make_course(tmp_path / "course")
    halved = dataclasses.replace(report, tests=[
        dataclasses.replace(test, earned=test.points / 2, message="wrong: ünï ]\n ] \u2028")
        for test in report.tests])
    with CourseGradebook(course) as gradebook:
        for student, graded in (("ana", report), ("beto", halved)):
            gradebook.record(student, submitted(course, student), graded)
    texts = {student: (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
                       ).read_text(encoding="utf-8") for student in ("ana", "beto")}
    assert texts["ana"] != texts["beto"]
    for text in texts.values():
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        assert text == nbformat.v4.writes(nb) + "\n"
