"""Where the kit keeps its parts. The hidden suites and reference solutions are the kit's own
files (the instructor's copy), whatever course directory nbgrader works in."""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[2]
SOURCE = KIT_ROOT / "source"
RELEASES = KIT_ROOT / "assignments"
HIDDEN_SUITES = KIT_ROOT / "autograder" / "hidden"
SOLUTIONS = KIT_ROOT / "solutions"
