"""What one record costs the gradebook, in a course of 100 students and in one of 50,000.

    .venv/bin/python benchmarks/gradebook_scale.py [--sizes 100,50000] [--records 50]

For each size it makes a course with the rnn assignment released, fills its gradebook with that
many synthetic submissions (the rows ``nbgrader autograde`` leaves for a student: student,
submission, submitted notebook, a grade per grading cell and a comment per answer cell, written
in bulk), then records ``--records`` more students the way ``rnnkit autograde`` does
(``CourseGradebook.record``, committed in batches) and prints the wall-clock and CPU time per
record. A record's cost should not grow with the course (target: at 50,000 within 1.5× of
at 100). ``autograde_throughput.py`` (``make bench``) runs this too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from rnnkit.kit.course import release
from rnnkit.kit.paths import KIT_ROOT, SOURCE

TARGET_RATIO = 1.5
ASSIGNMENT = "rnn"
FILL_CHUNK = 5000  # synthetic students per bulk insert


@dataclass(frozen=True)
class ScaleResult:
    """Seconds per record (wall clock and CPU) with ``size`` students already graded."""

    size: int
    records: int
    wall_per_record: float
    cpu_per_record: float


def make_course(course: Path, assignment: str = ASSIGNMENT) -> Path:
    """A course directory sharing the kit's sources and config, with ``assignment`` released
    (its gradebook knows the assignment, as after ``rnnkit release``)."""
    course.mkdir(parents=True)
    (course / "source").symlink_to(SOURCE, target_is_directory=True)
    shutil.copy(KIT_ROOT / "nbgrader_config.py", course)
    with contextlib.redirect_stdout(io.StringIO()):
        release(assignment, course, "es")
    return course


def fill_gradebook(course: Path, count: int, assignment: str = ASSIGNMENT,
                   prefix: str = "synthetic") -> None:
    """Add ``count`` graded students (``<prefix>000000``, ...) to the course's gradebook, each
    with the rows nbgrader's autograde leaves, inserted in bulk."""
    from nbgrader import api
    from sqlalchemy import insert

    from rnnkit.grading.gradebook import course_config

    settings = course_config(course).coursedir
    with api.Gradebook(settings.db_url, settings.course_id) as gradebook:
        notebook = gradebook.find_notebook(assignment, assignment)
        graded = [cell.id for cell in [*notebook.grade_cells, *notebook.task_cells]]
        commented = [cell.id for cell in [*notebook.solution_cells, *notebook.task_cells]]
        for first in range(0, count, FILL_CHUNK):
            rows: dict[type, list[dict]] = {api.Student: [], api.SubmittedAssignment: [],
                                            api.SubmittedNotebook: [], api.Grade: [],
                                            api.Comment: []}
            for number in range(first, min(count, first + FILL_CHUNK)):
                student, submission, submitted = f"{prefix}{number:06d}", _uid(), _uid()
                rows[api.Student].append({"id": student})
                rows[api.SubmittedAssignment].append(
                    {"id": submission, "assignment_id": notebook.assignment.id,
                     "student_id": student})
                rows[api.SubmittedNotebook].append(
                    {"id": submitted, "assignment_id": submission, "notebook_id": notebook.id,
                     "flagged": False})
                rows[api.Grade] += [{"id": _uid(), "notebook_id": submitted, "cell_id": cell,
                                     "auto_score": 1.0, "needs_manual_grade": False}
                                    for cell in graded]
                rows[api.Comment] += [{"id": _uid(), "notebook_id": submitted, "cell_id": cell}
                                      for cell in commented]
            for table, values in rows.items():
                if values:
                    gradebook.db.execute(insert(table.__table__), values)
            gradebook.db.commit()


def measure_records(course: Path, records: int,
                    assignment: str = ASSIGNMENT) -> tuple[float, float]:
    """Record ``records`` new students of a perfect submission as a class run does (batches
    committed as autograde_class commits them); (wall-clock, CPU) seconds per record."""
    from rnnkit.grading import classroom
    from rnnkit.grading import manifest as manifests
    from rnnkit.grading.gradebook import CourseGradebook
    from rnnkit.grading.results import GradeReport
    from rnnkit.grading.suite import TestResult
    from rnnkit.nb.fill import source_answers

    manifest = manifests.load(assignment)
    tests = [TestResult(t.name, t.function, t.points, t.points, "") for t in manifest.tests]
    report = GradeReport(assignment, tests, answers=source_answers(assignment))
    submitted = []
    for number in range(records + 1):
        folder = course / "submitted" / f"measured{number:04d}" / assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{assignment}.ipynb").write_text("{}", encoding="utf-8")
        submitted.append((folder.parent.name, folder / f"{assignment}.ipynb"))
    with CourseGradebook(course, reserved=[classroom.STATE_FILE]) as gradebook:
        gradebook.record(*submitted[0], report)  # warm-up: the release read, indexes made
        gradebook.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        for student, path in submitted[1:]:
            gradebook.record(student, path, report)
            if gradebook.pending >= classroom.COMMIT_EVERY:
                gradebook.commit()
        gradebook.commit()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall / records, cpu / records


def measure_at(size: int, records: int, work: Path) -> ScaleResult:
    """Per-record cost once ``size`` students are in the gradebook (a course made in
    ``work``)."""
    course = make_course(work / f"gradebook-{size}")
    fill_gradebook(course, size)
    return ScaleResult(size, records, *measure_records(course, records))


def format_scale(results: list[ScaleResult]) -> str:
    """The table of per-record costs and the ratio of the largest size to the smallest."""
    lines = [f"{'graded already':>15} {'records':>8} {'ms/record':>10} {'CPU ms/record':>14}"]
    lines += [f"{r.size:>15,} {r.records:>8} {1000 * r.wall_per_record:>10.1f} "
              f"{1000 * r.cpu_per_record:>14.1f}" for r in results]
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large.cpu_per_record / small.cpu_per_record
        verdict = "met" if ratio <= TARGET_RATIO else "not met"
        lines.append(f"gradebook: a record's CPU cost at {large.size:,} students is {ratio:.2f}× "
                     f"its cost at {small.size:,} (wall clock "
                     f"{large.wall_per_record / small.wall_per_record:.2f}×): "
                     f"target ≤ {TARGET_RATIO:g}×: {verdict}")
    return "\n".join(lines)


def _uid() -> str:
    return uuid.uuid4().hex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,50000",
                        help="students already graded, comma-separated (default 100,50000)")
    parser.add_argument("--records", type=int, default=50,
                        help="records measured at each size (default 50)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="rnnkit-gradebook-"))
    try:
        results = [measure_at(size, args.records, work) for size in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(format_scale(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
