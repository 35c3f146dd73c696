"""Make submissions: a released notebook with its answer cells filled in.

Used to build the simulated class of the demo and benchmark, and by the kit's tests (the source's
own solutions, catalogued mistakes, correct-but-different solutions).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from rnnkit import cells as kinds
from rnnkit.kit.paths import SOLUTIONS, SOURCE
from rnnkit.nb.catalogue import load_entry
from rnnkit.nb.language import localize_source


def source_answers(assignment: str, lang: str = "es") -> dict[str, str]:
    """grade_id -> code of every answer cell of the source notebook, solutions included."""
    nb = json.loads((SOURCE / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    answers = {}
    for cell in nb["cells"]:
        if kinds.is_answer(cell):
            answers[kinds.grade_id(cell)] = localize_source("".join(cell["source"]), lang)
    return answers


def reference_answers(assignment: str) -> dict[str, str]:
    """grade_id -> code of the reference solution's functions, one answer cell each.

    Catalogued mistakes are written against the reference (its cache layout, its helpers), so
    a mistaken submission is the reference with the mistaken functions swapped in.
    """
    answer_ids = set(source_answers(assignment))
    functions = load_entry(SOLUTIONS / f"{assignment}.py").code_by_function
    return {grade_id: code for grade_id, code in answers_for_functions(functions).items()
            if grade_id in answer_ids}


def answers_for_functions(code_by_function: dict[str, str]) -> dict[str, str]:
    """Answer cells for code written per function (``{"rnn_forward": "def rnn_forward..."}``)."""
    return {kinds.answer_id(function): code for function, code in code_by_function.items()}


def fill_release(release: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with the given answer cells' code replaced."""
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb
