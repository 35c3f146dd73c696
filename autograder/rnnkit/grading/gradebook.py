"""Record rnnkit's grades where nbgrader keeps its own, so ``nbgrader export``, the formgrader
and ``nbgrader generate_feedback`` work unchanged.

For each graded submission this writes the auto scores of the grading cells (``test_<function>``)
into the gradebook and an autograded notebook (the instructor's release with the student's
answers and, under each grading cell, the feedback for that function).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from rnnkit.grading.manifest import TEST_PREFIX
from rnnkit.grading.report import GradeReport, format_tests
from rnnkit.nb.fill import fill_release


class CourseGradebook:
    """nbgrader's gradebook of one course directory, opened once for a whole class."""

    def __init__(self, course_dir: Path, course_id: str = "rnnkit") -> None:
        self.course_dir = Path(course_dir)
        self._gradebook = Gradebook(f"sqlite:///{self.course_dir / 'gradebook.db'}", course_id)

    def __enter__(self) -> CourseGradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self._gradebook.close()

    def record(self, student: str, report: GradeReport, answers: dict[str, str]) -> None:
        """Store one student's grades and write their autograded notebook.

        Raises ValueError when the assignment was never released in this course directory.
        """
        assignment = report.assignment
        notebook = assignment
        self._check_released(assignment)
        self._gradebook.update_or_create_student(student)
        with warnings.catch_warnings():
            # nbgrader's own add_submission trips an autoflush warning of SQLAlchemy 2; the
            # rows it creates are complete (nbgrader autograde sees the same warning).
            warnings.simplefilter("ignore", SAWarning)
            self._gradebook.update_or_create_submission(assignment, student)
        for function, (earned, _possible) in report.by_function().items():
            grade = self._gradebook.find_grade(f"{TEST_PREFIX}{function}", notebook, assignment,
                                               student)
            grade.auto_score = earned
        self._gradebook.db.commit()
        self._write_autograded(student, report, answers)

    def _check_released(self, assignment: str) -> None:
        try:
            self._gradebook.find_notebook(assignment, assignment)
        except Exception as error:
            raise ValueError(f"assignment {assignment!r} is not in the gradebook of "
                             f"{self.course_dir}: run `rnnkit release {assignment}` there "
                             f"first") from error

    def _write_autograded(self, student: str, report: GradeReport, answers: dict[str, str]) -> None:
        release = self.course_dir / "assignments" / report.assignment / f"{report.assignment}.ipynb"
        nb = fill_release(release, answers)
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if grade_id.startswith(TEST_PREFIX):
                function = grade_id.removeprefix(TEST_PREFIX)
                tests = [t for t in report.tests if t.function == function]
                cell.outputs = [nbformat.v4.new_output(
                    "stream", name="stdout", text="\n".join(format_tests(tests)) + "\n")]
        out = self.course_dir / "autograded" / student / report.assignment
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / f"{report.assignment}.ipynb")

    def table(self, assignment: str) -> list[dict[str, object]]:
        """One row per student: id, score, max score (from nbgrader's own submission dicts)."""
        return sorted(
            ({"student": s["student"], "score": s["score"], "max_score": s["max_score"]}
             for s in self._gradebook.submission_dicts(assignment)),
            key=lambda row: row["student"])
