"""Run an assignment's hidden pytest suite against one student and collect points per test.

A hidden test is an ordinary pytest test in its assignment's ``hidden/`` folder
(:mod:`rnnkit.assignments`) that takes the
``student`` fixture (see :mod:`rnnkit.grading.student`) and states what it grades::

    @pytest.mark.grades("rnn_forward", points=1)
    def test_forward_values(student, reference): ...

A test earns its points when it passes and nothing otherwise; its failure message (a
:class:`~rnnkit.compare.CheckFailed`) is the student's feedback.

A process collects each suite once (per thread) and runs it for every student it grades; a
class worker forked after the parent loaded the manifest (:func:`plan`) collects nothing.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _pytest.config import _prepareconfig

from rnnkit import assignments
from rnnkit.compare import CheckFailed
from rnnkit.grading.student import Student
from rnnkit.i18n import say
from rnnkit.kit.paths import KIT_ROOT

MARKER = "grades"


@dataclass(frozen=True)
class TestResult:
    """The outcome of one hidden test for one student."""

    name: str
    function: str
    points: float
    earned: float
    message: str

    @property
    def passed(self) -> bool:
        return self.earned == self.points


@dataclass(frozen=True)
class PlannedTest:
    """A hidden test as collected, before it runs: what it grades and what it is worth."""

    name: str
    function: str
    points: float


def suite_path(assignment: str) -> Path:
    """The folder of an assignment's hidden suite; a ValueError names the known ones."""
    path = assignments.get(assignment).hidden_suite
    if not path.is_dir():
        raise ValueError(f"assignment {assignment!r} has no hidden suite at {path}: this rnnkit "
                         f"is the students' wheel; grade from the instructor kit's checkout")
    return path


def plan(assignment: str) -> list[PlannedTest]:
    """Every hidden test of the assignment with the function it grades and its points."""
    return list(_collected(assignment).planned.values())


def run(assignment: str, student: Student, functions: list[str] | None = None) -> list[TestResult]:
    """Run the hidden tests (those grading ``functions``, or all) against ``student``."""
    collected = _collected(assignment)
    try:
        return collected.run(student, functions)
    except BaseException:  # e.g. Ctrl-C mid-test: pytest's state is not to be trusted again
        _sessions.by_assignment.pop(assignment, None)
        collected.close()
        raise


def collection_count() -> int:
    """How many times this process has collected a hidden suite: once per assignment (and
    thread) that grades, however many students it grades."""
    return _counter.collections


class _Sessions(threading.local):
    """This thread's collected suites, by assignment. A forked worker inherits the forking
    thread's (the parent's collection, made when it loaded the manifest)."""

    def __init__(self) -> None:
        self.by_assignment: dict[str, _CollectedSuite] = {}


class _Counter:
    def __init__(self) -> None:
        self.collections = 0


_sessions = _Sessions()
_counter = _Counter()


def _collected(assignment: str) -> _CollectedSuite:
    found = _sessions.by_assignment.get(assignment)
    if found is None:
        found = _sessions.by_assignment[assignment] = _CollectedSuite(assignment)
        _counter.collections += 1
    return found


