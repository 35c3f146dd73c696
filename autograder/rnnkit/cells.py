"""What a cell of a kit notebook is, by its nbgrader metadata (schema_version 3). The one place
these rules live: the grader, ``rnnkit check`` and the kit's tools all ask here.

- an answer cell is the student's: ``solution: true`` and ``grade: false``, grade_id
  ``answer_<function>``;
- a set-up cell is tagged ``setup``: it runs before the answers;
- a grading cell has ``grade: true`` and grade_id ``test_<function>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ANSWER_PREFIX = "answer_"
TEST_PREFIX = "test_"


def nbgrader_meta(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    """The cell's nbgrader metadata ({} when it has none, or something else in its place)."""
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, Mapping) else None
    return nbgrader if isinstance(nbgrader, Mapping) else {}


def is_answer(cell: Mapping[str, Any]) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_setup(cell: Mapping[str, Any]) -> bool:
    meta = cell.get("metadata")
    tags = meta.get("tags", []) if isinstance(meta, Mapping) else []
    return isinstance(tags, list) and "setup" in tags


def is_grading(cell: Mapping[str, Any]) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and str(meta.get("grade_id", "")).startswith(TEST_PREFIX)


def answer_id(function: str) -> str:
    """The grade_id of the answer cell defining ``function``."""
    return f"{ANSWER_PREFIX}{function}"


def grade_id(cell: Mapping[str, Any]) -> str:
    return str(nbgrader_meta(cell).get("grade_id", "") or "")
