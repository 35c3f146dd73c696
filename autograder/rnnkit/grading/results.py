"""A graded submission as people and machines read it: a text report and Gradescope's
``results.json`` schema (with a top-level ``max_score`` added).

Both pass every string through rnnkit.kit.untrusted on the way out: notes and feedback quote what
the student's code raised or printed, and whatever slipped past the gates where that text
entered must still not break a UTF-8 writer or a terminal.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnkit.grading.suite import TestResult
from rnnkit.i18n import current_language, say, speaking
from rnnkit.kit.untrusted import clean


@dataclass
class GradeReport:
    """Everything the grader concluded about one submission.

    - tests: one result per hidden test (every planned test appears, earned 0 when it could
      not run).
    - notes: what the student should know beyond single tests (a cell that raised, a missing
      answer cell, an unreadable notebook), in the student's language.
    - answers: the answer cells' code by grade_id, as graded (the autograded notebook shows
      them); not part of the results people or machines read.
    """

    assignment: str
    tests: list[TestResult]
    notes: list[str] = field(default_factory=list)
    language: str = field(default_factory=current_language)  # of the notes and messages
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(t.earned for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)

    def by_function(self) -> dict[str, tuple[float, float]]:
        """Points earned and possible, per graded function, in suite order."""
        totals: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            earned, possible = totals.get(t.function, (0.0, 0.0))
            totals[t.function] = (earned + t.earned, possible + t.points)
        return totals

    def to_results_json(self) -> dict[str, Any]:
        """Gradescope's results.json, plus ``max_score`` at the top level."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "output": "\n".join(clean(note) for note in self.notes),
            "tests": [
                {"name": clean(f"{t.function}: {t.name}", one_line=True), "score": t.earned,
                 "max_score": t.points, "status": "passed" if t.passed else "failed",
                 "output": clean(t.message)}
                for t in self.tests
            ],
        }

    def to_text(self) -> str:
        """A readable report: notes, then each function's tests with what went wrong."""
        with speaking(self.language):
            heading = say(es="Tarea {a}: {s:g} / {m:g} puntos",
                          en="Assignment {a}: {s:g} / {m:g} points", a=self.assignment,
                          s=self.score, m=self.max_score)
        lines = [heading]
        lines += [f"  ! {clean(note)}" for note in self.notes]
        for function, (earned, possible) in self.by_function().items():
            lines.append(f"\n{clean(function, one_line=True)}: {earned:g} / {possible:g}")
            lines += format_tests([t for t in self.tests if t.function == function])
        return "\n".join(lines)


def format_tests(tests: list[TestResult]) -> list[str]:
    """One line per test, ✓ or ✗, with the explanation of each failure indented below it."""
    lines = []
    for t in tests:
        name = clean(t.name, one_line=True)
        lines.append(f"  {'✓' if t.passed else '✗'} {name} ({t.earned:g}/{t.points:g})")
        lines += [f"      {line}" for line in clean(t.message).splitlines()]
    return lines


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` (creating its folder) so that readers see the old
    file or the new one, never half of one; on any error neither ``path`` nor a temporary
    file is left changed. The new file gets the permissions a plain ``open`` would give."""
    data = text.encode("utf-8")  # fails here, before any file exists, if it cannot be encoded
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
