"""The instructor's manifest of an assignment: which cells are the student's answers, what set-up
code runs before them, and what each graded function is worth.

It is derived from the kit's own files, never from a submission: the source notebook (answer
and set-up cells) and the hidden suite (points). Test cells, points and cell types in a
submitted notebook play no part in grading.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from rnnkit import cells as kinds
from rnnkit.grading import suite
from rnnkit.kit.paths import SOURCE
from rnnkit.nb.language import localize_source
from rnnkit.nb.submission import Release


@dataclass(frozen=True)
class Manifest:
    """What grading an assignment needs to know.

    - setup_cells: (grade_id, code) of the source's set-up cells, run first.
    - answer_ids: grade_ids of the answer cells, in notebook order.
    - tests: the hidden tests with the function each grades and its points.
    - test_cell_points: points of each grading cell in the source (grade_id -> points).
    - release: the release's other cells (set-up, checks, grading cells...), which never run
      even when a submission carries a copy of them.
    """

    assignment: str
    setup_cells: tuple[tuple[str, str], ...]
    answer_ids: tuple[str, ...]
    tests: tuple[suite.PlannedTest, ...]
    test_cell_points: dict[str, float]
    release: Release

    @property
    def functions(self) -> list[str]:
        """The graded functions, in suite order."""
        return list(dict.fromkeys(t.function for t in self.tests))

    def points(self, function: str) -> float:
        return sum(t.points for t in self.tests if t.function == function)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)


@functools.cache
def load(assignment: str) -> Manifest:
    """The manifest of ``assignment`` (read once per process)."""
    path = SOURCE / assignment / f"{assignment}.ipynb"
    if not path.exists():
        raise ValueError(f"no source notebook {path}: is {assignment!r} an assignment of the kit?")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    setup, answers, test_points = [], [], {}
    for cell in cells:
        grade_id = kinds.grade_id(cell)
        if kinds.is_setup(cell):
            setup.append((grade_id or "setup", localize_source("".join(cell["source"]), "en")))
        elif kinds.is_answer(cell):
            answers.append(grade_id)
        elif kinds.is_grading(cell):
            test_points[grade_id] = float(kinds.nbgrader_meta(cell)["points"])
    return Manifest(assignment, tuple(setup), tuple(answers), tuple(suite.plan(assignment)),
                    test_points, Release.of_source(cells, answers))
