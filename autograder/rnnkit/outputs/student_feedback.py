"""Feedback pages for students (``rnnkit feedback rnn``): nbgrader's own, plus the grader's
notes on the whole notebook.

Today a student's feedback is ``nbgrader generate_feedback``'s page of their autograded
notebook: under each grading cell, that function's tests and what went wrong. What rnnkit says
about the notebook as a whole (a cell that raised or never ended, edited grading cells, an
unreadable file, what the code printed) is only in ``rnnkit-results.json`` beside it. This
command runs nbgrader's GenerateFeedback with one more preprocessor, :class:`GraderNotes`, which
puts those notes at the top of the notebook it renders; everything else is nbgrader's: the
page, its score header, ``feedback/<student>/<assignment>/<assignment>.html``, and so
``nbgrader release_feedback`` and ``fetch_feedback`` as usual.

Why not write the notes into the autograded notebook itself: that notebook is what nbgrader's
autograde would write (the formgrader shows it, and the kit keeps both the same); the notes
belong to the page the student reads. Plain ``nbgrader generate_feedback`` still works, without
the notes.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from rnnkit.grading.classroom import STATE_FILE
from rnnkit.i18n import say
from rnnkit.kit.untrusted import clean


class GraderNotes(Preprocessor):
    """An nbconvert preprocessor: the grader's notes on the notebook (``rnnkit-results.json``
    in the notebook's folder), if any, as a first cell. Notes come from the submission's
    grading, so they are cleaned and shown as escaped text, never as markup."""

    enabled = Bool(True)  # nbconvert runs only enabled preprocessors

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]
                   ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        folder = resources.get("metadata", {}).get("path")
        notes = grader_notes(Path(folder, STATE_FILE)) if folder is not None else ""
        if notes:
            heading = say(es="Notas del calificador sobre el cuaderno entero",
                          en="The grader's notes on the whole notebook")
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                f"### {html.escape(heading)}\n\n<pre>{html.escape(notes)}</pre>"))
        return nb, resources


def grader_notes(results: Path) -> str:
    """The notes of a results file (its ``output``), cleaned; "" when there are none or the
    file cannot be read."""
    try:
        return clean(str(json.loads(results.read_text(encoding="utf-8")).get("output", ""))).strip()
    except (OSError, ValueError, AttributeError):
        return ""


def generate_feedback(course: Path, assignment: str) -> list[Path]:
    """Write every autograded student's feedback page of ``assignment`` (nbgrader's
    generate_feedback, always regenerated, with :class:`GraderNotes`); messages are in the
    language in force (rnnkit.i18n). Returns the pages written.

    Raises ValueError when nothing was autograded, RuntimeError naming the cause when nbgrader
    fails.
    """
    from nbgrader.converters import GenerateFeedback, NbGraderException
    from nbgrader.preprocessors import GetGrades

    from rnnkit.grading.gradebook import course_config

    graded = sorted(Path(course, "autograded").glob(f"*/{assignment}/{assignment}.ipynb"))
    if not graded:
        raise ValueError(f"no autograded notebooks of {assignment} in {course}: run `rnnkit "
                         f"autograde {assignment}` there first")
    settings = course_config(course)
    settings.coursedir.assignment_id = assignment
    converter = GenerateFeedback(coursedir=settings.coursedir, parent=settings)
    steps = list(converter.preprocessors)
    after = steps.index(GetGrades) + 1 if GetGrades in steps else 0
    converter.preprocessors = [*steps[:after], GraderNotes, *steps[after:]]
    converter.force = True  # the notes may have changed while the autograded notebook did not
    try:
        converter.start()
    except NbGraderException as error:
        raise RuntimeError(f"nbgrader's generate_feedback failed for {assignment} in {course}: "
                           f"{error}; run `nbgrader generate_feedback {assignment}` there to "
                           f"see why") from None
    pages = [Path(course, "feedback", notebook.parent.parent.name, assignment,
                  f"{assignment}.html") for notebook in graded]
    return [page for page in pages if page.is_file()]
