"""Where the kit keeps its parts. The hidden suites and reference solutions are the kit's own
files (the instructor's copy), whatever course directory nbgrader works in."""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[2]
SOURCE = KIT_ROOT / "source"
RELEASES = KIT_ROOT / "assignments"
HIDDEN_SUITES = KIT_ROOT / "autograder" / "hidden"
SOLUTIONS = KIT_ROOT / "solutions"


def has_instructor_kit() -> bool:
    """Whether this rnnkit runs from the kit's checkout, with the source notebooks, the hidden
    suites and the grader; not from the students' wheel, which holds only the public checks."""
    grader = Path(__file__).resolve().parent / "grading"
    return SOURCE.is_dir() and HIDDEN_SUITES.is_dir() and grader.is_dir()


def known_assignments() -> list[str]:
    """The kit's assignments (those with a source notebook), in course order."""
    order = ["rnn", "lstm"]
    found = [p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").exists()] \
        if SOURCE.is_dir() else []
    return sorted(found, key=lambda name: (order.index(name) if name in order else 99, name))
