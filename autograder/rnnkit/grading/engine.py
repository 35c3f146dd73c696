"""Grade one submitted notebook: its answer cells run in a sandbox, the hidden suite runs here.

The student's code never runs in this process; only plain numeric data comes back from the
sandbox, and every value is judged here against the reference solution. The score is summed
from the instructor's points (the manifest), whatever the submitted file claims.
"""

from __future__ import annotations

from pathlib import Path

from rnnkit.grading import manifest as manifests
from rnnkit.grading import suite
from rnnkit.grading.report import GradeReport
from rnnkit.grading.student import SandboxStudent
from rnnkit.i18n import DEFAULT_LANGUAGE, chosen_language, say, speaking
from rnnkit.nb.submission import notebook_language, read_submission
from rnnkit.sandbox import Limits, Sandbox

MAX_OUTPUT_IN_REPORT = 2000


def grade_notebook(path: Path, assignment: str, *, insecure: bool = False,
                   limits: Limits | None = None) -> GradeReport:
    """Grade the notebook at ``path`` as a submission of ``assignment``.

    Never raises because of the submission: whatever cannot be read or run earns 0 and gets a
    note. Raises only when the kit itself is unusable (unknown assignment, no isolation and not
    ``insecure``). Feedback is in the language chosen (``--lang``, $RNNKIT_LANG), else in the
    language the notebook was released in.
    """
    lang = chosen_language() or notebook_language(Path(path)) or DEFAULT_LANGUAGE
    with speaking(lang):
        return _grade(Path(path), assignment, insecure, limits)


def _grade(path: Path, assignment: str, insecure: bool, limits: Limits | None) -> GradeReport:
    manifest = manifests.load(assignment)
    submission = read_submission(Path(path), manifest.answer_ids, manifest.test_cell_points)
    notes = list(submission.notes)
    if not submission.answers:
        return GradeReport(assignment, _not_run(manifest, _nothing_to_run()), notes)
    cells = [*manifest.setup_cells,
             *((gid, submission.answers[gid]) for gid in manifest.answer_ids
               if gid in submission.answers)]
    with Sandbox(cells, limits=limits or Limits(), insecure=insecure) as box:
        notes += [_cell_note(r.cell_id, r.status, r.message) for r in box.cell_reports
                  if r.status != "ok"]
        results = suite.run(assignment, SandboxStudent(box))
        printed = box.output
    if printed.strip():
        notes.append(say(es="Tu código imprimió:\n{out}", en="Your code printed:\n{out}",
                         out=printed[-MAX_OUTPUT_IN_REPORT:]))
    return GradeReport(assignment, _complete(manifest, results), notes)


def _complete(manifest: manifests.Manifest,
              results: list[suite.TestResult]) -> list[suite.TestResult]:
    """The results in plan order; a planned test that produced no result earns 0."""
    by_name = {r.name: r for r in results}
    missing = say(es="Esta prueba no llegó a ejecutarse.", en="This test did not run.")
    return [by_name.get(t.name) or suite.TestResult(t.name, t.function, t.points, 0.0, missing)
            for t in manifest.tests]


def _not_run(manifest: manifests.Manifest, why: str) -> list[suite.TestResult]:
    return [suite.TestResult(t.name, t.function, t.points, 0.0, why) for t in manifest.tests]


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