class _CollectedSuite:
    """An assignment's hidden suite in a pytest session that stays open: collected once, then
    run for one student after another.

    Each run goes through pytest's own protocol for every selected test
    (``pytest_runtest_protocol``: set-up, call, teardown, reports), as ``pytest`` itself runs
    tests, so fixtures, marks and failure reports behave as in a fresh session; the last test
    of a run tears down every fixture, so nothing carries over from one student to the next.
    What is saved is pytest's start-up, plugin loading and collection (about 45 ms a student).
    Opening the session uses pytest's internal first steps (``_prepareconfig``,
    ``_do_configure``: what ``pytest.main`` does before running), pinned in requirements.lock.
    """

    def __init__(self, assignment: str) -> None:
        self.assignment = assignment
        self.plugin = _Collector()
        path = suite_path(assignment)
        if str(KIT_ROOT) not in sys.path:  # the suites import the reference: solutions/
            sys.path.append(str(KIT_ROOT))
        # Plugins a grading run has no use for (unraisableexception alone costs two full
        # garbage collections per run); the terminal reporter would keep what it printed.
        unused = ["cacheprovider", "warnings", "capture", "stepwise", "unraisableexception",
                  "threadexception", "faulthandler", "junitxml", "pastebin", "doctest",
                  "logging", "lsof", "setuponly", "setupplan", "terminal"]
        args = [str(path), *(f"-pno:{name}" for name in unused), "--import-mode=prepend",
                "--disable-plugin-autoload", f"--rootdir={path}", "-o", "addopts="]
        with _quiet():
            self.config = _prepareconfig(args, plugins=[self.plugin])
            # --tb=no, an option of the terminal plugin: no traceback is formatted for a
            # failure, whose feedback is the exception's own message.
            self.config.option.tbstyle = "no"
            try:
                self.config._do_configure()
                self.session = pytest.Session.from_config(self.config)
                self.config.hook.pytest_sessionstart(session=self.session)
                self.config.hook.pytest_collection(session=self.session)
            except pytest.UsageError as error:
                self.close()
                raise RuntimeError(f"the hidden suite of {assignment!r} is not usable: "
                                   f"{error}") from None
            except BaseException:
                self.close()
                raise
        if self.session.testsfailed:  # errors while collecting (an import error...)
            self.close()
            raise RuntimeError(f"the hidden suite of {assignment!r} could not be collected; "
                               f"run pytest on {path} to see why")
        self.planned = self.plugin.planned

    def run(self, student: Student, functions: list[str] | None) -> list[TestResult]:
        items = [item for item in self.session.items
                 if functions is None or self.planned[item.nodeid].function in functions]
        self.session.testsfailed = 0
        self.plugin.current = student
        try:
            with _quiet():
                for item, after in zip(items, [*items[1:], None], strict=True):
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=after)
            return self.plugin.take_results()
        finally:
            self.plugin.current = None  # what the judge remembers about it can go (judge.memo)

    def close(self) -> None:
        """End the session as pytest ends one (its plugins undo what they set up)."""
        with _quiet(), contextlib.suppress(Exception):
            self.config._ensure_unconfigure()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The suite's own chatter is not feedback; a grading cell in nbgrader must print nothing
    on stderr (nbgrader scores such a cell 0)."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


class _Collector:
    """pytest plugin: provides the ``student`` fixture, checks and plans the tests at
    collection, records outcomes."""

    def __init__(self) -> None:
        self.current: Student | None = None  # the student being graded
        self.planned: dict[str, PlannedTest] = {}  # by node id, in collection order
        self._results: list[TestResult] = []

    def take_results(self) -> list[TestResult]:
        results, self._results = self._results, []
        return results

    @pytest.fixture
    def student(self) -> Student:
        return self.current

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", f"{MARKER}(function, points): what a test grades")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[Any]) -> None:
        for item in items:
            marker = item.get_closest_marker(MARKER)
            if marker is None:
                raise pytest.UsageError(f"{item.nodeid} does not say what it grades: add "
                                        f"@pytest.mark.{MARKER}(function, points=...)")
            self.planned[item.nodeid] = PlannedTest(item.nodeid.split("::", 1)[-1],
                                                    *_marker_args(marker))

    @pytest.hookimpl(tryfirst=True)  # before pytest's own, which builds the report
    def pytest_runtest_makereport(self, item: Any, call: pytest.CallInfo) -> None:
        test = self.planned[item.nodeid]
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            if call.excinfo is None:
                self._results.append(TestResult(test.name, test.function, test.points,
                                                test.points, ""))
            else:
                self._results.append(TestResult(test.name, test.function, test.points, 0.0,
                                                _feedback(call.excinfo.value)))
        if call.excinfo is not None:
            # Nobody reads the report's traceback (the feedback is the exception's message),
            # and pytest would filter every frame of it, a failure's main cost: it keeps
            # the frame that raised.
            call.excinfo.traceback = call.excinfo.traceback[-1:]


def _marker_args(marker: pytest.Mark) -> tuple[str, float]:
    function = marker.args[0] if marker.args else marker.kwargs["function"]
    points = marker.args[1] if len(marker.args) > 1 else marker.kwargs.get("points", 1)
    return function, float(points)


def _feedback(error: BaseException) -> str:
    if isinstance(error, CheckFailed):
        return str(error)
    # Anything else means the student's value broke the test's own code (e.g. a None where
    # an array was due): still the student's result, reported plainly.
    return say(
        es="Tu resultado no se pudo comprobar ({kind}: {text}).",
        en="Your result could not be checked ({kind}: {text}).",
        kind=type(error).__name__, text=str(error)[:300],
    )
