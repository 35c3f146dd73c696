"""Run an assignment's hidden pytest suite against one student and collect points per test.

A hidden test is an ordinary pytest test in its assignment's ``hidden/`` folder
(:mod:`rnnkit.assignments`) that takes the
``student`` fixture (see :mod:`rnnkit.grading.student`) and states what it grades::

    @pytest.mark.grades("rnn_forward", points=1)
    def test_forward_values(student, reference): ...

A test earns its points when it passes and nothing otherwise; its failure message (a
:class:`~rnnkit.compare.CheckFailed`) is the student's feedback.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rnnkit import assignments
from rnnkit.compare import CheckFailed
from rnnkit.grading.student import Student
from rnnkit.i18n import say
from rnnkit.paths import KIT_ROOT

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
    collector = _Collector(student=None, functions=None)
    _run_pytest(assignment, collector, ["--collect-only"])
    return collector.planned


def run(assignment: str, student: Student, functions: list[str] | None = None) -> list[TestResult]:
    """Run the hidden tests (those grading ``functions``, or all) against ``student``."""
    collector = _Collector(student=student, functions=functions)
    _run_pytest(assignment, collector, [])
    return collector.results


def _run_pytest(assignment: str, collector: _Collector, extra: list[str]) -> None:
    if str(KIT_ROOT) not in sys.path:  # the suites import the reference: solutions/ in the kit
        sys.path.append(str(KIT_ROOT))
    # Plugins a grading run has no use for; unraisableexception alone costs two full garbage
    # collections per run.
    unused = ["cacheprovider", "warnings", "capture", "stepwise", "unraisableexception",
              "threadexception", "faulthandler", "junitxml", "pastebin", "doctest", "logging",
              "lsof", "setuponly", "setupplan"]
    args = [str(suite_path(assignment)), "-q", *(f"-pno:{name}" for name in unused),
            "--import-mode=prepend", "--tb=no",
            f"--rootdir={suite_path(assignment)}", "-o", "addopts=", *extra]
    # The suite's own chatter is not feedback; a grading cell in nbgrader must print nothing
    # on stderr (nbgrader scores such a cell 0).
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        code = pytest.main(args, plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED,
                    pytest.ExitCode.NO_TESTS_COLLECTED):
        raise RuntimeError(f"the hidden suite of {assignment!r} could not run (pytest exit "
                           f"code {code}); run pytest on {suite_path(assignment)} to see why")


class _Collector:
    """pytest plugin: provides the ``student`` fixture, selects tests, records outcomes."""

    def __init__(self, student: Student | None, functions: list[str] | None) -> None:
        self._student = student
        self._functions = functions
        self.planned: list[PlannedTest] = []
        self.results: list[TestResult] = []
        self._by_id: dict[str, PlannedTest] = {}

    @pytest.fixture
    def student(self) -> Student:
        return self._student

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", f"{MARKER}(function, points): what a test grades")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[Any]) -> None:
        kept, dropped = [], []
        for item in items:
            marker = item.get_closest_marker(MARKER)
            if marker is None:
                raise pytest.UsageError(f"{item.nodeid} does not say what it grades: add "
                                        f"@pytest.mark.{MARKER}(function, points=...)")
            test = PlannedTest(item.nodeid.split("::", 1)[-1], *_marker_args(marker))
            if self._functions is None or test.function in self._functions:
                kept.append(item)
                self.planned.append(test)
                self._by_id[item.nodeid] = test
            else:
                dropped.append(item)
        items[:] = kept
        if dropped:
            config.hook.pytest_deselected(items=dropped)

    def pytest_runtest_makereport(self, item: Any, call: pytest.CallInfo) -> None:
        test = self._by_id[item.nodeid]
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            if call.excinfo is None:
                self.results.append(TestResult(test.name, test.function, test.points,
                                               test.points, ""))
            else:
                self.results.append(TestResult(test.name, test.function, test.points, 0.0,
                                               _feedback(call.excinfo.value)))


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
