"""What the instructor's commands print: text any terminal can show, and the gradebook."""

from __future__ import annotations

import sys
from pathlib import Path


def print_gradebook(course: Path, assignment: str) -> None:
    """Print the grades nbgrader has recorded for ``assignment``, with each first problem."""
    from rnnkit.grading.classroom import first_problem
    from rnnkit.grading.gradebook import CourseGradebook
    from rnnkit.i18n import chosen_language, speaking
    from rnnkit.kit.course import course_language

    with CourseGradebook(course) as gradebook:
        rows = [{**row, "problem": first_problem(course, assignment, row["student"])}
                for row in gradebook.table(assignment)]
    with speaking(chosen_language() or course_language(course)):  # e.g. "[… N more …]"
        table = format_table(rows)
    if not rows:
        print(f"no grades recorded for {assignment} in {course} yet: run "
              f"`rnnkit autograde {assignment}` there first")
        return
    print_text(table)


def format_table(rows: list[dict[str, object]]) -> str:
    """A plain text table: student, score, max score, a bar, and the first problem if given.

    One line per row whatever the student ids and problems hold (both come from submissions).
    """
    from rnnkit.kit.untrusted import clean

    students = [clean(str(row["student"]), 40, one_line=True) for row in rows]
    width = max([len("student"), *map(len, students)])
    lines = [f"{'student':<{width}} {'score':>6} {'max':>5}  {'':<20}  first problem"]
    for row, student in zip(rows, students, strict=True):
        score, top = float(row["score"]), float(row["max_score"]) or 1.0
        bar = "█" * round(20 * score / top)
        problem = clean(str(row.get("problem", "")), 90, one_line=True)
        lines.append(f"{student:<{width}} {score:>6.1f} {top:>5.1f}  {bar:<20}  {problem}")
    return "\n".join(lines).rstrip()


def print_text(text: str) -> None:
    """Print ``text`` to stdout; what stdout cannot encode (e.g. accents on an ASCII-only
    terminal) is printed as escapes instead of failing."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(text.encode(encoding, errors="backslashreplace").decode(encoding, errors="replace"))
