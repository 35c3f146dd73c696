"""Where the kit keeps its parts. The hidden suites and reference solutions are the kit's own
files (the instructor's copy), whatever course directory nbgrader works in."""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[2]
SOURCE = KIT_ROOT / "source"
RELEASES = KIT_ROOT / "assignments"
SOLUTIONS = KIT_ROOT / "solutions"


def has_instructor_kit() -> bool:
    """Whether this rnnkit runs from the kit's checkout, with the source notebooks, the hidden
    suites and the grader; not from the students' wheel, which holds only the public checks."""
    package = Path(__file__).resolve().parent
    return SOURCE.is_dir() and (package / "grading").is_dir() and any(
        package.glob("assignments/*/hidden/test_*.py"))

