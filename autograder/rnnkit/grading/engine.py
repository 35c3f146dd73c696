"""Grade one submitted notebook: its answer cells run in a sandbox, the hidden suite runs here.

The student's code never runs in this process; only plain numeric data comes back from the
sandbox, and every value is judged here against the reference solution. The score is summed
from the instructor's points (the manifest), whatever the submitted file claims.

What runs, in this order: the instructor's set-up cells, then the answer cells and the
definitions of the cells the student added, in the order of the notebook (rnnkit.nb.submission).
The hidden suite then grades the functions as the notebook defines them in the end: the last
definition of a function is the one graded. (nbgrader runs each function's hidden tests at its
grading cell, so there a definition further down does not count; honest notebooks define their
functions, and their helpers, above the grading cells, where both agree.)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from rnnkit import assignments
from rnnkit.grading import manifest as manifests
from rnnkit.grading import suite
from rnnkit.grading.results import GradeReport
from rnnkit.grading.student import SandboxStudent, StudentFailure
from rnnkit.i18n import DEFAULT_LANGUAGE, chosen_language, say, speaking
from rnnkit.nb.submission import (
    CodeCell,
    Submission,
    load_notebook,
    read_submission,
)
from rnnkit.sandbox import CellReport, Limits, Sandbox, start_ahead

MAX_OUTPUT_IN_REPORT = 2000


def grade_notebook(source: Path | bytes, assignment: str, *, insecure: bool = False,
                   limits: Limits | None = None,
                   functions: Collection[str] | None = None) -> GradeReport:
    """Grade a notebook, its file or its bytes, as a submission of ``assignment``; it is read
    once, and the report carries the answers it was graded on. ``functions``: only the
    hidden tests of these graded functions run, and the report has only theirs (None: all).

    Never raises because of the submission: whatever cannot be read or run earns 0 and gets a
    note. Raises only when the kit itself is unusable (unknown assignment, no isolation and not
    ``insecure``). Feedback is in the language chosen (``--lang``, $RNNKIT_LANG), else in the
    language the notebook was released in.
    """
    limits = limits or Limits(**assignments.get(assignment).sandbox_limits)
    start_ahead(limits, insecure)  # its Python loads numpy while the hidden suite is collected
    notebook = load_notebook(source if isinstance(source, bytes) else Path(source))
    with speaking(chosen_language() or notebook.language or DEFAULT_LANGUAGE):
        manifest = manifests.load(assignment)
        submission = read_submission(notebook, manifest.answer_ids, manifest.test_cell_points,
                                     manifest.release)
        report = _grade(submission, manifest, assignment, insecure, limits, functions)
    report.answers = submission.answers
    return report


def _grade(submission: Submission, manifest: manifests.Manifest, assignment: str,
           insecure: bool, limits: Limits, functions: Collection[str] | None) -> GradeReport:
    notes = list(submission.notes)
    planned = [t for t in manifest.tests if functions is None or t.function in functions]
    other = _other_assignment(assignment, submission)
    if other is not None:
        wrong = say(es="Este es el cuaderno de la tarea {other}, no de {this}: entrégalo (o "
                       "califícalo) como {other}.",
                    en="This is the notebook of assignment {other}, not {this}: submit (or "
                       "grade) it as {other}.", other=other, this=assignment)
        return GradeReport(assignment, _not_run(planned, wrong), [wrong])
    if not submission.cells:
        return GradeReport(assignment, _not_run(planned, _nothing_to_run()), notes)
    notes += _defined_again(manifest.functions, submission.cells)
    cells = [*manifest.setup_cells, *((c.cell_id, c.code) for c in submission.cells)]
    with Sandbox(cells, limits=limits, insecure=insecure) as box:
        reports = box.cell_reports
        hints = {**submission.not_run,
                 **_stopped_early(submission.cells, reports[len(manifest.setup_cells):])}
        notes += [_with_hint(_cell_note(r.cell_id, r.status, r.message), hints)
                  for r in reports if r.status != "ok"]
        results = suite.run(assignment, _HintingStudent(box, hints),
                            None if functions is None else list(functions))
        printed, (hidden_bytes, hidden_lines) = box.output, box.hidden_output
        if box.out_of_time:
            notes.append(box.out_of_time_message())
    if printed.strip():
        notes.append(say(es="Tu código imprimió:\n{out}", en="Your code printed:\n{out}",
                         out=printed[-MAX_OUTPUT_IN_REPORT:]))
    if hidden_bytes:
        # It could show the hidden tests' inputs: only the cells' own output is shown.
        notes.append(say(
            es="Tus funciones imprimieron {n} bytes ({lines} líneas) mientras las pruebas "
               "ocultas las llamaban; esa salida no se muestra, para que las entradas de las "
               "pruebas sigan ocultas.",
            en="Your functions printed {n} bytes ({lines} lines) while the hidden tests called "
               "them; that output is not shown, so that the tests' inputs stay hidden.",
            n=hidden_bytes, lines=hidden_lines))
    return GradeReport(assignment, _complete(planned, results), notes)


class _HintingStudent(SandboxStudent):
    """The student's functions in the sandbox. When one fails because a name is not defined
    (NameError) and only code that does not run defines that name, the failure says where it
    is and what to do (``hints``: name -> that advice)."""

    def __init__(self, box: Sandbox, hints: Mapping[str, str]) -> None:
        super().__init__(box)
        self._hints = hints

    def call(self, function: str, *args: Any) -> Any:
        try:
            return super().call(function, *args)
        except StudentFailure as failure:
            text = _with_hint(str(failure), self._hints)
            if text == str(failure):
                raise
            raise StudentFailure(text) from None


# The text of a NameError, as the sandbox reports it. The student's code could fake one: that
# only adds a hint about a name of its own notebook.
_NAME_ERROR = re.compile(r"NameError: name '(\w{1,200})' is not defined")


def _with_hint(message: str, hints: Mapping[str, str]) -> str:
    """``message``, followed by the hint about the name whose NameError it reports, if any."""
    found = _NAME_ERROR.search(message)
    hint = hints.get(found[1]) if found else None
    return f"{message}\n{hint}" if hint else message


def _stopped_early(cells: Sequence[CodeCell], reports: Sequence[CellReport]) -> dict[str, str]:
    """name -> hint, for the names that only cells which stopped early (an error, a timeout)
    define: the cell may have stopped before defining them."""
    pairs = list(zip(cells, reports, strict=True))
    defined = frozenset().union(*(cell.defines for cell, r in pairs if r.status == "ok"))
    stopped = [cell for cell, report in pairs if report.status != "ok"]
    hints: dict[str, str] = {}
    for cell in stopped:
        for name in sorted(cell.defines - defined):
            hints.setdefault(name, say(
                es="`{name}` se define en {where}, que se detuvo antes de definirlo (ver la nota "
                   "sobre esa celda).",
                en="`{name}` is defined in {where}, which stopped before defining it (see the "
                   "note about that cell).", name=name, where=cell.where))
    return hints


def _defined_again(functions: Sequence[str], cells: Sequence[CodeCell]) -> list[str]:
    """Notes on graded functions that a cell the student added defines after an answer cell
    did: the later definition is graded, as when the notebook runs from top to bottom."""
    notes = []
    for function in functions:
        defining = [c for c in cells if function in c.defines]
        if defining and defining[-1].added and not all(c.added for c in defining):
            notes.append(say(
                es="`{f}` se define en una celda de respuesta y otra vez, más abajo, en {where}, "
                   "una celda que añadiste: como al ejecutar el cuaderno de arriba abajo, se "
                   "califica la última definición.",
                en="`{f}` is defined in an answer cell and again, further down, in {where}, a "
                   "cell you added: as when the notebook runs from top to bottom, the last "
                   "definition is the one graded.", f=function, where=defining[-1].where))
    return notes


def _complete(planned: Sequence[suite.PlannedTest],
              results: list[suite.TestResult]) -> list[suite.TestResult]:
    """The results in plan order; a planned test that produced no result earns 0."""
    by_name = {r.name: r for r in results}
    missing = say(es="Esta prueba no llegó a ejecutarse.", en="This test did not run.")
    return [by_name.get(t.name) or suite.TestResult(t.name, t.function, t.points, 0.0, missing)
            for t in planned]


def _other_assignment(assignment: str, submission: Submission) -> str | None:
    """The kit's other assignment whose answer cells this notebook has, when it has none of
    ``assignment``'s (a student who submitted the wrong notebook)."""
    if submission.answers or not submission.grade_ids:
        return None
    for other in assignments.names():
        answer_ids = manifests.load(other).answer_ids if other != assignment else ()
        if submission.grade_ids & set(answer_ids):
            return other
    return None


def _not_run(planned: Sequence[suite.PlannedTest], why: str) -> list[suite.TestResult]:
    return [suite.TestResult(t.name, t.function, t.points, 0.0, why) for t in planned]


def _nothing_to_run() -> str:
    return say(es="No hay respuestas que calificar en este cuaderno.",
               en="There are no answers to grade in this notebook.")


def _cell_note(cell_id: str, status: str, message: str) -> str:
    what = {
        "error": say(es="produjo un error", en="raised an error"),
        "timeout": say(es="no terminó a tiempo (¿un bucle infinito?)",
                       en="did not finish in time (an infinite loop?)"),
        "crashed": say(es="hizo terminar el proceso", en="made the process end"),
        "not-run": say(es="no se ejecutó", en="did not run"),
    }.get(status, status)
    return say(es="La celda `{id}` {what}: {msg}", en="The cell `{id}` {what}: {msg}",
               id=cell_id, what=what, msg=message)
